// Eelink (TK116/TK119, GPT series): "gg" + type + big-endian length + serial (+ BCD IMEI in a
// login), and the UDP "EL" wrapper, per Eelink's protocol document and Traccar's EelinkProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_eelink {
namespace {

constexpr ProtocolInfo eelink{"eelink", "Eelink TK116/TK119, GPT series", Category::tracker, 5064, true, true, true};
constexpr const ProtocolInfo* family_protocols[] = {&eelink};

class EelinkProbe final : public Probe {
 public:
  std::string_view family() const override { return "eelink"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'g' || c == 'E'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("gg") || b.is_prefix_of("EL")) return Match::need_more;
    return b.starts_with("gg") || b.starts_with("EL") ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.starts_with("EL")) return wrapper(b, out);
    auto& c = out.add(eelink);
    c.at_least(level::prefix, "\"gg\" (67 67), the Eelink marker");
    if (!b.has(5)) {
      c.wants(0);
      return;
    }
    const int type = b.at(2);
    const std::size_t total = *b.be16(3) + 5u;
    c.at_least(level::weak, "type {:02x}{}, length {}", type, type == 0x01 ? " (login)" : type == 0x03 ? " (heartbeat)" : "",
               total - 5);
    if (total < 7) {
      c.at_most(0.1, "the length is shorter than a serial number");
      return;
    }
    if (!have_frame(b, c, total)) return;
    if (b.size() != total && !b.starts_with("gg")) return;
    if (b.size() != total && b.text(total, 2) != "gg") {
      c.at_most(0.3, "the length does not end the bytes");
      return;
    }
    c.uses(total);
    c.at_least(0.8, "the length covers the {}-byte packet", total);
    if (type == 0x01) {
      if (auto d = bcd_at(b, 7, 8)) {
        c.at_least(level::structure, "login with 8 BCD bytes of IMEI");
        identify(c, device_id_from_bcd(*d), "IMEI");
      }
    }
  }

 private:
  static void wrapper(const Bytes& b, Findings& out) {
    if (!b.has(16)) return;
    const auto imei = bcd_at(b, 6, 8);
    if (!imei || !b.range(14, 2).starts_with("gg")) return;
    auto& c = out.add(eelink);
    c.at_least(level::structure, "\"EL\" UDP wrapper with 8 BCD bytes of IMEI, then a gg packet");
    identify(c, device_id_from_bcd(*imei), "IMEI");
  }
};

const EelinkProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_eelink
