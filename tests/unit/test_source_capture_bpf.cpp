// BpfFilter: libpcap compile errors at setup, lazy compilation per link type, verdicts.
#include <doctest/doctest.h>

#include <stdexcept>

#include "pcap_builder.hpp"
#include "vt106/source/bpf.hpp"

using namespace vt106::testing;
using vt106::source::BpfFilter;

TEST_SUITE("source.bpf") {
  TEST_CASE("a bad expression throws with libpcap's message") {
    CHECK_THROWS_AS(BpfFilter("tcp port"), std::runtime_error);
    try {
      BpfFilter f("host 1.2.3.4 andd port 5");
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      CHECK(what.find("host 1.2.3.4 andd port 5") != std::string::npos);
      CHECK(what.find("syntax error") != std::string::npos);
    }
  }

  TEST_CASE("one expression, several link types") {
    BpfFilter f("tcp port 8888");
    const Bytes tcp_packet = tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 1, 0, flag::ack, "x");
    const Bytes udp_packet = udp4("10.0.0.1", 40000, "10.0.0.2", 8888, "x");
    CHECK(f.matches(1, ethernet(tcp_packet), 0));
    CHECK_FALSE(f.matches(1, ethernet(udp_packet), 0));
    // Offline, libpcap only looks past an 802.1Q tag after "vlan and".
    CHECK_FALSE(f.matches(1, ethernet(tcp_packet, {0x8100}), 0));
    CHECK(BpfFilter("vlan and tcp port 8888").matches(1, ethernet(tcp_packet, {0x8100}), 0));
    CHECK(f.matches(101, tcp_packet, 0));
    CHECK_FALSE(f.matches(101, udp_packet, 0));
    CHECK(f.matches(276, sll2(tcp_packet), 0));
    CHECK(f.matches(113, sll(tcp_packet), 0));
    CHECK(f.matches(0, loopback(tcp_packet, 2, false), 0));
    CHECK(f.matches(229, tcp6("2001:db8::1", 1, "2001:db8::2", 8888, 1, 0, flag::ack), 0));
    CHECK(f.error(101).empty());
  }

  TEST_CASE("an expression that does not fit a link type gives an error verdict") {
    BpfFilter f("ether src 02:00:00:00:00:02");
    const Bytes packet = tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 1, 0, flag::ack, "x");
    CHECK(f.test(1, ethernet(packet), 0) == BpfFilter::Verdict::match);
    CHECK(f.test(101, packet, 0) == BpfFilter::Verdict::error);
    CHECK_FALSE(f.error(101).empty());
    CHECK(f.test(101, packet, 0) == BpfFilter::Verdict::error);  // remembered
  }
}
