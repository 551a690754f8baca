// Sanav PT502/PT600: "$POS,", "$FUS…" and other "$XXX" lines ended by CRLF, and the binary
// container BF FB + type + little-endian length, per Traccar's Pt502 decoders.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_pt502 {
namespace {

constexpr ProtocolInfo pt502{"pt502", "Sanav PT502/PT600", Category::tracker, 5017, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&pt502};
constexpr std::string_view heads[] = {"$POS", "$PHO", "$FUS", "$HDA", "$HDB", "$DFR", "$FDA", "$CPA"};

class Pt502Probe final : public Probe {
 public:
  std::string_view family() const override { return "pt502"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override {
    return c == 0xbf || std::any_of(std::begin(heads), std::end(heads),
                                    [c](std::string_view h) { return c == static_cast<unsigned char>(h[0]); });
  }
  Match quick(const Bytes& b) const override {
    if (b.at(0) == 0xbf) return b.size() == 1 || b.at(1) == 0xfb ? Match::maybe : Match::no;
    for (auto h : heads)
      if (b.starts_with(h) || (b.size() > 1 && b.is_prefix_of(h))) return Match::maybe;
    return Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.at(0) == 0xbf) return binary(b, out);
    auto& c = out.add(pt502);
    if (b.size() < 4) {
      c.at_least(level::prefix, "the bytes begin a PT502 line").wants(0);
      return;
    }
    c.at_least(level::signature - 0.1, "{}, a PT502 sentence", b.text(0, 4));
    line(b, 0, c);
  }

 private:
  static void line(const Bytes& b, std::size_t at, Candidate& c) {
    const std::size_t eol = b.find("\r\n", at, 2048);
    const std::size_t cr = b.find("\r\r", at, 2048);  // some firmware doubles the CR
    const std::size_t end = std::min(eol, cr);
    if (end == Bytes::npos) {
      c.wants(0);
      return;
    }
    c.uses(end + 2);
    c.at_least(level::structure - 0.05, "ended by CR after {} bytes", end + 2);
    // A report "$<type>,<id>,hhmmss.sss,": the type runs to the first comma ("$PHO3821-1,"
    // carries a photo name), the id is the digits after it, as Traccar's pattern reads them.
    const std::size_t c1 = b.find(',', at + 1, end);
    const std::size_t c2 = c1 == Bytes::npos ? Bytes::npos : b.find(',', c1 + 1, end);
    if (c2 != Bytes::npos && c2 > c1 + 1 && b.digits_at(c1 + 1) == c2 - c1 - 1 && b.digits_at(c2 + 1) == 6 &&
        b.at(c2 + 7) == '.') {
      identify(c, device_id_from_text(b.text(c1 + 1, c2 - c1 - 1)), "device id");
      return;
    }
    // "$FUS<IMEI>,".
    const std::size_t id_at = at + (b.at(at + 4) == ',' ? 5 : 4);
    const std::size_t comma = b.find(',', id_at, end);
    if (comma != Bytes::npos && comma > id_at) identify(c, device_id_from_text(b.text(id_at, comma - id_at)), "device id");
  }

  static void binary(const Bytes& b, Findings& out) {
    auto& c = out.add(pt502);
    c.at_least(level::prefix, "BF FB, the PT502 binary container");
    if (!b.has(6)) {
      c.wants(0);
      return;
    }
    const std::size_t total = *b.le16(3);
    if (!have_frame(b, c, total)) return;
    if (b.at(5) != '$' || total < 10) {
      c.at_most(0.2, "no '$' sentence inside the container");
      return;
    }
    c.at_least(0.7, "little-endian length {} and a '$' sentence inside", total);
    line(b, 5, c);
  }
};

const Pt502Probe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_pt502
