// Cellocator: "MCGP" + message type + 4-byte little-endian unit id … and a one-byte sum over
// everything after the signature, per Pointer's Cellocator wireless protocol and Traccar's
// CellocatorFrameDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_cellocator {
namespace {

constexpr ProtocolInfo cellocator{"cellocator", "Pointer Cellocator", Category::tracker, 5033, true, true, false};
constexpr const ProtocolInfo* family_protocols[] = {&cellocator};

class CellocatorProbe final : public Probe {
 public:
  std::string_view family() const override { return "cellocator"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'M'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("MCGP") || b.is_prefix_of("MCPG")) return Match::need_more;
    return b.starts_with("MCGP") || b.starts_with("MCPG") ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    auto& c = out.add(cellocator);
    c.at_least(b.size() >= 3 ? level::signature : level::prefix, "\"{}\", the Cellocator signature", b.text(0, 4));
    if (!b.has(9)) {
      c.wants(0);
      return;
    }
    const int type = b.at(4);
    if (type != 0x00 && type != 0x03 && type != 0x07 && type != 0x08 && type != 0x09 && type != 0x0b) {
      c.at_most(0.3, "message type {:02x} is not a Cellocator uplink type", type);
      return;
    }
    c.at_least(0.65, "message type {}, unit id {}", type, *b.le32(5));
    identify(c, device_id_from_integer(*b.le32(5)), "unit id");
    if (type == 0x00 && !b.has(70)) {
      c.wants(70);
      return;
    }
    // The sum of every byte after the signature, the last one excluded, is the last byte.
    if (sum8(b.range(4, b.size() - 5)) == b.at(b.size() - 1)) {
      c.uses(b.size());
      c.at_least(level::integrity, "the one-byte sum {:02x} closes the {}-byte message", b.at(b.size() - 1), b.size());
    } else if (!b.has(25)) {
      c.wants(0);
    }
  }
};

const CellocatorProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_cellocator
