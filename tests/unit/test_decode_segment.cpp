// decode_segment: a packet's bytes decoded on their own, as the Wireshark dissector does under
// Wireshark's TCP reassembly, give the records decode gives for the whole stream.
#include <doctest/doctest.h>

#include <set>

#include "segment_loop.hpp"
#include "vt106/output/message_fields.hpp"
#include "record_collector.hpp"

using namespace vt106;
using vt106::testing::decode_segments;
using vt106::testing::decode_whole;

namespace {
const std::string pos = "#867648040000018,CMD-T,A,DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000#";
const std::string hb = "#867648040000018,CMD-X#";
const std::string bad = "#867648040000018,CMD-T,A,DATE:090329,TIME:223252,LAT:99.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000#";

std::vector<std::string_view> cut(std::string_view s, std::vector<std::size_t> at) {
  std::vector<std::string_view> out;
  std::size_t last = 0;
  at.push_back(s.size());
  for (auto a : at) {
    out.push_back(s.substr(last, a - last));
    last = a;
  }
  return out;
}
}  // namespace

TEST_CASE("a frame cut over three segments is one message, at its offset") {
  const auto r = decode_segments(cut(pos, {20, 61}));
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0] == "0 " + pos);
  CHECK(r.errors.empty());
}

TEST_CASE("every cut of a stream gives the records of the whole stream") {
  const std::string stream = "junk text " + pos + hb + bad + ":123456F#" + hb + hb.substr(0, 10);
  const auto whole = decode_whole(stream);
  REQUIRE(whole.messages.size() == 4);
  REQUIRE(whole.errors.size() == 3);  // the leading text, the latitude, the unclosed end
  std::size_t inexact = 0;
  for (std::size_t a = 1; a < stream.size(); ++a) {
    for (std::size_t b = a; b < stream.size(); b += 7) {
      const auto seg = decode_segments(cut(stream, {a, b}));
      if (!seg.exact) {
        // A cut just after "junk text #": that '#' ends the text, and the next packet's frame
        // is decoded without its opening '#', still one message.
        ++inexact;
        REQUIRE_MESSAGE(seg.messages.size() == whole.messages.size(), "cut at " << a << " and " << b);
        continue;
      }
      REQUIRE_MESSAGE(seg.messages == whole.messages, "cut at " << a << " and " << b);
      REQUIRE_MESSAGE(seg.errors == whole.errors, "cut at " << a << " and " << b);
    }
  }
  CHECK(inexact < 100);  // only the cuts at that one '#'

  // The '#' on its own, or after another '#', opens a frame: held for the next segment.
  const auto alone = decode_segments(cut(pos + pos, {pos.size() + 1}));
  CHECK(alone.exact);
  CHECK(alone.messages == decode_whole(pos + pos).messages);
  const auto lone = decode_segments({"#", pos.substr(1)});
  CHECK(lone.messages == decode_whole(pos).messages);
}

TEST_CASE("an open frame is held only while it can still become a message") {
  gotop::Parser parser;
  testing::SegmentedRecords out;
  testing::SegmentRecorder sink(out);
  output::RecordContext ctx;
  decode::SegmentOptions more;
  more.more_may_come = true;
  SUBCASE("no '#' yet: everything held") {
    const auto r = decode::decode_segment("867648040000018,CMD", more, parser, sink, ctx);
    CHECK(r.pending == 0);
    CHECK(out.messages.empty());
    CHECK(out.errors.empty());
  }
  SUBCASE("held from its opening '#'") {
    const std::string bytes = hb + "#8676480";
    const auto r = decode::decode_segment(bytes, more, parser, sink, ctx);
    CHECK(r.pending == hb.size());
    CHECK(out.messages.size() == 1);
    CHECK(r.last_imei == "867648040000018");
  }
  SUBCASE("over the frame limit it is reported now, not held") {
    const std::string bytes = "#" + std::string(1100, 'A');
    const auto r = decode::decode_segment(bytes, more, parser, sink, ctx);
    CHECK(r.pending == bytes.size());
    REQUIRE(out.errors.size() == 1);
    CHECK(out.errors[0] == "0 frame_too_long");
  }
  SUBCASE("a datagram's unclosed frame is truncated") {
    const auto r = decode::decode_segment(hb + "#8676", decode::SegmentOptions{}, parser, sink, ctx);
    CHECK(r.pending == hb.size() + 5);
    CHECK(out.messages.size() == 1);
    REQUIRE(out.errors.size() == 1);
    CHECK(out.errors[0] == std::to_string(hb.size()) + " truncated");
  }
}

TEST_CASE("commands take the device's identifier when the caller knows it") {
  struct Imeis final : output::RecordSink {
    std::vector<std::string> seen;
    void message(const output::RecordContext&, const gotop::Message& m) override { seen.emplace_back(m.imei); }
    void error(const output::RecordContext&, const output::ErrorRecord&) override {}
  } sink;
  gotop::Parser parser;
  output::RecordContext ctx;
  const std::string device = "867648040000018";
  decode::SegmentOptions options;
  options.device_imei = &device;
  decode::decode_segment(":123456F#:123456M1,030S#", options, parser, sink, ctx);
  CHECK(sink.seen == std::vector<std::string>{device, device});
}

TEST_CASE("a packet offered to the dissector on any port") {
  gotop::Parser parser;
  CHECK(decode::segment_starts_with_gotop(pos, parser));
  CHECK(decode::segment_starts_with_gotop(hb + pos, parser));
  CHECK(decode::segment_starts_with_gotop(":123456F#", parser));
  CHECK(decode::segment_starts_with_gotop(pos.substr(0, 30), parser));  // the rest comes later
  CHECK_FALSE(decode::segment_starts_with_gotop(pos.substr(0, 10), parser));
  CHECK_FALSE(decode::segment_starts_with_gotop(bad, parser));  // a frame that does not parse
  CHECK_FALSE(decode::segment_starts_with_gotop("*HQ,135790246811220,HTBT,100#", parser));
  CHECK_FALSE(decode::segment_starts_with_gotop("##,imei:359586015829802,A;", parser));
  CHECK_FALSE(decode::segment_starts_with_gotop("GET / HTTP/1.1\r\n\r\n", parser));
  CHECK_FALSE(decode::segment_starts_with_gotop("220 smtp.example ESMTP\r\n", parser));
  CHECK_FALSE(decode::segment_starts_with_gotop("#", parser));
}

TEST_CASE("the record's keys are the field list's") {
  // A message with every kind of field: its NDJSON keys, past the record's frame (kind,
  // protocol, dir, raw), are exactly the message_fields it has, in the list's order.
  const auto records = testing::decode_string(
      "#860264050778076,CMD-T,A,DATE:220516,TIME:100627,LAT:48.7636978N,LON:003.4652398W,Speed:051.4,1-0-0-0-99-31,01.00,"
      "WIFI:{84-a0-6e-94-42-5e&-47},BLE:{1f-cf-4d-3c-61-bf&-91}#\n"
      "#013226009991924,CMD-T,A,DATE:130802,TIME:153721,LAT:25.9757433S,LOT:028.1087816E,Speed:000.0,X-X-X-X-81-26,000,65501-00A0-4B8E#\n");
  REQUIRE(records.size() == 2);
  std::set<std::string> known;
  for (const auto& f : output::message_fields) known.emplace(f.key);
  std::set<std::string> seen;
  for (const auto& r : records) {
    for (const auto& [key, value] : r.items()) {
      if (key == "kind" || key == "protocol" || key == "dir" || key == "raw" || key == "line" || key == "offset" ||
          key == "input")
        continue;
      INFO(key);
      CHECK(known.count(key) == 1);
      seen.insert(key);
    }
  }
  for (auto want : {"imei", "type", "event", "valid", "fix_time", "lat", "lon", "speed_kmh", "flags", "status", "cell",
                    "wifi", "ble"})
    CHECK(seen.count(want) == 1);
  CHECK(records[1]["cell"].size() == output::cell_keys.size());
  CHECK(records[0]["wifi"][0].size() == output::radio_keys.size());
}
