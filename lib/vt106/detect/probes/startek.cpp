// iStartek (VT600, PT60…): "&&" + serial character + decimal length + "," + IMEI + "," + code …
// two hex digits of byte sum + CRLF, per iStartek's protocol and Traccar's StartekProtocolDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_startek {
namespace {

constexpr ProtocolInfo startek{"startek", "iStartek VT600/PT60 and others", Category::tracker, 5222, true, false,
                               false};
constexpr const ProtocolInfo* family_protocols[] = {&startek};
constexpr std::size_t max_text = 2048;

class StartekProbe final : public Probe {
 public:
  std::string_view family() const override { return "startek"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '&'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("&&")) return Match::need_more;
    return b.starts_with("&&") ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    Cursor c(b, 2);
    c.one(is_printable).digits(1, 4).lit(",").digits(15, 15).lit(",").digits(3, 3);
    if (c.bad()) return;
    auto& cand = out.add(startek);
    if (c.ended()) {
      cand.at_least(b.size() >= 4 ? level::weak : level::prefix, "'&&', a serial character and a length, as iStartek "
                                                                 "frames begin")
          .wants(0);
      return;
    }
    const std::size_t comma = b.find(',', 3);
    cand.at_least(level::signature, "'&&{},<IMEI>,{}' iStartek header", b.text(2, comma - 2), b.text(comma + 17, 3));
    identify(cand, device_id_from_text(b.text(comma + 1, 15)), "IMEI");
    const std::size_t eol = b.find("\r\n", c.pos(), max_text);
    if (eol == Bytes::npos) {
      cand.wants(0);
      return;
    }
    cand.uses(eol + 2);
    cand.at_least(level::structure, "ended by CRLF after {} bytes", eol + 2);
    const auto want = sum8(b.first(eol - 2));
    if (hex_byte_at(b, eol - 2) == want) cand.at_least(level::integrity, "byte sum {:02X} is right", want);
    else cand.note("the byte sum is {:02X}, the frame says {} (some firmware gets it wrong)", want, b.text(eol - 2, 2));
  }
};

const StartekProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_startek
