// pcapng blocks (section header, interface description, enhanced packet) around raw IP packets
// built here: IPv4 (RFC 791) or IPv6 (RFC 8200) headers, TCP (RFC 9293) and UDP (RFC 768)
// headers with their pseudo-header checksums.
#include "vt106/net/pcapng_writer.hpp"

#include <algorithm>

namespace vt106::net {

namespace {

constexpr std::size_t max_segment = 65000;
constexpr std::uint8_t fin = 0x01, syn = 0x02, psh = 0x08, ack = 0x10;

void put16(std::string& s, std::uint16_t v) {
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v & 0xff));
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, static_cast<std::uint16_t>(v >> 16));
  put16(s, static_cast<std::uint16_t>(v & 0xffff));
}
// Little-endian (the byte order of the section this writer declares).
void le16(std::string& s, std::uint16_t v) {
  s.push_back(static_cast<char>(v & 0xff));
  s.push_back(static_cast<char>(v >> 8));
}
void le32(std::string& s, std::uint32_t v) {
  le16(s, static_cast<std::uint16_t>(v & 0xffff));
  le16(s, static_cast<std::uint16_t>(v >> 16));
}
void set16(std::string& s, std::size_t at, std::uint16_t v) {
  s[at] = static_cast<char>(v >> 8);
  s[at + 1] = static_cast<char>(v & 0xff);
}

// The ones' complement sum of 16-bit words (RFC 1071), not yet folded and inverted.
std::uint32_t add_words(std::uint32_t sum, std::string_view bytes) {
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2)
    sum += static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]) << 8 | static_cast<unsigned char>(bytes[i + 1]));
  if (bytes.size() % 2) sum += static_cast<std::uint32_t>(static_cast<unsigned char>(bytes.back()) << 8);
  return sum;
}
std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}
std::string_view address_bytes(const Endpoint& e) {
  return {reinterpret_cast<const char*>(e.address.bytes.data()), e.address.v6 ? 16u : 4u};
}
// Both ends in one family: an IPv4 end beside an IPv6 one is written IPv4-mapped (::ffff:a.b.c.d).
Endpoint as_v6(const Endpoint& e) {
  if (e.address.v6) return e;
  Endpoint m = e;
  m.address.bytes = {};
  m.address.bytes[10] = 0xff;
  m.address.bytes[11] = 0xff;
  std::copy_n(e.address.bytes.begin(), 4, m.address.bytes.begin() + 12);
  m.address.v6 = true;
  return m;
}

}  // namespace

PcapngWriter::PcapngWriter(std::FILE* out, std::string_view application, std::uint32_t linktype, bool nanoseconds)
    : out_(out), nanoseconds_(nanoseconds) {
  std::string shb;
  le32(shb, 0x1a2b3c4d);  // byte-order magic
  le16(shb, 1);
  le16(shb, 0);
  le32(shb, 0xffffffff);  // section length: not given
  le32(shb, 0xffffffff);
  // shb_userappl (option 4)
  le16(shb, 4);
  le16(shb, static_cast<std::uint16_t>(application.size()));
  shb += application;
  shb.append((4 - application.size() % 4) % 4, '\0');
  le32(shb, 0);  // opt_endofopt
  block(0x0a0d0d0a, shb);
  std::string idb;
  le16(idb, static_cast<std::uint16_t>(linktype));
  le16(idb, 0);
  le32(idb, 0);  // no snapshot limit
  if (nanoseconds) {
    le16(idb, 9);  // if_tsresol: 10^-9
    le16(idb, 1);
    idb += std::string("\x09\0\0\0", 4);
    le32(idb, 0);  // opt_endofopt
  }
  block(1, idb);
}

void PcapngWriter::block(std::uint32_t type, const std::string& body) {
  std::string b;
  const auto total = static_cast<std::uint32_t>(12 + body.size() + (4 - body.size() % 4) % 4);
  le32(b, type);
  le32(b, total);
  b += body;
  b.append((4 - body.size() % 4) % 4, '\0');
  le32(b, total);
  if (ok_ && std::fwrite(b.data(), 1, b.size(), out_) != b.size()) ok_ = false;
}

void PcapngWriter::packet(const Endpoint& src, const Endpoint& dst, std::uint8_t protocol, const std::string& transport,
                          std::int64_t ts_ns) {
  std::string ip;
  if (!src.address.v6) {
    ip.push_back(0x45);
    ip.push_back(0);
    put16(ip, static_cast<std::uint16_t>(20 + transport.size()));
    put16(ip, ip_id_++);
    put16(ip, 0x4000);  // don't fragment
    ip.push_back(64);
    ip.push_back(static_cast<char>(protocol));
    put16(ip, 0);
    ip += address_bytes(src);
    ip += address_bytes(dst);
    set16(ip, 10, fold(add_words(0, ip)));
  } else {
    put32(ip, 0x60000000);
    put16(ip, static_cast<std::uint16_t>(transport.size()));
    ip.push_back(static_cast<char>(protocol));
    ip.push_back(64);
    ip += address_bytes(src);
    ip += address_bytes(dst);
  }
  ip += transport;
  enhanced_packet(ts_ns, ip, static_cast<std::uint32_t>(ip.size()));
}

void PcapngWriter::captured(std::int64_t ts_ns, std::string_view data, std::uint32_t original_length) {
  enhanced_packet(ts_ns, data, original_length);
}

void PcapngWriter::enhanced_packet(std::int64_t ts_ns, std::string_view data, std::uint32_t original_length) {
  const std::uint64_t ns = ts_ns > 0 ? static_cast<std::uint64_t>(ts_ns) : 0;
  const std::uint64_t t = nanoseconds_ ? ns : ns / 1000;
  std::string epb;
  le32(epb, 0);  // interface 0
  le32(epb, static_cast<std::uint32_t>(t >> 32));
  le32(epb, static_cast<std::uint32_t>(t & 0xffffffff));
  le32(epb, static_cast<std::uint32_t>(data.size()));
  le32(epb, original_length);
  epb += data;
  block(6, epb);
}

void PcapngWriter::segment(const Endpoint& src_in, const Endpoint& dst_in, std::uint32_t seq, std::uint32_t ack_number,
                           std::uint8_t flags, std::string_view payload, std::int64_t ts_ns) {
  const bool mixed = src_in.address.v6 != dst_in.address.v6;
  const Endpoint src = mixed ? as_v6(src_in) : src_in, dst = mixed ? as_v6(dst_in) : dst_in;
  std::string& t = scratch_;
  t.clear();
  put16(t, src.port);
  put16(t, dst.port);
  put32(t, seq);
  put32(t, ack_number);
  t.push_back(0x50);  // 20-byte header
  t.push_back(static_cast<char>(flags));
  put16(t, 65535);
  put16(t, 0);
  put16(t, 0);
  t += payload;
  // Pseudo-header: addresses, protocol and length.
  std::uint32_t sum = add_words(0, address_bytes(src));
  sum = add_words(sum, address_bytes(dst));
  sum += 6 + static_cast<std::uint32_t>(t.size());
  set16(t, 16, fold(add_words(sum, t)));
  packet(src, dst, 6, t, ts_ns);
}

void PcapngWriter::tcp_open(std::uint64_t id, const Endpoint& client, const Endpoint& server, std::int64_t ts_ns) {
  Tcp& c = tcp_[id];
  c.client = client;
  c.server = server;
  c.client_seq = static_cast<std::uint32_t>(0x10000000u + id * 7919u);
  c.server_seq = static_cast<std::uint32_t>(0x50000000u + id * 104729u);
  segment(client, server, c.client_seq++, 0, syn, {}, ts_ns);
  segment(server, client, c.server_seq++, c.client_seq, syn | ack, {}, ts_ns);
  segment(client, server, c.client_seq, c.server_seq, ack, {}, ts_ns);
}

void PcapngWriter::tcp_data(std::uint64_t id, bool from_client, std::string_view bytes, std::int64_t ts_ns) {
  const auto it = tcp_.find(id);
  if (it == tcp_.end()) return;
  Tcp& c = it->second;
  const Endpoint& src = from_client ? c.client : c.server;
  const Endpoint& dst = from_client ? c.server : c.client;
  std::uint32_t& seq = from_client ? c.client_seq : c.server_seq;
  std::uint32_t& other = from_client ? c.server_seq : c.client_seq;
  while (!bytes.empty()) {
    const std::string_view piece = bytes.substr(0, max_segment);
    segment(src, dst, seq, other, psh | ack, piece, ts_ns);
    seq += static_cast<std::uint32_t>(piece.size());
    bytes.remove_prefix(piece.size());
  }
  segment(dst, src, other, seq, ack, {}, ts_ns);
}

void PcapngWriter::tcp_close(std::uint64_t id, bool client_closed, std::int64_t ts_ns) {
  const auto it = tcp_.find(id);
  if (it == tcp_.end()) return;
  Tcp& c = it->second;
  Endpoint* first = client_closed ? &c.client : &c.server;
  Endpoint* second = client_closed ? &c.server : &c.client;
  std::uint32_t& first_seq = client_closed ? c.client_seq : c.server_seq;
  std::uint32_t& second_seq = client_closed ? c.server_seq : c.client_seq;
  segment(*first, *second, first_seq++, second_seq, fin | ack, {}, ts_ns);
  segment(*second, *first, second_seq++, first_seq, fin | ack, {}, ts_ns);
  segment(*first, *second, first_seq, second_seq, ack, {}, ts_ns);
  tcp_.erase(it);
}

void PcapngWriter::udp(const Endpoint& src_in, const Endpoint& dst_in, std::string_view bytes, std::int64_t ts_ns) {
  const bool mixed = src_in.address.v6 != dst_in.address.v6;
  const Endpoint src = mixed ? as_v6(src_in) : src_in, dst = mixed ? as_v6(dst_in) : dst_in;
  bytes = bytes.substr(0, 65507);
  std::string& u = scratch_;
  u.clear();
  put16(u, src.port);
  put16(u, dst.port);
  put16(u, static_cast<std::uint16_t>(8 + bytes.size()));
  put16(u, 0);
  u += bytes;
  std::uint32_t sum = add_words(0, address_bytes(src));
  sum = add_words(sum, address_bytes(dst));
  sum += 17 + static_cast<std::uint32_t>(u.size());
  std::uint16_t check = fold(add_words(sum, u));
  if (check == 0) check = 0xffff;  // zero means "no checksum" in UDP over IPv4
  set16(u, 6, check);
  packet(src, dst, 17, u, ts_ns);
}

void PcapngWriter::flush() {
  if (ok_ && std::fflush(out_) != 0) ok_ = false;
}

void PcapngFlowWriter::on_flow_open(const FlowInfo& flow) {
  if (flow.transport == Transport::tcp) writer_.tcp_open(flow.id, flow.client, flow.server, flow.first_ts_ns);
}

void PcapngFlowWriter::on_stream_data(const FlowInfo& flow, Side from, std::string_view bytes, std::int64_t ts_ns) {
  writer_.tcp_data(flow.id, from == Side::client, bytes, ts_ns);
}

void PcapngFlowWriter::on_datagram(const FlowInfo& flow, Side from, std::string_view bytes, std::int64_t ts_ns) {
  const Endpoint& src = flow.endpoint(from);
  const Endpoint& dst = flow.endpoint(other(from));
  writer_.udp(src, dst, bytes, ts_ns);
}

void PcapngFlowWriter::on_flow_close(const FlowInfo& flow, CloseReason, std::int64_t ts_ns) {
  if (flow.transport != Transport::tcp) return;
  const auto& c = flow.side(Side::client);
  const auto& v = flow.side(Side::server);
  // The side whose FIN (or reset) came first closed it; with neither, the device is said to.
  const auto when = [](const SideCounters& s) {
    const std::int64_t f = s.fin ? s.fin_ts_ns : INT64_MAX, r = s.rst ? s.rst_ts_ns : INT64_MAX;
    return std::min(f, r);
  };
  writer_.tcp_close(flow.id, when(c) <= when(v), ts_ns);
}

}  // namespace vt106::net
