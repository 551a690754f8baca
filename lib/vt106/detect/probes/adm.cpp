// ADM (Neomatica ADM-series): 2-byte little-endian device id + packet size + type; type 03 carries
// the 15-digit IMEI as text, per Traccar's AdmFrameDecoder and AdmProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect {
namespace {

constexpr ProtocolInfo adm{"adm", "Neomatica ADM", Category::tracker, 5092, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&adm};

class AdmProbe final : public Probe {
 public:
  std::string_view family() const override { return "adm"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  Match quick(const Bytes& b) const override { return !b.has(4) || b.at(3) == 0x03 ? Match::maybe : Match::no; }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(19) || b.digits_at(4) != 15) return;
    const std::size_t size = static_cast<std::size_t>(b.at(2));
    auto& c = out.add(adm);
    c.at_least(0.6, "device id, size {}, type 03 and a 15-digit IMEI as text: the ADM identification packet", size);
    identify(c, device_id_from_text(b.text(4, 15)), "IMEI");
    if (size < 19) return;
    if (!have_frame(b, c, size)) return;
    if (b.size() == size || b.has(size + 4)) {
      c.uses(size);
      c.at_least(level::structure, "the size byte covers the {}-byte packet", size);
    }
  }
};

const AdmProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect
