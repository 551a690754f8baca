// The '#' frame splitter and stream decoder: slicing, glued frames, junk, resync, limits.
#include <doctest/doctest.h>

#include "record_collector.hpp"
#include "vt106/decode/stream_decoder.hpp"

using nlohmann::json;
using vt106::testing::RecordCollector;

namespace {

// A stream mixing everything the framer must survive.
const std::string mixed_stream =
    "#353327020412763,CMD-X##353327020115804,CMD-T,A,DATE:090329,TIME:223252,LAT:22.7634066N,"
    "LOT:114.3964783E,Speed:000.0,84-20,000# \r\n#861785001515349,ALM-A,V,DATE:120903,TIME:160649,"
    "LAT:19.4265944N,LOT:098.8781135W,Speed:005.5,X-X-X-X-82-10,000,24202-0324-0E26#garbage here#"
    "353327020412763,CMD-X#:123456M1,030S#\x01\x02\xff#353327020412763,CMD-F,V,DATE:140125,"
    "TIME:183636,LAT:51.6384466N,LOT:000.2863866E,Speed:000.0,61-19,#  #353327020412763,CMD-T,A,DATE:1401";

std::vector<std::string> decode_in_slices(const std::string& stream, std::size_t slice) {
  RecordCollector sink;
  vt106::gotop::Parser parser;
  vt106::decode::StreamDecoder dec(parser, sink);
  vt106::output::RecordContext ctx;
  ctx.input = "test";
  for (std::size_t i = 0; i < stream.size(); i += slice) dec.feed(std::string_view(stream).substr(i, slice), ctx);
  dec.finish(ctx);
  return sink.lines;
}

}  // namespace

TEST_SUITE("gotop.framer") {
  TEST_CASE("slices of every size give identical records") {
    const auto whole = decode_in_slices(mixed_stream, mixed_stream.size());
    REQUIRE(whole.size() == 9);
    for (std::size_t slice = 1; slice <= mixed_stream.size(); ++slice) {
      CAPTURE(slice);
      REQUIRE(decode_in_slices(mixed_stream, slice) == whole);
    }
  }

  TEST_CASE("glued frames, whitespace, junk and a trailing partial frame") {
    std::vector<json> r;
    for (const auto& l : decode_in_slices(mixed_stream, 7)) r.push_back(json::parse(l));
    CHECK(r[0]["type"] == "CMD-X");
    CHECK(r[0]["offset"] == 0);
    CHECK(r[0]["raw"] == "#353327020412763,CMD-X#");
    CHECK(r[1]["type"] == "CMD-T");
    CHECK(r[1]["offset"] == 23);
    CHECK(r[2]["type"] == "ALM-A");
    CHECK(r[3]["code"] == "junk");
    CHECK(r[3]["raw"] == "#garbage here#");
    // After the junk the splitter is back in step: a frame glued to it by a single '#'.
    CHECK(r[4]["type"] == "CMD-X");
    CHECK(r[5]["dir"] == "down");
    CHECK(r[5]["raw"] == ":123456M1,030S#");
    CHECK(r[6]["code"] == "junk");
    CHECK(r[6].contains("raw_hex"));
    CHECK(r[7]["type"] == "CMD-F");
    CHECK(r[8]["code"] == "truncated");
    CHECK(r[8]["raw"] == "#353327020412763,CMD-T,A,DATE:1401");
    CHECK(r[8]["offset"] == mixed_stream.rfind('#'));
  }

  TEST_CASE("a stream that begins mid-frame reports the partial head and resynchronises") {
    const auto lines = decode_in_slices("LOT:114.3964783E,Speed:000.0,84-20,000##353327020412763,CMD-X#", 5);
    REQUIRE(lines.size() == 2);
    const json a = json::parse(lines[0]), b = json::parse(lines[1]);
    CHECK(a["code"] == "junk");
    CHECK(a["offset"] == 0);
    CHECK(b["type"] == "CMD-X");
    CHECK(b["offset"] == 39);
  }

  TEST_CASE("a body without its opening '#' is accepted only when it is a whole frame") {
    const auto lines = decode_in_slices("353327020412763,CMD-X#5,CMD-X#", 3);
    REQUIRE(lines.size() == 2);
    CHECK(json::parse(lines[0])["type"] == "CMD-X");
    CHECK(json::parse(lines[1])["imei"] == "5");  // after a '#', short identifiers are the device's own
  }

  TEST_CASE("frames longer than the limit are reported once with their length, then resync") {
    RecordCollector sink;
    vt106::gotop::Parser parser;
    vt106::decode::StreamDecoder dec(parser, sink, 64);
    vt106::output::RecordContext ctx;
    std::string big = "#353327020412763," + std::string(5000, 'A') + "#353327020412763,CMD-X#";
    for (std::size_t i = 0; i < big.size(); i += 100) dec.feed(std::string_view(big).substr(i, 100), ctx);
    dec.finish(ctx);
    REQUIRE(sink.records.size() == 2);
    CHECK(sink.records[0]["code"] == "frame_too_long");
    CHECK(sink.records[0]["length"] == 5018);  // '#' + 16 + 5000 + '#'
    CHECK(sink.records[0]["raw"].get<std::string>().size() == 65);  // '#' + the first 64 bytes
    CHECK(sink.records[1]["type"] == "CMD-X");
    CHECK(sink.records[1]["offset"] == 5017);
  }

  TEST_CASE("whitespace longer than the limit before a body is skipped, whatever the slicing") {
    // Found by fuzz_stream: fed at once, the body after the blank run used to vanish with it.
    const std::string stream = std::string(40, ' ') + "353327020412763,CMD-X#\n#" + std::string(30, '\0') +
                               "353327020412763,CMD-X#";
    auto decode = [&](std::size_t slice) {
      RecordCollector sink;
      vt106::gotop::Parser parser;
      vt106::decode::StreamDecoder dec(parser, sink, 24);
      vt106::output::RecordContext ctx;
      for (std::size_t i = 0; i < stream.size(); i += slice) dec.feed(std::string_view(stream).substr(i, slice), ctx);
      dec.finish(ctx);
      return sink;
    };
    const auto whole = decode(stream.size());
    REQUIRE(whole.records.size() == 2);
    CHECK(whole.records[0]["type"] == "CMD-X");
    CHECK(whole.records[0]["offset"] == 40);  // where the kept text begins
    CHECK(whole.records[0]["raw"] == "353327020412763,CMD-X#");
    CHECK(whole.records[1]["type"] == "CMD-X");
    CHECK(whole.records[1]["offset"] == 63);  // the opening '#'
    CHECK(whole.records[1]["raw"] == "#353327020412763,CMD-X#");
    for (std::size_t slice = 1; slice < stream.size(); ++slice) {
      CAPTURE(slice);
      REQUIRE(decode(slice).lines == whole.lines);
    }
  }

  TEST_CASE("a megabyte without '#' costs bounded memory and one record") {
    RecordCollector sink;
    vt106::gotop::Parser parser;
    vt106::decode::StreamDecoder dec(parser, sink);
    vt106::output::RecordContext ctx;
    const std::string junk(1 << 20, 'x');
    dec.feed(junk, ctx);
    dec.finish(ctx);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0]["code"] == "frame_too_long");
    CHECK(sink.records[0]["length"] == 1 << 20);
  }

  TEST_CASE("a gap ends the open frame as truncated and the next frame decodes") {
    RecordCollector sink;
    vt106::gotop::Parser parser;
    vt106::decode::StreamDecoder dec(parser, sink);
    vt106::output::RecordContext ctx;
    dec.feed("#353327020412763,CMD-X##353327020412763,CMD-T,A,DA", ctx);
    dec.gap(40, ctx);
    dec.feed("TIME:223252,LAT:22#353327020412763,CMD-X#", ctx);
    dec.finish(ctx);
    REQUIRE(sink.records.size() == 4);
    CHECK(sink.records[1]["code"] == "truncated");
    CHECK(sink.records[2]["code"] == "junk");
    CHECK(sink.records[3]["type"] == "CMD-X");
    CHECK(sink.records[3]["offset"] == 50 + 40 + 18);
  }

  TEST_CASE("text lines: bare bodies and framed lines mix") {
    const auto r = vt106::testing::decode_string(
        "353327020412763,CMD-X\n#353327020412763,CMD-X#\r\n\n  353327020412763,CMD-X  \n:123456F#\n");
    REQUIRE(r.size() == 4);
    CHECK(r[0]["raw"] == "353327020412763,CMD-X");
    CHECK(r[0]["offset"] == 0);
    CHECK(r[1]["raw"] == "#353327020412763,CMD-X#");
    CHECK(r[1]["offset"] == 22);
    CHECK(r[2]["raw"] == "353327020412763,CMD-X");
    CHECK(r[2]["offset"] == 50);
    CHECK(r[3]["dir"] == "down");
  }
}
