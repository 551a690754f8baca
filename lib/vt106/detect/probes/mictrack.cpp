// Mictrack: "MT;<type>;<IMEI>;…" lines, "<IMEI>$<NMEA-like fields>" and "<IMEI> netlock=…",
// per Traccar's MictrackProtocolDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_mictrack {
namespace {

constexpr ProtocolInfo mictrack{"mictrack", "Mictrack", Category::tracker, 5191, true, true, false};
constexpr const ProtocolInfo* family_protocols[] = {&mictrack};

class MictrackProbe final : public Probe {
 public:
  std::string_view family() const override { return "mictrack"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'M' || (c >= '0' && c <= '9'); }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("MT;")) return Match::need_more;
    return b.starts_with("MT;") || (b.at(0) >= '0' && b.at(0) <= '9') ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.is_prefix_of("MT;") || b.starts_with("MT;")) {
      Cursor c(b);
      c.lit("MT;").digits(1, 2).lit(";").digits(15, 15).lit(";");
      if (c.bad()) return;
      auto& cand = out.add(mictrack);
      if (c.ended()) {
        cand.at_least(b.size() >= 5 ? level::weak : level::prefix, "'MT;<type>;', as a Mictrack line begins").wants(0);
        return;
      }
      cand.uses(c.pos());
      cand.at_least(0.8, "'MT;{};<IMEI>;': the Mictrack report header", b.text(3, c.pos() - 20));
      identify(cand, device_id_from_text(b.text(c.pos() - 16, 15)), "IMEI");
      return;
    }
    if (b.digits_at(0) != 15) return;
    const int sep = b.at(15);
    if (sep == '$') {
      Cursor c(b, 16);
      c.digits(6, 6).lit(".").digits(1, 3).lit(",").one([](int ch) { return ch == 'A' || ch == 'V'; }).lit(",");
      if (c.bad()) return;
      auto& cand = out.add(mictrack);
      identify(cand, device_id_from_text(b.text(0, 15)), "IMEI");
      if (c.ended()) {
        cand.at_least(level::weak, "'<IMEI>$' and a time, as Mictrack's NMEA-like report").wants(0);
        return;
      }
      cand.uses(c.pos());
      cand.at_least(0.8, "'<IMEI>$hhmmss.ss,{:c},': Mictrack's NMEA-like report", static_cast<char>(b.at(c.pos() - 2)));
    } else if (b.text(15, 9) == " netlock=") {
      auto& cand = out.add(mictrack);
      cand.uses(24);
      cand.at_least(0.75, "'<IMEI> netlock=': a Mictrack lock report");
      identify(cand, device_id_from_text(b.text(0, 15)), "IMEI");
    }
  }
};

const MictrackProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_mictrack
