// TK103 text "(id CMD…)" and Topflytech's older "(IMEI BP00…)", per Traccar's Tk103 and
// Topflytech protocol decoders; the '(' group of the reference's ambiguity table.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_tk103 {
namespace {

constexpr ProtocolInfo tk103{"tk103", "TK103 and GT02A text", Category::tracker, 5002, true, true, true};
constexpr ProtocolInfo topflytech{"topflytech", "Topflytech text (older units)", Category::tracker, 5047, true,
                                  false, false};
constexpr const ProtocolInfo* family_protocols[] = {&tk103, &topflytech};
constexpr std::size_t max_text = 1024;

bool is_command(std::string_view s) {
  return s.size() == 4 && is_upper(s[0]) && is_upper(s[1]) && s[2] >= '0' && s[2] <= '9' && s[3] >= '0' &&
         s[3] <= '9';
}

class Tk103Probe final : public Probe {
 public:
  std::string_view family() const override { return "tk103"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '('; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) != '(') return Match::no;
    if (b.size() == 1) return Match::need_more;
    return is_alnum(b.at(1)) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    const std::size_t digits = b.digits_at(1);
    const std::size_t after = 1 + digits;
    if (after >= b.size()) {
      if (digits <= 15) out.add(tk103).at_least(level::prefix, "'(' and {} digit(s) so far, as TK103 text begins", digits).wants(0);
      return;
    }
    const std::size_t close = b.find(')', after, max_text);
    auto closed = [&](Candidate& c) {
      if (close == Bytes::npos) {
        if (b.size() >= max_text) c.at_most(level::weak, "no closing ')' within {} bytes", max_text);
        else c.wants(0);
        return false;
      }
      c.uses(close + 1);
      return true;
    };
    if (digits == 15 && b.text(after, 4) == "BP00") {
      auto& c = out.add(topflytech);
      c.at_least(level::signature, "'(' + 15 digits + BP00: Topflytech's text login");
      identify(c, device_id_from_text(b.text(1, 15)), "IMEI");
      if (closed(c)) c.at_least(level::structure, "closed by ')' after {} bytes", close + 1);
      return;
    }
    // The comma-delimited form: "(<IMEI>,<4-character command>,": DW3B, ZC20, BP05, …
    const std::string_view ccmd = b.text(after + 1, 4);
    if (digits == 15 && b.at(after) == ',' && b.at(after + 5) == ',' &&
        (is_command(ccmd) || ccmd.starts_with("DW") || ccmd.starts_with("ZC")) && Bytes(ccmd).printable_at(0) == 4) {
      auto& c = out.add(tk103);
      c.at_least(level::signature, "'(' + 15 digits + ',{},': the comma-delimited TK103 text form", ccmd);
      identify(c, device_id_from_text(b.text(1, 15)), "IMEI");
      if (closed(c)) c.at_least(level::structure, "closed by ')' after {} bytes", close + 1);
      return;
    }
    // Classic form: a 12-character id (sometimes 11, sometimes letters), then a command such as BP05.
    if (b.size() < 1 + 11 + 4) {
      out.add(tk103).at_least(level::prefix, "'(' and an id so far").wants(0);
      return;
    }
    for (std::size_t len : {12u, 11u}) {
      const std::string_view id = b.text(1, len), cmd = b.text(1 + len, 4);
      if (!is_command(cmd) || Bytes(id).printable_at(0) < len) continue;
      bool alnum = true;
      for (char ch : id) alnum = alnum && is_alnum(static_cast<unsigned char>(ch));
      if (!alnum) continue;
      auto& c = out.add(tk103);
      c.at_least(len == 12 ? level::signature : 0.45, "'(' + {}-character id + command {}", len, cmd);
      identify(c, device_id_from_text(id), "device id");
      if (closed(c)) c.at_least(len == 12 ? level::structure : 0.75, "closed by ')' after {} bytes", close + 1);
      return;
    }
  }
};

const Tk103Probe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_tk103
