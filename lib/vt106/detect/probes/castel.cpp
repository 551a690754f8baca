// Castel (IDD-213, CC830): "@@" (or "$$") + little-endian total length + version + 20-byte
// device id + type … CRC-16/X-25 (stored little-endian) + 0D 0A, per Traccar's Castel decoders.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_castel {
namespace {

constexpr ProtocolInfo castel{"castel", "Castel IDD-213, CC830", Category::tracker, 5086, true, true, true};
constexpr const ProtocolInfo* family_protocols[] = {&castel};

std::string_view type_name(unsigned t) {
  switch (t) {
    case 0x1001: return "login";
    case 0x1003: return "heartbeat";
    case 0x4001: return "GPS data";
    case 0x4002: return "PID data";
    case 0x4009: return "GPS data";
    default: return "";
  }
}

class CastelProbe final : public Probe {
 public:
  std::string_view family() const override { return "castel"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '@' || c == '$'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("@@") || b.is_prefix_of("$$")) return Match::need_more;
    if (!b.starts_with("@@") && !b.starts_with("$$")) return Match::no;
    return !b.has(4) || b.at(3) < 0x08 ? Match::maybe : Match::no;  // little-endian length under 2 KiB
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    const bool at = b.at(0) == '@';
    if (!b.has(5)) {
      if (at) out.add(castel).at_least(level::prefix, "'@@' and a length, as a Castel frame begins").wants(0);
      return;
    }
    // "@@" frames carry a version byte before the 20-byte id; Traccar reads "$$" (MPIP) frames
    // without one, the id's first character where the version would be. Some "$$" units still
    // send the version byte (a small number, never a printable character).
    const bool versioned = at || !is_printable(b.at(4));
    const int version = versioned ? b.at(4) : -1;
    if (versioned && (version < 0x01 || version > 0x0c)) return;
    const std::size_t id_at = versioned ? 5 : 4;
    const std::size_t total = *b.le16(2);
    auto& c = out.add(castel);
    if (at) c.at_least(level::weak, "'@@', little-endian length {}, version {}", total, version);
    else if (versioned) c.at_least(level::prefix, "'$$', little-endian length {}, version {}", total, version);
    else c.at_least(level::prefix, "'$$', little-endian length {}, then the device id", total);
    if (total < 31) {
      c.at_most(0.1, "the length {} is shorter than a Castel header", total);
      return;
    }
    if (!have_frame(b, c, total)) return;
    if (b.at(total - 2) != '\r' || b.at(total - 1) != '\n') {
      c.at_most(0.15, "no 0D 0A where the length ends the frame");
      return;
    }
    c.uses(total);
    const unsigned type = *b.be16(id_at + 20);
    c.at_least(level::structure, "the length places 0D 0A at the end of the {}-byte frame; type {:04x}{}{}", total,
               type, type_name(type).empty() ? "" : " ", type_name(type));
    const std::string_view id = b.text(id_at, 20);
    if (Bytes(id).printable_at(0) > 0) identify(c, device_id_from_text(id.substr(0, id.find('\0'))), "device id");
    else if (!at) c.at_most(level::weak, "no device id text after '$$' and the length");
    const auto want = crc16_x25(b.first(total - 4));
    if (b.le16(total - 4) == want) c.at_least(level::integrity, "CRC-16/X-25 {:04x} (little-endian) is right", want);
    else c.at_most(level::failed, "CRC-16/X-25 is {:04x}, the frame says {:04x}", want, b.le16(total - 4).value_or(0));
  }
};

const CastelProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_castel
