// Decodes one captured packet down to a TCP or UDP segment: link layers from the tcpdump.org
// LINKTYPE list (Ethernet with 802.1Q/802.1ad tags, Linux SLL/SLL2, raw IP, NULL/LOOP), IPv4
// (RFC 791), IPv6 with extension headers (RFC 8200), TCP (RFC 9293), UDP (RFC 768), and the
// port-unreachable errors of ICMP (RFC 792) and ICMPv6 (RFC 4443).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "vt106/net/endpoint.hpp"

namespace vt106::net {

class FragmentReassembler;

// LINKTYPE_ values this decoder understands (tcpdump.org link-layer header types).
namespace linktype {
inline constexpr std::uint32_t null = 0;        // BSD loopback, AF in the capturing host's byte order
inline constexpr std::uint32_t ethernet = 1;
inline constexpr std::uint32_t raw_12 = 12;     // DLT_RAW as written by some systems
inline constexpr std::uint32_t raw_14 = 14;     // DLT_RAW on OpenBSD
inline constexpr std::uint32_t raw = 101;
inline constexpr std::uint32_t loop = 108;      // OpenBSD loopback, AF in network byte order
inline constexpr std::uint32_t linux_sll = 113;
inline constexpr std::uint32_t ipv4 = 228;
inline constexpr std::uint32_t ipv6 = 229;
inline constexpr std::uint32_t linux_sll2 = 276;
}  // namespace linktype

// The LINKTYPE_ name without prefix ("ETHERNET", "IEEE802_11_RADIOTAP"), or "" when unknown.
std::string_view linktype_name(std::uint32_t linktype);
bool linktype_supported(std::uint32_t linktype);

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
inline constexpr std::uint8_t urg = 0x20;
}  // namespace tcp_flag

// A TCP segment or UDP datagram. `payload` points into the packet (or into the fragment
// reassembler for reassembled datagrams) and is valid until the next packet is decoded.
struct Segment {
  Transport transport = Transport::tcp;
  Endpoint src;
  Endpoint dst;
  std::uint8_t flags = 0;  // TCP flags (tcp_flag), 0 for UDP
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::span<const std::byte> payload;  // the captured payload bytes
  std::uint32_t missing_tail = 0;      // payload bytes the packet carried beyond the capture's snapshot length
};

// "Port unreachable" from ICMP type 3 code 3 or ICMPv6 type 1 code 4: the original datagram went
// from original_src to original_dst, and `reporter` (usually original_dst's host) refused it.
struct PortUnreachable {
  Transport transport = Transport::udp;  // of the original datagram
  Endpoint original_src;
  Endpoint original_dst;
  IpAddress reporter;
};

// Stable problem codes of the packet decoder.
namespace packet_code {
inline constexpr std::string_view unsupported_link_type = "unsupported_link_type";
inline constexpr std::string_view bad_packet = "bad_packet";              // headers contradict themselves
inline constexpr std::string_view truncated_packet = "truncated_packet";  // the capture cut a header short
inline constexpr std::string_view fragment = "fragment";                  // an IP fragment that was not reassembled
}  // namespace packet_code

struct PacketProblem {
  std::string_view code;  // one of packet_code
  std::string message;    // names what was wrong and where ("byte 14: IPv4 header length 12 is below 20")
  std::size_t offset = 0; // byte of the packet where the problem was found
};

enum class PacketKind : std::uint8_t {
  segment,           // a TCP or UDP segment in `segment`
  port_unreachable,  // an ICMP/ICMPv6 port unreachable in `unreachable`
  other,             // something else (ARP, ICMP echo, ESP...): counted, not an error
  fragment_held,     // an IP fragment kept for reassembly; nothing to do yet
  problem,           // `problem` says what was wrong
};

struct DecodedPacket {
  PacketKind kind = PacketKind::other;
  Segment segment;
  PortUnreachable unreachable;
  std::uint16_t ethertype = 0;    // of the network layer (0x0800, 0x86dd, 0x0806 ...) when known
  std::uint8_t ip_protocol = 0;   // of the transport layer when the packet was IP
  bool reassembled = false;       // the segment came out of IP fragment reassembly
  PacketProblem problem;
};

// Decodes one packet. `orig_len` is its length on the wire (0: same as data.size()); it tells a
// packet cut by the snapshot length (truncated) from one whose headers lie (bad). Without a
// reassembler, IP fragments are reported as `fragment` problems; with one, they are held and the
// packet completing a datagram decodes as its segment.
DecodedPacket decode_packet(std::uint32_t linktype, std::span<const std::byte> data, std::uint32_t orig_len = 0,
                            FragmentReassembler* fragments = nullptr, std::int64_t ts_ns = 0);

// Same, reusing `out` (no allocation unless there is a problem to describe).
void decode_packet(std::uint32_t linktype, std::span<const std::byte> data, std::uint32_t orig_len,
                   FragmentReassembler* fragments, std::int64_t ts_ns, DecodedPacket& out);

}  // namespace vt106::net
