// CaptureDecoder end to end: capture bytes in, flow events and problems out, for pcap and
// pcapng, damaged files, bad packets, fragments, port unreachable, filters and pipes.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "pcap_builder.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/net/threaded_capture.hpp"

using namespace vt106::testing;
using vt106::net::CaptureDecoder;
using vt106::net::CaptureOptions;
using vt106::net::CaptureStats;
using vt106::net::CloseReason;
using vt106::net::Side;
using vt106::source::BpfFilter;
using vt106::source::CaptureFormat;

namespace {

const char* const dev = "10.0.0.1";
const char* const srv = "10.0.0.2";

// A device connection: handshake, an uplink frame, a downlink reply, FIN both ways.
std::vector<Bytes> conversation(std::uint16_t port = 40000) {
  return {
      ethernet(tcp4(dev, port, srv, 8888, 100, 0, flag::syn)),
      ethernet(tcp4(srv, 8888, dev, port, 500, 101, flag::syn | flag::ack)),
      ethernet(tcp4(dev, port, srv, 8888, 101, 501, flag::ack)),
      ethernet(tcp4(dev, port, srv, 8888, 101, 501, flag::ack | flag::psh, "#353327020412763,CMD-X#")),
      ethernet(tcp4(srv, 8888, dev, port, 501, 124, flag::ack | flag::psh, "#ok#")),
      ethernet(tcp4(dev, port, srv, 8888, 124, 505, flag::ack | flag::fin)),
      ethernet(tcp4(srv, 8888, dev, port, 505, 125, flag::ack | flag::fin)),
  };
}

CaptureStats run(const Bytes& image, NetRecorder& rec, CaptureOptions options = {}) {
  MemFile f(image);
  return CaptureDecoder(rec, std::move(options)).run(f.get());
}

// The same through the threaded decoder: reading on its own thread, batches of `batch` events.
CaptureStats run_threaded(const Bytes& image, NetRecorder& rec, const CaptureOptions& options, std::size_t batch) {
  MemFile f(image);
  vt106::source::CaptureReader reader(f.get(), {}, options.capture);
  vt106::net::ThreadedOptions t;
  t.batch_events = batch;
  t.batches_in_flight = 2;
  return vt106::net::ThreadedCaptureDecoder(rec, options, t).run(reader);
}

// The threaded decoder tells the observer exactly what the plain one does.
void check_threaded_same(const Bytes& image, const CaptureOptions& options = {}) {
  NetRecorder plain;
  const CaptureStats st = run(image, plain, options);
  for (const std::size_t batch : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4096}}) {
    CAPTURE(batch);
    NetRecorder threaded;
    const CaptureStats tt = run_threaded(image, threaded, options, batch);
    CHECK(threaded.events == plain.events);
    CHECK(threaded.data_ts == plain.data_ts);
    REQUIRE(threaded.problems.size() == plain.problems.size());
    for (std::size_t i = 0; i < plain.problems.size(); ++i) CHECK(threaded.problems[i].message == plain.problems[i].message);
    REQUIRE(threaded.closed.size() == plain.closed.size());
    for (const auto& [id, f] : plain.closed) {
      const auto& g = threaded.closed.at(id);
      CHECK(g.client.to_string() == f.client.to_string());
      CHECK(g.side(Side::client).packets == f.side(Side::client).packets);
      CHECK(g.side(Side::server).payload_bytes == f.side(Side::server).payload_bytes);
      CHECK(g.last_ts_ns == f.last_ts_ns);
    }
    CHECK(threaded.unreachable.size() == plain.unreachable.size());
    CHECK(tt.packets == st.packets);
    CHECK(tt.flows == st.flows);
    CHECK(tt.format == st.format);
    CHECK(tt.stopped_by_problem == st.stopped_by_problem);
  }
}

}  // namespace

TEST_SUITE("net.capture_decoder") {
  TEST_CASE("reading on a thread of its own changes nothing the observer is told") {
    check_threaded_same(pcap_file(records(conversation())));
    std::vector<Bytes> many;
    for (std::uint16_t port = 40000; port < 40040; ++port)
      for (auto& p : conversation(port)) many.push_back(p);
    check_threaded_same(pcap_file(records(many)));
    Bytes truncated = pcap_file(records(many));
    truncated.resize(truncated.size() - 30);
    check_threaded_same(truncated);
    check_threaded_same(Bytes{});
  }

  TEST_CASE("a pcap conversation end to end") {
    NetRecorder rec;
    const auto st = run(pcap_file(records(conversation())), rec);
    CHECK(rec.events == std::vector<std::string>{"open 1 tcp 10.0.0.1:40000 > 10.0.0.2:8888 handshake",
                                                 "data 1 client #353327020412763,CMD-X#", "data 1 server #ok#",
                                                 "close 1 fin"});
    CHECK(st.format == CaptureFormat::pcap);
    CHECK(st.packets == 7);
    CHECK(st.tcp_segments == 7);
    CHECK(st.flows == 1);
    CHECK_FALSE(st.stopped_by_problem);
    CHECK(st.first_ts_ns == 1'700'000'000'000'000'000);
    CHECK(st.last_ts_ns == 1'700'000'000'006'000'000);
    CHECK(rec.problems.empty());
  }

  TEST_CASE("pcapng mixing link types; unsupported ones reported once") {
    PcapngBuilder b;
    b.shb().idb(1, 9).idb(101, 9).idb(276, 9).idb(127, 9);
    std::uint64_t t = 1'000'000'000;
    b.epb(0, t++, ethernet(udp4(dev, 33000, srv, 5050, "eth")));
    b.epb(3, t++, Bytes(40));
    b.epb(1, t++, udp6("2001:db8::1", 33001, "2001:db8::2", 5050, "raw6"));
    b.epb(3, t++, Bytes(40));
    b.epb(2, t++, sll2(udp4(dev, 33002, srv, 5050, "sll2")));
    NetRecorder rec;
    const auto st = run(b.bytes(), rec);
    CHECK(st.format == CaptureFormat::pcapng);
    CHECK(st.udp_datagrams == 3);
    CHECK(st.unsupported_link_type == 2);
    REQUIRE(rec.problems.size() == 1);
    CHECK(rec.problems[0].code == "unsupported_link_type");
    CHECK(rec.problems[0].packet_number == 2);
    CHECK(rec.problems[0].message ==
          "link type 127 (IEEE802_11_RADIOTAP) is not supported; its packets are skipped");
    CHECK(rec.opened.at(2).client.to_string() == "[2001:db8::1]:33001");
  }

  TEST_CASE("a truncated capture keeps everything before the damage") {
    Bytes image = pcap_file(records(conversation()));
    const std::size_t cut_at = 24 + (16 + conversation()[0].size()) + (16 + conversation()[1].size()) +
                               (16 + conversation()[2].size()) + (16 + conversation()[3].size());
    image.resize(cut_at + 30);  // inside the fifth record
    NetRecorder rec;
    const auto st = run(image, rec);
    CHECK(rec.stream(1, Side::client) == "#353327020412763,CMD-X#");
    CHECK(st.packets == 4);
    CHECK(st.stopped_by_problem);
    REQUIRE(rec.problems.size() == 1);
    CHECK(rec.problems[0].code == "truncated_capture");
    CHECK(rec.problems[0].file_offset == cut_at);
    CHECK(rec.problems[0].packet_number == 5);
    CHECK(rec.events.back() == "close 1 end_of_input");
    CHECK(rec.events[rec.events.size() - 2] == "problem truncated_capture");
  }

  TEST_CASE("bad packets are reported with their number and the rest goes on") {
    auto packets = conversation();
    Ipv4Options bad;
    bad.ihl_words = 3;
    packets.insert(packets.begin() + 4, ethernet(ipv4(ip(dev), ip(srv), proto_tcp, tcp(1, 2, 0, 0, 0), bad)));
    NetRecorder rec;
    const auto st = run(pcap_file(records(packets)), rec);
    REQUIRE(rec.problems.size() == 1);
    CHECK(rec.problems[0].code == "bad_packet");
    CHECK(rec.problems[0].packet_number == 5);
    CHECK(rec.problems[0].message == "byte 14: IPv4 header length 12 is below 20");
    CHECK(st.bad_packets == 1);
    CHECK(rec.stream(1, Side::server) == "#ok#");
    CHECK(rec.reasons.at(1) == CloseReason::fin);
  }

  TEST_CASE("fragments: reassembled, and reported when never completed") {
    const Bytes whole = udp(33000, 5050, std::string(24, 'a') + std::string(16, 'b'));  // 48 bytes
    Ipv4Options first;
    first.id = 7;
    first.more_fragments = true;
    Ipv4Options last;
    last.id = 7;
    last.fragment_offset = 24;
    Ipv4Options lonely;
    lonely.id = 8;
    lonely.more_fragments = true;
    const std::vector<Bytes> packets = {
        ethernet(ipv4(ip(dev), ip(srv), proto_udp, Bytes(whole.begin(), whole.begin() + 24), first)),
        ethernet(ipv4(ip(dev), ip(srv), proto_udp, Bytes(whole.begin() + 24, whole.end()), last)),
        ethernet(ipv4(ip(dev), ip(srv), proto_udp, Bytes(whole.begin(), whole.begin() + 24), lonely)),
    };
    NetRecorder rec;
    const auto st = run(pcap_file(records(packets)), rec);
    CHECK(st.reassembled == 1);
    CHECK(st.fragments_held == 2);
    CHECK(rec.events[1] == "datagram 1 client " + std::string(24, 'a') + std::string(16, 'b'));
    REQUIRE(rec.problems.size() == 1);
    CHECK(rec.problems[0].code == "fragment");
    CHECK(rec.problems[0].message.find("id 0x8 ") != std::string::npos);
    CHECK(rec.problems[0].message.find("incomplete at the end of the capture") != std::string::npos);
  }

  TEST_CASE("ICMP port unreachable answers a UDP flow") {
    ByteWriter icmp;
    icmp.u8(3).u8(3).u16(0).u32(0).raw(udp4(dev, 33000, srv, 5050, "#x#"));
    const std::vector<Bytes> packets = {
        ethernet(udp4(dev, 33000, srv, 5050, "#x#")),
        ethernet(ipv4(ip(srv), ip(dev), proto_icmp, icmp.out)),
    };
    NetRecorder rec;
    const auto st = run(pcap_file(records(packets)), rec);
    CHECK(st.port_unreachable == 1);
    REQUIRE(rec.unreachable.size() == 1);
    CHECK(rec.unreachable[0].second == 1);
    CHECK(rec.closed.at(1).port_unreachable == 1);
  }

  TEST_CASE("idle timeout follows capture time") {
    std::vector<Record> recs = records({ethernet(udp4(dev, 33000, srv, 5050, "a")),
                                        ethernet(udp4(dev, 33001, srv, 5050, "b"))});
    recs.push_back(Record{recs[0].ts_ns + 400'000'000'000, ethernet(udp4(dev, 33000, srv, 5050, "c")), {}, {}});
    NetRecorder rec;
    run(pcap_file(recs), rec);
    CHECK(rec.reasons.at(1) == CloseReason::idle_timeout);
    CHECK(rec.reasons.at(2) == CloseReason::idle_timeout);
    CHECK(rec.reasons.at(3) == CloseReason::end_of_input);
  }

  TEST_CASE("a BPF filter skips packets before decoding, per link type") {
    auto packets = conversation();
    packets.push_back(ethernet(udp4(dev, 33000, srv, 5050, "udp")));
    BpfFilter tcp_only("tcp");
    CaptureOptions options;
    options.filter = &tcp_only;
    NetRecorder rec;
    const auto st = run(pcap_file(records(packets)), rec, options);
    CHECK(st.filtered_out == 1);
    CHECK(st.flows == 1);
    CHECK(rec.problems.empty());

    PcapngBuilder b;
    b.shb().idb(1).idb(101);
    b.epb(0, 1, ethernet(udp4(dev, 33000, srv, 5050, "eth")));
    b.epb(1, 2, udp4(dev, 33001, srv, 5050, "raw"));
    b.epb(1, 3, udp4(dev, 33001, srv, 5050, "raw"));
    BpfFilter by_mac("ether src 02:00:00:00:00:02");
    options.filter = &by_mac;
    NetRecorder rec2;
    const auto st2 = run(b.bytes(), rec2, options);
    CHECK(st2.udp_datagrams == 1);
    CHECK(st2.filtered_out == 2);
    REQUIRE(rec2.problems.size() == 1);
    CHECK(rec2.problems[0].code == "filter_error");
    CHECK(rec2.problems[0].packet_number == 2);
  }

  TEST_CASE("reader warnings pass through and the packet is still decoded") {
    PcapOptions o;
    o.snaplen = 40;
    NetRecorder rec;
    const auto st = run(pcap_file(records({ethernet(udp4(dev, 33000, srv, 5050, "0123456789"))}), o), rec);
    CHECK(st.udp_datagrams == 1);
    REQUIRE(rec.problems.size() == 1);
    CHECK(rec.problems[0].code == "bad_capture");
    CHECK(rec.problems[0].file_offset == 24u);
  }

  TEST_CASE("a capture read from a pipe") {
    std::vector<Bytes> packets;
    for (std::uint16_t i = 0; i < 300; ++i) {
      for (auto& p : conversation(static_cast<std::uint16_t>(40000 + i))) packets.push_back(std::move(p));
    }
    const Bytes image = pcap_file(records(packets));
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::thread writer([&] {
      std::size_t done = 0;
      while (done < image.size()) {
        const auto n = ::write(fds[1], image.data() + done, image.size() - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
      }
      ::close(fds[1]);
    });
    std::FILE* f = ::fdopen(fds[0], "rb");
    REQUIRE(f != nullptr);
    NetRecorder rec;
    const auto st = vt106::net::decode_capture(f, rec);
    std::fclose(f);
    writer.join();
    CHECK(st.packets == packets.size());
    CHECK(st.flows == 300);
    CHECK(rec.problems.empty());
    CHECK(rec.stream(300, Side::client) == "#353327020412763,CMD-X#");
    CHECK(rec.reasons.at(300) == CloseReason::fin);
  }
}

TEST_SUITE("net.capture_decoder") {
  TEST_CASE("random damage never breaks the decoder") {
    // A varied capture: VLAN, IPv6 with extension headers, fragments, SLL2, ICMP, TCP reordering.
    const Bytes frag = udp(33000, 5050, std::string(40, 'f'));
    Ipv4Options f1;
    f1.id = 9;
    f1.more_fragments = true;
    Ipv4Options f2;
    f2.id = 9;
    f2.fragment_offset = 24;
    ByteWriter icmp;
    icmp.u8(3).u8(3).u16(0).u32(0).raw(udp4(dev, 33000, srv, 5050, "#x#"));
    std::vector<Bytes> packets = conversation();
    packets.push_back(ethernet(udp4(dev, 33000, srv, 5050, "#x#"), {0x88a8, 0x8100}));
    packets.push_back(ethernet(ipv6(ip("fe80::1"), ip("fe80::2"), 0,
                                    ipv6_ext(0, 60, 8, ipv6_ext(60, 6, 16, tcp(1, 8888, 5, 0, flag::ack, "v6"))))));
    packets.push_back(ethernet(ipv4(ip(dev), ip(srv), proto_udp, Bytes(frag.begin(), frag.begin() + 24), f1)));
    packets.push_back(ethernet(ipv4(ip(dev), ip(srv), proto_udp, Bytes(frag.begin() + 24, frag.end()), f2)));
    packets.push_back(ethernet(ipv4(ip(srv), ip(dev), proto_icmp, icmp.out)));
    packets.push_back(ethernet(tcp4(dev, 40001, srv, 8888, 300, 0, flag::ack, "later")));
    packets.push_back(ethernet(tcp4(dev, 40001, srv, 8888, 200, 0, flag::ack, "earlier")));

    PcapngBuilder ng;
    ng.shb().idb(1, 9).idb(276).idb(101);
    std::uint64_t t = 1;
    for (const auto& p : packets) ng.epb(0, t++, p);
    ng.epb(1, t++, sll2(udp4(dev, 1, srv, 5050, "s")));
    ng.spb(ethernet(udp4(dev, 2, srv, 5050, "spb")));
    const std::vector<Bytes> images = {pcap_file(records(packets)), ng.bytes()};

    const std::vector<std::string> known = {"bad_capture",  "truncated_capture", "read_error",     "unsupported_link_type",
                                            "bad_packet",   "truncated_packet",  "fragment",       "flow_limit",
                                            "buffer_limit", "reorder_limit",     "filter_error"};
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    const auto random = [&state](std::uint64_t n) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      return state % n;
    };
    std::size_t problems = 0;
    for (int round = 0; round < 600; ++round) {
      Bytes image = images[static_cast<std::size_t>(round) % images.size()];
      const auto edits = 1 + random(6);
      for (std::uint64_t e = 0; e < edits; ++e) {
        const auto at = static_cast<std::size_t>(random(image.size()));
        image[at] = static_cast<std::byte>(random(256));
      }
      if (random(4) == 0) image.resize(static_cast<std::size_t>(random(image.size())));
      CaptureOptions options;
      options.flows.max_flows = 3;
      options.flows.max_ooo_segments = 2;
      options.flows.max_buffered_bytes = 16;
      NetRecorder rec;
      run(image, rec, options);
      if (round % 10 == 0) check_threaded_same(image, options);
      for (const auto& p : rec.problems) {
        CHECK(std::find(known.begin(), known.end(), std::string(p.code)) != known.end());
        CHECK_FALSE(p.message.empty());
      }
      problems += rec.problems.size();
      // Every flow opened is closed exactly once.
      CHECK(rec.opened.size() == rec.closed.size());
    }
    CHECK(problems > 0);
  }
}
