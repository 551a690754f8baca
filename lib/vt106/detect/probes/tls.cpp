// TLS ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) and the SSLv2-style hello of old clients
// and scanners: a device or app with TLS enabled talking to a plain-TCP tracker port.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_tls {
namespace {

constexpr ProtocolInfo tls{"tls", "TLS ClientHello", Category::other, 443, true, false, true};
constexpr ProtocolInfo sslv2{"sslv2", "SSLv2-style ClientHello", Category::other, 443, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&tls, &sslv2};

// The server name (SNI) when the extensions are all present.
std::string_view server_name(const Bytes& b) {
  std::size_t at = 5 + 4 + 2 + 32;  // record header, handshake header, version, random
  if (!b.has(at + 1)) return {};
  at += 1 + static_cast<std::size_t>(b.at(at));  // session id
  const auto suites = b.be16(at);
  if (!suites) return {};
  at += 2 + *suites;
  if (!b.has(at + 1)) return {};
  at += 1 + static_cast<std::size_t>(b.at(at));  // compression methods
  const auto ext_len = b.be16(at);
  if (!ext_len) return {};
  at += 2;
  const std::size_t end = at + *ext_len;
  while (at + 4 <= end && b.has(at + 4)) {
    const unsigned type = *b.be16(at), len = *b.be16(at + 2);
    if (type == 0 && b.has(at + 4 + len) && len >= 5 && b.at(at + 6) == 0) {
      const std::size_t name_len = *b.be16(at + 7);
      if (b.has(at + 9 + name_len)) return b.text(at + 9, name_len);
    }
    at += 4 + len;
  }
  return {};
}

class TlsProbe final : public Probe {
 public:
  std::string_view family() const override { return "tls"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x16 || c == 0x80 || c == 0x81; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) == 0x16) return b.size() == 1 || b.at(1) == 0x03 ? Match::maybe : Match::no;
    return b.at(0) == 0x80 || b.at(0) == 0x81 ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.at(0) != 0x16) return sslv2_hello(b, out);
    auto& c = out.add(tls);
    c.at_least(level::prefix, "16 03: a TLS handshake record");
    if (!b.has(6)) {
      c.wants(0);
      return;
    }
    if (b.at(2) > 0x04 || b.at(5) != 0x01) {
      c.at_most(0.1, "record version 03 {:02x} or handshake type {:02x} is not a ClientHello", b.at(2), b.at(5));
      return;
    }
    const std::size_t record = *b.be16(3);
    c.uses(std::min<std::size_t>(b.size(), 5 + record));
    c.at_least(0.6, "TLS record (03 {:02x}, {} bytes) holding a handshake of type 01 (ClientHello)", b.at(2), record);
    if (!b.has(11)) {
      c.wants(0);
      return;
    }
    const std::size_t hello = (static_cast<std::size_t>(b.at(6)) << 16) | *b.be16(7);
    if (hello + 4 != record) {
      c.at_most(0.5, "the ClientHello length {} does not fill the record", hello);
      return;
    }
    c.at_least(0.85, "the ClientHello length {} fills the record", hello);
    if (b.at(9) == 0x03 && b.at(10) <= 0x04) {
      c.at_least(0.97, "client version 03 {:02x}", b.at(10));
      c.note("the device or app has TLS enabled, but this port expects plain TCP");
    }
    if (auto sni = server_name(b); !sni.empty()) c.note("server name (SNI) {}", quote(sni, 64));
    if (!b.has(5 + record)) c.note("{} of the record's {} bytes present", b.size() - 5, record);
  }

 private:
  static void sslv2_hello(const Bytes& b, Findings& out) {
    if (!b.has(5)) return;
    if (b.at(2) != 0x01 || (b.at(3) != 0x03 && b.at(3) != 0x00 && b.at(3) != 0x02)) return;
    if (b.at(3) == 0x03 && b.at(4) > 0x04) return;
    auto& c = out.add(sslv2);
    c.uses(5);
    c.at_least(0.8, "{:02x} {:02x} 01 {:02x} {:02x}: an SSLv2-format ClientHello (old clients and scanners)", b.at(0),
               b.at(1), b.at(3), b.at(4));
  }
};

const TlsProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_tls
