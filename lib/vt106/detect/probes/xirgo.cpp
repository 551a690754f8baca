// Xirgo: "$$" + device id + "," + four-digit event code + "," … ended by "##", per Xirgo's
// protocol description and Traccar's XirgoProtocolDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_xirgo {
namespace {

constexpr ProtocolInfo xirgo{"xirgo", "Xirgo", Category::tracker, 5081, true, true, false};
constexpr const ProtocolInfo* family_protocols[] = {&xirgo};

class XirgoProbe final : public Probe {
 public:
  std::string_view family() const override { return "xirgo"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '$'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("$$")) return Match::need_more;
    return b.starts_with("$$") && (b.size() == 2 || (b.at(2) >= '0' && b.at(2) <= '9')) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    Cursor c(b, 2);
    std::size_t id_len = 0;
    c.digits(6, 20, &id_len).lit(",").digits(4, 4).lit(",");
    if (c.bad() || b.size() < 4) return;
    auto& cand = out.add(xirgo);
    if (c.ended()) {
      cand.at_least(level::prefix, "'$$' and digits, as a Xirgo report begins").wants(0);
      return;
    }
    cand.at_least(level::signature, "'$$<id>,{},': device id and a four-digit event code", b.text(3 + id_len, 4));
    identify(cand, device_id_from_text(b.text(2, id_len)), "device id");
    const std::size_t end = b.find("##", c.pos(), 2048);
    if (end == Bytes::npos) {
      cand.wants(0);
      return;
    }
    cand.uses(end + 2);
    cand.at_least(level::structure, "ended by '##' after {} bytes", end + 2);
  }
};

const XirgoProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_xirgo
