// Totem: "$$" + a 2-hex-digit or 4-decimal-digit length + 2-character type + IMEI + "|", per
// Traccar's TotemProtocolDecoder (several firmware generations).
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_totem {
namespace {

constexpr ProtocolInfo totem{"totem", "Totem", Category::tracker, 5007, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&totem};

class TotemProbe final : public Probe {
 public:
  std::string_view family() const override { return "totem"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '$'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("$$")) return Match::need_more;
    return b.starts_with("$$") && (b.size() == 2 || b.hex_digits_at(2) >= 1) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    // Layouts: $$ LLLL TT IMEI| (4 decimal digits, 2-character type) or $$ LL IMEI| (2 hex digits).
    struct Layout {
      std::size_t imei_at;
      const char* what;
    };
    for (const Layout l : {Layout{8, "4-digit length and a 2-character type"}, Layout{4, "2-hex-digit length"}}) {
      if (!b.has(l.imei_at + 16)) continue;
      if (b.digits_at(l.imei_at) != 15 || b.at(l.imei_at + 15) != '|') continue;
      if (l.imei_at == 8 && (b.digits_at(2) < 4 || !is_alnum(b.at(6)) || !is_alnum(b.at(7)))) continue;
      if (l.imei_at == 4 && b.hex_digits_at(2) < 2) continue;
      auto& c = out.add(totem);
      c.uses(l.imei_at + 16);
      c.at_least(level::structure - 0.05, "'$$', {}, 15-digit IMEI and '|'", l.what);
      identify(c, device_id_from_text(b.text(l.imei_at, 15)), "IMEI");
      return;
    }
    // "$$" + 2 hex digits of length, a shorter id, '|', a 2-character alarm type, then an RMC
    // sentence or the date and time (Traccar's patterns 1 and 3 take any number of digits).
    const std::size_t n = b.digits_at(4);
    if (b.hex_digits_at(2) >= 2 && n >= 4 && n < 15 && b.at(4 + n) == '|' && b.has(4 + n + 12)) {
      const std::size_t after = 4 + n + 3;
      const bool rmc = b.from(after).starts_with("$GPRMC,");
      if (is_alnum(b.at(4 + n + 1)) && is_alnum(b.at(4 + n + 2)) && (rmc || b.digits_at(after) >= 12)) {
        auto& c = out.add(totem);
        c.uses(after);
        c.at_least(0.7, "'$$', 2-hex-digit length, a {}-digit id, '|', alarm type and {}", n,
                   rmc ? "an RMC sentence" : "date and time");
        identify(c, device_id_from_text(b.text(4, n)), "device id");
        return;
      }
    }
    if (b.size() < 24 && b.hex_digits_at(2) + 2 >= std::min<std::size_t>(b.size(), 4))
      out.add(totem).at_least(level::prefix, "'$$' and hex digits, as a Totem frame may begin").wants(0);
  }
};

const TotemProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_totem
