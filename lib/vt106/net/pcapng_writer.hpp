// A pcapng capture of what a program saw on its own sockets (vt106 listen -w): the real
// addresses, ports and times, each TCP connection with its handshake, sequence numbers,
// acknowledgements and FINs, each UDP datagram as it came; link type raw IP (IPv4 or IPv6 in each
// packet), checksums computed. decode, doctor and replay read it like any capture.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_map>

#include "vt106/net/endpoint.hpp"
#include "vt106/net/flow_table.hpp"

namespace vt106::net {

class PcapngWriter {
 public:
  // Writes the section header and the interface; `application` goes in the section's options.
  // The interface is raw IP (the packets built below) unless `linktype` says another (packets
  // captured from an interface, given to captured()); times in micro- or nanoseconds.
  PcapngWriter(std::FILE* out, std::string_view application, std::uint32_t linktype = 101,
               bool nanoseconds = false);
  bool ok() const { return ok_; }

  // A packet as captured (its link-layer bytes, perhaps cut to the snapshot length).
  void captured(std::int64_t ts_ns, std::string_view data, std::uint32_t original_length);

  // A TCP connection opened (SYN, SYN-ACK, ACK at `ts_ns`, Unix nanoseconds); `id` names it after.
  void tcp_open(std::uint64_t id, const Endpoint& client, const Endpoint& server, std::int64_t ts_ns);
  // Payload one way, in segments of at most 65,000 bytes; the other side's acknowledgement follows.
  void tcp_data(std::uint64_t id, bool from_client, std::string_view bytes, std::int64_t ts_ns);
  // The connection closed: FIN from the side that closed, then the other's FIN, then the last ACK.
  void tcp_close(std::uint64_t id, bool client_closed, std::int64_t ts_ns);
  void udp(const Endpoint& src, const Endpoint& dst, std::string_view bytes, std::int64_t ts_ns);
  void flush();

 private:
  struct Tcp {
    Endpoint client, server;
    std::uint32_t client_seq = 0, server_seq = 0;  // the next sequence number each side sends
  };
  void segment(const Endpoint& src, const Endpoint& dst, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
               std::string_view payload, std::int64_t ts_ns);
  void packet(const Endpoint& src, const Endpoint& dst, std::uint8_t protocol, const std::string& transport,
              std::int64_t ts_ns);
  void block(std::uint32_t type, const std::string& body);

  void enhanced_packet(std::int64_t ts_ns, std::string_view data, std::uint32_t original_length);

  std::FILE* out_;
  bool ok_ = true;
  bool nanoseconds_ = false;
  std::unordered_map<std::uint64_t, Tcp> tcp_;
  std::uint16_t ip_id_ = 1;
  std::string scratch_;
};

// A PcapngWriter fed by flow events (vt106 proxy -w): each flow as the packets that would carry
// it, client and server as the flow names them.
class PcapngFlowWriter final : public FlowObserver {
 public:
  PcapngFlowWriter(std::FILE* out, std::string_view application) : writer_(out, application) {}
  void on_flow_open(const FlowInfo& flow) override;
  void on_stream_data(const FlowInfo& flow, Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_datagram(const FlowInfo& flow, Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_flow_close(const FlowInfo& flow, CloseReason reason, std::int64_t ts_ns) override;
  void flush() { writer_.flush(); }
  bool ok() const { return writer_.ok(); }

 private:
  PcapngWriter writer_;
};

}  // namespace vt106::net
