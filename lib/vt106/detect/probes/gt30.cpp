// GT30: "$$" + four hex digits of total length + a 14-character space-padded id + "9955" (the
// position command) … CRLF, per Traccar's Gt30ProtocolDecoder.
#include "vt106/detect/probe.hpp"
#include "vt106/util/text.hpp"

namespace vt106::detect::probe_gt30 {
namespace {

constexpr ProtocolInfo gt30{"gt30", "GT30", Category::tracker, 5131, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&gt30};

class Gt30Probe final : public Probe {
 public:
  std::string_view family() const override { return "gt30"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '$'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("$$")) return Match::need_more;
    return b.starts_with("$$") && b.hex_digits_at(2) >= std::min<std::size_t>(4, b.size() - 2) ? Match::maybe
                                                                                                 : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(24)) return;  // nothing to say before the command field
    const std::string_view id = b.text(6, 14);
    const std::size_t id_len = Bytes(id).find(' ') == Bytes::npos ? 14 : Bytes(id).find(' ');
    if (b.hex_digits_at(20) < 4 || id_len == 0 || Bytes(id).printable_at(0) < 14) return;
    for (std::size_t i = id_len; i < 14; ++i)
      if (id[i] != ' ') return;
    // Type (4 hex digits: 9955 a report, 9999 an alarm), an optional alarm byte, then the time
    // "hhmmss.sss," and the validity.
    const auto time_at = [&](std::size_t at) {
      return b.digits_at(at) == 6 && b.at(at + 6) == '.' && b.digits_at(at + 7) == 3 && b.at(at + 10) == ',' &&
             (b.at(at + 11) == 'A' || b.at(at + 11) == 'V') && b.at(at + 12) == ',';
    };
    if (!b.has(38)) {
      if (b.text(20, 4) == "9955" || b.text(20, 4) == "9999")
        out.add(gt30).at_least(level::weak, "'$$', hex length, space-padded id and type {}", b.text(20, 4)).wants(0);
      return;
    }
    if (!time_at(24) && !time_at(25)) return;
    auto& c = out.add(gt30);
    c.at_least(0.7, "'$$', hex length, space-padded id, type {} and a time with validity", b.text(20, 4));
    identify(c, device_id_from_text(id.substr(0, id_len)), "device id");
    const std::size_t total = util::parse_int<std::size_t>(b.text(2, 4), 16).value_or(0);
    if (!have_frame(b, c, total)) return;
    if (total >= 26 && b.at(total - 2) == '\r' && b.at(total - 1) == '\n') {
      c.uses(total);
      c.at_least(level::structure, "the hex length places CRLF at the end of the {}-byte frame", total);
    }
  }
};

const Gt30Probe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_gt30
