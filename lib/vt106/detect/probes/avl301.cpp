// AVL-301: "$" + type letter (L login, H heartbeat, $ GPS) + a one-byte total length … 0D 0A,
// with the IMEI in BCD in the login, per Traccar's Avl301ProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_avl301 {
namespace {

constexpr ProtocolInfo avl301{"avl301", "AVL-301", Category::tracker, 5085, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&avl301};

class Avl301Probe final : public Probe {
 public:
  std::string_view family() const override { return "avl301"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '$'; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) != '$') return Match::no;
    const int t = b.at(1);
    return t < 0 || t == 'L' || t == 'H' || t == '$' ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(3)) return;
    const std::size_t total = static_cast<std::size_t>(b.at(2));
    if (total < 7) return;
    // A length byte that reads as text (0x2c ',' for a 44-byte "$$" report) is not proof of a
    // binary frame: then the frame must end 0D 0A where it says and hold binary bytes.
    const bool text_length = is_printable(b.at(2));
    if (text_length && (!b.has(total) || b.first(total - 2).printable_at(0) == total - 2)) return;
    auto& c = out.add(avl301);
    if (text_length) c.at_most(level::signature, "the length byte {} reads as text '{:c}'", total, static_cast<char>(total));
    c.at_least(level::weak, "'${:c}' and a binary length {}", static_cast<char>(b.at(1)), total);
    if (!have_frame(b, c, total)) return;
    if (b.at(total - 2) != '\r' || b.at(total - 1) != '\n') {
      c.at_most(0.1, "no 0D 0A where the length ends the frame");
      return;
    }
    c.uses(total);
    c.at_least(0.75, "the length places 0D 0A at the end of the {}-byte frame", total);
    if (b.at(1) == 'L') {
      if (auto d = bcd_at(b, 3, 8)) {
        c.at_least(level::structure, "login with 8 BCD bytes of IMEI");
        identify(c, device_id_from_bcd(*d), "IMEI");
      }
    }
  }
};

const Avl301Probe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_avl301
