// Skypatrol (UDP): 2-byte API number, command type, message type, then the ASCII device id and
// space-padded fields, per Traccar's SkypatrolProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_skypatrol {
namespace {

constexpr ProtocolInfo skypatrol{"skypatrol", "Skypatrol (UDP)", Category::tracker, 5021, false, true, false};
constexpr const ProtocolInfo* family_protocols[] = {&skypatrol};

class SkypatrolProbe final : public Probe {
 public:
  std::string_view family() const override { return "skypatrol"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x00; }
  Match quick(const Bytes& b) const override {
    const int api = b.at(1);
    return b.at(0) == 0x00 && (api < 0 || api == 0x04 || api == 0x05 || api == 0x0a) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(22)) return;
    if (masked_report(b, out)) return;
    // API number, command type, message type, then a mask; the id follows as ASCII digits.
    const std::size_t id_at = 6;
    const std::size_t digits = b.digits_at(id_at);
    if (digits < 10 || digits > 22 || b.at(id_at - 1) == ' ') return;
    auto& c = out.add(skypatrol);
    c.uses(id_at + digits);
    c.at_least(0.6, "API number {:04x}, command type {}, message type {}, then the ASCII id", *b.be16(0), b.at(2),
               b.at(3));
    identify(c, device_id_from_text(b.text(id_at, digits)), "device id");
    if (b.find("          ", id_at + digits, 200) != Bytes::npos) c.at_least(0.7, "followed by space-padded fields");
  }

 private:
  // Binary position report with its own mask (Traccar: API 5, command type 2, message type 1,
  // mask length byte 4, mask bit 0): optional 4-byte status (bit 1), then the id, 8 characters
  // (bit 23) or 22 (bit 2), space- or NUL-padded.
  static bool masked_report(const Bytes& b, Findings& out) {
    if (b.be16(0) != 5 || b.at(2) != 2 || (b.at(3) >> 4) != 1 || b.at(4) != 4) return false;
    const std::uint32_t mask = *b.be32(5);
    if (!(mask & 1u)) return false;
    std::size_t at = 9 + ((mask & 2u) ? 4 : 0);
    const std::size_t width = (mask & (1u << 23)) ? 8 : (mask & 4u) ? 22 : 0;
    if (!width || !b.has(at + width)) return false;
    std::string_view id = b.text(at, width);
    while (!id.empty() && (id.back() == ' ' || id.back() == '\0')) id.remove_suffix(1);
    while (!id.empty() && (id.front() == ' ' || id.front() == '\0')) id.remove_prefix(1);
    if (id.size() < 4 || Bytes(id).digits_at(0) != id.size()) return false;
    auto& c = out.add(skypatrol);
    c.uses(at + width);
    c.at_least(0.65, "API 5 position report with mask {:08x} and a {}-character id field", mask, width);
    identify(c, device_id_from_text(id), "device id");
    return true;
  }
};

const SkypatrolProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_skypatrol
