// Galileosky: 01 + little-endian length (bit 15: archive) + tagged fields (01 hardware, 02
// firmware, 03 IMEI, 04 device id, …) + CRC-16/MODBUS little-endian, per the Galileosky
// protocol document and Traccar's GalileoFrameDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_galileo {
namespace {

constexpr ProtocolInfo galileo{"galileo", "Galileosky", Category::tracker, 5034, true, false, true};
constexpr const ProtocolInfo* family_protocols[] = {&galileo};

class GalileoProbe final : public Probe {
 public:
  std::string_view family() const override { return "galileo"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x01; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) != 0x01) return Match::no;
    // First tag: 01 hardware, 03 IMEI, 04 device number (data packets); or the Iridium SBD
    // header 01 00 1C after a big-endian length.
    return !b.has(4) || b.at(3) == 0x01 || b.at(3) == 0x03 || b.at(3) == 0x04 ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(4)) return;
    if (b.at(3) == 0x01 && b.at(4) == 0x00 && b.at(5) == 0x1c) return iridium(b, out);
    const std::size_t len = *b.le16(1) & 0x7fff;
    const std::size_t total = 3 + len + 2;
    if (len < 2) return;
    auto& c = out.add(galileo);
    c.at_least(level::weak, "01, little-endian length {}, first tag {:02x}", len, b.at(3));
    if (!have_frame(b, c, total)) return;
    c.uses(total);
    const auto want = crc16_modbus(b.first(total - 2));
    if (b.le16(total - 2) == want) {
      c.at_least(level::integrity, "CRC-16/MODBUS {:04x} (little-endian) closes the {}-byte packet", want, total);
    } else {
      c.at_most(0.4, "CRC-16/MODBUS is {:04x}, the packet says {:04x}", want, b.le16(total - 2).value_or(0));
    }
    // Walk the leading tags for the IMEI (tag 03, 15 ASCII digits).
    for (std::size_t at = 3; at < total - 2;) {
      const int tag = b.at(at);
      const std::size_t size = tag == 0x01 || tag == 0x02 ? 1 : tag == 0x03 ? 15 : tag == 0x04 ? 2 : 0;
      if (!size) break;
      if (tag == 0x03 && b.range(at + 1, 15).digits_at(0) == 15) {
        identify(c, device_id_from_text(b.text(at + 1, 15)), "IMEI (tag 03)");
        break;
      }
      at += 1 + size;
    }
  }

 private:
  // Galileosky over Iridium SBD: 01, big-endian length, the SBD header element (01 00 1C: CDR
  // reference (4), IMEI (15 digits), session status, …), then the position element.
  static void iridium(const Bytes& b, Findings& out) {
    const std::size_t total = 3 + *b.be16(1);
    auto& c = out.add(galileo);
    c.at_least(level::weak, "01, big-endian length {}, Iridium SBD header 01 00 1C", total - 3);
    if (!b.has(25)) {
      c.wants(total);
      return;
    }
    if (b.digits_at(10) < 15) {
      c.at_most(0.1, "no 15-digit IMEI in the Iridium header");
      return;
    }
    identify(c, device_id_from_text(b.text(10, 15)), "IMEI (Iridium header)");
    if (!have_frame(b, c, total)) return;
    c.uses(total);
    if (b.size() == total || b.at(total) == 0x01)
      c.at_least(level::structure, "the length ends the {}-byte Iridium packet", total);
  }
};

const GalileoProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_galileo
