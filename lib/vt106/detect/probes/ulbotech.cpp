// Ulbotech: binary frames between F8 delimiters (escape F7) with version, type, BCD IMEI and a
// CRC-16/XMODEM before the closing F8, and the "*TS01,…#" text form, per Traccar's Ulbotech decoders.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_ulbotech {
namespace {

constexpr ProtocolInfo ulbotech{"ulbotech", "Ulbotech", Category::tracker, 5072, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&ulbotech};

class UlbotechProbe final : public Probe {
 public:
  std::string_view family() const override { return "ulbotech"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0xf8 || c == '*'; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) == 0xf8) return Match::maybe;
    if (b.size() >= 2 && b.is_prefix_of("*TS01,")) return Match::need_more;
    return b.starts_with("*TS01,") ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.at(0) == '*') {
      auto& c = out.add(ulbotech);
      c.at_least(b.size() >= 6 ? level::signature : level::prefix, "\"*TS01,\", Ulbotech's text form");
      const std::size_t end = b.find('#', 6, 2048);
      if (end == Bytes::npos) {
        c.wants(0);
      } else {
        c.uses(end + 1);
        c.at_least(level::structure - 0.1, "ended by '#'");
      }
      if (b.digits_at(6) == 15) identify(c, device_id_from_text(b.text(6, 15)), "IMEI");
      return;
    }
    if (!b.has(11)) return;
    const auto imei = bcd_at(b, 3, 8);
    if (!imei) return;
    auto& c = out.add(ulbotech);
    c.at_least(level::weak, "F8, version {:02x}, type {:02x}, 8 BCD bytes of IMEI", b.at(1), b.at(2));
    identify(c, device_id_from_bcd(*imei), "IMEI");
    const std::size_t close = b.find('\xf8', 1, 2048);
    if (close == Bytes::npos) {
      c.wants(0);
      return;
    }
    c.uses(close + 1);
    if (close < 14) {
      c.at_most(0.1, "a closing F8 too early");
      return;
    }
    if (b.find('\xf7', 1, close) != Bytes::npos) {
      c.at_least(0.6, "closed by F8 after {} bytes (escaped bytes inside: CRC not checked)", close + 1);
      return;
    }
    const auto want = crc16_xmodem(b.range(1, close - 3));
    if (b.be16(close - 2) == want) c.at_least(level::integrity, "CRC-16/XMODEM {:04x} before the closing F8 is right", want);
    else c.at_most(0.5, "closed by F8, but the CRC-16/XMODEM {:04x} does not match", want);
  }
};

const UlbotechProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_ulbotech
