// DNS queries (RFC 1035 §4.1): over UDP a 12-byte header, over TCP the same after a 2-byte
// length (RFC 1035 §4.2.2); scanners and amplification probes reach tracker ports.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_dns {
namespace {

constexpr ProtocolInfo dns{"dns", "DNS query", Category::other, 53, true, true, false};
constexpr const ProtocolInfo* family_protocols[] = {&dns};

// Length of the well-formed name at `at` (labels of 1-63 printable bytes, ended by 0).
std::size_t name_length(const Bytes& b, std::size_t at, std::string& name) {
  const std::size_t start = at;
  while (b.has(at + 1)) {
    const auto len = static_cast<std::size_t>(b.at(at));
    if (len == 0) return at + 1 - start;
    if (len > 63 || !b.has(at + 1 + len) || b.range(at + 1, len).printable_at(0) < len) return 0;
    if (!name.empty()) name.push_back('.');
    name.append(b.text(at + 1, len));
    at += 1 + len;
    if (at - start > 255) return 0;
  }
  return 0;
}

class DnsProbe final : public Probe {
 public:
  std::string_view family() const override { return "dns"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  Match quick(const Bytes& b) const override { return b.has(12) ? Match::maybe : Match::no; }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (in.hints.transport != Transport::tcp) query(b, 0, out, in.hints.transport == Transport::udp);
    if (in.hints.transport != Transport::udp && b.has(14) && *b.be16(0) + 2u == b.size()) query(b, 2, out, true);
  }

 private:
  static void query(const Bytes& b, std::size_t at, Findings& out, bool framed) {
    const Bytes m = b.from(at);
    // Standard query: QR 0, opcode 0, QDCOUNT 1, no answers or authority records.
    if ((m.at(2) & 0xf8) != 0 || (m.at(3) & 0x70) != 0 || *m.be16(4) != 1 || *m.be16(6) != 0 || *m.be16(8) != 0 ||
        *m.be16(10) > 1)
      return;
    std::string name;
    const std::size_t n = name_length(m, 12, name);
    if (n == 0 || !m.has(12 + n + 4)) return;
    auto& c = out.add(dns);
    c.uses(at + 12 + n + 4);
    const unsigned qtype = *m.be16(12 + n), qclass = *m.be16(12 + n + 2);
    c.at_least(framed ? 0.92 : 0.8, "DNS {}query for {} (type {}, class {})", at ? "over TCP, " : "", quote(name, 64),
               qtype, qclass);
    if (qclass != 1 && qclass != 255) c.at_most(0.5, "class {} is not IN", qclass);
  }
};

const DnsProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_dns
