// Damaged packets inside a capture, decoded to records: each defect becomes its own error record
// with the packet's number, and the messages before and after it are still decoded.
#include <doctest/doctest.h>

#include "pcap_builder.hpp"
#include "record_collector.hpp"
#include "vt106/decode/flow_decoder.hpp"
#include "vt106/net/capture_decoder.hpp"

using namespace vt106::testing;
using nlohmann::json;

namespace {

const char* const dev = "10.0.0.1";
const char* const srv = "10.0.0.2";
const std::string before = "#353327020412763,CMD-X#";
const std::string after = "#353327020115804,CMD-X#";

struct Decoded {
  std::vector<json> records;
  vt106::net::CaptureStats stats;

  std::vector<std::string> raws() const {
    std::vector<std::string> out;
    for (const auto& r : records)
      if (r["kind"] == "message") out.push_back(r["raw"]);
    return out;
  }
  std::vector<json> errors() const {
    std::vector<json> out;
    for (const auto& r : records)
      if (r["kind"] == "error") out.push_back(r);
    return out;
  }
};

Decoded decode(const Bytes& image) {
  RecordCollector sink;
  vt106::gotop::Parser parser;
  vt106::decode::FlowDecoder flows(parser, sink, "test");
  MemFile f(image);
  Decoded d;
  d.stats = vt106::net::CaptureDecoder(flows).run(f.get());
  d.records = sink.records;
  return d;
}

// A message from one device, the damaged packet, then a message from another device.
Bytes around(const Bytes& damaged, const PcapOptions& o = {}) {
  return pcap_file(records({ethernet(udp4(dev, 40000, srv, 8888, before)), damaged,
                            ethernet(udp4(dev, 40001, srv, 8888, after))}),
                   o);
}

// The one error record, for packet 2, with its code; both messages decoded; exit status 0.
void check_one_bad_packet(const Decoded& d, const std::string& code, const std::string& message_part) {
  CHECK(d.raws() == std::vector<std::string>{before, after});
  const auto errors = d.errors();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["code"] == code);
  CHECK(errors[0]["packet"] == 2);
  CHECK(errors[0]["message"].get<std::string>().find(message_part) != std::string::npos);
  CHECK_FALSE(d.stats.stopped_by_problem);
}

}  // namespace

TEST_SUITE("decode.damaged") {
  TEST_CASE("a zero-length record") {
    check_one_bad_packet(decode(around(Bytes{})), "bad_packet", "Ethernet header needs 14 bytes, the packet has 0");
  }

  TEST_CASE("a record cut to zero bytes by the snapshot length") {
    Bytes image = pcap_file(records({ethernet(udp4(dev, 40000, srv, 8888, before))}));
    const Bytes cut = pcap_record(Record{1'700'000'000'001'000'000, {}, 60, {}}, {});
    image.insert(image.end(), cut.begin(), cut.end());
    const Bytes last = pcap_record(Record{1'700'000'000'002'000'000, ethernet(udp4(dev, 40001, srv, 8888, after)), {}, {}}, {});
    image.insert(image.end(), last.begin(), last.end());
    check_one_bad_packet(decode(image), "truncated_packet", "the capture kept 0");
  }

  TEST_CASE("caplen above the snapshot length: reported, the record kept") {
    PcapOptions o;
    o.snaplen = 60;
    const auto d = decode(around(ethernet(udp4(dev, 40002, srv, 8888, std::string(40, 'x'))), o));
    CHECK(d.raws() == std::vector<std::string>{before, after});
    bool reported = false;
    for (const auto& e : d.errors())
      reported = reported || (e["code"] == "bad_capture" && e["message"].get<std::string>().find("exceeds snaplen 60") !=
                                                                std::string::npos);
    CHECK(reported);
    CHECK_FALSE(d.stats.stopped_by_problem);
  }

  TEST_CASE("an unknown link type") {
    PcapngBuilder b;
    b.shb().idb(1, 9).idb(147, 9);
    b.epb(0, 1, ethernet(udp4(dev, 40000, srv, 8888, before)));
    b.epb(1, 2, Bytes(30, std::byte{0x42}));
    b.epb(0, 3, ethernet(udp4(dev, 40001, srv, 8888, after)));
    check_one_bad_packet(decode(b.bytes()), "unsupported_link_type", "link type 147 (USER0) is not supported");
  }

  TEST_CASE("an IPv4 header length below 20") {
    Ipv4Options o;
    o.ihl_words = 4;
    check_one_bad_packet(decode(around(ethernet(ipv4(ip(dev), ip(srv), proto_udp, udp(1, 8888, before), o)))),
                         "bad_packet", "IPv4 header length 16 is below 20");
  }

  TEST_CASE("a TCP data offset past the end of the packet") {
    const Bytes segment = tcp(40003, 8888, 1, 0, flag::ack, "", {}, 15);  // 60 bytes of header claimed, 20 there
    check_one_bad_packet(decode(around(ethernet(ipv4(ip(dev), ip(srv), proto_tcp, segment)))), "bad_packet",
                         "TCP data offset 60 exceeds the 20 bytes of the segment");
  }

  TEST_CASE("an IPv6 extension header chain that loops") {
    // Destination options pointing at destination options, three times: a chain that repeats.
    const Bytes chain = ipv6_ext(60, 60, 8, ipv6_ext(60, 60, 8, ipv6_ext(60, 17, 8, udp(1, 8888, before))));
    check_one_bad_packet(decode(around(ethernet(ipv6(ip("2001:db8::1"), ip("2001:db8::2"), 60, chain)))),
                         "bad_packet", "repeats the destination options header");
  }

  TEST_CASE("an IPv6 extension header running past the end of the packet") {
    Bytes chain = ipv6_ext(0, 17, 8, {});
    chain[1] = std::byte{200};  // 1608 bytes claimed
    check_one_bad_packet(decode(around(ethernet(ipv6(ip("2001:db8::1"), ip("2001:db8::2"), 0, chain)))),
                         "bad_packet", "hop-by-hop options header of 1608 bytes runs past the payload");
  }
}
