// GT06 (Concox/Jimi and clones), Topin and GT02: "78 78"/"79 79"/"68 68" binary frames ending
// 0D 0A, per the GT06N protocol document (CRC-ITU, i.e. CRC-16/X-25) and Traccar's
// Gt06FrameDecoder, TopinProtocolDecoder and Gt02ProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_gt06 {
namespace {

constexpr ProtocolInfo gt06{"gt06", "Concox/Jimi GT06 and clones", Category::tracker, 5023, true, false, true};
constexpr ProtocolInfo topin{"topin", "Topin (GT06-like header, no CRC)", Category::tracker, 5199, true, false, false};
constexpr ProtocolInfo gt02{"gt02", "GT02A", Category::tracker, 5022, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&gt06, &topin, &gt02};

std::string_view message_name(int type) {
  switch (type) {
    case 0x01: return "login";
    case 0x10: case 0x11: case 0x12: case 0x22: case 0x32: case 0xa0: return "location";
    case 0x13: case 0x23: return "status/heartbeat";
    case 0x16: case 0x26: case 0x27: return "alarm";
    case 0x1a: return "address request";
    case 0x8a: return "time request";
    case 0x94: return "information";
    default: return "message";
  }
}

class Gt06Probe final : public Probe {
 public:
  std::string_view family() const override { return "gt06"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x78 || c == 0x79 || c == 0x68; }
  Match quick(const Bytes& b) const override {
    const int h = b.at(0);
    if (h != 0x78 && h != 0x79 && h != 0x68) return Match::no;
    if (b.size() == 1) return Match::need_more;
    return b.at(1) == h ? Match::maybe : Match::no;
  }

  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.at(0) == 0x68) return gt02_frame(b, out);
    if (b.at(0) == 0x79) return extended(b, out);
    short_frame(b, out);
    // Dialogue: the GT06 server acknowledges a login with 78 78 05 01 (GT06N document: within 5 s).
    if (b.at(3) == 0x01 && in.server.starts_with("\x78\x78\x05\x01"))
      for (auto& c : out.all())
        if (c.info == &gt06) c.note("the server acknowledged the login (78 78 05 01 …)");
  }

 private:
  static void login_identity(const Bytes& b, Candidate& c, std::size_t at) {
    if (auto d = bcd_at(b, at, 8)) identify(c, device_id_from_bcd(*d), "IMEI (8 BCD bytes)");
  }

  static void short_frame(const Bytes& b, Findings& out) {
    auto& c = out.add(gt06);
    c.at_least(level::prefix, "78 78 start marker (GT06 short frame)");
    if (!b.has(4)) {
      c.wants(b.has(3) ? static_cast<std::size_t>(b.at(2)) + 5 : 0);
      return;
    }
    const std::size_t len = static_cast<std::size_t>(b.at(2));
    const int type = b.at(3);
    const std::size_t total = len + 5;
    if (len < 5) {
      c.at_most(0.1, "length byte {} is too small for a GT06 frame", len);
      return;
    }
    // Clones (and Topin) put 0D 0A where the length byte does not say: look for it first.
    const std::size_t crlf = b.find("\r\n", 4, total + 64);
    if (b.has(total) && b.at(total - 2) == '\r' && b.at(total - 1) == '\n') {
      c.uses(total);
      c.at_least(level::structure, "length byte {} places 0D 0A at the end: {} bytes, {} (0x{:02x})", len, total,
                 message_name(type), type);
      const auto crc = b.be16(total - 4);
      const auto want = crc16_x25(b.range(2, len - 1));
      if (crc == want)
        c.at_least(level::integrity, "CRC-16/X-25 {:04x} is right", want);
      else
        c.at_most(level::failed, "CRC-16/X-25 is {:04x}, the frame says {:04x}", want, crc.value_or(0));
      if (type == 0x01 && len >= 0x0d) login_identity(b, c, 4);  // 0x11 with type id and time zone
      return;
    }
    if (crlf != Bytes::npos && crlf != total - 2) {
      // No CRC where the length says: Topin, or a GT06 clone that Traccar frames at the next 0D 0A.
      const std::size_t end = crlf + 2;
      c.uses(end);
      c.at_least(0.45, "0D 0A ends the frame after {} bytes where the length byte says {}: a GT06 clone without "
                       "CRC, or Topin", end, total);
      auto& t = out.add(topin);
      t.uses(end);
      if (type == 0x01 && end == 15) {
        t.at_least(0.7, "the 15-byte Topin login: 78 78, protocol 01, 8 BCD bytes of IMEI, one byte, 0D 0A");
      } else {
        t.at_least(0.45, "78 78 frame of {} bytes ending 0D 0A that the length byte does not place (Topin has "
                         "no length rule and no CRC)", end);
      }
      if (type == 0x01) {
        login_identity(b, t, 4);
        login_identity(b, c, 4);
      }
      return;
    }
    if (!have_frame(b, c, total)) {
      c.at_least(level::weak, "78 78, length {}, protocol 0x{:02x} ({})", len, type, message_name(type));
      return;
    }
    c.at_most(0.1, "78 78 but no 0D 0A at the end of the {} bytes the length byte declares", total);
  }

  static void extended(const Bytes& b, Findings& out) {
    auto& c = out.add(gt06);
    c.at_least(level::prefix, "79 79 start marker (GT06 extended frame)");
    const auto len = b.be16(2);
    if (!len || !b.has(5)) {
      c.wants(len ? *len + 6u : 0u);
      return;
    }
    const std::size_t total = *len + 6u;
    if (*len < 5) {
      c.at_most(0.1, "length {} is too small for a GT06 frame", *len);
      return;
    }
    if (!have_frame(b, c, total)) {
      c.at_least(level::weak, "79 79, length {}, protocol 0x{:02x}", *len, b.at(4));
      return;
    }
    if (b.at(total - 2) != '\r' || b.at(total - 1) != '\n') {
      c.at_most(0.1, "79 79 but no 0D 0A at the end of the {} bytes the length declares", total);
      return;
    }
    c.uses(total);
    c.at_least(level::structure, "length {} places 0D 0A at the end: {} bytes, {} (0x{:02x})", *len, total,
               message_name(b.at(4)), b.at(4));
    const auto crc = b.be16(total - 4);
    const auto want = crc16_x25(b.range(2, *len));
    if (crc == want)
      c.at_least(level::integrity, "CRC-16/X-25 {:04x} is right", want);
    else
      c.at_most(level::failed, "CRC-16/X-25 is {:04x}, the frame says {:04x}", want, crc.value_or(0));
  }

  static void gt02_frame(const Bytes& b, Findings& out) {
    auto& c = out.add(gt02);
    c.at_least(level::prefix, "68 68 start marker (GT02)");
    if (!b.has(3)) {
      c.wants(0);
      return;
    }
    const std::size_t total = static_cast<std::size_t>(b.at(2)) + 5;
    if (!have_frame(b, c, total)) {
      c.at_least(level::weak, "68 68 and a length byte");
      return;
    }
    if (b.at(total - 2) != '\r' || b.at(total - 1) != '\n') {
      c.at_most(0.1, "68 68 but no 0D 0A at the end of the {} bytes the length byte declares", total);
      return;
    }
    c.uses(total);
    c.at_least(0.75, "length byte places 0D 0A at the end of the {}-byte frame", total);
    if (auto d = bcd_at(b, 5, 8)) {
      c.at_least(level::structure, "8 BCD bytes at offset 5, where GT02 carries the IMEI");
      identify(c, device_id_from_bcd(*d), "IMEI");
    } else {
      c.at_most(0.5, "bytes 5-12 are not BCD, so no IMEI where GT02 carries it");
    }
  }
};

const Gt06Probe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_gt06
