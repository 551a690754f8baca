// Xexun: the text TK102/TK103 form ("YYMMDDhhmmss,phone,GPRMC,…,imei:<15>,") and the binary
// Xexun2 frames (FA AF … FA AF), per Traccar's XexunProtocolDecoder and Xexun2FrameDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_xexun {
namespace {

constexpr ProtocolInfo xexun{"xexun", "Xexun TK102/TK103 text", Category::tracker, 5006, true, false, false};
constexpr ProtocolInfo xexun2{"xexun2", "Xexun binary (Xexun2)", Category::tracker, 5233, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&xexun, &xexun2};
constexpr std::size_t max_text = 1024;

class XexunProbe final : public Probe {
 public:
  std::string_view family() const override { return "xexun"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0xfa || c == 'G' || (c >= '0' && c <= '9'); }
  Match quick(const Bytes& b) const override {
    if (b.at(0) == 0xfa) return b.size() == 1 || b.at(1) == 0xaf ? Match::maybe : Match::no;
    if (b.at(0) == 'G' || (b.at(0) >= '0' && b.at(0) <= '9')) return Match::maybe;
    return Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    if (in.client.at(0) == 0xfa) return binary(in.client, out);
    text(in.client, out);
  }

 private:
  static void text(const Bytes& b, Findings& out) {
    std::size_t rmc = 0;
    if (b.digits_at(0) == 12 && b.at(12) == ',') {
      rmc = b.find(",GPRMC,", 13, 64);
      if (rmc == Bytes::npos) rmc = b.find(",GNRMC,", 13, 64);
      if (rmc == Bytes::npos) {
        if (b.size() < 64 && b.find(',', 13) == Bytes::npos)
          out.add(xexun).at_least(level::prefix, "a 12-digit date-time and ',', as Xexun text begins").wants(0);
        return;
      }
      ++rmc;
    } else if (!b.starts_with("GPRMC,") && !b.starts_with("GNRMC,")) {
      if (b.is_prefix_of("GPRMC,") || b.is_prefix_of("GNRMC,"))
        out.add(xexun).at_least(level::prefix, "the bytes begin GPRMC").wants(0);
      return;
    }
    auto& c = out.add(xexun);
    c.at_least(level::weak, "{}an RMC sentence without '$', as Xexun sends", rmc ? "a date-time, a phone number and " : "");
    const std::size_t imei = b.find("imei:", rmc, max_text);
    if (imei == Bytes::npos || !b.has(imei + 21)) {
      c.wants(0);
      return;
    }
    if (b.digits_at(imei + 5) != 15) {
      c.at_most(0.3, "'imei:' is not followed by 15 digits");
      return;
    }
    c.uses(imei + 21);
    c.at_least(level::structure, "'imei:' + 15 digits after the RMC sentence");
    identify(c, device_id_from_text(b.text(imei + 5, 15)), "IMEI");
    const std::size_t star = b.find('*', rmc, imei);
    if (star != Bytes::npos) {
      if (nmea_checksum_ok(b, rmc, star)) c.at_least(level::integrity - 0.02, "the RMC checksum *{} is right", b.text(star + 1, 2));
      else c.note("the RMC checksum *{} does not match", b.text(star + 1, 2));
    }
  }

  // FA AF, command, serial, 8-byte BCD IMEI, length, checksum, payload, FA AF.
  static void binary(const Bytes& b, Findings& out) {
    auto& c = out.add(xexun2);
    c.at_least(level::prefix, "FA AF, the Xexun2 frame marker");
    if (!b.has(18)) {
      c.wants(0);
      return;
    }
    const std::size_t total = 18u + *b.be16(14) + 2u;
    c.at_least(level::weak, "command {:04x}, payload length {}", *b.be16(2), *b.be16(14));
    if (!have_frame(b, c, total)) return;
    if (b.at(total - 2) != 0xfa || b.at(total - 1) != 0xaf) {
      c.at_most(0.15, "no FA AF where the length ends the frame");
      return;
    }
    c.uses(total);
    c.at_least(level::structure, "FA AF closes the frame where the payload length says ({} bytes)", total);
    if (auto d = bcd_at(b, 6, 8)) {
      DeviceId id = device_id_from_bcd(d->substr(0, 15));
      id.raw = *d;
      identify(c, std::move(id), "IMEI");
    }
  }
};

const XexunProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_xexun
