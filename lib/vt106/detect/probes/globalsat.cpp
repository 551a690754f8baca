// GlobalSat (TR-series): "GSr,", "GSh,", … or "$<IMEI>," sentences ended by "!", checked by a
// "*hh" XOR, per GlobalSat's TR-series protocol and Traccar's GlobalSatProtocolDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect {
namespace {

constexpr ProtocolInfo globalsat{"globalsat", "GlobalSat TR-series", Category::tracker, 5043, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&globalsat};

class GlobalsatProbe final : public Probe {
 public:
  std::string_view family() const override { return "globalsat"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("GS")) return Match::need_more;
    if (b.starts_with("GS")) return b.size() == 2 || (b.at(2) >= 'a' && b.at(2) <= 'z') ? Match::maybe : Match::no;
    return b.at(0) == '$' && (b.size() == 1 || (b.at(1) >= '0' && b.at(1) <= '9')) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    const bool gs = b.at(0) == 'G';
    Cursor c(b, gs ? 4 : 1);
    if (gs && b.at(3) != ',' && b.has(4)) return;
    c.digits(15, 15).lit(",");
    if (c.bad()) return;
    auto& cand = out.add(globalsat);
    if (c.ended()) {
      if (gs || b.size() > 2) cand.at_least(level::prefix, "{}, as a GlobalSat sentence begins", gs ? "GSx," : "'$' and digits").wants(0);
      return;
    }
    cand.at_least(gs ? level::signature : level::weak, "{} and a 15-digit IMEI", gs ? quote(b.text(0, 4)) : "'$'");
    identify(cand, device_id_from_text(b.text(gs ? 4 : 1, 15)), "IMEI");
    const std::size_t bang = b.find('!', c.pos(), 2048);
    if (bang == Bytes::npos) {
      cand.wants(0);
      return;
    }
    cand.uses(bang + 1);
    cand.at_least(gs ? level::structure : 0.75, "ended by '!' after {} bytes", bang + 1);
    const std::size_t star = b.find('*', c.pos(), bang);
    if (star != Bytes::npos && nmea_checksum_ok(b, 0, star))
      cand.at_least(level::integrity - 0.02, "checksum *{} is right", b.text(star + 1, 2));
  }
};

const GlobalsatProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect
