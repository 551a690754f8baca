// Link, network and transport header decoding of one packet: tcpdump.org LINKTYPE list, IEEE
// 802.1Q/802.1ad tags, RFC 791 (IPv4), RFC 8200 (IPv6 extension headers), RFC 9293 (TCP),
// RFC 768 (UDP), RFC 792 and RFC 4443 (port unreachable).
#include "vt106/net/packet.hpp"

#include <cstring>

#include <fmt/format.h>

#include <algorithm>

#include "vt106/net/byte_reader.hpp"
#include "vt106/net/fragments.hpp"

namespace vt106::net {

namespace {

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_ipv6 = 0x86dd;
constexpr std::uint16_t ethertype_vlan = 0x8100;      // IEEE 802.1Q
constexpr std::uint16_t ethertype_qinq = 0x88a8;      // IEEE 802.1ad
constexpr std::uint16_t ethertype_qinq_old = 0x9100;  // pre-standard double tagging
constexpr std::uint16_t arphrd_netlink = 824;

constexpr std::uint8_t proto_hop_by_hop = 0;
constexpr std::uint8_t proto_icmp = 1;
constexpr std::uint8_t proto_tcp = 6;
constexpr std::uint8_t proto_udp = 17;
constexpr std::uint8_t proto_routing = 43;
constexpr std::uint8_t proto_fragment = 44;
constexpr std::uint8_t proto_ah = 51;
constexpr std::uint8_t proto_icmpv6 = 58;
constexpr std::uint8_t proto_no_next = 59;
constexpr std::uint8_t proto_dest_opts = 60;
constexpr std::uint8_t proto_mobility = 135;
constexpr std::uint8_t proto_hip = 139;
constexpr std::uint8_t proto_shim6 = 140;

// Bound on the IPv6 extension header chain (RFC 8200 section 4.1 lists at most eight kinds).
constexpr int max_extension_headers = 10;

bool is_vlan_tag(std::uint16_t type) {
  return type == ethertype_vlan || type == ethertype_qinq || type == ethertype_qinq_old;
}

std::string_view extension_name(std::uint8_t nh) {
  switch (nh) {
    case proto_hop_by_hop: return "hop-by-hop options";
    case proto_routing: return "routing";
    case proto_fragment: return "fragment";
    case proto_ah: return "authentication";
    case proto_dest_opts: return "destination options";
    case proto_mobility: return "mobility";
    case proto_hip: return "HIP";
    case proto_shim6: return "shim6";
    default: return "extension";
  }
}

bool is_extension(std::uint8_t nh) {
  switch (nh) {
    case proto_hop_by_hop: case proto_routing: case proto_fragment: case proto_ah: case proto_dest_opts:
    case proto_mobility: case proto_hip: case proto_shim6:
      return true;
    default:
      return false;
  }
}

IpAddress read_v4(ByteReader& r) {
  IpAddress ip;
  const auto b = r.bytes(4);  // empty (and r failed) when short: the address stays zero
  if (b.size() == 4) std::memcpy(ip.bytes.data(), b.data(), 4);
  return ip;
}

IpAddress read_v6(ByteReader& r) {
  IpAddress ip;
  ip.v6 = true;
  const auto b = r.bytes(16);
  if (b.size() == 16) std::memcpy(ip.bytes.data(), b.data(), 16);
  return ip;
}

// The bytes [at, at + n) of a span, clipped to the span.
std::span<const std::byte> clip(std::span<const std::byte> s, std::size_t at, std::size_t n) {
  if (at >= s.size()) return {};
  return s.subspan(at, std::min(n, s.size() - at));
}

class Decoder {
 public:
  Decoder(DecodedPacket& out, std::span<const std::byte> data, std::uint32_t orig_len, FragmentReassembler* frags,
          std::int64_t ts_ns)
      : out_(out), data_(data), frags_(frags), ts_ns_(ts_ns) {
    cut_ = orig_len > data.size() ? orig_len - data.size() : 0;
  }

  void run(std::uint32_t lt) {
    ByteReader r(data_);
    switch (lt) {
      case linktype::ethernet: {
        if (!r.can_read(14)) return short_header(0, "Ethernet header", 14, left(0), cut_ > 0);
        r.skip(12);
        return ether_payload(r.be16(), 14);
      }
      case linktype::linux_sll: {
        if (!r.can_read(16)) return short_header(0, "Linux cooked (SLL) header", 16, left(0), cut_ > 0);
        r.skip(2);
        const std::uint16_t hatype = r.be16();
        r.skip(10);
        const std::uint16_t protocol = r.be16();
        if (hatype == arphrd_netlink) return other(0);
        return ether_payload(protocol, 16);
      }
      case linktype::linux_sll2: {
        if (!r.can_read(20)) return short_header(0, "Linux cooked (SLL2) header", 20, left(0), cut_ > 0);
        const std::uint16_t protocol = r.be16();
        r.skip(6);
        const std::uint16_t hatype = r.be16();
        if (hatype == arphrd_netlink) return other(0);
        return ether_payload(protocol, 20);
      }
      case linktype::null:
      case linktype::loop: {
        if (!r.can_read(4)) return short_header(0, "loopback header", 4, left(0), cut_ > 0);
        std::uint32_t af = r.peek_u32(0, ByteOrder::big);
        // NULL: the capturing host's byte order; the value is small, so the other order is huge.
        if (lt == linktype::null && af > 0xffff) af = r.peek_u32(0, ByteOrder::little);
        if (af == 2) return ipv4(4);
        if (af == 24 || af == 28 || af == 30) return ipv6(4);
        return other(0);
      }
      case linktype::raw:
      case linktype::raw_12:
      case linktype::raw_14:
        return raw_ip(0);
      case linktype::ipv4:
        return ipv4(0);
      case linktype::ipv6:
        return ipv6(0);
      default: {
        const std::string_view name = linktype_name(lt);
        out_.kind = PacketKind::problem;
        out_.problem.code = packet_code::unsupported_link_type;
        out_.problem.offset = 0;
        out_.problem.message = name.empty() ? fmt::format("link type {} is not supported", lt)
                                            : fmt::format("link type {} ({}) is not supported", lt, name);
        return;
      }
    }
  }

 private:
  // ---- outcomes ----
  void problem(std::string_view code, std::size_t at, std::string what) {
    out_.kind = PacketKind::problem;
    out_.problem.code = code;
    out_.problem.offset = at;
    out_.problem.message = reassembled_ ? fmt::format("byte {} of the reassembled datagram: {}", at, what)
                                        : fmt::format("byte {}: {}", at, what);
  }
  void bad(std::size_t at, std::string what) { problem(packet_code::bad_packet, at, std::move(what)); }
  // A header that does not fit: cut by the snapshot length (truncated) or just too short (bad).
  void short_header(std::size_t at, std::string_view what, std::size_t need, std::size_t have, bool cut) {
    if (cut) {
      problem(packet_code::truncated_packet, at,
              fmt::format("{} needs {} bytes, the capture kept {}", what, need, have));
    } else {
      problem(packet_code::bad_packet, at, fmt::format("{} needs {} bytes, the packet has {}", what, need, have));
    }
  }
  void other(std::uint8_t ip_protocol) {
    out_.kind = PacketKind::other;
    out_.ip_protocol = ip_protocol;
  }

  // ---- link ----
  void ether_payload(std::uint16_t type, std::size_t at) {
    ByteReader r(data_);
    r.seek(at);
    while (is_vlan_tag(type)) {
      if (!r.can_read(4)) return short_header(r.position(), "VLAN tag", 4, r.remaining(), cut_ > 0);
      r.skip(2);
      type = r.be16();
    }
    out_.ethertype = type;
    if (type == ethertype_ipv4) return ipv4(r.position());
    if (type == ethertype_ipv6) return ipv6(r.position());
    return other(0);
  }

  void raw_ip(std::size_t at) {
    if (at >= data_.size()) return short_header(at, "IP header", 1, 0, cut_ > 0);
    const int version = static_cast<std::uint8_t>(data_[at]) >> 4;
    if (version == 4) return ipv4(at);
    if (version == 6) return ipv6(at);
    bad(at, fmt::format("raw IP packet with IP version {}", version));
  }

  // The IP payload: `declared` bytes from `at`, of which the capture may hold fewer. False when
  // even the packet on the wire was shorter (the header lies).
  bool payload_region(std::size_t at, std::size_t declared, std::span<const std::byte>& captured,
                      std::uint32_t& missing) const {
    const std::size_t avail = at <= data_.size() ? data_.size() - at : 0;
    missing = 0;
    if (declared > avail) {
      if (declared > avail + cut_) return false;
      missing = static_cast<std::uint32_t>(declared - avail);
    }
    captured = clip(data_, at, declared);  // shorter declared lengths drop link-layer padding
    return true;
  }
  std::size_t left(std::size_t at) const { return at <= data_.size() ? data_.size() - at : 0; }

  // ---- IPv4 ----
  void ipv4(std::size_t at) {
    out_.ethertype = ethertype_ipv4;
    ByteReader r(data_);
    r.seek(at);
    if (!r.can_read(20)) return short_header(at, "IPv4 header", 20, left(at), cut_ > 0);
    const std::uint8_t version_ihl = r.u8();
    if ((version_ihl >> 4) != 4) return bad(at, fmt::format("IP version {} where IPv4 was expected", version_ihl >> 4));
    const std::size_t ihl = std::size_t{version_ihl & 0x0fU} * 4;
    if (ihl < 20) return bad(at, fmt::format("IPv4 header length {} is below 20", ihl));
    r.skip(1);
    std::size_t total = r.be16();
    const std::uint16_t id = r.be16();
    const std::uint16_t frag = r.be16();
    r.skip(1);
    const std::uint8_t protocol = r.u8();
    r.skip(2);
    const IpAddress src = read_v4(r);
    const IpAddress dst = read_v4(r);
    out_.ip_protocol = protocol;
    if (!r.can_read(ihl - 20)) return short_header(at, "IPv4 header with options", ihl, left(at), cut_ > 0);
    const std::size_t avail = data_.size() - at;
    if (total == 0) total = avail + cut_;  // segmentation offload on the capturing host leaves it zero
    if (total < ihl) return bad(at + 2, fmt::format("IPv4 total length {} is below the header length {}", total, ihl));
    std::span<const std::byte> captured;
    std::uint32_t missing = 0;
    if (!payload_region(at + ihl, total - ihl, captured, missing)) {
      return bad(at + 2, fmt::format("IPv4 total length {} exceeds the {} bytes the packet carries", total,
                                     avail + cut_));
    }
    const bool more = (frag & 0x2000) != 0;
    const std::uint32_t offset = std::uint32_t{frag & 0x1fffU} * 8;
    if (more || offset != 0) {
      const auto describe = [&] {
        return fmt::format("IPv4 fragment of {} -> {} id 0x{:x} protocol {} at offset {}", src.to_string(),
                           dst.to_string(), id, protocol, offset);
      };
      if (missing > 0) {
        return problem(packet_code::truncated_packet, at,
                       fmt::format("{} was cut by the snapshot length; not reassembled", describe()));
      }
      if (frags_ == nullptr) return problem(packet_code::fragment, at, fmt::format("{} (not reassembled)", describe()));
      const auto result = frags_->add(FragmentKey{src, dst, id, protocol}, offset, more, protocol, captured, ts_ns_);
      if (result.status != FragmentReassembler::Status::complete) {
        out_.kind = PacketKind::fragment_held;
        return;
      }
      out_.reassembled = true;
      reassembled_ = true;
      return transport(protocol, src, dst, result.payload, 0, 0);
    }
    transport(protocol, src, dst, captured, missing, at + ihl);
  }

  // ---- IPv6 ----
  void ipv6(std::size_t at) {
    out_.ethertype = ethertype_ipv6;
    ByteReader r(data_);
    r.seek(at);
    if (!r.can_read(40)) return short_header(at, "IPv6 header", 40, left(at), cut_ > 0);
    const std::uint8_t version = r.u8() >> 4;
    if (version != 6) return bad(at, fmt::format("IP version {} where IPv6 was expected", version));
    r.skip(3);
    std::size_t declared = r.be16();
    const std::uint8_t next = r.u8();
    r.skip(1);
    const IpAddress src = read_v6(r);
    const IpAddress dst = read_v6(r);
    const std::size_t avail = data_.size() - at - 40;
    if (declared == 0 && next == proto_hop_by_hop) declared = avail + cut_;  // jumbogram (RFC 2675)
    std::span<const std::byte> captured;
    std::uint32_t missing = 0;
    if (!payload_region(at + 40, declared, captured, missing)) {
      return bad(at + 4, fmt::format("IPv6 payload length {} exceeds the {} bytes the packet carries", declared,
                                     avail + cut_));
    }
    ipv6_chain(next, src, dst, captured, missing, at + 40, 0);
  }

  // Walks the extension headers from `next`, `region` starting at packet byte `base`.
  void ipv6_chain(std::uint8_t next, const IpAddress& src, const IpAddress& dst, std::span<const std::byte> region,
                  std::uint32_t missing, std::size_t base, int count) {
    ByteReader r(region);
    unsigned seen_routing = 0;
    unsigned seen_dest = 0;
    while (is_extension(next)) {
      const std::size_t here = base + r.position();
      if (++count > max_extension_headers) {
        return bad(here, fmt::format("more than {} IPv6 extension headers", max_extension_headers));
      }
      if (next == proto_hop_by_hop && count != 1) {
        return bad(here, "hop-by-hop options header after the first extension header");
      }
      if ((next == proto_routing && ++seen_routing > 1) || (next == proto_dest_opts && ++seen_dest > 2)) {
        return bad(here, fmt::format("IPv6 extension header chain repeats the {} header", extension_name(next)));
      }
      if (next == proto_fragment) {
        if (!r.can_read(8)) return ext_overrun(here, next, 8, r.remaining(), missing);
        const std::uint8_t inner = r.u8();
        r.skip(1);
        const std::uint16_t offset_flags = r.be16();
        const std::uint32_t id = r.be32();
        const std::uint32_t offset = offset_flags & 0xfff8U;
        const bool more = (offset_flags & 1U) != 0;
        if (offset == 0 && !more) {  // atomic fragment (RFC 6946)
          next = inner;
          continue;
        }
        out_.ip_protocol = proto_fragment;
        const auto describe = [&] {
          return fmt::format("IPv6 fragment of {} -> {} id 0x{:x} at offset {}", src.to_string(), dst.to_string(), id,
                             offset);
        };
        if (missing > 0) {
          return problem(packet_code::truncated_packet, here,
                         fmt::format("{} was cut by the snapshot length; not reassembled", describe()));
        }
        if (frags_ == nullptr) {
          return problem(packet_code::fragment, here, fmt::format("{} (not reassembled)", describe()));
        }
        const auto result = frags_->add(FragmentKey{src, dst, id, 0}, offset, more, inner, r.rest(), ts_ns_);
        if (result.status != FragmentReassembler::Status::complete) {
          out_.kind = PacketKind::fragment_held;
          return;
        }
        out_.reassembled = true;
        reassembled_ = true;
          return ipv6_chain(result.next_header, src, dst, result.payload, 0, 0, count);
      }
      if (!r.can_read(2)) return ext_overrun(here, next, 2, r.remaining(), missing);
      const std::uint8_t inner = r.peek_u8(r.position());
      const std::size_t units = r.peek_u8(r.position() + 1);
      const std::size_t len = next == proto_ah ? (units + 2) * 4 : (units + 1) * 8;
      if (!r.can_read(len)) return ext_overrun(here, next, len, r.remaining(), missing);
      r.skip(len);
      next = inner;
    }
    out_.ip_protocol = next;
    if (next == proto_no_next) return other(next);
    transport(next, src, dst, r.rest(), missing, base + r.position());
  }

  void ext_overrun(std::size_t at, std::uint8_t type, std::size_t need, std::size_t have, std::uint32_t missing) {
    if (missing > 0 && need <= have + missing) {
      return problem(packet_code::truncated_packet, at,
                     fmt::format("IPv6 {} header needs {} bytes, the capture kept {}", extension_name(type), need,
                                 have));
    }
    bad(at, fmt::format("IPv6 {} header of {} bytes runs past the payload ({} bytes left)", extension_name(type), need,
                        have + missing));
  }

  // ---- transport ----
  // `payload`: the captured IP payload, starting at packet byte `at`; `missing`: bytes of it the
  // capture did not keep.
  void transport(std::uint8_t protocol, const IpAddress& src, const IpAddress& dst,
                 std::span<const std::byte> payload, std::uint32_t missing, std::size_t at) {
    out_.ip_protocol = protocol;
    switch (protocol) {
      case proto_tcp: return tcp(src, dst, payload, missing, at);
      case proto_udp: return udp(src, dst, payload, missing, at);
      case proto_icmp:
        if (!src.v6) return icmp(src, payload, missing, at);
        return other(protocol);
      case proto_icmpv6:
        if (src.v6) return icmpv6(src, payload, missing, at);
        return other(protocol);
      default:
        return other(protocol);
    }
  }

  void tcp(const IpAddress& src, const IpAddress& dst, std::span<const std::byte> payload, std::uint32_t missing,
           std::size_t at) {
    ByteReader r(payload);
    if (!r.can_read(20)) return short_header(at, "TCP header", 20, payload.size(), missing > 0);
    Segment& s = out_.segment;
    s.transport = Transport::tcp;
    s.src = Endpoint{src, r.be16()};
    s.dst = Endpoint{dst, r.be16()};
    s.seq = r.be32();
    s.ack = r.be32();
    const std::size_t offset = static_cast<std::size_t>(r.u8() >> 4) * 4;
    s.flags = r.u8();
    if (offset < 20) return bad(at + 12, fmt::format("TCP data offset {} is below 20", offset));
    if (offset > payload.size()) {
      if (offset > payload.size() + missing) {
        return bad(at + 12,
                   fmt::format("TCP data offset {} exceeds the {} bytes of the segment", offset, payload.size() + missing));
      }
      return short_header(at, "TCP header with options", offset, payload.size(), true);
    }
    s.payload = payload.subspan(offset);
    s.missing_tail = missing;
    out_.kind = PacketKind::segment;
  }

  void udp(const IpAddress& src, const IpAddress& dst, std::span<const std::byte> payload, std::uint32_t missing,
           std::size_t at) {
    ByteReader r(payload);
    if (!r.can_read(8)) return short_header(at, "UDP header", 8, payload.size(), missing > 0);
    Segment& s = out_.segment;
    s.transport = Transport::udp;
    s.src = Endpoint{src, r.be16()};
    s.dst = Endpoint{dst, r.be16()};
    std::size_t length = r.be16();
    const std::size_t ip_payload = payload.size() + missing;
    if (length == 0 && src.v6) length = ip_payload;  // jumbogram (RFC 2675)
    if (length < 8) return bad(at + 4, fmt::format("UDP length {} is below 8", length));
    if (length > ip_payload) {
      return bad(at + 4, fmt::format("UDP length {} exceeds the {} bytes of the IP payload", length, ip_payload));
    }
    s.payload = clip(payload, 8, length - 8);
    s.missing_tail = static_cast<std::uint32_t>(length - 8 - s.payload.size());
    out_.kind = PacketKind::segment;
  }

  // ICMP destination unreachable / port unreachable (type 3 code 3): the original IPv4 header and
  // the first eight bytes of its payload follow the ICMP header.
  void icmp(const IpAddress& reporter, std::span<const std::byte> payload, std::uint32_t missing, std::size_t at) {
    ByteReader r(payload);
    if (r.peek_u8(0) != 3 || r.peek_u8(1) != 3 || payload.size() < 2) return other(proto_icmp);
    const std::size_t inner = 8;
    if (!r.can_read(inner + 20)) return short_header(at, "ICMP port unreachable with the original IPv4 header", 28, payload.size(), missing > 0);
    r.seek(inner);
    const std::uint8_t version_ihl = r.u8();
    const std::size_t ihl = std::size_t{version_ihl & 0x0fU} * 4;
    if ((version_ihl >> 4) != 4 || ihl < 20) {
      return bad(at + inner, "ICMP port unreachable quotes something that is not an IPv4 header");
    }
    r.skip(8);
    const std::uint8_t protocol = r.u8();
    r.skip(2);
    const IpAddress src = read_v4(r);
    const IpAddress dst = read_v4(r);
    unreachable(reporter, protocol, src, dst, payload, inner + ihl, missing, at);
  }

  // ICMPv6 destination unreachable / port unreachable (type 1 code 4): as much of the original
  // packet as fits follows the ICMPv6 header.
  void icmpv6(const IpAddress& reporter, std::span<const std::byte> payload, std::uint32_t missing, std::size_t at) {
    ByteReader r(payload);
    if (payload.size() < 2 || r.peek_u8(0) != 1 || r.peek_u8(1) != 4) return other(proto_icmpv6);
    const std::size_t inner = 8;
    if (!r.can_read(inner + 40)) {
      return short_header(at, "ICMPv6 port unreachable with the original IPv6 header", 48, payload.size(), missing > 0);
    }
    r.seek(inner);
    if ((r.u8() >> 4) != 6) return bad(at + inner, "ICMPv6 port unreachable quotes something that is not an IPv6 header");
    r.skip(5);
    std::uint8_t next = r.u8();
    r.skip(1);
    const IpAddress src = read_v6(r);
    const IpAddress dst = read_v6(r);
    std::size_t pos = inner + 40;
    for (int n = 0; is_extension(next) && next != proto_fragment && n < max_extension_headers; ++n) {
      if (!r.seek(pos) || !r.can_read(2)) break;
      const std::size_t units = r.peek_u8(pos + 1);
      const std::uint8_t inner_next = r.peek_u8(pos);
      pos += next == proto_ah ? (units + 2) * 4 : (units + 1) * 8;
      next = inner_next;
    }
    if (next == proto_fragment && r.seek(pos) && r.can_read(8)) {
      // Only a first fragment quotes the transport header.
      if ((r.peek_u16(pos + 2, ByteOrder::big) & 0xfff8U) == 0) {
        next = r.peek_u8(pos);
        pos += 8;
      }
    }
    unreachable(reporter, next, src, dst, payload, pos, missing, at);
  }

  void unreachable(const IpAddress& reporter, std::uint8_t protocol, const IpAddress& src, const IpAddress& dst,
                   std::span<const std::byte> payload, std::size_t ports_at, std::uint32_t missing, std::size_t at) {
    if (protocol != proto_udp && protocol != proto_tcp) return other(src.v6 ? proto_icmpv6 : proto_icmp);
    ByteReader r(payload);
    if (!r.seek(ports_at) || !r.can_read(4)) {
      return short_header(at + std::min(ports_at, payload.size()), "quoted transport header of a port unreachable", 4,
                          ports_at < payload.size() ? payload.size() - ports_at : 0, missing > 0);
    }
    PortUnreachable& u = out_.unreachable;
    u.transport = protocol == proto_udp ? Transport::udp : Transport::tcp;
    u.original_src = Endpoint{src, r.be16()};
    u.original_dst = Endpoint{dst, r.be16()};
    u.reporter = reporter;
    out_.kind = PacketKind::port_unreachable;
  }

  DecodedPacket& out_;
  std::span<const std::byte> data_;
  FragmentReassembler* frags_;
  std::int64_t ts_ns_;
  std::size_t cut_ = 0;  // bytes of the packet the capture did not keep
  bool reassembled_ = false;
};

}  // namespace

std::string_view linktype_name(std::uint32_t lt) {
  switch (lt) {
    case 0: return "NULL";
    case 1: return "ETHERNET";
    case 3: return "AX25";
    case 6: return "IEEE802_5";
    case 7: return "ARCNET_BSD";
    case 8: return "SLIP";
    case 9: return "PPP";
    case 10: return "FDDI";
    case 12: return "RAW";
    case 14: return "RAW";
    case 50: return "PPP_HDLC";
    case 51: return "PPP_ETHER";
    case 100: return "ATM_RFC1483";
    case 101: return "RAW";
    case 104: return "C_HDLC";
    case 105: return "IEEE802_11";
    case 107: return "FRELAY";
    case 108: return "LOOP";
    case 113: return "LINUX_SLL";
    case 114: return "LTALK";
    case 117: return "PFLOG";
    case 119: return "IEEE802_11_PRISM";
    case 122: return "IP_OVER_FC";
    case 123: return "SUNATM";
    case 127: return "IEEE802_11_RADIOTAP";
    case 129: return "ARCNET_LINUX";
    case 138: return "APPLE_IP_OVER_IEEE1394";
    case 139: return "MTP2_WITH_PHDR";
    case 140: return "MTP2";
    case 141: return "MTP3";
    case 142: return "SCCP";
    case 143: return "DOCSIS";
    case 144: return "LINUX_IRDA";
    case 163: return "IEEE802_11_AVS";
    case 165: return "BACNET_MS_TP";
    case 166: return "PPP_PPPD";
    case 169: return "GPRS_LLC";
    case 177: return "LINUX_LAPD";
    case 187: return "BLUETOOTH_HCI_H4";
    case 189: return "USB_LINUX";
    case 192: return "PPI";
    case 195: return "IEEE802_15_4_WITHFCS";
    case 196: return "SITA";
    case 197: return "ERF";
    case 201: return "BLUETOOTH_HCI_H4_WITH_PHDR";
    case 202: return "AX25_KISS";
    case 203: return "LAPD";
    case 204: return "PPP_WITH_DIR";
    case 205: return "C_HDLC_WITH_DIR";
    case 215: return "IEEE802_15_4_NONASK_PHY";
    case 220: return "USB_LINUX_MMAPPED";
    case 224: return "FC_2";
    case 226: return "IPNET";
    case 227: return "CAN_SOCKETCAN";
    case 228: return "IPV4";
    case 229: return "IPV6";
    case 230: return "IEEE802_15_4_NOFCS";
    case 231: return "DBUS";
    case 235: return "DVB_CI";
    case 239: return "NFLOG";
    case 240: return "NETANALYZER";
    case 241: return "NETANALYZER_TRANSPARENT";
    case 242: return "IPOIB";
    case 249: return "USBPCAP";
    case 251: return "BLUETOOTH_LE_LL";
    case 253: return "NETLINK";
    case 254: return "BLUETOOTH_LINUX_MONITOR";
    case 256: return "BLUETOOTH_LE_LL_WITH_PHDR";
    case 263: return "WATTSTOPPER_DLM";
    case 272: return "NORDIC_BLE";
    case 276: return "LINUX_SLL2";
    case 283: return "IEEE802_15_4_TAP";
    default:
      if (lt >= 147 && lt <= 162) {
        static constexpr std::string_view user[] = {"USER0",  "USER1",  "USER2",  "USER3", "USER4",  "USER5",
                                                    "USER6",  "USER7",  "USER8",  "USER9", "USER10", "USER11",
                                                    "USER12", "USER13", "USER14", "USER15"};
        return user[lt - 147];
      }
      return "";
  }
}

bool linktype_supported(std::uint32_t lt) {
  switch (lt) {
    case linktype::null: case linktype::ethernet: case linktype::raw_12: case linktype::raw_14: case linktype::raw:
    case linktype::loop: case linktype::linux_sll: case linktype::ipv4: case linktype::ipv6: case linktype::linux_sll2:
      return true;
    default:
      return false;
  }
}

void decode_packet(std::uint32_t lt, std::span<const std::byte> data, std::uint32_t orig_len,
                   FragmentReassembler* fragments, std::int64_t ts_ns, DecodedPacket& out) {
  out.kind = PacketKind::other;
  out.segment = Segment{};
  out.ethertype = 0;
  out.ip_protocol = 0;
  out.reassembled = false;
  out.problem.code = {};
  out.problem.message.clear();
  out.problem.offset = 0;
  Decoder(out, data, orig_len, fragments, ts_ns).run(lt);
}

DecodedPacket decode_packet(std::uint32_t lt, std::span<const std::byte> data, std::uint32_t orig_len,
                            FragmentReassembler* fragments, std::int64_t ts_ns) {
  DecodedPacket out;
  decode_packet(lt, data, orig_len, fragments, ts_ns, out);
  return out;
}

}  // namespace vt106::net
