// GOTOP text protocol (VT-106, TL201/206, VT108, GPS101, TL402/403): "#IMEI,TYPE,…#", as framed
// by Traccar's GotopProtocolDecoder and location.io's GOTOP parser; no login, no checksum.
#include <algorithm>

#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_gotop {
namespace {

constexpr ProtocolInfo gotop{"gotop", "GOTOP VT-106, TL201/TL206, VT108, GPS101, TL402/TL403", Category::tracker,
                             5050, true, true, true};  // TCP; TL402 firmware can also send over UDP
constexpr const ProtocolInfo* family_protocols[] = {&gotop};
constexpr std::size_t max_frame = 1024;  // Traccar's and vt106 decode's frame limit

class GotopProbe final : public Probe {
 public:
  std::string_view family() const override { return "gotop"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '#'; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) != '#') return Match::no;
    if (b.size() == 1) return Match::need_more;
    return b.at(1) >= '0' && b.at(1) <= '9' ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    Cursor c(b);
    c.lit("#").digits(15, 15).lit(",");
    if (c.bad()) return;
    auto& cand = out.add(gotop);
    if (c.ended()) {
      if (b.size() == 1) cand.at_least(level::prefix, "'#', as a GOTOP frame begins").wants(0);
      else cand.at_least(b.size() >= 8 ? level::weak : level::prefix, "'#' and {} digits so far, as a GOTOP frame "
                                                                      "begins", b.digits_at(1)).wants(0);
      return;
    }
    const std::size_t type_at = c.pos();
    if (b.at(type_at) == ' ') {
      c.lit(" ERROR!");
    } else {
      c.upper(3, 3).lit("-").run([](int ch) { return is_upper(ch) || (ch >= '0' && ch <= '9') || ch == '-'; }, 1, 8);
    }
    c.one([](int ch) { return ch == ',' || ch == '#'; });
    if (c.bad()) {
      // OEM units put fields before the type ("Sorry Not Support,,CMD-T", a VIN and an engine
      // summary): accept a type within the frame's first fields.
      const std::size_t close = b.find('#', type_at, max_frame + 1);
      const std::string_view head = b.text(type_at, (close == Bytes::npos ? std::min(b.size(), max_frame) : close) - type_at);
      std::size_t at = std::string_view::npos;
      for (std::string_view t : {",CMD-", ",ALM-", ",ERROR!", ", ERROR!"}) at = std::min(at, head.find(t));
      if (at == std::string_view::npos || std::count(head.begin(), head.begin() + static_cast<std::ptrdiff_t>(at), ',') > 2) {
        cand.at_most(0.1, "'#' and 15 digits, but no GOTOP type (CMD-x, ALM-x, ERROR!) after the comma");
        return;
      }
      cand.at_least(level::signature, "'#', 15-digit IMEI, {} OEM field(s), then GOTOP type at byte {}",
                    std::count(head.begin(), head.begin() + static_cast<std::ptrdiff_t>(at), ',') + 1,
                    type_at + at + 1);
      identify(cand, device_id_from_text(b.text(1, 15)), "IMEI");
      if (close != Bytes::npos && b.first(close + 1).printable_at(0) >= close + 1)
        cand.at_least(level::structure, "frame closed by '#' after {} bytes", close + 1).uses(close + 1);
      else if (close == Bytes::npos)
        cand.wants(0);
      return;
    }
    if (c.ended()) {
      cand.at_least(level::signature, "'#', 15-digit IMEI and ','; the type has not arrived").wants(0);
      return;
    }
    const std::string_view type = b.text(type_at, c.pos() - 1 - type_at);
    cand.at_least(level::signature, "'#', 15-digit IMEI, ',' and GOTOP type {}", quote(type));
    identify(cand, device_id_from_text(b.text(1, 15)), "IMEI");
    const std::size_t end = b.at(c.pos() - 1) == '#' ? c.pos() - 1 : b.find('#', c.pos(), max_frame + 1);
    if (end == Bytes::npos) {
      if (b.size() > max_frame) {
        cand.at_most(level::weak, "no closing '#' within the {}-byte GOTOP frame limit", max_frame);
        return;
      }
      cand.wants(0);
      return;
    }
    // Bodies are printable text (GOTOP never sends control bytes inside a frame).
    const Bytes frame = b.first(end + 1);
    if (frame.printable_at(0) < frame.size()) {
      cand.at_most(level::weak, "the frame holds non-printable bytes");
      return;
    }
    cand.at_least(level::structure, "frame closed by '#' after {} bytes", end + 1).uses(end + 1);
    const std::string_view body = b.text(c.pos(), end - c.pos());
    if (body.substr(0, 2) == "A," || body.substr(0, 2) == "V,") {
      cand.note("fix flag {} then a position report", body.front());
      cand.adjust(0.04);
    }
    if (b.at(end + 1) == '#') cand.note("another frame follows at once ('##', frames glued)");
    // Traccar never answers GOTOP; a platform that can command the device writes ":<password>…#".
    if (in.server.at(0) == ':' && in.server.digits_at(1) == 6) cand.note("the server sent a GOTOP command frame");
  }
};

const GotopProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_gotop
