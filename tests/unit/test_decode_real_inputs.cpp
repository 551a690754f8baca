// Real inputs: byte sources read as the bytes arrive, server logs, Traccar's log, packets in
// hex dumps, captures that begin mid-conversation, and several inputs in one run.
#include <doctest/doctest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "pcap_builder.hpp"
#include "record_collector.hpp"
#include "vt106/decode/flow_decoder.hpp"
#include "vt106/decode/input.hpp"
#include "vt106/decode/text_decode.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/source/byte_source.hpp"
#include "vt106/source/capture_file.hpp"

using namespace vt106;
using vt106::testing::RecordCollector;

namespace {

// Hands out its bytes in slices and notes how many records had been written before each read:
// the proof that records come out before the input ends.
class SlicedSource final : public source::ByteSource {
 public:
  SlicedSource(std::string bytes, std::size_t slice, const RecordCollector& seen)
      : bytes_(std::move(bytes)), slice_(slice), seen_(seen) {}
  std::size_t read(char* into, std::size_t n) override {
    records_before_read.push_back(seen_.records.size());
    const std::size_t take = std::min({n, slice_, bytes_.size() - at_});
    std::memcpy(into, bytes_.data() + at_, take);
    at_ += take;
    return take;
  }
  std::vector<std::size_t> records_before_read;

 private:
  std::string bytes_;
  std::size_t slice_, at_ = 0;
  const RecordCollector& seen_;
};

std::string gzip(std::string_view text) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, text.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string read_all(source::ByteSource& in) {
  std::string out;
  char buf[7];
  for (std::size_t n = in.read(buf, sizeof buf); n > 0; n = in.read(buf, sizeof buf)) out.append(buf, n);
  return out;
}

std::vector<nlohmann::json> of_kind(const std::vector<nlohmann::json>& all, std::string_view kind) {
  std::vector<nlohmann::json> out;
  for (const auto& r : all)
    if (r["kind"] == kind) out.push_back(r);
  return out;
}

std::vector<nlohmann::json> decode_log(const std::string& text, decode::TextOptions options = {}) {
  RecordCollector sink;
  gotop::Parser parser;
  decode::TextDecoder dec(parser, sink, options);
  source::MemorySource in(text);
  dec.text(in, "log");
  return sink.records;
}

const std::string hb = "#867648044456745,CMD-X#";
const std::string pos =
    "#867648044456745,CMD-T,A,DATE:240813,TIME:235937,LAT:02.9930825N,LON:101.5746188E,Speed:000.0,095-70,59.5#";

std::string hex_of(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out.push_back(digits[static_cast<unsigned char>(c) >> 4]);
    out.push_back(digits[static_cast<unsigned char>(c) & 15]);
  }
  return out;
}

}  // namespace

TEST_SUITE("decode.real_inputs") {
  TEST_CASE("lines: CRLF and LF, a last line without a break, long lines in pieces") {
    source::MemorySource in("one\r\ntwo\nthree");
    source::LineReader lines(in);
    source::LineReader::Line l;
    std::vector<std::string> got;
    std::vector<std::uint64_t> offsets;
    while (lines.next(l)) {
      got.emplace_back(l.text);
      offsets.push_back(l.offset);
    }
    CHECK(got == std::vector<std::string>{"one", "two", "three"});
    CHECK(offsets == std::vector<std::uint64_t>{0, 5, 9});

    source::MemorySource big(std::string(25, 'x') + "\nend\n");
    source::LineReader pieces(big, 10);
    std::vector<std::pair<std::size_t, bool>> shape;
    while (pieces.next(l)) {
      shape.emplace_back(l.text.size(), l.partial);
      CHECK(l.number == (shape.size() <= 3 ? 1u : 2u));
    }
    CHECK(shape == std::vector<std::pair<std::size_t, bool>>{{10, true}, {10, true}, {5, false}, {3, false}});
  }

  TEST_CASE("gzip: members one after another, damage named with its position") {
    const std::string a = "#867648044456745,CMD-X#\n", b = "second member\n";
    source::MemorySource packed(gzip(a) + gzip(b));
    source::GzipSource in(packed);
    CHECK(read_all(in) == a + b);
    CHECK_FALSE(in.failed());

    std::string damaged = gzip(std::string(5000, 'a'));
    damaged.resize(damaged.size() / 2);
    source::MemorySource cut(damaged);
    source::GzipSource in2(cut);
    read_all(in2);
    CHECK(in2.failed());
    CHECK(in2.error().find("compressed byte") != std::string::npos);
  }

  TEST_CASE("peeking reads no further than it asks, and the bytes are read again") {
    source::MemorySource in("first line\nsecond line\nthird");
    source::PeekSource peek(in);
    CHECK(peek.peek(4) == "first line\nsecond line\nthird");  // memory is read in one go
    CHECK(read_all(peek) == "first line\nsecond line\nthird");
  }

  TEST_CASE("what an input is does not depend on how its bytes arrive") {
    // Found by the input fuzz target: an xxd dump whose fifth line is damaged was a dump when its
    // first four lines came alone, and text when 4 KiB came at once.
    std::string dump = "00000000: 2338 3637 3634 3830 3434 3435 3637 3435  #867648044456745\n"
                       "00000010: 2c43 4d44 2d58 2320 2020 2020 2020 2020  ,CMD-X#\n"
                       "00000020: 2338 3637 3634 3830 3434 3435 3637 3435  #867648044456745\n"
                       "00000030: 2c43 4d44 2d58 2320 2020 2020 2020 2020  ,CMD-X#\n";
    dump += "this line is no dump line at all, and neither are those after it\n";
    for (int i = 0; i < 40; ++i) dump += "2026-12-01 10:00:00 some log text without any frame in it\n";
    RecordCollector none;
    std::vector<decode::Sniffed> seen;
    for (const std::size_t slice : {std::size_t{1}, std::size_t{7}, std::size_t{60}, dump.size()}) {
      SlicedSource in(dump, slice, none);
      source::PeekSource peek(in);
      seen.push_back(decode::sniff_source(peek));
    }
    CHECK(seen == std::vector<decode::Sniffed>(4, seen.front()));
    CHECK(seen.front() == decode::Sniffed::hex);
  }

  TEST_CASE("text input: each line's records are out before the next bytes are read") {
    RecordCollector sink;
    gotop::Parser parser;
    decode::TextDecoder dec(parser, sink);
    SlicedSource in(hb + "\n" + hb + "\n" + hb + "\n", hb.size() + 1, sink);
    dec.text(in, "pipe");
    REQUIRE(sink.records.size() == 3);
    // The reader asked for bytes 4 times (3 lines, then the end): before each, the lines
    // before it had been written.
    REQUIRE(in.records_before_read.size() >= 4);
    CHECK(in.records_before_read[1] >= 1);
    CHECK(in.records_before_read[2] >= 2);
  }

  TEST_CASE("server log: the prefix is context, its time, address and direction go on the record") {
    const std::string log =
        "2026-12-01 10:00:00,123 INFO [pool-1] recv from 10.1.2.3:40112: " + hb + "\n"
        "2026-12-01 10:00:01,000 INFO [pool-1] send to 10.1.2.3:40112: :123456M1,030S#\n"
        "2026-12-01 10:00:02.500 INFO nothing to see here\n"
        "2026-12-01T10:00:03Z INFO recv from 10.9.9.9:5000 #86764804445674X,CMD-X#\n"
        "Dec  1 10:00:04 gw platform[42]: rx " + pos + " (105 bytes)\n";
    const auto r = decode_log(log);
    REQUIRE(r.size() == 4);
    CHECK(r[0]["kind"] == "message");
    CHECK(r[0]["ts"] == "2026-12-01T10:00:00.123000Z");
    CHECK(r[0]["src"] == "10.1.2.3:40112");
    CHECK(r[0]["line"] == 1);
    CHECK(r[0]["offset"] == log.find('#'));
    CHECK(r[1]["dir"] == "down");
    CHECK(r[1]["dst"] == "10.1.2.3:40112");
    CHECK(r[1]["imei"] == "867648044456745");  // the device at that address
    CHECK(r[2]["kind"] == "error");
    CHECK(r[2]["code"] == "bad_imei");
    CHECK(r[2]["line"] == 4);
    CHECK(r[2]["message"].get<std::string>().find("line 4, column") != std::string::npos);
    CHECK(r[3]["kind"] == "message");
    CHECK(r[3]["type"] == "CMD-T");
    CHECK(r[3]["ts"].get<std::string>().substr(4) == "-12-01T10:00:04.000000Z");
  }

  TEST_CASE("server log in local time: --log-tz") {
    decode::TextOptions o;
    o.log_tz_s = 8 * 3600;
    const auto r = decode_log("2026-12-01 18:00:00 recv " + hb + "\n", o);
    REQUIRE(r.size() == 1);
    CHECK(r[0]["ts"] == "2026-12-01T10:00:00.000000Z");
  }

  TEST_CASE("Traccar's log: sessions are flows, other protocols are foreign, lines are kept") {
    const std::string gt06 = "78780d010352887071911998000479d00d0a";
    const std::string log =
        "2026-12-01 10:00:00  INFO: [T7c2d1e3f] connected\n"
        "2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop < 1.2.3.4] " + hex_of(hb.substr(0, 10)) + "\n"
        "2026-12-01 10:00:01  INFO: [T7c2d1e3f: gotop < 1.2.3.4] " + hex_of(hb.substr(10) + pos) + "\n"
        "2026-12-01 10:00:02  INFO: [T7c2d1e3f] id: 867648044456745, time: 2024-08-13 23:59:37, lat: 2.99\n"
        "2026-12-01 10:00:03  INFO: [T7c2d1e3f: gotop > 1.2.3.4] " + hex_of(":123456F#") + "\n"
        "2026-12-01 10:00:04  INFO: [T0badcafe] connected\n"
        "2026-12-01 10:00:04  INFO: [T0badcafe: gt06 < 5.6.7.8] " + gt06 + "\n"
        "2026-12-01 10:00:05  INFO: [T7c2d1e3f] disconnected\n"
        "2026-12-01 10:00:06  INFO: [U00000001: gotop < 9.9.9.9] " + hex_of(hb) + "\n";
    decode::TextOptions o;
    o.flow_summaries = true;
    const auto r = decode_log(log, o);
    const auto msgs = of_kind(r, "message");
    REQUIRE(msgs.size() == 4);
    CHECK(msgs[0]["type"] == "CMD-X");
    CHECK(msgs[0]["ts"] == "2026-12-01T10:00:01.000000Z");  // completed by the second line
    CHECK(msgs[0]["src"] == "1.2.3.4");
    CHECK(msgs[0]["transport"] == "tcp");
    CHECK(msgs[0]["flow"] == 1);
    CHECK(msgs[0]["line"] == 3);
    CHECK(msgs[1]["type"] == "CMD-T");
    CHECK(msgs[2]["dir"] == "down");
    CHECK(msgs[2]["dst"] == "1.2.3.4");
    CHECK(msgs[2]["imei"] == "867648044456745");
    CHECK(msgs[3]["transport"] == "udp");
    CHECK(msgs[3]["src"] == "9.9.9.9");
    const auto foreign = of_kind(r, "foreign");
    REQUIRE(foreign.size() == 1);
    CHECK(foreign[0]["platform_protocol"] == "gt06");
    CHECK(foreign[0]["protocol"] == "gt06");
    CHECK(foreign[0]["src"] == "5.6.7.8");
    const auto flows = of_kind(r, "flow");
    REQUIRE(flows.size() == 3);
    CHECK(flows[0]["flow"] == 1);
    CHECK(flows[0]["close"] == "disconnected");
    CHECK(flows[0]["client"] == "1.2.3.4");
    CHECK_FALSE(flows[0].contains("server"));
    CHECK(flows[0]["messages"] == 3);
    CHECK(flows[1]["protocol"] == "gt06");
    CHECK(flows[1]["close"] == "end_of_input");
    CHECK(of_kind(r, "error").empty());
  }

  TEST_CASE("Traccar's log: a GOTOP-labelled session that speaks another protocol is shown as such") {
    const std::string log = "2026-12-01 10:00:00  INFO: [T11111111: gotop < 1.2.3.4] 78780d010352887071911998000479d00d0a\n";
    const auto r = decode_log(log);
    REQUIRE(r.size() == 1);
    CHECK(r[0]["kind"] == "foreign");
    CHECK(r[0]["platform_protocol"] == "gotop");
    CHECK(r[0]["protocol"] == "gt06");
  }

  TEST_CASE("a capture that began mid-conversation, on a port that is not the default") {
    using namespace vt106::testing;
    using namespace vt106::testing::flag;
    // No handshake; the platform (port 9999) speaks first, the device answers.
    const auto t0 = 1'700'000'000'000'000'000;
    std::vector<Record> recs;
    recs.push_back({t0, tcp4("10.0.0.2", 9999, "10.0.0.1", 40000, 500, 100, ack), {}, {}});
    recs.push_back({t0 + 1'000'000, tcp4("10.0.0.2", 9999, "10.0.0.1", 40000, 500, 100, ack | psh, ":123456F#"), {}, {}});
    recs.push_back({t0 + 2'000'000, tcp4("10.0.0.1", 40000, "10.0.0.2", 9999, 100, 509, ack | psh, hb), {}, {}});
    MemFile file(pcap_file(recs, {.linktype = 228}));
    RecordCollector sink;
    gotop::Parser parser;
    decode::FlowDecoderOptions fo;
    fo.flow_summaries = true;
    decode::FlowDecoder flows(parser, sink, "mid", fo);
    net::CaptureDecoder(flows).run(file.get());
    REQUIRE(sink.records.size() == 3);
    CHECK(sink.records[0]["dir"] == "down");  // in capture order, with its own time
    CHECK(sink.records[0]["ts"] == "2023-11-14T22:13:20.001000Z");
    CHECK(sink.records[0]["imei"].is_null());  // the device has not said who it is yet
    CHECK(sink.records[1]["dir"] == "up");
    CHECK(sink.records[1]["ts"] == "2023-11-14T22:13:20.002000Z");
    CHECK(sink.records[1]["src"] == "10.0.0.1:40000");
    CHECK(sink.records[2]["kind"] == "flow");
    CHECK(sink.records[2]["client"] == "10.0.0.1:40000");
    CHECK(sink.records[2]["server"] == "10.0.0.2:9999");
    CHECK(sink.records[2]["client_rule"] == "content");
  }

  TEST_CASE("flow ids count on across inputs, and records name their input") {
    using namespace vt106::testing;
    using namespace vt106::testing::flag;
    const auto image = pcap_file(records({tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 1, 0, syn),
                                          tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 2, 1, ack | psh, hb)}),
                                 {.linktype = 228});
    RecordCollector sink;
    gotop::Parser parser;
    std::uint64_t base = 0;
    for (const char* name : {"a.pcap", "b.pcap"}) {
      MemFile file(image);
      decode::FlowDecoderOptions fo;
      fo.flow_summaries = true;
      fo.flow_id_base = base;
      fo.name_input = true;
      decode::FlowDecoder flows(parser, sink, name, fo);
      base += net::CaptureDecoder(flows).run(file.get()).flows;
    }
    const auto msgs = of_kind(sink.records, "message");
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0]["flow"] == 1);
    CHECK(msgs[0]["input"] == "a.pcap");
    CHECK(msgs[1]["flow"] == 2);
    CHECK(msgs[1]["input"] == "b.pcap");
    const auto flows = of_kind(sink.records, "flow");
    REQUIRE(flows.size() == 2);
    CHECK(flows[1]["flow"] == 2);
    CHECK(flows[1]["input"] == "b.pcap");
  }

  TEST_CASE("a capture read through a byte source packet by packet, and from gzip") {
    using namespace vt106::testing;
    using namespace vt106::testing::flag;
    const auto image = pcap_file(records({tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 1, 0, syn),
                                          tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 2, 1, ack | psh, hb),
                                          tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, static_cast<std::uint32_t>(2 + hb.size()), 1, ack | psh, hb)}),
                                 {.linktype = 228});
    const std::string bytes = text_of(image);
    RecordCollector sink;
    gotop::Parser parser;
    decode::FlowDecoder flows(parser, sink, "pipe");
    SlicedSource in(bytes, 16, sink);
    source::CaptureReader reader(in);
    net::CaptureDecoder(flows).run(reader);
    REQUIRE(sink.records.size() == 2);
    // The first message was written before the last packet's bytes were read.
    CHECK(in.records_before_read[in.records_before_read.size() - 3] >= 1);

    RecordCollector sink2;
    decode::FlowDecoder flows2(parser, sink2, "pipe");
    source::MemorySource packed(gzip(bytes));
    source::GzipSource gz(packed);
    source::CaptureReader reader2(gz);
    net::CaptureDecoder(flows2).run(reader2);
    CHECK(sink2.lines == sink.lines);
  }

  TEST_CASE("a C array of a packet is decoded like the packet, without an invented time") {
    using namespace vt106::testing;
    using namespace vt106::testing::flag;
    const auto pkt = ethernet(tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 2, 1, ack | psh, hb));
    std::string c = "static const unsigned char pkt1[" + std::to_string(pkt.size()) + "] = {\n";
    for (std::size_t i = 0; i < pkt.size(); ++i)
      c += "0x" + hex_of(std::string(1, static_cast<char>(pkt[i]))) + (i + 1 < pkt.size() ? ", " : "\n");
    c += "};\n";
    RecordCollector sink;
    gotop::Parser parser;
    decode::TextDecoder dec(parser, sink);
    source::MemorySource in(c);
    const auto st = dec.hex(in, "paste");
    CHECK(st.usable);
    REQUIRE(sink.records.size() == 1);
    CHECK(sink.records[0]["imei"] == "867648044456745");
    CHECK(sink.records[0]["src"] == "10.0.0.1:40000");
    CHECK_FALSE(sink.records[0].contains("ts"));
  }
}
