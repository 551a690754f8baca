// Enfora (MT-GL, MT4000): a length or API-number prefix, then space-padded fields with the
// 15-digit IMEI and often an RMC sentence, per Traccar's EnforaProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_enfora {
namespace {

constexpr ProtocolInfo enfora{"enfora", "Enfora MT-GL, MT4000", Category::tracker, 5008, true, true, false};
constexpr const ProtocolInfo* family_protocols[] = {&enfora};

class EnforaProbe final : public Probe {
 public:
  std::string_view family() const override { return "enfora"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x00; }
  Match quick(const Bytes& b) const override { return b.at(0) == 0x00 ? Match::maybe : Match::no; }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(8)) return;
    // A binary header (length, API number, command type, optional parameter bytes), then a run of
    // space-padded fields holding a 15-digit IMEI.
    std::size_t at = 4;
    while (at < 16 && b.has(at + 1) && b.at(at) != ' ' && !is_printable(b.at(at))) ++at;
    if (b.at(at) != ' ') return;
    std::size_t imei = Bytes::npos;
    for (std::size_t i = at; i < 64 && b.has(i + 1); ++i) {
      const int ch = b.at(i);
      if (ch != ' ' && !is_alnum(ch)) break;
      if (b.digits_at(i) == 15 && b.at(i - 1) == ' ') {
        imei = i;
        break;
      }
    }
    if (imei == Bytes::npos) return;
    auto& c = out.add(enfora);
    c.at_least(0.6, "binary prefix, then space-padded fields holding a 15-digit IMEI");
    identify(c, device_id_from_text(b.text(imei, 15)), "IMEI");
    c.uses(imei + 15);
    const std::size_t total = *b.be16(0);
    if (total == b.size()) {
      c.at_least(0.75, "the first two bytes give the total length {}", total);
    } else if (b.has(4) && (*b.be16(0) == 0x0004 || *b.be16(0) == 0x0005 || *b.be16(0) == 0x000a)) {
      c.note("API number {:04x} leads the message", *b.be16(0));
    }
    const std::size_t rmc = b.find("GPRMC,", imei, 256);
    if (rmc != Bytes::npos) {
      const std::size_t star = b.find('*', rmc, 512);
      if (star != Bytes::npos && nmea_checksum_ok(b, rmc, star))
        c.at_least(level::structure, "an RMC sentence with a right checksum *{} follows", b.text(star + 1, 2));
    }
  }
};

const EnforaProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_enfora
