// ADM (Neomatica ADM-series): 2-byte little-endian device id + packet size + type; type 03 carries
// the 15-digit IMEI as text, per Traccar's AdmFrameDecoder and AdmProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_adm {
namespace {

constexpr ProtocolInfo adm{"adm", "Neomatica ADM", Category::tracker, 5092, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&adm};

class AdmProbe final : public Probe {
 public:
  std::string_view family() const override { return "adm"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  Match quick(const Bytes& b) const override {
    return !b.has(4) || b.at(3) == 0x03 || b.digits_at(0) >= 4 ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.digits_at(0) >= 15 && b.at(3) != 0x03) return imei_first(b, out);
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

 private:
  // Firmware that puts the IMEI as 15 digits of text in front of a data packet: device id (2),
  // size (1, counting from the device id), type.
  static void imei_first(const Bytes& b, Findings& out) {
    if (!b.has(19)) return;
    // The binary header, not more text: a device id or size byte that is not printable.
    if (is_printable(b.at(15)) && is_printable(b.at(16)) && is_printable(b.at(17))) return;
    const std::size_t size = static_cast<std::size_t>(b.at(17));
    if (size < 4) return;
    auto& c = out.add(adm);
    c.at_least(level::weak, "15-digit IMEI as text, then a binary device id and size {}: ADM with the IMEI in front",
               size);
    identify(c, device_id_from_text(b.text(0, 15)), "IMEI");
    const std::size_t total = 15 + size;
    if (!have_frame(b, c, total)) return;
    if (b.size() == total || (b.has(total + 18) && b.digits_at(total) >= 15)) {
      c.uses(total);
      c.at_least(0.8, "the size byte covers the {}-byte packet after the IMEI", total);
    } else {
      c.at_most(level::weak, "the size byte does not end the packet ({} of {} bytes)", total, b.size());
    }
  }
};

const AdmProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_adm
