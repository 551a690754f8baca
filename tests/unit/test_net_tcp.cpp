// TCP reassembly through the flow table: order, retransmissions, reordering, sequence wrap,
// mid-stream starts, FIN/RST, gaps with exact byte counts, limits, and reused tuples.
#include <doctest/doctest.h>

#include "pcap_builder.hpp"
#include "vt106/net/flow_table.hpp"

using namespace vt106::testing;
using vt106::net::CloseReason;
using vt106::net::FlowLimits;
using vt106::net::FlowTable;
using vt106::net::Segment;
using vt106::net::Side;
using vt106::net::Transport;

namespace {

const auto client_ep = vt106::net::Endpoint{ip("10.0.0.1"), 40000};
const auto server_ep = vt106::net::Endpoint{ip("10.0.0.2"), 8888};

// Segments of one connection between client_ep and server_ep.
struct Conn {
  FlowTable& table;
  std::int64_t ts = 1'000'000'000;

  void send(bool from_client, std::uint32_t seq, std::uint8_t flags, std::string_view payload = {},
            std::uint32_t missing_tail = 0) {
    Segment s;
    s.transport = Transport::tcp;
    s.src = from_client ? client_ep : server_ep;
    s.dst = from_client ? server_ep : client_ep;
    s.seq = seq;
    s.ack = 0;
    s.flags = flags;
    s.payload = vt106::net::as_bytes(payload);
    s.missing_tail = missing_tail;
    ts += 1000;
    table.add(s, ts);
  }
  void c(std::uint32_t seq, std::string_view payload, std::uint8_t flags = flag::ack | flag::psh) {
    send(true, seq, flags, payload);
  }
  void s(std::uint32_t seq, std::string_view payload, std::uint8_t flags = flag::ack | flag::psh) {
    send(false, seq, flags, payload);
  }
  void handshake(std::uint32_t client_isn = 100, std::uint32_t server_isn = 500) {
    send(true, client_isn, flag::syn);
    send(false, server_isn, flag::syn | flag::ack);
    send(true, client_isn + 1, flag::ack);
  }
};

}  // namespace

TEST_SUITE("net.tcp_reassembler") {
  TEST_CASE("in order with a handshake and a FIN close") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.handshake();
    k.c(101, "hello");
    k.s(501, "world");
    k.c(106, "", flag::fin | flag::ack);
    k.s(506, "", flag::fin | flag::ack);
    k.c(107, "", flag::ack);  // final ACK: absorbed by the closed flow
    CHECK(rec.events == std::vector<std::string>{"open 1 tcp 10.0.0.1:40000 > 10.0.0.2:8888 handshake",
                                                 "data 1 client hello", "data 1 server world", "close 1 fin"});
    const auto& info = rec.closed.at(1);
    CHECK(info.syn_seen);
    CHECK(info.syn_ack_seen);
    CHECK(info.side(Side::client).fin);
    CHECK(info.side(Side::server).fin);
    CHECK(info.side(Side::client).payload_bytes == 5);
    CHECK(info.side(Side::client).packets == 4);
    CHECK(table.open_flows() == 0);
    CHECK(table.entries() == 1);
    table.finish();
    CHECK(rec.events.size() == 4);
  }

  TEST_CASE("split and glued segments come out as one stream") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.handshake();
    k.c(101, "#86178");
    k.c(107, "5001515349,CMD-T#");
    k.c(124, "#1,CMD-X##2,CMD-X#");
    table.finish();
    CHECK(rec.stream(1, Side::client) == "#861785001515349,CMD-T##1,CMD-X##2,CMD-X#");
  }

  TEST_CASE("exact and overlapping retransmissions are trimmed") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.handshake();
    k.c(101, "hello");
    k.c(101, "hello");
    k.c(103, "llo world");
    k.c(101, "hel");
    table.finish();
    CHECK(rec.stream(1, Side::client) == "hello world");
    CHECK(rec.closed.at(1).side(Side::client).retransmitted_bytes == 5 + 3 + 3);
    CHECK(rec.closed.at(1).side(Side::client).gaps == 0);
  }

  TEST_CASE("out-of-order segments are held and released in order") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.handshake();
    k.c(112, "three");
    k.c(106, " two, ");
    k.c(109, "XXXXX");  // overlaps both held segments: the bytes that came first win
    k.c(101, "one, ");
    CHECK(rec.stream(1, Side::client) == "one,  two, three");
    k.c(117, "!");
    table.finish();
    CHECK(rec.stream(1, Side::client) == "one,  two, three!");
    CHECK(rec.closed.at(1).side(Side::client).gaps == 0);
  }

  TEST_CASE("32-bit sequence wrap-around") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.handshake(0xfffffff0U, 0xfffffffeU);
    k.c(0xfffffff1U, "0123456789");       // ends at 0xfffffffb
    k.c(0x00000001U, "after the wrap");   // out of order across 2^32
    k.c(0xfffffffbU, "ABCDEF");           // fills 0xfffffffb .. 0x00000000
    k.s(0xffffffffU, "xy");               // server data itself wraps
    k.s(0x00000001U, "z");
    table.finish();
    CHECK(rec.stream(1, Side::client) == "0123456789ABCDEFafter the wrap");
    CHECK(rec.stream(1, Side::server) == "xyz");
    CHECK(rec.closed.at(1).side(Side::client).gaps == 0);
  }

  TEST_CASE("a capture that starts mid-stream takes the first sequence number seen") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.s(70000, "server first");
    k.c(5000, "abc");
    k.c(5003, "def");
    k.c(4000, "old data before the capture");
    table.finish();
    CHECK(rec.events.front() == "open 1 tcp 10.0.0.1:40000 > 10.0.0.2:8888 port");
    CHECK(rec.stream(1, Side::client) == "abcdef");
    CHECK(rec.stream(1, Side::server) == "server first");
    CHECK(rec.reasons.at(1) == CloseReason::end_of_input);
  }

  TEST_CASE("a missing segment becomes a gap of its exact size, and data after it is delivered") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.handshake();
    k.c(101, "aaaa");
    k.c(109, "cccc");  // 105..108 never seen
    k.c(113, "dd");
    CHECK(rec.stream(1, Side::client) == "aaaa");
    table.finish();
    CHECK(rec.stream(1, Side::client) == "aaaa[gap 4]ccccdd");
    const auto& c = rec.closed.at(1).side(Side::client);
    CHECK(c.gaps == 1);
    CHECK(c.bytes_missing == 4);
    CHECK(c.payload_bytes == 10);
    CHECK(rec.reasons.at(1) == CloseReason::end_of_input);
  }

  TEST_CASE("FIN after a hole: both FINs close the flow and report the hole") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.handshake();
    k.c(101, "aaa");
    k.c(107, "ccc", flag::ack | flag::fin);  // 104..106 missing
    CHECK(rec.stream(1, Side::client) == "aaa");
    k.s(501, "", flag::ack | flag::fin);
    CHECK(rec.stream(1, Side::client) == "aaa[gap 3]ccc");
    CHECK(rec.reasons.at(1) == CloseReason::fin);
  }

  TEST_CASE("a late segment before a FIN is still delivered in order") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.handshake();
    k.c(104, "", flag::ack | flag::fin);
    k.c(101, "abc");
    k.s(501, "", flag::ack | flag::fin);
    CHECK(rec.stream(1, Side::client) == "abc");
    CHECK(rec.reasons.at(1) == CloseReason::fin);
    CHECK(rec.closed.at(1).side(Side::client).gaps == 0);
  }

  TEST_CASE("RST delivers what is held, reports holes, and closes") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.handshake();
    k.c(101, "abc");
    k.c(107, "zzz");
    k.s(501, "", flag::rst);
    CHECK(rec.events.back() == "close 1 rst");
    CHECK(rec.stream(1, Side::client) == "abc[gap 3]zzz");
    CHECK(rec.closed.at(1).side(Side::server).rst);
    CHECK_FALSE(rec.closed.at(1).side(Side::client).rst);
  }

  TEST_CASE("bytes cut by the snapshot length are gaps") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.handshake();
    k.send(true, 101, flag::ack, "ab", 3);
    k.c(106, "cd");
    k.send(true, 112, flag::ack, "gh", 2);  // out of order, with its own missing tail
    k.c(108, "ef");
    k.c(110, "X");  // 111 is never seen
    table.finish();
    CHECK(rec.stream(1, Side::client) == "ab[gap 3]cdefX[gap 1]gh[gap 2]");
    CHECK(rec.closed.at(1).side(Side::client).bytes_missing == 6);
  }

  TEST_CASE("buffer limit skips the hole, reports it exactly, and goes on") {
    NetRecorder rec;
    FlowLimits limits;
    limits.max_buffered_bytes = 10;
    FlowTable table(limits, rec);
    Conn k{table};
    k.handshake();
    k.c(101, "a");
    k.c(110, "0123456789AB");  // 102..109 missing; 12 bytes cannot be held
    k.c(122, "more");
    REQUIRE(rec.problems.size() == 1);
    CHECK(rec.problems[0].code == "buffer_limit");
    CHECK(rec.problems[0].flow_id == 1u);
    CHECK(rec.stream(1, Side::client) == "a[gap 8]0123456789ABmore");
    const auto tail = std::vector<std::string>(rec.events.end() - 5, rec.events.end());
    CHECK(tail == std::vector<std::string>{"data 1 client a", "problem buffer_limit", "gap 1 client 8",
                                           "data 1 client 0123456789AB", "data 1 client more"});
  }

  TEST_CASE("reorder limit skips the first hole only") {
    NetRecorder rec;
    FlowLimits limits;
    limits.max_ooo_segments = 2;
    FlowTable table(limits, rec);
    Conn k{table};
    k.handshake();
    k.c(101, "a");
    k.c(105, "b");
    k.c(107, "c");
    k.c(109, "d");
    CHECK(rec.codes() == std::vector<std::string>{"reorder_limit"});
    CHECK(rec.stream(1, Side::client) == "a[gap 3]b");
    k.c(106, "B");
    table.finish();
    CHECK(rec.stream(1, Side::client) == "a[gap 3]bBc[gap 1]d");
  }

  TEST_CASE("a new SYN on a reused tuple starts a new flow; a repeated SYN does not") {
    NetRecorder rec;
    FlowTable table({}, rec);
    Conn k{table};
    k.handshake(100, 500);
    k.send(true, 100, flag::syn);  // retransmitted SYN
    k.c(101, "first");
    k.handshake(9000, 7000);       // no FIN: the old connection is given up
    k.c(9001, "second");
    k.c(9007, "", flag::fin | flag::ack);
    k.s(7001, "", flag::fin | flag::ack);
    k.handshake(20000, 30000);     // after a FIN close
    k.c(20001, "third");
    table.finish();
    CHECK(rec.stream(1, Side::client) == "first");
    CHECK(rec.stream(2, Side::client) == "second");
    CHECK(rec.stream(3, Side::client) == "third");
    CHECK(rec.reasons.at(1) == CloseReason::reused);
    CHECK(rec.reasons.at(2) == CloseReason::fin);
    CHECK(rec.reasons.at(3) == CloseReason::end_of_input);
    CHECK(table.flows_seen() == 3);
  }
}
