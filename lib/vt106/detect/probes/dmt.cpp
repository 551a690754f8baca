// Digital Matter (DMT): 02 55 + message type + little-endian payload length; the hello (type 00)
// carries the serial, the IMEI and the ICCID, per Digital Matter's OEM protocol and Traccar's
// DmtProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_dmt {
namespace {

constexpr ProtocolInfo dmt{"dmt", "Digital Matter", Category::tracker, 5137, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&dmt};

class DmtProbe final : public Probe {
 public:
  std::string_view family() const override { return "dmt"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x02; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) != 0x02) return Match::no;
    return b.size() == 1 || b.at(1) == 0x55 ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    auto& c = out.add(dmt);
    c.at_least(b.has(2) ? level::weak : 0.1, "02 55, the Digital Matter sync bytes");
    if (!b.has(5)) {
      c.wants(0);
      return;
    }
    const int type = b.at(2);
    const std::size_t total = 5 + *b.le16(3);
    if (!have_frame(b, c, total)) return;
    if (b.size() != total && !(b.at(total) == 0x02 && b.at(total + 1) == 0x55)) {
      c.at_most(0.2, "the length does not end the bytes");
      return;
    }
    c.uses(total);
    c.at_least(0.75, "type {:02x}{}, the length covers the {}-byte message", type, type == 0 ? " (hello)" : "", total);
    if (type == 0x00 && b.digits_at(9) == 15) {
      c.at_least(level::structure, "hello with the IMEI as text at offset 9");
      identify(c, device_id_from_text(b.text(9, 15)), "IMEI");
    }
  }
};

const DmtProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_dmt
