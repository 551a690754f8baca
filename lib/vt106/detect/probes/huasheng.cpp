// HuaSheng: SLIP-like frames between C0 delimiters with a big-endian length at offset 3, per
// Traccar's HuaShengFrameDecoder and HuaShengProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect {
namespace {

constexpr ProtocolInfo huasheng{"huasheng", "HuaSheng", Category::tracker, 5111, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&huasheng};

class HuashengProbe final : public Probe {
 public:
  std::string_view family() const override { return "huasheng"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
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
    if (*b.be16(3) != close - 1) {
      c.at_most(0.1, "the length {} does not match the {} bytes between the C0 delimiters", *b.be16(3), close - 1);
      c.at_least(0.05, "C0 … C0");
      return;
    }
    c.at_least(0.8, "C0 delimiters around {} bytes, as the length at offset 3 says", close - 1);
  }
};

const HuashengProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect
