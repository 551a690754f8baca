// EGTS (GOST R 54619, the transport of ERA-GLONASS-era terminals): protocol version 01, header
// length 11 or 16 with a CRC-8, then the data with a CRC-16, per GOST R 54619-2011 and Traccar's
// EgtsFrameDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect {
namespace {

constexpr ProtocolInfo egts{"egts", "EGTS (GOST R 54619)", Category::tracker, 5162, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&egts};

class EgtsProbe final : public Probe {
 public:
  std::string_view family() const override { return "egts"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) != 0x01) return Match::no;
    if (b.has(4) && b.at(3) != 0x0b && b.at(3) != 0x10) return Match::no;
    return b.has(2) && b.at(1) != 0x00 ? Match::no : Match::maybe;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(4)) return;
    const std::size_t header = static_cast<std::size_t>(b.at(3));
    auto& c = out.add(egts);
    c.at_least(level::weak, "protocol version 01, key 00, header length {}", header);
    if (!b.has(header)) {
      c.wants(header);
      return;
    }
    const auto want = crc8_egts(b.first(header - 1));
    if (b.at(header - 1) != want) {
      c.at_most(0.2, "the header CRC-8 is {:02x}, the header says {:02x}", want, b.at(header - 1));
      return;
    }
    const std::size_t data = *b.le16(5);
    c.at_least(level::structure, "header CRC-8 {:02x} is right; {} bytes of data, packet type {}", want, data, b.at(9));
    const std::size_t total = header + data + (data ? 2 : 0);
    if (!have_frame(b, c, total)) return;
    c.uses(total);
    if (!data) return;
    const auto dcrc = crc16_ccitt_false(b.range(header, data));
    if (b.le16(header + data) == dcrc) c.at_least(level::integrity, "data CRC-16 {:04x} is right", dcrc);
    else c.at_most(level::failed, "data CRC-16 is {:04x}, the packet says {:04x}", dcrc, b.le16(header + data).value_or(0));
  }
};

const EgtsProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect
