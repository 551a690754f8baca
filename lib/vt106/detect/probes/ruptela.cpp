// Ruptela (FM-Eco/Pro/Tco): big-endian payload length + 8-byte big-endian IMEI + command, closed
// by a CRC-16/KERMIT over the payload, per Ruptela's protocol document and Traccar's decoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_ruptela {
namespace {

constexpr ProtocolInfo ruptela{"ruptela", "Ruptela FM-Eco/Pro/Tco", Category::tracker, 5046, true, false, true};
constexpr const ProtocolInfo* family_protocols[] = {&ruptela};

class RuptelaProbe final : public Probe {
 public:
  std::string_view family() const override { return "ruptela"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c <= 0x07; }
  Match quick(const Bytes& b) const override {
    // Payloads stay under 2 KiB; an IMEI below 10^15 has 00 00-03 as its two top bytes.
    if (b.at(0) > 0x07 || (b.has(3) && b.at(2) != 0x00) || (b.has(4) && b.at(3) > 0x03)) return Match::no;
    return Match::maybe;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(11)) return;  // eleven bytes before anything can be said: leave it to others
    const std::uint64_t imei = *b.be64(2);
    if (imei < 100000000000000ull || imei > 999999999999999ull) return;
    auto& c = out.add(ruptela);
    const std::size_t len = *b.be16(0);
    c.at_least(level::weak, "payload length {}, an 8-byte integer IMEI, command {:02x}", len, b.at(10));
    identify(c, device_id_from_integer(imei), "IMEI (64-bit integer)");
    const std::size_t total = len + 4;
    if (len < 9) {
      c.at_most(0.1, "payload length {} is shorter than IMEI and command", len);
      return;
    }
    if (!have_frame(b, c, total)) return;
    if (b.size() != total && !b.has(total + 10)) {
      c.at_most(0.3, "the length does not end the bytes");
      return;
    }
    c.uses(total);
    const auto want = crc16_kermit(b.range(2, len));
    if (b.be16(2 + len) == want) {
      c.at_least(level::integrity, "CRC-16/KERMIT {:04x} over the payload is right", want);
    } else {
      c.at_least(0.5, "the length covers the frame");
      c.at_most(0.5, "CRC-16/KERMIT is {:04x}, the frame says {:04x}", want, b.be16(2 + len).value_or(0));
    }
  }
};

const RuptelaProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_ruptela
