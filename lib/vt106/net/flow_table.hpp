// Tracks TCP connections and UDP conversations by 5-tuple, decides which side is the device
// (client), reassembles TCP per direction (RFC 9293) and reports data, gaps, closes and limit
// problems to a FlowObserver. Memory is bounded by FlowLimits, never by capture size.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/net/endpoint.hpp"
#include "vt106/net/packet.hpp"
#include "vt106/net/tcp_reassembler.hpp"

namespace vt106::net {

struct FlowLimits {
  std::size_t max_flows = 65536;                   // open (and recently closed) flows; the least recently active is evicted
  std::size_t max_buffered_bytes = 256 * 1024;     // out-of-order bytes held per flow direction
  std::size_t max_ooo_segments = 256;              // out-of-order segments held per flow direction
  std::int64_t idle_timeout_ns = 300'000'000'000;  // 300 s of capture time without a packet closes a flow
  std::vector<std::uint16_t> server_ports{8888, 5050};  // platform ports: the other side is the device
};

enum class Side : std::uint8_t { client = 0, server = 1 };
std::string_view to_string(Side s);  // "client", "server"
inline Side other(Side s) { return s == Side::client ? Side::server : Side::client; }

// How the client (device) side was decided.
// A capture that begins mid-conversation has no handshake: the content decides then (the side
// sending GOTOP uplink frames is the device), and only without telling content the ports.
enum class ClientRule : std::uint8_t {
  syn,           // the handshake: it sent the SYN (or received the SYN-ACK)
  content,       // no handshake seen; it sends GOTOP uplink frames (or receives commands)
  port,          // neither; the other side is on a server port
  first_packet,  // none of these: it sent the first packet seen
};
std::string_view to_string(ClientRule r);  // "handshake", "content", "port", "first_packet"

enum class CloseReason : std::uint8_t {
  fin,           // both sides sent FIN
  rst,           // a side sent RST
  idle_timeout,  // no packet for FlowLimits::idle_timeout_ns
  evicted,       // the table was full (a flow_limit problem came first)
  reused,        // a new SYN on the same 5-tuple started a new connection
  end_of_input,  // finish()
  disconnected,  // a log says the platform saw the connection end
};
std::string_view to_string(CloseReason r);  // "fin", "rst", "idle_timeout", "evicted", "reused", "end_of_input", "disconnected"

struct SideCounters {
  std::uint64_t packets = 0;
  std::uint64_t payload_bytes = 0;        // delivered to the observer (each byte once)
  std::uint64_t gaps = 0;
  std::uint64_t bytes_missing = 0;        // sum of the gaps
  std::uint64_t retransmitted_bytes = 0;  // payload seen again and dropped (TCP)
  bool fin = false;
  bool rst = false;
  std::int64_t fin_ts_ns = 0;  // when the first FIN / RST of this side was seen
  std::int64_t rst_ts_ns = 0;
};

struct FlowInfo {
  std::uint64_t id = 0;      // 1, 2, ... in order of first appearance
  std::uint32_t slot = 0;    // in [0, max_flows), unique among open flows and reused after close:
                             // an observer may index its own per-flow state by it (O(1))
  Transport transport = Transport::tcp;
  Endpoint client;           // the device side
  Endpoint server;
  ClientRule client_rule = ClientRule::first_packet;
  std::int64_t first_ts_ns = 0;
  std::int64_t last_ts_ns = 0;
  std::array<SideCounters, 2> sides{};  // indexed by Side
  bool syn_seen = false;       // a SYN without ACK from the client
  bool syn_ack_seen = false;   // a SYN with ACK
  std::uint64_t port_unreachable = 0;  // ICMP port unreachable errors quoting this flow
  // Flows that come from a log rather than packets: the endpoints as the log writes them
  // (client: the device's address, server: empty when unknown) and the protocol the platform
  // decoded them as. Empty for captured flows.
  std::string_view client_label, server_label, platform_protocol;
  mutable void* user = nullptr;        // free for the observer (set it in on_flow_open, free it in
                                       // on_flow_close); the table only resets it after the close

  const SideCounters& side(Side s) const { return sides[static_cast<std::size_t>(s)]; }
  // The endpoints as records write them: the log's labels for a flow from a log.
  std::string client_text() const { return client_label.empty() ? client.to_string() : std::string(client_label); }
  std::string server_text() const { return client_label.empty() ? server.to_string() : std::string(server_label); }
  const Endpoint& endpoint(Side s) const { return s == Side::client ? client : server; }
};

// Stable problem codes of the network layer (the reader's and the packet decoder's codes are
// passed through unchanged).
namespace net_code {
inline constexpr std::string_view flow_limit = "flow_limit";
inline constexpr std::string_view buffer_limit = "buffer_limit";
inline constexpr std::string_view reorder_limit = "reorder_limit";
inline constexpr std::string_view filter_error = "filter_error";
}  // namespace net_code

struct NetProblem {
  std::string_view code;                    // stable snake_case code
  std::string message;
  std::uint64_t packet_number = 0;          // 0 when not tied to one packet
  std::optional<std::uint64_t> file_offset; // of the packet record or damaged header
  std::int64_t ts_ns = 0;
  std::optional<std::uint64_t> flow_id;
};

// Where a packet came from, for problem reports.
struct PacketRef {
  std::int64_t ts_ns = 0;
  std::uint64_t number = 0;
  std::optional<std::uint64_t> file_offset;
};

// Receives everything the flow table produces. All methods do nothing by default. `FlowInfo`
// references are valid only during the call; callbacks must not call back into the table.
class FlowObserver {
 public:
  virtual ~FlowObserver() = default;
  virtual void on_flow_open(const FlowInfo& /*flow*/) {}
  virtual void on_stream_data(const FlowInfo& /*flow*/, Side /*from*/, std::string_view /*bytes*/,
                              std::int64_t /*ts_ns*/) {}
  virtual void on_datagram(const FlowInfo& /*flow*/, Side /*from*/, std::string_view /*bytes*/,
                           std::int64_t /*ts_ns*/) {}
  virtual void on_gap(const FlowInfo& /*flow*/, Side /*from*/, std::uint64_t /*missing_bytes*/,
                      std::int64_t /*ts_ns*/) {}
  virtual void on_flow_close(const FlowInfo& /*flow*/, CloseReason /*reason*/, std::int64_t /*ts_ns*/) {}
  virtual void on_problem(const NetProblem& /*problem*/) {}
  // An ICMP/ICMPv6 port unreachable; `flow` is the flow it quotes, if that flow is in the table.
  virtual void on_port_unreachable(const PortUnreachable& /*event*/, const FlowInfo* /*flow*/,
                                   std::int64_t /*ts_ns*/) {}
};

class FlowTable {
 public:
  FlowTable(FlowLimits limits, FlowObserver& observer);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // One TCP segment or UDP datagram.
  void add(const Segment& segment, const PacketRef& packet);
  void add(const Segment& segment, std::int64_t ts_ns) { add(segment, PacketRef{ts_ns, 0, std::nullopt}); }
  // An ICMP port unreachable: reported with the flow it quotes (never creates a flow).
  void add(const PortUnreachable& event, const PacketRef& packet);

  // Closes flows without a packet for longer than the idle timeout (capture time).
  void flush_idle(std::int64_t now_ns);
  // Closes every open flow (end of input); the table can be used again afterwards.
  void finish();

  std::size_t open_flows() const { return open_; }
  std::size_t entries() const { return used_; }  // open flows and closed ones still absorbing stragglers
  std::uint64_t flows_seen() const { return next_id_; }
  const FlowLimits& limits() const { return limits_; }

 private:
  struct Flow;
  struct Key;
  struct KeyHash;
  struct Index;
  class StreamOutput;

  static Key make_key(Transport t, const Endpoint& a, const Endpoint& b);
  std::uint32_t find(const Key& key);
  std::uint32_t create(const Key& key, const Segment& seg, const PacketRef& packet);
  bool starts_new_connection(const Flow& f, const Segment& seg) const;
  void close(Flow& f, CloseReason reason, std::int64_t ts_ns, const PacketRef* packet);
  void release(std::uint32_t slot);
  void touch(std::uint32_t slot);
  void link_front(std::uint32_t slot);
  void unlink(std::uint32_t slot);
  void evict_one(const PacketRef& packet);
  bool server_port(std::uint16_t port) const;
  void announce(Flow& f, const Segment* first_payload);

  FlowLimits limits_;
  FlowObserver& observer_;
  std::vector<Flow> flows_;
  std::vector<std::uint32_t> free_;
  std::unique_ptr<Index> index_;
  std::uint32_t lru_head_;  // most recently active
  std::uint32_t lru_tail_;  // least recently active
  std::size_t used_ = 0;
  std::size_t open_ = 0;
  std::uint64_t next_id_ = 0;
  std::int64_t now_ns_ = 0;
};

}  // namespace vt106::net
