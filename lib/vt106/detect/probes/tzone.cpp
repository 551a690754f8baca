// TZone (TZ-AVL): "TZ" + big-endian length + "$$" + hardware/firmware versions + BCD IMEI, ending
// 0D 0A, per Traccar's TzoneProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_tzone {
namespace {

constexpr ProtocolInfo tzone{"tzone", "TZone TZ-AVL", Category::tracker, 5029, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&tzone};

class TzoneProbe final : public Probe {
 public:
  std::string_view family() const override { return "tzone"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'T'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("TZ")) return Match::need_more;
    return b.starts_with("TZ") ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    auto& c = out.add(tzone);
    c.at_least(level::prefix, "\"TZ\", the TZone marker");
    if (!b.has(6)) {
      c.wants(b.has(4) ? *b.be16(2) + 6u : 0);
      return;
    }
    if (b.text(4, 2) != "$$") {
      c.at_most(0.05, "no \"$$\" at offset 4");
      return;
    }
    const std::size_t total = *b.be16(2) + 6u;
    c.at_least(level::signature, "\"TZ\", length, \"$$\": the TZone header");
    if (!have_frame(b, c, total)) return;
    if (b.at(total - 2) != '\r' || b.at(total - 1) != '\n') {
      c.at_most(0.3, "no 0D 0A where the length ends the frame");
      return;
    }
    c.uses(total);
    c.at_least(level::structure, "the length places 0D 0A at the end of the {}-byte frame", total);
    if (auto d = bcd_at(b, 12, 8)) identify(c, device_id_from_bcd(*d), "IMEI");
  }
};

const TzoneProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_tzone
