// GlobalSat (TR-series): "GSr,", "GSh,", … or "$<IMEI>," sentences ended by "!", checked by a
// "*hh" XOR, per GlobalSat's TR-series protocol and Traccar's GlobalSatProtocolDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_globalsat {
namespace {

constexpr ProtocolInfo globalsat{"globalsat", "GlobalSat TR-series", Category::tracker, 5043, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&globalsat};

class GlobalsatProbe final : public Probe {
 public:
  std::string_view family() const override { return "globalsat"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'G' || c == '$'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("GS")) return Match::need_more;
    if (b.starts_with("GS")) return b.size() == 2 || (b.at(2) >= 'a' && b.at(2) <= 'z') ? Match::maybe : Match::no;
    return b.at(0) == '$' && (b.size() == 1 || (b.at(1) >= '0' && b.at(1) <= '9')) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    const bool gs = b.at(0) == 'G';
    // "GSx,": the field order is the device's configured format; the IMEI ('S') comes first or
    // after the model ("GSb,GTR-388,<IMEI>,…"). "$": "$<id>,mode,fix,ddmmyy,hhmmss,E…".
    std::size_t id_at = gs ? 4 : 1;
    if (gs && b.at(3) != ',' && b.has(4)) return;
    if (gs && b.digits_at(id_at) != 15) {
      const std::size_t comma = b.find(',', id_at, id_at + 33);
      if (comma != Bytes::npos && comma > id_at && b.range(id_at, comma - id_at).printable_at(0) == comma - id_at &&
          b.digits_at(comma + 1) == 15)
        id_at = comma + 1;
    }
    std::size_t id_len = 0;
    Cursor c(b, id_at);
    if (gs) c.digits(15, 15, &id_len).lit(",");
    else c.digits(10, 20, &id_len).lit(",");
    if (c.bad()) return;
    const std::size_t after_id = c.pos();
    if (!gs) {
      c.digits(1, 3).lit(",").digits(1, 3).lit(",").digits(6, 6).lit(",").digits(6, 6).lit(",").one(
          [](int x) { return x == 'E' || x == 'W'; });
      if (c.bad()) return;
    }
    auto& cand = out.add(globalsat);
    if (c.ended()) {
      if (gs || b.size() > 2) cand.at_least(level::prefix, "{}, as a GlobalSat sentence begins", gs ? "GSx," : "'$' and digits").wants(0);
      return;
    }
    cand.at_least(gs ? level::signature : level::weak, "{} and a {}-digit id{}", gs ? quote(b.text(0, 4)) : "'$'",
                  id_len, gs ? "" : ", mode, fix, date, time, longitude");
    identify(cand, device_id_from_text(b.text(id_at, id_len)), gs ? "IMEI" : "device id");
    const std::size_t bang = b.find('!', after_id, 2048);
    if (bang == Bytes::npos) {
      cand.wants(0);
      return;
    }
    cand.uses(bang + 1);
    if (b.first(bang).printable_at(0) < bang) {
      cand.at_most(level::weak, "non-printable bytes before the closing '!'");
      return;
    }
    cand.at_least(level::structure, "ended by '!' after {} bytes", bang + 1);
    const std::size_t star = b.find('*', after_id, bang);
    if (star != Bytes::npos && nmea_checksum_ok(b, 0, star))
      cand.at_least(level::integrity - 0.02, "checksum *{} is right", b.text(star + 1, 2));
  }
};

const GlobalsatProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_globalsat
