// Test helper: builds pcap/pcapng images (draft-ietf-opsawg-pcap/-pcapng, both byte orders) and
// Ethernet/VLAN/SLL/SLL2/NULL/raw IPv4/IPv6 TCP/UDP packets in memory (no checksums), opens them
// as FILE*s, and records what a FlowObserver is told.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vt106/net/byte_reader.hpp"
#include "vt106/net/endpoint.hpp"
#include "vt106/net/flow_table.hpp"

namespace vt106::testing {

using Bytes = std::vector<std::byte>;

inline Bytes bytes_of(std::string_view s) {
  Bytes out(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = static_cast<std::byte>(s[i]);
  return out;
}
inline std::string text_of(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// Appends integers in a chosen byte order.
struct ByteWriter {
  Bytes out;
  bool big = true;

  ByteWriter& u8(std::uint64_t v) {
    out.push_back(static_cast<std::byte>(v & 0xff));
    return *this;
  }
  ByteWriter& uint(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      const int shift = big ? 8 * (n - 1 - i) : 8 * i;
      out.push_back(static_cast<std::byte>((v >> shift) & 0xff));
    }
    return *this;
  }
  ByteWriter& u16(std::uint64_t v) { return uint(v, 2); }
  ByteWriter& u32(std::uint64_t v) { return uint(v, 4); }
  ByteWriter& u64(std::uint64_t v) { return uint(v, 8); }
  ByteWriter& raw(std::span<const std::byte> b) {
    out.insert(out.end(), b.begin(), b.end());
    return *this;
  }
  ByteWriter& fill(std::size_t n, std::uint8_t v = 0) {
    out.insert(out.end(), n, static_cast<std::byte>(v));
    return *this;
  }
  ByteWriter& pad4() { return fill((4 - out.size() % 4) % 4); }
};

inline net::IpAddress ip(std::string_view text) {
  net::IpAddress a;
  if (!net::IpAddress::parse(text, a)) throw std::invalid_argument("bad test address");
  return a;
}

// ---- transport ----

namespace flag {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;
}

inline Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                 std::string_view payload = {}, const Bytes& options = {}, std::optional<std::uint8_t> offset_words = {}) {
  ByteWriter w;
  w.u16(sport).u16(dport).u32(seq).u32(ack);
  const std::size_t words = offset_words ? *offset_words : (20 + options.size()) / 4;
  w.u8(words << 4).u8(flags).u16(65535).u16(0).u16(0);
  w.raw(options);
  w.raw(bytes_of(payload));
  return w.out;
}

inline Bytes udp(std::uint16_t sport, std::uint16_t dport, std::string_view payload,
                 std::optional<std::uint16_t> length = {}) {
  ByteWriter w;
  w.u16(sport).u16(dport).u16(length ? *length : 8 + payload.size()).u16(0);
  w.raw(bytes_of(payload));
  return w.out;
}

// ---- network ----

inline constexpr std::uint8_t proto_tcp = 6, proto_udp = 17, proto_icmp = 1, proto_icmpv6 = 58;

struct Ipv4Options {
  std::uint16_t id = 1;
  bool more_fragments = false;
  std::uint32_t fragment_offset = 0;  // bytes, a multiple of 8
  Bytes options;                      // IP options, padded by the caller to a multiple of 4
  std::optional<std::uint16_t> total_length;
  std::optional<std::uint8_t> ihl_words;
};

inline Bytes ipv4(const net::IpAddress& src, const net::IpAddress& dst, std::uint8_t proto, const Bytes& payload,
                  const Ipv4Options& o = {}) {
  ByteWriter w;
  const std::size_t header = 20 + o.options.size();
  const std::uint8_t ihl = o.ihl_words ? *o.ihl_words : static_cast<std::uint8_t>(header / 4);
  w.u8(0x40 | ihl).u8(0);
  w.u16(o.total_length ? *o.total_length : header + payload.size());
  w.u16(o.id).u16((o.more_fragments ? 0x2000 : 0) | (o.fragment_offset / 8));
  w.u8(64).u8(proto).u16(0);
  for (int i = 0; i < 4; ++i) w.u8(src.bytes[i]);
  for (int i = 0; i < 4; ++i) w.u8(dst.bytes[i]);
  w.raw(o.options);
  w.raw(payload);
  return w.out;
}

inline Bytes ipv6(const net::IpAddress& src, const net::IpAddress& dst, std::uint8_t next, const Bytes& payload,
                  std::optional<std::uint16_t> payload_length = {}) {
  ByteWriter w;
  w.u32(0x60000000).u16(payload_length ? *payload_length : payload.size()).u8(next).u8(64);
  for (auto b : src.bytes) w.u8(b);
  for (auto b : dst.bytes) w.u8(b);
  w.raw(payload);
  return w.out;
}

// An IPv6 extension header (hop-by-hop 0, routing 43, destination options 60: `bytes` a multiple
// of 8; AH 51: a multiple of 4) followed by `rest`.
inline Bytes ipv6_ext(std::uint8_t type, std::uint8_t next, std::size_t bytes, const Bytes& rest) {
  ByteWriter w;
  w.u8(next).u8(type == 51 ? bytes / 4 - 2 : bytes / 8 - 1);
  w.fill(bytes - 2);
  w.raw(rest);
  return w.out;
}

inline Bytes ipv6_fragment(std::uint8_t next, std::uint32_t offset, bool more, std::uint32_t id, const Bytes& rest) {
  ByteWriter w;
  w.u8(next).u8(0).u16((offset & 0xfff8) | (more ? 1 : 0)).u32(id);
  w.raw(rest);
  return w.out;
}

inline Bytes tcp4(std::string_view src, std::uint16_t sport, std::string_view dst, std::uint16_t dport,
                  std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::string_view payload = {}) {
  return ipv4(ip(src), ip(dst), proto_tcp, tcp(sport, dport, seq, ack, flags, payload));
}
inline Bytes udp4(std::string_view src, std::uint16_t sport, std::string_view dst, std::uint16_t dport,
                  std::string_view payload) {
  return ipv4(ip(src), ip(dst), proto_udp, udp(sport, dport, payload));
}
inline Bytes tcp6(std::string_view src, std::uint16_t sport, std::string_view dst, std::uint16_t dport,
                  std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::string_view payload = {}) {
  return ipv6(ip(src), ip(dst), proto_tcp, tcp(sport, dport, seq, ack, flags, payload));
}
inline Bytes udp6(std::string_view src, std::uint16_t sport, std::string_view dst, std::uint16_t dport,
                  std::string_view payload) {
  return ipv6(ip(src), ip(dst), proto_udp, udp(sport, dport, payload));
}

// ---- link ----

inline std::uint16_t ethertype_of(const Bytes& l3) {
  return !l3.empty() && (static_cast<std::uint8_t>(l3[0]) >> 4) == 6 ? 0x86dd : 0x0800;
}

inline Bytes ethernet(const Bytes& l3, const std::vector<std::uint16_t>& tags = {}, std::size_t min_frame = 0,
                      std::optional<std::uint16_t> ethertype = {}) {
  ByteWriter w;
  w.u16(0x0200).u32(0x00000001).u16(0x0200).u32(0x00000002);  // dst, src MAC
  for (const auto tpid : tags) w.u16(tpid).u16(100);
  w.u16(ethertype ? *ethertype : ethertype_of(l3));
  w.raw(l3);
  if (w.out.size() < min_frame) w.fill(min_frame - w.out.size(), 0xee);  // padding (or an FCS)
  return w.out;
}

inline Bytes sll(const Bytes& l3, std::optional<std::uint16_t> protocol = {}, std::uint16_t hatype = 1) {
  ByteWriter w;
  w.u16(0).u16(hatype).u16(6).u32(0x02000000).u16(0x0001).u16(0);
  w.u16(protocol ? *protocol : ethertype_of(l3));
  w.raw(l3);
  return w.out;
}

inline Bytes sll2(const Bytes& l3, std::optional<std::uint16_t> protocol = {}, std::uint16_t hatype = 1) {
  ByteWriter w;
  w.u16(protocol ? *protocol : ethertype_of(l3)).u16(0).u32(2).u16(hatype).u8(0).u8(6);
  w.u32(0x02000000).u32(0x00010000);
  w.raw(l3);
  return w.out;
}

// BSD NULL (AF in either byte order) or LOOP (big-endian) header.
inline Bytes loopback(const Bytes& l3, std::uint32_t af, bool big) {
  ByteWriter w;
  w.big = big;
  w.u32(af);
  w.raw(l3);
  return w.out;
}

// ---- capture files ----

struct Record {
  std::int64_t ts_ns = 0;
  Bytes data;
  std::optional<std::uint32_t> orig_len;
  std::optional<std::uint32_t> caplen;  // override the header's caplen (data is written as is)
};

struct PcapOptions {
  bool big = false;
  bool nano = false;
  std::uint32_t linktype = 1;
  std::uint32_t snaplen = 65535;
  std::uint16_t major = 2;
};

inline Bytes pcap_header(const PcapOptions& o) {
  ByteWriter w;
  w.big = o.big;
  w.u32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4).u16(o.major).u16(4).u32(0).u32(0).u32(o.snaplen).u32(o.linktype);
  return w.out;
}

inline Bytes pcap_record(const Record& r, const PcapOptions& o) {
  ByteWriter w;
  w.big = o.big;
  const auto sec = static_cast<std::uint64_t>(r.ts_ns / 1'000'000'000);
  const auto ns = static_cast<std::uint64_t>(r.ts_ns % 1'000'000'000);
  w.u32(sec).u32(o.nano ? ns : ns / 1000);
  w.u32(r.caplen ? *r.caplen : r.data.size()).u32(r.orig_len ? *r.orig_len : r.data.size());
  w.raw(r.data);
  return w.out;
}

inline Bytes pcap_file(const std::vector<Record>& records, const PcapOptions& o = {}) {
  Bytes out = pcap_header(o);
  for (const auto& r : records) {
    const Bytes rec = pcap_record(r, o);
    out.insert(out.end(), rec.begin(), rec.end());
  }
  return out;
}

// Records from packets one millisecond apart, starting at `t0_ns`.
inline std::vector<Record> records(const std::vector<Bytes>& packets, std::int64_t t0_ns = 1'700'000'000'000'000'000) {
  std::vector<Record> out;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    out.push_back(Record{t0_ns + static_cast<std::int64_t>(i) * 1'000'000, packets[i], {}, {}});
  }
  return out;
}

class PcapngBuilder {
 public:
  explicit PcapngBuilder(bool big = false) : big_(big) {}

  // A block with a correct header and trailer around `body` (padded to 4 bytes).
  PcapngBuilder& block(std::uint32_t type, Bytes body, std::optional<std::uint32_t> length_override = {},
                       std::optional<std::uint32_t> trailer_override = {}) {
    while (body.size() % 4 != 0) body.push_back(std::byte{0});
    const auto length = static_cast<std::uint32_t>(12 + body.size());
    ByteWriter w;
    w.big = big_;
    w.u32(type).u32(length_override ? *length_override : length).raw(body);
    w.u32(trailer_override ? *trailer_override : length);
    out_.insert(out_.end(), w.out.begin(), w.out.end());
    return *this;
  }
  // Switches byte order and starts a new section.
  PcapngBuilder& shb(std::optional<bool> big = {}) {
    if (big) big_ = *big;
    ByteWriter w;
    w.big = big_;
    w.u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffULL);
    return block(0x0a0d0d0a, w.out);
  }
  // if_tsresol as written in the option byte (0x06 micro, 0x09 nano, 0x80|n binary); none: default.
  PcapngBuilder& idb(std::uint32_t linktype, std::optional<std::uint8_t> tsresol = {}, std::uint32_t snaplen = 0,
                     std::optional<std::int64_t> tsoffset = {}) {
    ByteWriter w;
    w.big = big_;
    w.u16(linktype).u16(0).u32(snaplen);
    if (tsresol) w.u16(9).u16(1).u8(*tsresol).fill(3);
    if (tsoffset) w.u16(14).u16(8).u64(static_cast<std::uint64_t>(*tsoffset));
    if (tsresol || tsoffset) w.u16(0).u16(0);
    return block(1, w.out);
  }
  PcapngBuilder& epb(std::uint32_t iface, std::uint64_t ts_units, const Bytes& data,
                     std::optional<std::uint32_t> orig_len = {}, std::optional<std::uint32_t> caplen = {}) {
    ByteWriter w;
    w.big = big_;
    w.u32(iface).u32(ts_units >> 32).u32(ts_units & 0xffffffffU);
    w.u32(caplen ? *caplen : data.size()).u32(orig_len ? *orig_len : data.size()).raw(data).pad4();
    return block(6, w.out);
  }
  PcapngBuilder& spb(const Bytes& data, std::optional<std::uint32_t> orig_len = {}) {
    ByteWriter w;
    w.big = big_;
    w.u32(orig_len ? *orig_len : data.size()).raw(data).pad4();
    return block(3, w.out);
  }
  PcapngBuilder& opb(std::uint16_t iface, std::uint64_t ts_units, const Bytes& data) {
    ByteWriter w;
    w.big = big_;
    w.u16(iface).u16(0).u32(ts_units >> 32).u32(ts_units & 0xffffffffU).u32(data.size()).u32(data.size());
    w.raw(data).pad4();
    return block(2, w.out);
  }
  PcapngBuilder& raw(const Bytes& b) {
    out_.insert(out_.end(), b.begin(), b.end());
    return *this;
  }
  const Bytes& bytes() const { return out_; }

 private:
  bool big_;
  Bytes out_;
};

// ---- files ----

// An in-memory image as a FILE*: a tmpfile by default, or fmemopen (no file descriptor).
class MemFile {
 public:
  explicit MemFile(const Bytes& image, bool use_fmemopen = false) : text_(text_of(image)) {
    if (use_fmemopen && !text_.empty()) {
      file_ = ::fmemopen(text_.data(), text_.size(), "rb");
    } else {
      file_ = std::tmpfile();
      if (file_ != nullptr && !text_.empty()) std::fwrite(text_.data(), 1, text_.size(), file_);
      if (file_ != nullptr) std::rewind(file_);
    }
    if (file_ == nullptr) throw std::runtime_error("cannot open an in-memory file");
  }
  ~MemFile() { std::fclose(file_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  std::FILE* get() const { return file_; }

 private:
  std::string text_;
  std::FILE* file_ = nullptr;
};

// ---- observing ----

// Keeps everything a FlowTable reports: an event log ("open 1 tcp 10.0.0.1:40000 > 10.0.0.2:8888
// syn", "data 1 client hello", "gap 1 server 5", "close 1 fin"), the stream text per flow and
// side (gaps shown as "[gap N]"), problems and the FlowInfo of every close.
class NetRecorder : public net::FlowObserver {
 public:
  std::vector<std::string> events;
  std::map<std::pair<std::uint64_t, net::Side>, std::string> streams;
  std::vector<net::NetProblem> problems;
  std::map<std::uint64_t, net::FlowInfo> opened;
  std::map<std::uint64_t, net::FlowInfo> closed;
  std::map<std::uint64_t, net::CloseReason> reasons;
  std::vector<std::pair<net::PortUnreachable, std::uint64_t>> unreachable;  // flow id or 0
  std::vector<std::int64_t> data_ts;

  void on_flow_open(const net::FlowInfo& f) override {
    opened[f.id] = f;
    events.push_back("open " + std::to_string(f.id) + " " + std::string(net::to_string(f.transport)) + " " +
                     f.client.to_string() + " > " + f.server.to_string() + " " +
                     std::string(net::to_string(f.client_rule)));
  }
  void on_stream_data(const net::FlowInfo& f, net::Side from, std::string_view bytes, std::int64_t ts) override {
    streams[{f.id, from}] += bytes;
    data_ts.push_back(ts);
    events.push_back("data " + std::to_string(f.id) + " " + std::string(net::to_string(from)) + " " +
                     std::string(bytes));
  }
  void on_datagram(const net::FlowInfo& f, net::Side from, std::string_view bytes, std::int64_t ts) override {
    data_ts.push_back(ts);
    events.push_back("datagram " + std::to_string(f.id) + " " + std::string(net::to_string(from)) + " " +
                     std::string(bytes));
  }
  void on_gap(const net::FlowInfo& f, net::Side from, std::uint64_t missing, std::int64_t) override {
    streams[{f.id, from}] += "[gap " + std::to_string(missing) + "]";
    events.push_back("gap " + std::to_string(f.id) + " " + std::string(net::to_string(from)) + " " +
                     std::to_string(missing));
  }
  void on_flow_close(const net::FlowInfo& f, net::CloseReason reason, std::int64_t) override {
    closed[f.id] = f;
    reasons[f.id] = reason;
    events.push_back("close " + std::to_string(f.id) + " " + std::string(net::to_string(reason)));
  }
  void on_problem(const net::NetProblem& p) override {
    problems.push_back(p);
    events.push_back("problem " + std::string(p.code));
  }
  void on_port_unreachable(const net::PortUnreachable& u, const net::FlowInfo* f, std::int64_t) override {
    unreachable.emplace_back(u, f != nullptr ? f->id : 0);
    events.push_back("unreachable " + u.original_src.to_string() + " > " + u.original_dst.to_string());
  }

  std::string stream(std::uint64_t id, net::Side side) const {
    const auto it = streams.find({id, side});
    return it == streams.end() ? std::string() : it->second;
  }
  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& p : problems) out.emplace_back(p.code);
    return out;
  }
};

}  // namespace vt106::testing
