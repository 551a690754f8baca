// HuaSheng: SLIP-like frames between C0 delimiters with a big-endian length at offset 3, per
// Traccar's HuaShengFrameDecoder and HuaShengProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_huasheng {
namespace {

constexpr ProtocolInfo huasheng{"huasheng", "HuaSheng", Category::tracker, 5111, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&huasheng};

class HuashengProbe final : public Probe {
 public:
  std::string_view family() const override { return "huasheng"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0xc0; }
  Match quick(const Bytes& b) const override { return b.at(0) == 0xc0 ? Match::maybe : Match::no; }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(5)) return;
    const std::size_t close = b.find('\xc0', 1, 2048);
    if (close == Bytes::npos) {
      if (b.size() < 2048 && *b.be16(3) >= 8) {
        out.add(huasheng).at_least(0.15, "C0 delimiter and a length, as a HuaSheng frame begins").wants(0);
      }
      return;
    }
    auto& c = out.add(huasheng);
    c.uses(close + 1);
    // DB DC stands for a C0 inside the frame, DB DD for a DB: the length counts them once.
    std::size_t escapes = 0;
    for (std::size_t i = 1; i + 1 < close; ++i)
      if (b.at(i) == 0xdb && (b.at(i + 1) == 0xdc || b.at(i + 1) == 0xdd)) ++escapes, ++i;
    const std::size_t inner = close - 1 - escapes;
    if (*b.be16(3) != inner) {
      c.at_most(0.1, "the length {} does not match the {} bytes between the C0 delimiters", *b.be16(3), inner);
      c.at_least(0.05, "C0 … C0");
      return;
    }
    c.at_least(0.8, "C0 delimiters around {} bytes{}, as the length at offset 3 says", inner,
               escapes ? " (after unescaping)" : "");
    login_identity(b, c, close);
  }

 private:
  // Login (type AA02): after flag, reserved, length, type, checksum and index come subtype and
  // length pairs (the length counts its 4-byte header); subtype 0003 is the IMEI.
  static void login_identity(const Bytes& b, Candidate& c, std::size_t end) {
    if (b.be16(5) != 0xaa02) return;
    for (std::size_t at = 13; at + 4 <= end;) {
      const auto sub = b.be16(at);
      const auto len = b.be16(at + 2);
      if (!sub || !len || *len < 4 || at + *len > end) return;
      const std::size_t n = *len - 4u;
      if (*sub == 0x0003) {
        if (n > 0 && b.range(at + 4, n).printable_at(0) == n)
          identify(c, device_id_from_text(b.text(at + 4, n)), "IMEI (login subtype 0003)");
        return;
      }
      at += *len;
    }
  }
};

const HuashengProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_huasheng
