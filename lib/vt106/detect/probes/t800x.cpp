// Topflytech T880x/TLW binary (Traccar "t800x"): "## / %% / && / ''" + type + big-endian total
// length + serial + 8-byte BCD IMEI, per Traccar's T800xProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_t800x {
namespace {

constexpr ProtocolInfo t800x{"t800x", "Topflytech T8806/T880x/TLW binary", Category::tracker, 5094, true, true, true};
constexpr const ProtocolInfo* family_protocols[] = {&t800x};

std::string_view type_name(int t) {
  switch (t) {
    case 0x01: return "login";
    case 0x02: return "GPS";
    case 0x03: return "heartbeat";
    case 0x04: return "alarm";
    default: return "";
  }
}

class T800xProbe final : public Probe {
 public:
  std::string_view family() const override { return "t800x"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x23 || c == 0x25 || c == 0x26 || c == 0x27; }
  Match quick(const Bytes& b) const override {
    const int h = b.at(0);
    if (h != 0x23 && h != 0x25 && h != 0x26 && h != 0x27) return Match::no;
    if (b.size() == 1) return Match::need_more;
    if (b.at(1) != h) return Match::no;
    // The type is a small binary number (01 login … 81), never a printable character.
    return !b.has(3) || (b.at(2) >= 0x01 && b.at(2) <= 0x81 && !is_printable(b.at(2))) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    auto& c = out.add(t800x);
    c.at_least(level::prefix, "{:c}{:c} then a binary type byte", static_cast<char>(b.at(0)), static_cast<char>(b.at(0)));
    if (!b.has(5)) {
      c.wants(0);
      return;
    }
    const std::size_t total = *b.be16(3);
    const int type = b.at(2);
    c.at_least(level::weak, "type {:02x}{}{}, total length {}", type, type_name(type).empty() ? "" : " ",
               type_name(type), total);
    if (total < 15) {
      c.at_most(0.1, "the length {} is shorter than the T800x header", total);
      return;
    }
    if (!have_frame(b, c, total)) return;
    const auto imei = bcd_at(b, 7, 8);
    if (!imei) {
      c.at_most(0.2, "bytes 7-14 are not the BCD IMEI");
      return;
    }
    if (b.size() != total && b.at(total) != b.at(0)) {
      c.at_most(0.4, "the length does not end the bytes");
      return;
    }
    c.uses(total);
    c.at_least(level::structure, "the length covers the {}-byte frame; 8 BCD bytes of IMEI at offset 7", total);
    identify(c, device_id_from_bcd(*imei), "IMEI");
  }
};

const T800xProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_t800x
