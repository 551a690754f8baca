// Meitrack (MVT/T-series): "$$" + flag + decimal length + "," + IMEI + "," + command … "*hh\r\n"
// where hh is the byte sum, per the Meitrack GPRS protocol and Traccar's MeitrackProtocolDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"
#include "vt106/util/text.hpp"

namespace vt106::detect::probe_meitrack {
namespace {

constexpr ProtocolInfo meitrack{"meitrack", "Meitrack MVT/T-series", Category::tracker, 5020, true, true, true};
constexpr const ProtocolInfo* family_protocols[] = {&meitrack};

class MeitrackProbe final : public Probe {
 public:
  std::string_view family() const override { return "meitrack"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '$'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("$$")) return Match::need_more;
    if (!b.starts_with("$$")) return Match::no;
    const int flag = b.at(2);
    return flag < 0 || (is_printable(flag) && !(flag >= '0' && flag <= '9')) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    Cursor c(b, 3);
    std::size_t len_digits = 0;
    c.digits(1, 4, &len_digits).lit(",").digits(15, 15).lit(",").alnum(3, 3).lit(",");
    if (c.bad()) return;
    auto& cand = out.add(meitrack);
    if (c.ended()) {
      cand.at_least(b.size() >= 6 ? level::weak : level::prefix, "'$$' + flag '{}' + decimal length, as a Meitrack "
                                                                 "frame begins",
                    static_cast<char>(b.at(2) > 0 ? b.at(2) : '?'))
          .wants(0);
      return;
    }
    const std::size_t len = util::parse_int<std::size_t>(b.text(3, len_digits)).value_or(0);
    const std::size_t comma = 3 + len_digits;
    cand.at_least(level::signature, "'$${}{},<IMEI>,{},' Meitrack header", static_cast<char>(b.at(2)), len,
                  b.text(comma + 17, 3));
    identify(cand, device_id_from_text(b.text(comma + 1, 15)), "IMEI");
    // The length counts from the comma to the final CRLF; devices (and test vectors) are off by
    // one now and then, so look for "*hh\r\n" around the declared end.
    const std::size_t end = comma + len;
    for (std::size_t e : {end, end - 1, end + 1}) {
      if (e < comma + 25 || !b.has(e)) continue;
      if (b.at(e - 5) == '*' && b.at(e - 2) == '\r' && b.at(e - 1) == '\n') {
        cand.uses(e);
        cand.at_least(level::structure, "'*hh' and CRLF end the frame{}",
                      e == end ? " where the length says" : " one byte off the declared length");
        const auto want = sum8(b.first(e - 4));
        if (hex_byte_at(b, e - 4) == want) cand.at_least(level::integrity, "byte sum {:02X} is right", want);
        else cand.at_most(level::failed, "byte sum is {:02X}, the frame says {}", want, b.text(e - 4, 2));
        return;
      }
    }
    if (!b.has(end + 1)) cand.wants(end);
    else cand.at_most(0.3, "no '*hh' CRLF where the length {} ends the frame", len);
  }
};

const MeitrackProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_meitrack
