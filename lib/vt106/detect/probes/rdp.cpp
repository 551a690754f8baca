// RDP connection request: a TPKT header (RFC 1006) whose length covers the packet, then an
// X.224 Connection Request (E0), often with "Cookie: mstshash=" (MS-RDPBCGR 2.2.1.1).
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_rdp {
namespace {

constexpr ProtocolInfo rdp{"rdp", "RDP connection request", Category::other, 3389, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&rdp};

class RdpProbe final : public Probe {
 public:
  std::string_view family() const override { return "rdp"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x03; }
  Match quick(const Bytes& b) const override {
    return b.at(0) == 0x03 && (b.size() == 1 || b.at(1) == 0x00) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(6)) return;
    const std::size_t total = *b.be16(2);
    if (b.at(5) != 0xe0 || static_cast<std::size_t>(b.at(4)) + 5 != total) return;
    auto& c = out.add(rdp);
    c.at_least(0.75, "TPKT length {} with an X.224 Connection Request", total);
    if (!have_frame(b, c, total)) return;
    c.uses(total);
    c.at_least(0.95, "the TPKT and X.224 lengths agree with the {}-byte packet", total);
    if (const std::size_t cookie = b.find("Cookie: mstshash=", 11, total); cookie != Bytes::npos) {
      const std::size_t eol = b.find("\r\n", cookie, total);
      c.note("{}", quote(b.text(cookie, eol == Bytes::npos ? 40 : eol - cookie), 60));
    }
  }
};

const RdpProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_rdp
