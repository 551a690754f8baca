// Skypatrol (UDP): 2-byte API number, command type, message type, then the ASCII device id and
// space-padded fields, per Traccar's SkypatrolProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect {
namespace {

constexpr ProtocolInfo skypatrol{"skypatrol", "Skypatrol (UDP)", Category::tracker, 5021, false, true, false};
constexpr const ProtocolInfo* family_protocols[] = {&skypatrol};

class SkypatrolProbe final : public Probe {
 public:
  std::string_view family() const override { return "skypatrol"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  Match quick(const Bytes& b) const override {
    const int api = b.at(1);
    return b.at(0) == 0x00 && (api < 0 || api == 0x04 || api == 0x05 || api == 0x0a) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(22)) return;
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
};

const SkypatrolProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect
