// decode_packet: every link type, VLAN stacks, IPv4 options/padding, IPv6 extension headers
// (including broken chains), fragments, port unreachable, and truncated versus bad headers.
#include <doctest/doctest.h>

#include <limits>

#include "pcap_builder.hpp"
#include "vt106/net/fragments.hpp"
#include "vt106/net/packet.hpp"

using namespace vt106::testing;
using vt106::net::decode_packet;
using vt106::net::DecodedPacket;
using vt106::net::FragmentLimits;
using vt106::net::FragmentReassembler;
using vt106::net::PacketKind;
using vt106::net::Transport;

namespace {

DecodedPacket decode(std::uint32_t linktype, const Bytes& data, std::uint32_t orig_len = 0,
                     FragmentReassembler* frags = nullptr, std::int64_t ts = 0) {
  return decode_packet(linktype, data, orig_len, frags, ts);
}

void check_tcp4(const DecodedPacket& d, std::string_view payload = "hello") {
  REQUIRE(d.kind == PacketKind::segment);
  CHECK(d.segment.transport == Transport::tcp);
  CHECK(d.segment.src.to_string() == "10.0.0.1:40000");
  CHECK(d.segment.dst.to_string() == "10.0.0.2:8888");
  CHECK(d.segment.seq == 1000);
  CHECK(d.segment.ack == 2000);
  CHECK(d.segment.flags == (flag::psh | flag::ack));
  CHECK(text_of(d.segment.payload) == payload);
  CHECK(d.segment.missing_tail == 0);
}

void check_udp6(const DecodedPacket& d) {
  REQUIRE(d.kind == PacketKind::segment);
  CHECK(d.segment.transport == Transport::udp);
  CHECK(d.segment.src.to_string() == "[2001:db8::1]:5050");
  CHECK(d.segment.dst.to_string() == "[2001:db8::2]:40001");
  CHECK(text_of(d.segment.payload) == "dgram");
}

const Bytes v4 = tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 1000, 2000, flag::psh | flag::ack, "hello");
const Bytes v6 = udp6("2001:db8::1", 5050, "2001:db8::2", 40001, "dgram");

Bytes icmp_unreachable_v4(const Bytes& quoted) {
  ByteWriter w;
  w.u8(3).u8(3).u16(0).u32(0).raw(quoted);
  return ipv4(ip("10.0.0.2"), ip("10.0.0.1"), proto_icmp, w.out);
}

}  // namespace

TEST_SUITE("net.packet") {
  TEST_CASE("Ethernet, with and without VLAN stacks and padding") {
    check_tcp4(decode(1, ethernet(v4)));
    check_udp6(decode(1, ethernet(v6)));
    check_tcp4(decode(1, ethernet(v4, {0x8100})));
    check_tcp4(decode(1, ethernet(v4, {0x88a8, 0x8100})));
    check_udp6(decode(1, ethernet(v6, {0x9100, 0x8100, 0x8100})));
    // Short frames are padded to 60 bytes (plus maybe an FCS): IPv4 total length trims it.
    check_tcp4(decode(1, ethernet(tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 1000, 2000, flag::psh | flag::ack, "hi"),
                                  {}, 64)),
               "hi");
    check_udp6(decode(1, ethernet(v6, {}, 120)));
    const auto d = decode(1, ethernet(v4, {}, 0, 0x0806));
    CHECK(d.kind == PacketKind::other);
    CHECK(d.ethertype == 0x0806);
  }

  TEST_CASE("Linux cooked SLL and SLL2") {
    check_tcp4(decode(113, sll(v4)));
    check_udp6(decode(113, sll(v6)));
    check_tcp4(decode(276, sll2(v4)));
    check_udp6(decode(276, sll2(v6)));
    CHECK(decode(113, sll(v4, {}, 824)).kind == PacketKind::other);  // netlink
  }

  TEST_CASE("BSD NULL in either byte order and LOOP") {
    for (const bool big : {false, true}) {
      check_tcp4(decode(0, loopback(v4, 2, big)));
      for (const std::uint32_t af : {24u, 28u, 30u}) check_udp6(decode(0, loopback(v6, af, big)));
    }
    check_tcp4(decode(108, loopback(v4, 2, true)));
    check_udp6(decode(108, loopback(v6, 24, true)));
    CHECK(decode(0, loopback(v4, 7, false)).kind == PacketKind::other);
  }

  TEST_CASE("raw IP link types") {
    for (const std::uint32_t lt : {101u, 12u, 14u}) {
      CAPTURE(lt);
      check_tcp4(decode(lt, v4));
      check_udp6(decode(lt, v6));
    }
    check_tcp4(decode(228, v4));
    check_udp6(decode(229, v6));
    const auto wrong = decode(228, v6);
    REQUIRE(wrong.kind == PacketKind::problem);
    CHECK(wrong.problem.code == "bad_packet");
  }

  TEST_CASE("unsupported link type names the type") {
    const auto d = decode(127, v4);
    REQUIRE(d.kind == PacketKind::problem);
    CHECK(d.problem.code == "unsupported_link_type");
    CHECK(d.problem.message == "link type 127 (IEEE802_11_RADIOTAP) is not supported");
    CHECK(decode(60000, v4).problem.message == "link type 60000 is not supported");
  }

  TEST_CASE("IPv4 options are skipped by IHL; IHL below 20 is rejected") {
    Ipv4Options o;
    o.options = {std::byte{1}, std::byte{1}, std::byte{1}, std::byte{0}, std::byte{0x44}, std::byte{4},
                 std::byte{5}, std::byte{0}};
    const Bytes with_options =
        ipv4(ip("10.0.0.1"), ip("10.0.0.2"), proto_tcp, tcp(40000, 8888, 1000, 2000, flag::psh | flag::ack, "hello"), o);
    check_tcp4(decode(1, ethernet(with_options)));

    Ipv4Options bad;
    bad.ihl_words = 4;
    const auto d = decode(1, ethernet(ipv4(ip("10.0.0.1"), ip("10.0.0.2"), proto_tcp, tcp(1, 2, 0, 0, 0), bad)));
    REQUIRE(d.kind == PacketKind::problem);
    CHECK(d.problem.code == "bad_packet");
    CHECK(d.problem.offset == 14);
    CHECK(d.problem.message == "byte 14: IPv4 header length 16 is below 20");
  }

  TEST_CASE("lengths that lie are bad; lengths cut by the snapshot are truncated") {
    SUBCASE("IPv4 total length beyond the frame") {
      Ipv4Options o;
      o.total_length = 400;
      const auto d = decode(1, ethernet(ipv4(ip("10.0.0.1"), ip("10.0.0.2"), proto_tcp, tcp(1, 2, 0, 0, 0, "x"), o)));
      REQUIRE(d.kind == PacketKind::problem);
      CHECK(d.problem.code == "bad_packet");
      CHECK(d.problem.message.find("total length 400") != std::string::npos);
    }
    SUBCASE("payload cut by the snapshot length becomes a missing tail") {
      Bytes frame = ethernet(v4);
      const auto wire = static_cast<std::uint32_t>(frame.size());
      frame.resize(frame.size() - 3);
      const auto d = decode(1, frame, wire);
      REQUIRE(d.kind == PacketKind::segment);
      CHECK(text_of(d.segment.payload) == "he");
      CHECK(d.segment.missing_tail == 3);
    }
    SUBCASE("header cut by the snapshot length") {
      Bytes frame = ethernet(v4);
      const auto wire = static_cast<std::uint32_t>(frame.size());
      frame.resize(14 + 20 + 10);
      const auto d = decode(1, frame, wire);
      REQUIRE(d.kind == PacketKind::problem);
      CHECK(d.problem.code == "truncated_packet");
      CHECK(d.problem.message == "byte 34: TCP header needs 20 bytes, the capture kept 10");
    }
    SUBCASE("frame simply too short") {
      Bytes frame = ethernet(v4);
      frame.resize(20);
      const auto d = decode(1, frame);
      REQUIRE(d.kind == PacketKind::problem);
      CHECK(d.problem.code == "bad_packet");
      CHECK(decode(1, Bytes(9)).problem.message == "byte 0: Ethernet header needs 14 bytes, the packet has 9");
    }
    SUBCASE("TCP data offset") {
      const auto low = decode(101, ipv4(ip("1.1.1.1"), ip("2.2.2.2"), proto_tcp, tcp(1, 2, 0, 0, 0, "x", {}, 4)));
      CHECK(low.problem.code == "bad_packet");
      CHECK(low.problem.message == "byte 32: TCP data offset 16 is below 20");
      const auto high = decode(101, ipv4(ip("1.1.1.1"), ip("2.2.2.2"), proto_tcp, tcp(1, 2, 0, 0, 0, "x", {}, 15)));
      CHECK(high.problem.code == "bad_packet");
      CHECK(high.problem.message.find("exceeds the 21 bytes") != std::string::npos);
    }
    SUBCASE("UDP length") {
      CHECK(decode(101, ipv4(ip("1.1.1.1"), ip("2.2.2.2"), proto_udp, udp(1, 2, "abc", 5))).problem.message ==
            "byte 24: UDP length 5 is below 8");
      CHECK(decode(101, ipv4(ip("1.1.1.1"), ip("2.2.2.2"), proto_udp, udp(1, 2, "abc", 40))).problem.code ==
            "bad_packet");
      const Bytes packet = ipv4(ip("1.1.1.1"), ip("2.2.2.2"), proto_udp, udp(1, 2, "abcdef", 10));
      const auto trimmed = decode(101, packet);  // the payload views the packet's bytes
      REQUIRE(trimmed.kind == PacketKind::segment);
      CHECK(text_of(trimmed.segment.payload) == "ab");
    }
  }

  TEST_CASE("IPv6 extension headers") {
    const Bytes segment = tcp(40000, 8888, 1000, 2000, flag::psh | flag::ack, "hello");
    SUBCASE("a full chain is walked") {
      const Bytes chain = ipv6_ext(0, 60, 8,
                                   ipv6_ext(60, 43, 16, ipv6_ext(43, 51, 24, ipv6_ext(51, 60, 12, ipv6_ext(60, 6, 8, segment)))));
      const Bytes packet = ipv6(ip("fe80::1"), ip("fe80::2"), 0, chain);
      const auto d = decode(229, packet);
      REQUIRE(d.kind == PacketKind::segment);
      CHECK(d.segment.src.to_string() == "[fe80::1]:40000");
      CHECK(text_of(d.segment.payload) == "hello");
      CHECK(d.ip_protocol == 6);
    }
    SUBCASE("a looping chain is rejected") {
      const Bytes chain = ipv6_ext(43, 60, 8, ipv6_ext(60, 43, 8, ipv6_ext(43, 6, 8, segment)));
      const auto d = decode(229, ipv6(ip("fe80::1"), ip("fe80::2"), 43, chain));
      REQUIRE(d.kind == PacketKind::problem);
      CHECK(d.problem.code == "bad_packet");
      CHECK(d.problem.message == "byte 56: IPv6 extension header chain repeats the routing header");
    }
    SUBCASE("an overlong chain is rejected") {
      Bytes chain = segment;
      for (int i = 0; i < 11; ++i) chain = ipv6_fragment(i == 0 ? 6 : 44, 0, false, 7, chain);
      const auto d = decode(229, ipv6(ip("fe80::1"), ip("fe80::2"), 44, chain));
      REQUIRE(d.kind == PacketKind::problem);
      CHECK(d.problem.message.find("more than 10 IPv6 extension headers") != std::string::npos);
    }
    SUBCASE("hop-by-hop after another header") {
      const Bytes chain = ipv6_ext(60, 0, 8, ipv6_ext(0, 6, 8, segment));
      CHECK(decode(229, ipv6(ip("fe80::1"), ip("fe80::2"), 60, chain)).problem.code == "bad_packet");
    }
    SUBCASE("a header running past the payload") {
      Bytes chain = ipv6_ext(60, 6, 8, {});
      chain[1] = std::byte{7};  // claims 64 bytes
      const auto d = decode(229, ipv6(ip("fe80::1"), ip("fe80::2"), 60, chain));
      REQUIRE(d.kind == PacketKind::problem);
      CHECK(d.problem.code == "bad_packet");
      CHECK(d.problem.message == "byte 40: IPv6 destination options header of 64 bytes runs past the payload (8 bytes left)");
    }
    SUBCASE("no next header") {
      const auto d = decode(229, ipv6(ip("fe80::1"), ip("fe80::2"), 59, {}));
      CHECK(d.kind == PacketKind::other);
      CHECK(d.ip_protocol == 59);
    }
  }

  TEST_CASE("IPv4 fragments: reported without a reassembler, reassembled with one") {
    const Bytes whole = udp(5050, 40001, std::string(40, 'x') + std::string(20, 'y'));  // 68 bytes
    const Bytes first(whole.begin(), whole.begin() + 48);
    const Bytes second(whole.begin() + 48, whole.end());
    Ipv4Options a;
    a.id = 0x1c46;
    a.more_fragments = true;
    Ipv4Options b;
    b.id = 0x1c46;
    b.fragment_offset = 48;
    const Bytes p1 = ipv4(ip("10.0.0.1"), ip("10.0.0.2"), proto_udp, first, a);
    const Bytes p2 = ipv4(ip("10.0.0.1"), ip("10.0.0.2"), proto_udp, second, b);

    const auto alone = decode(101, p1);
    REQUIRE(alone.kind == PacketKind::problem);
    CHECK(alone.problem.code == "fragment");
    CHECK(alone.problem.message ==
          "byte 0: IPv4 fragment of 10.0.0.1 -> 10.0.0.2 id 0x1c46 protocol 17 at offset 0 (not reassembled)");

    FragmentReassembler frags;
    CHECK(decode(101, p2, 0, &frags).kind == PacketKind::fragment_held);  // last first
    const auto done = decode(101, p1, 0, &frags);
    REQUIRE(done.kind == PacketKind::segment);
    CHECK(done.reassembled);
    CHECK(text_of(done.segment.payload) == std::string(40, 'x') + std::string(20, 'y'));
    CHECK(done.segment.dst.port == 40001);
    CHECK(frags.in_progress() == 0);
    CHECK(frags.held_bytes() == 0);
    CHECK_FALSE(frags.take_problem());
  }

  TEST_CASE("IPv6 fragments are reassembled") {
    const Bytes whole = tcp(40000, 8888, 1000, 2000, flag::psh | flag::ack, std::string(30, 'h'));  // 50 bytes
    const Bytes first(whole.begin(), whole.begin() + 24);
    const Bytes second(whole.begin() + 24, whole.end());
    FragmentReassembler frags;
    const auto d1 = decode(229, ipv6(ip("2001:db8::1"), ip("2001:db8::2"), 44, ipv6_fragment(6, 0, true, 99, first)), 0,
                           &frags);
    CHECK(d1.kind == PacketKind::fragment_held);
    const auto d2 = decode(229, ipv6(ip("2001:db8::1"), ip("2001:db8::2"), 44, ipv6_fragment(6, 24, false, 99, second)),
                           0, &frags);
    REQUIRE(d2.kind == PacketKind::segment);
    CHECK(d2.reassembled);
    CHECK(text_of(d2.segment.payload) == std::string(30, 'h'));
  }

  TEST_CASE("fragment limits and timeouts become fragment problems") {
    FragmentLimits limits;
    limits.max_datagrams = 1;
    limits.timeout_ns = 1'000'000'000;
    FragmentReassembler frags(limits);
    const Bytes part(16, std::byte{'z'});
    Ipv4Options o;
    o.more_fragments = true;
    o.id = 1;
    CHECK(decode(101, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), proto_udp, part, o), 0, &frags, 0).kind ==
          PacketKind::fragment_held);
    o.id = 2;
    CHECK(decode(101, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), proto_udp, part, o), 0, &frags, 10).kind ==
          PacketKind::fragment_held);
    auto p = frags.take_problem();
    REQUIRE(p);
    CHECK(p->code == "fragment");
    CHECK(p->message.find("id 0x1 ") != std::string::npos);
    CHECK(p->message.find("more than 1 datagrams") != std::string::npos);
    frags.expire(2'000'000'000);
    p = frags.take_problem();
    REQUIRE(p);
    CHECK(p->message.find("id 0x2 ") != std::string::npos);
    CHECK(p->message.find("incomplete after 1 s") != std::string::npos);
    CHECK(frags.in_progress() == 0);
  }

  TEST_CASE("fragment timeouts survive timestamps at both ends of the range") {
    // Found by fuzz_capture: pcapng timestamp offsets put packets anywhere in int64 time, and
    // the age of a datagram overflowed.
    FragmentLimits limits;
    limits.timeout_ns = 1'000'000'000;
    FragmentReassembler frags(limits);
    Ipv4Options o;
    o.more_fragments = true;
    const std::int64_t late = std::numeric_limits<std::int64_t>::max() - 5;
    CHECK(decode(101, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), proto_udp, Bytes(16, std::byte{'z'}), o), 0, &frags,
                 late).kind == PacketKind::fragment_held);
    frags.expire(std::numeric_limits<std::int64_t>::min());
    frags.expire(late);
    CHECK(frags.in_progress() <= 1);
  }

  TEST_CASE("ICMP and ICMPv6 port unreachable quote the original endpoints") {
    const Bytes quoted = ipv4(ip("10.0.0.1"), ip("10.0.0.2"), proto_udp, udp(40001, 5050, ""));
    const auto d = decode(1, ethernet(icmp_unreachable_v4(quoted)));
    REQUIRE(d.kind == PacketKind::port_unreachable);
    CHECK(d.unreachable.transport == Transport::udp);
    CHECK(d.unreachable.original_src.to_string() == "10.0.0.1:40001");
    CHECK(d.unreachable.original_dst.to_string() == "10.0.0.2:5050");
    CHECK(d.unreachable.reporter.to_string() == "10.0.0.2");

    ByteWriter w6;
    w6.u8(1).u8(4).u16(0).u32(0).raw(udp6("2001:db8::1", 40001, "2001:db8::2", 5050, "payload"));
    const auto d6 = decode(229, ipv6(ip("2001:db8::2"), ip("2001:db8::1"), proto_icmpv6, w6.out));
    REQUIRE(d6.kind == PacketKind::port_unreachable);
    CHECK(d6.unreachable.original_src.to_string() == "[2001:db8::1]:40001");
    CHECK(d6.unreachable.original_dst.to_string() == "[2001:db8::2]:5050");

    ByteWriter echo;
    echo.u8(8).u8(0).u16(0).u32(0);
    const auto e = decode(101, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), proto_icmp, echo.out));
    CHECK(e.kind == PacketKind::other);
    CHECK(e.ip_protocol == 1);

    const Bytes short_quote(quoted.begin(), quoted.begin() + 22);
    CHECK(decode(101, icmp_unreachable_v4(short_quote)).problem.code == "bad_packet");
  }

  TEST_CASE("other IP protocols are counted, not errors") {
    const auto d = decode(101, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), 47, Bytes(8)));
    CHECK(d.kind == PacketKind::other);
    CHECK(d.ip_protocol == 47);
  }

  TEST_CASE("endpoint text") {
    CHECK(vt106::net::Endpoint{ip("1.2.3.4"), 5}.to_string() == "1.2.3.4:5");
    CHECK(vt106::net::Endpoint{ip("::1"), 5}.to_string() == "[::1]:5");
    CHECK(vt106::net::Endpoint{ip("2001:db8:0:0:1:0:0:1"), 8888}.to_string() == "[2001:db8::1:0:0:1]:8888");
  }
}
