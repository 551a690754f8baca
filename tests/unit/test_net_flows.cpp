// FlowTable: client-side rules (syn/port/first_packet), UDP datagrams, flow ids, eviction at
// max_flows, idle timeouts, stragglers of closed flows, port unreachable, observer slots.
#include <doctest/doctest.h>

#include "pcap_builder.hpp"
#include "vt106/net/flow_table.hpp"

using namespace vt106::testing;
using vt106::net::ClientRule;
using vt106::net::CloseReason;
using vt106::net::Endpoint;
using vt106::net::FlowInfo;
using vt106::net::FlowLimits;
using vt106::net::FlowTable;
using vt106::net::Segment;
using vt106::net::Side;
using vt106::net::Transport;

namespace {

constexpr std::int64_t s_ns = 1'000'000'000;

Segment make(Transport t, std::string_view src, std::uint16_t sport, std::string_view dst, std::uint16_t dport,
             std::uint8_t flags = 0, std::string_view payload = {}, std::uint32_t seq = 1) {
  Segment s;
  s.transport = t;
  s.src = Endpoint{ip(src), sport};
  s.dst = Endpoint{ip(dst), dport};
  s.flags = flags;
  s.seq = seq;
  s.payload = vt106::net::as_bytes(payload);
  return s;
}

Segment tcp_seg(std::string_view src, std::uint16_t sport, std::string_view dst, std::uint16_t dport,
                std::uint8_t flags, std::string_view payload = {}, std::uint32_t seq = 1) {
  return make(Transport::tcp, src, sport, dst, dport, flags, payload, seq);
}
Segment udp_seg(std::string_view src, std::uint16_t sport, std::string_view dst, std::uint16_t dport,
                std::string_view payload) {
  return make(Transport::udp, src, sport, dst, dport, 0, payload);
}

}  // namespace

TEST_SUITE("net.flow_table") {
  TEST_CASE("which side is the client") {
    NetRecorder rec;
    FlowTable table({}, rec);
    table.add(tcp_seg("10.0.0.1", 40000, "10.0.0.2", 9999, flag::syn), s_ns);                 // SYN
    table.add(tcp_seg("10.0.0.2", 9999, "10.0.0.3", 40000, flag::syn | flag::ack), s_ns);     // SYN-ACK seen first
    table.add(tcp_seg("10.0.0.2", 8888, "10.0.0.4", 40000, flag::ack, "x"), s_ns);            // server port sent first
    table.add(tcp_seg("10.0.0.5", 41000, "10.0.0.2", 5050, flag::ack, "x"), s_ns);            // to a server port
    table.add(tcp_seg("10.0.0.6", 41000, "10.0.0.7", 42000, flag::ack, "x"), s_ns);           // no rule: first packet
    table.add(tcp_seg("10.0.0.8", 8888, "10.0.0.9", 5050, flag::ack, "x"), s_ns);             // both server ports
    table.add(udp_seg("10.0.0.2", 5050, "10.0.0.10", 33000, "x"), s_ns);                      // UDP from the platform
    CHECK(rec.events == std::vector<std::string>{
                            "open 1 tcp 10.0.0.1:40000 > 10.0.0.2:9999 handshake",
                            "open 2 tcp 10.0.0.3:40000 > 10.0.0.2:9999 handshake",
                            "open 3 tcp 10.0.0.4:40000 > 10.0.0.2:8888 port",
                            "data 3 server x",
                            "open 4 tcp 10.0.0.5:41000 > 10.0.0.2:5050 port",
                            "data 4 client x",
                            "open 5 tcp 10.0.0.6:41000 > 10.0.0.7:42000 first_packet",
                            "data 5 client x",
                            "open 6 tcp 10.0.0.8:8888 > 10.0.0.9:5050 first_packet",
                            "data 6 client x",
                            "open 7 udp 10.0.0.10:33000 > 10.0.0.2:5050 port",
                            "datagram 7 server x",
                        });
    CHECK(rec.opened.at(1).client_rule == ClientRule::syn);
    CHECK(table.open_flows() == 7);
  }

  TEST_CASE("UDP: every datagram is one unit, both directions in one flow") {
    NetRecorder rec;
    FlowTable table({}, rec);
    table.add(udp_seg("10.0.0.1", 33000, "10.0.0.2", 5050, "#a#"), s_ns);
    table.add(udp_seg("10.0.0.2", 5050, "10.0.0.1", 33000, "ok"), 2 * s_ns);
    table.add(udp_seg("10.0.0.1", 33000, "10.0.0.2", 5050, "#b#"), 3 * s_ns);
    Segment cut = udp_seg("10.0.0.1", 33000, "10.0.0.2", 5050, "#c");
    cut.missing_tail = 5;
    table.add(cut, 4 * s_ns);
    table.finish();
    CHECK(rec.events == std::vector<std::string>{"open 1 udp 10.0.0.1:33000 > 10.0.0.2:5050 port",
                                                 "datagram 1 client #a#", "datagram 1 server ok",
                                                 "datagram 1 client #b#", "datagram 1 client #c", "gap 1 client 5",
                                                 "close 1 end_of_input"});
    const FlowInfo& info = rec.closed.at(1);
    CHECK(info.side(Side::client).packets == 3);
    CHECK(info.side(Side::client).payload_bytes == 8);
    CHECK(info.side(Side::server).packets == 1);
    CHECK(info.first_ts_ns == s_ns);
    CHECK(info.last_ts_ns == 4 * s_ns);
    CHECK(rec.data_ts == std::vector<std::int64_t>{s_ns, 2 * s_ns, 3 * s_ns, 4 * s_ns});
  }

  TEST_CASE("a full table evicts the least recently active flow and says so") {
    NetRecorder rec;
    FlowLimits limits;
    limits.max_flows = 2;
    FlowTable table(limits, rec);
    table.add(udp_seg("10.0.0.1", 1001, "10.0.0.2", 5050, "a"), s_ns);
    table.add(udp_seg("10.0.0.1", 1002, "10.0.0.2", 5050, "b"), 2 * s_ns);
    table.add(udp_seg("10.0.0.1", 1001, "10.0.0.2", 5050, "c"), 3 * s_ns);  // flow 1 active again
    table.add(udp_seg("10.0.0.1", 1003, "10.0.0.2", 5050, "d"), 4 * s_ns);  // evicts flow 2
    REQUIRE(rec.problems.size() == 1);
    CHECK(rec.problems[0].code == "flow_limit");
    CHECK(rec.problems[0].flow_id == 2u);
    CHECK(rec.problems[0].message ==
          "flow table full (2 flows): closing the least recently active flow 2 (10.0.0.1:1002 -> 10.0.0.2:5050)");
    CHECK(rec.reasons.at(2) == CloseReason::evicted);
    CHECK(table.entries() == 2);
    table.add(udp_seg("10.0.0.1", 1002, "10.0.0.2", 5050, "e"), 5 * s_ns);  // back as a new flow, evicting 1
    CHECK(rec.opened.count(4) == 1);
    CHECK(rec.reasons.at(1) == CloseReason::evicted);
    CHECK(rec.codes() == std::vector<std::string>{"flow_limit", "flow_limit"});
  }

  TEST_CASE("idle flows close at their last packet plus the timeout") {
    FlowLimits limits;
    limits.idle_timeout_ns = 300 * s_ns;
    std::int64_t closed_at = 0;
    struct Closer : NetRecorder {
      std::int64_t* at = nullptr;
      void on_flow_close(const FlowInfo& f, CloseReason r, std::int64_t ts) override {
        NetRecorder::on_flow_close(f, r, ts);
        *at = ts;
      }
    } closer;
    closer.at = &closed_at;
    FlowTable t2(limits, closer);
    t2.add(udp_seg("10.0.0.1", 1001, "10.0.0.2", 5050, "a"), 10 * s_ns);
    t2.add(udp_seg("10.0.0.1", 1002, "10.0.0.2", 5050, "b"), 200 * s_ns);
    t2.flush_idle(310 * s_ns);
    CHECK(closer.closed.empty());
    t2.flush_idle(311 * s_ns);
    CHECK(closer.reasons.at(1) == CloseReason::idle_timeout);
    CHECK(closed_at == 310 * s_ns);
    CHECK(closer.closed.count(2) == 0);
    // A packet on an idle tuple opens a new flow.
    t2.add(udp_seg("10.0.0.1", 1002, "10.0.0.2", 5050, "c"), 600 * s_ns);
    CHECK(closer.reasons.at(2) == CloseReason::idle_timeout);
    CHECK(closer.opened.count(3) == 1);
    CHECK(t2.open_flows() == 1);
  }

  TEST_CASE("flow ids grow in order of appearance; finish closes in id order") {
    NetRecorder rec;
    FlowTable table({}, rec);
    for (std::uint16_t p = 3; p > 0; --p) table.add(udp_seg("10.0.0.1", p, "10.0.0.2", 5050, "x"), s_ns);
    table.add(udp_seg("10.0.0.1", 3, "10.0.0.2", 5050, "y"), 2 * s_ns);
    table.finish();
    const std::vector<std::string> closes(rec.events.end() - 3, rec.events.end());
    CHECK(closes == std::vector<std::string>{"close 1 end_of_input", "close 2 end_of_input", "close 3 end_of_input"});
    CHECK(rec.opened.at(1).client.port == 3);
    CHECK(table.entries() == 0);
  }

  TEST_CASE("port unreachable is tied to the UDP flow it answers") {
    NetRecorder rec;
    FlowTable table({}, rec);
    table.add(udp_seg("10.0.0.1", 33000, "10.0.0.2", 5050, "#x#"), s_ns);
    vt106::net::PortUnreachable u;
    u.transport = Transport::udp;
    u.original_src = Endpoint{ip("10.0.0.1"), 33000};
    u.original_dst = Endpoint{ip("10.0.0.2"), 5050};
    u.reporter = ip("10.0.0.2");
    table.add(u, vt106::net::PacketRef{2 * s_ns, 2, std::nullopt});
    u.original_dst.port = 5051;
    table.add(u, vt106::net::PacketRef{3 * s_ns, 3, std::nullopt});
    table.finish();
    REQUIRE(rec.unreachable.size() == 2);
    CHECK(rec.unreachable[0].second == 1);
    CHECK(rec.unreachable[1].second == 0);
    CHECK(rec.closed.at(1).port_unreachable == 1);
  }

  TEST_CASE("observers can hang state on a flow: user pointer and slot") {
    struct Counting : vt106::net::FlowObserver {
      std::vector<int> state = std::vector<int>(4, 0);
      int freed = 0;
      void on_flow_open(const FlowInfo& f) override { f.user = new int(0); }
      void on_datagram(const FlowInfo& f, Side, std::string_view, std::int64_t) override {
        ++*static_cast<int*>(f.user);
        ++state.at(f.slot);
      }
      void on_flow_close(const FlowInfo& f, CloseReason, std::int64_t) override {
        CHECK(*static_cast<int*>(f.user) == state.at(f.slot));
        state.at(f.slot) = 0;
        delete static_cast<int*>(f.user);
        ++freed;
      }
    } obs;
    FlowLimits limits;
    limits.max_flows = 4;
    FlowTable table(limits, obs);
    for (int i = 0; i < 20; ++i) {
      table.add(udp_seg("10.0.0.1", static_cast<std::uint16_t>(1000 + i % 7), "10.0.0.2", 5050, "x"), s_ns * i);
    }
    table.finish();
    CHECK(obs.freed == static_cast<int>(table.flows_seen()));
  }

  TEST_CASE("TCP without handshake where neither side is a server port") {
    NetRecorder rec;
    FlowTable table({}, rec);
    table.add(tcp_seg("10.0.0.9", 7000, "10.0.0.1", 40000, flag::ack, "hi", 10), s_ns);
    table.add(tcp_seg("10.0.0.1", 40000, "10.0.0.9", 7000, flag::ack, "yo", 99), s_ns);
    table.add(tcp_seg("10.0.0.9", 7000, "10.0.0.1", 40000, flag::syn), s_ns);  // handshake now: a new connection
    table.finish();
    CHECK(rec.opened.at(1).client.to_string() == "10.0.0.9:7000");
    CHECK(rec.opened.at(1).client_rule == ClientRule::first_packet);
    CHECK(rec.stream(1, Side::client) == "hi");
    CHECK(rec.stream(1, Side::server) == "yo");
    CHECK(rec.reasons.at(1) == CloseReason::reused);
    CHECK(rec.opened.at(2).client_rule == ClientRule::syn);
  }
}
