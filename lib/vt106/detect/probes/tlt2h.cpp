// Xexun TLT-2H/V500/MT-series: a "#IMEI#model#password#event#count" header line, then "#…$GPRMC"
// lines, closed by "##\r\n", per Traccar's Tlt2hProtocolDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_tlt2h {
namespace {

constexpr ProtocolInfo tlt2h{"tlt2h", "Xexun TLT-2H, V500, MT-series", Category::tracker, 5030, true, true, false};
constexpr const ProtocolInfo* family_protocols[] = {&tlt2h};

class Tlt2hProbe final : public Probe {
 public:
  std::string_view family() const override { return "tlt2h"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '#' || c == '\r'; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) == '#') return Match::maybe;
    return b.starts_with("\r\n#") || b.is_prefix_of("\r\n#") ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    const std::size_t start = b.at(0) == '\r' ? 2 : 0;
    // "#IMEI#model#password", then (MT600 and later) "#door#fuel#power#battery#temperature", then
    // "#status#count".
    Cursor head(b, start);
    head.lit("#").digits(15, 15).lit("#").text_until('#', 32).digits(0, 8);
    if (head.bad()) return;
    std::size_t at = head.pos();
    Cursor extra(b, at);
    extra.lit("#").one([](int x) { return x == '0' || x == '1'; });
    for (int i = 0; i < 4; ++i) extra.lit("#").digits(1, 8);
    if (extra.ok() && b.at(extra.pos()) == '#') at = extra.pos();
    Cursor c(b, head.ended() || (extra.ended() && extra.pos() > at) ? b.size() : at);
    if (head.ended() || (extra.ended() && extra.pos() > at)) c.lit("#");  // input ran out: ended
    else c.lit("#").upper(1, 16).lit("#").digits(1, 6);
    if (c.bad()) return;
    auto& cand = out.add(tlt2h);
    if (c.ended()) {
      if (b.digits_at(start + 1) >= 2 || b.size() <= start + 2)
        cand.at_least(b.digits_at(start + 1) >= 15 ? level::weak : level::prefix, "'#' and digits, as a TLT-2H header "
                                                                                  "begins")
            .wants(0);
      return;
    }
    const std::size_t line_end = c.pos();
    cand.at_least(level::signature, "header '#<IMEI>#{}': IMEI, model, password, [sensors,] event, count",
                  quote(b.text(start + 17, line_end - start - 17), 40));
    identify(cand, device_id_from_text(b.text(start + 1, 15)), "IMEI");
    if (!b.starts_with("\r\n") && b.text(line_end, 2) != "\r\n") {
      if (b.has(line_end + 2)) cand.at_most(0.3, "the header line is not ended by CRLF");
      else cand.wants(0);
      return;
    }
    cand.at_least(level::structure, "header line ended by CRLF");
    const std::size_t end = b.find("##\r\n", line_end, 2048);
    if (end == Bytes::npos) cand.wants(0);
    else cand.uses(end + 4);
    const std::size_t dollar = b.find('$', line_end, 2048);
    const std::size_t star = dollar == Bytes::npos ? Bytes::npos : b.find('*', dollar, 2048);
    if (star != Bytes::npos && nmea_checksum_ok(b, dollar + 1, star))
      cand.at_least(level::integrity - 0.02, "the NMEA checksum *{} of the first sentence is right", b.text(star + 1, 2));
  }
};

const Tlt2hProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_tlt2h
