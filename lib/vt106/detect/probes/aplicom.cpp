// Aplicom (A1/A9): optional ASCII IMEI, then protocol 'D'/'E'/'F'/'H' + version byte (bit 7: a
// 7-byte unit id, bit 6: a selector) + unit id + length, per Traccar's AplicomFrameDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_aplicom {
namespace {

constexpr ProtocolInfo aplicom{"aplicom", "Aplicom A1/A9", Category::tracker, 5049, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&aplicom};

bool protocol_letter(int c) { return c == 'D' || c == 'E' || c == 'F' || c == 'H'; }

class AplicomProbe final : public Probe {
 public:
  std::string_view family() const override { return "aplicom"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'D' || c == 'E' || c == 'F' || c == 'H' || (c >= '0' && c <= '9'); }
  Match quick(const Bytes& b) const override {
    if (protocol_letter(b.at(0))) return b.size() == 1 || (b.at(1) & 0x80) ? Match::maybe : Match::no;
    return b.at(0) >= '0' && b.at(0) <= '9' ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    std::size_t at = 0;
    if (b.at(0) >= '0' && b.at(0) <= '9') {
      at = b.digits_at(0);
      if (at != 15 && at < b.size()) return;
      if (at < 15) return;  // digits so far: others (gps103, mictrack) say more
    }
    if (!b.has(at + 2)) return;
    const int letter = b.at(at), version = b.at(at + 1);
    if (!protocol_letter(letter) || !(version & 0x80)) return;  // only the long-IMEI form is checked
    const std::size_t id_len = 7, header = at + 2 + id_len + 2 + ((version & 0x40) ? 3 : 0);
    auto& c = out.add(aplicom);
    c.at_least(level::weak, "{}protocol '{:c}', version {:02x} (7-byte unit id{})", at ? "an ASCII IMEI, then " : "",
               static_cast<char>(letter), version, (version & 0x40) ? ", selector" : "");
    if (!b.has(at + 11)) {
      c.wants(0);
      return;
    }
    std::uint64_t unit = 0;
    for (std::size_t i = 0; i < id_len; ++i) unit = (unit << 8) | static_cast<std::uint64_t>(b.at(at + 2 + i));
    DeviceId id = device_id_from_integer(unit);
    if (id.luhn != LuhnCheck::valid) {
      c.at_most(0.15, "the 7-byte unit id {} is not an IMEI with a valid check digit", unit);
      return;
    }
    c.at_least(0.65, "the unit id is an IMEI with a valid check digit (Aplicom checks it)");
    if (at && b.text(0, 15) != id.value) c.note("the ASCII IMEI {} differs from the unit id", b.text(0, 15));
    identify(c, std::move(id), "IMEI (unit id)");
    const std::size_t total = header + *b.be16(at + 9);
    if (!have_frame(b, c, total)) return;
    if (b.size() == total || b.at(total) == letter || b.digits_at(total) == 15) {
      c.uses(total);
      c.at_least(level::structure, "the length at offset {} covers the {}-byte frame", at + 9, total);
    }
  }
};

const AplicomProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_aplicom
