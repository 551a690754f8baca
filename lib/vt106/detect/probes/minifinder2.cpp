// MiniFinder2 (Nordic/"MiniFinder Pico"): AB + flags + little-endian length + CRC-16/XMODEM
// (little-endian) + sequence + payload of keyed fields (key 01 = IMEI), per Traccar's
// Minifinder2ProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_minifinder2 {
namespace {

constexpr ProtocolInfo minifinder2{"minifinder2", "MiniFinder2 (Nordic)", Category::tracker, 5187, true, false,
                                   false};
constexpr const ProtocolInfo* family_protocols[] = {&minifinder2};

class Minifinder2Probe final : public Probe {
 public:
  std::string_view family() const override { return "minifinder2"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0xab; }
  Match quick(const Bytes& b) const override { return b.at(0) == 0xab ? Match::maybe : Match::no; }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(8)) return;
    const std::size_t len = *b.le16(2), total = 8 + len;
    if (len < 2 || len > 2048) return;
    auto& c = out.add(minifinder2);
    c.at_least(level::weak, "AB, flags {:02x}, little-endian payload length {}", b.at(1), len);
    if (!have_frame(b, c, total)) return;
    if (b.size() != total && b.at(total) != 0xab) {
      c.at_most(0.2, "the length does not end the bytes");
      return;
    }
    c.uses(total);
    c.at_least(0.7, "the payload length covers the {}-byte packet", total);
    const auto want = crc16_xmodem(b.range(8, len));
    if (b.le16(4) == want) c.at_least(level::integrity, "CRC-16/XMODEM {:04x} over the payload is right", want);
    else c.note("CRC-16/XMODEM over the payload is {:04x}, the header says {:04x}", want, b.le16(4).value_or(0));
    // Payload: a message type byte, then fields of [length][key][value]; key 01 holds the IMEI.
    for (std::size_t at = 9; at + 2 < total;) {
      const std::size_t flen = static_cast<std::size_t>(b.at(at));
      if (flen == 0) break;
      if (b.at(at + 1) == 0x01 && flen == 16 && b.range(at + 2, 15).digits_at(0) == 15) {
        c.at_least(level::structure, "an IMEI field (key 01) in the payload");
        identify(c, device_id_from_text(b.text(at + 2, 15)), "IMEI");
        break;
      }
      at += 1 + flen;
    }
  }
};

const Minifinder2Probe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_minifinder2
