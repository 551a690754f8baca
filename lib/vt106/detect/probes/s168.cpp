// S168: "S168#<IMEI>#<serial hex>#<length hex>#<content>$", per Traccar's S168ProtocolDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"
#include "vt106/util/text.hpp"

namespace vt106::detect::probe_s168 {
namespace {

constexpr ProtocolInfo s168{"s168", "S168", Category::tracker, 5204, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&s168};

class S168Probe final : public Probe {
 public:
  std::string_view family() const override { return "s168"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'S'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("S168#")) return Match::need_more;
    return b.starts_with("S168#") ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    Cursor c(b);
    c.lit("S168#").digits(15, 15).lit("#").hex(4, 4).lit("#").hex(4, 4).lit("#");
    if (c.bad()) return;
    auto& cand = out.add(s168);
    cand.at_least(b.has(5) ? level::signature : level::prefix, "\"S168#\", the S168 header");
    if (c.ended()) {
      cand.wants(0);
      return;
    }
    identify(cand, device_id_from_text(b.text(5, 15)), "IMEI");
    const std::size_t len = util::parse_int<std::size_t>(b.text(26, 4), 16).value_or(0);
    const std::size_t total = c.pos() + len + 1;
    if (!have_frame(b, cand, total)) return;
    if (b.at(total - 1) != '$') {
      cand.at_most(0.5, "no '$' where the length {} ends the content", len);
      return;
    }
    cand.uses(total);
    cand.at_least(level::structure + 0.05, "the hex length {} places '$' at the end of the content", len);
  }
};

const S168Probe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_s168
