// Meiligao (Meitrack VT300/VT310/GT30i, older units): "$$" + big-endian total length + 7-byte
// BCD id + command + data + CRC-16/CCITT-FALSE + 0D 0A, per Traccar's Meiligao decoders.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_meiligao {
namespace {

constexpr ProtocolInfo meiligao{"meiligao", "Meiligao: Meitrack VT300/VT310/GT30i", Category::tracker, 5009, true,
                                true, true};
constexpr const ProtocolInfo* family_protocols[] = {&meiligao};

std::string_view command_name(unsigned cmd) {
  switch (cmd) {
    case 0x5000: return "login";
    case 0x0001: return "heartbeat";
    case 0x9955: return "position";
    case 0x9999: return "alarm";
    case 0x4000: return "login reply";
    default: return "";
  }
}

class MeiligaoProbe final : public Probe {
 public:
  std::string_view family() const override { return "meiligao"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '$'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("$$")) return Match::need_more;
    if (!b.starts_with("$$") || (b.has(3) && b.at(2) > 0x07)) return Match::no;  // frames stay under 2 KiB
    return Match::maybe;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    auto& c = out.add(meiligao);
    if (!b.has(13)) {
      const auto id = bcd_at(b, 4, b.size() > 4 ? std::min<std::size_t>(b.size() - 4, 7) : 0, true);
      if (b.size() > 4 && !id) return;
      const std::size_t declared = b.be16(2).value_or(0);
      const bool plausible = b.has(6) && declared >= 17;
      c.at_least(plausible ? level::weak : level::prefix, "'$$' and a binary length{}, as a Meiligao frame begins",
                 plausible ? " and BCD digits" : "")
          .wants(declared);
      return;
    }
    const auto id = bcd_at(b, 4, 7, true);
    if (!id || id->empty()) {
      c.at_most(0.1, "bytes 4-10 are not a BCD id");
      return;
    }
    const unsigned cmd = *b.be16(11);
    const std::string_view name = command_name(cmd);
    c.at_least(level::weak, "'$$', length, 7-byte BCD id, command {:04x}{}{}", cmd, name.empty() ? "" : " ", name);
    identify(c, device_id_from_bcd(*id), "device id");
    const std::size_t declared = *b.be16(2);
    if (declared >= 17 && b.has(declared) && b.at(declared - 2) == '\r' && b.at(declared - 1) == '\n') {
      c.uses(declared);
      c.at_least(level::structure, "the length {} places 0D 0A at the frame's end", declared);
      const auto want = crc16_ccitt_false(b.first(declared - 4));
      if (b.be16(declared - 4) == want) c.at_least(level::integrity, "CRC-16/CCITT-FALSE {:04x} is right", want);
      else c.at_most(level::failed + 0.1, "CRC-16/CCITT-FALSE is {:04x}, the frame says {:04x}", want,
                     b.be16(declared - 4).value_or(0));
      return;
    }
    // Test vectors and some firmware get the length or the CRC wrong: accept the 0D 0A that ends
    // the bytes when the id and the command agree.
    const std::size_t crlf = b.find("\r\n", 13);
    if (crlf != Bytes::npos && crlf + 2 == b.size() && !name.empty()) {
      c.uses(b.size());
      c.at_least(0.7, "0D 0A ends the {}-byte frame, although the length field says {}", b.size(), declared);
      if (b.be16(b.size() - 4) != crc16_ccitt_false(b.first(b.size() - 4))) c.note("the CRC does not match either");
      return;
    }
    if (!b.has(declared) && declared >= 17) {
      c.wants(declared);
      return;
    }
    c.at_most(0.2, "no 0D 0A where the length {} ends the frame", declared);
  }
};

const MeiligaoProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_meiligao
