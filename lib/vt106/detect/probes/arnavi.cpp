// Arnavi: the binary header FF + version 22..25 + 8-byte little-endian IMEI, the "[ … ]" parcels
// that follow it, and the "$AV,V3/V4," text form, per Arnavi's protocol and Traccar's Arnavi decoders.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_arnavi {
namespace {

constexpr ProtocolInfo arnavi{"arnavi", "Arnavi", Category::tracker, 5100, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&arnavi};

class ArnaviProbe final : public Probe {
 public:
  std::string_view family() const override { return "arnavi"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0xff || c == '[' || c == '$'; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) == 0xff) return b.size() == 1 || (b.at(1) >= 0x22 && b.at(1) <= 0x25) ? Match::maybe : Match::no;
    if (b.at(0) == '[') return b.size() == 1 || !is_printable(b.at(1)) ? Match::maybe : Match::no;
    if (b.is_prefix_of("$AV,V")) return b.size() >= 4 ? Match::need_more : Match::no;
    return b.starts_with("$AV,V") ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.at(0) == '[') return parcel(b, out);
    if (b.at(0) == '$') {
      auto& c = out.add(arnavi);
      c.at_least(b.size() >= 7 ? level::signature : level::prefix, "\"$AV,V\", Arnavi's text report");
      // "$AV,V<version>,<device id>,": the id is the third field.
      const std::size_t c1 = b.find(',', 4, 16);
      if (c1 != Bytes::npos) {
        const std::size_t n = b.digits_at(c1 + 1);
        if (n > 0 && b.at(c1 + 1 + n) == ',') identify(c, device_id_from_text(b.text(c1 + 1, n)), "device id");
      }
      const std::size_t eol = b.find("\r\n", 0, 2048);
      if (eol == Bytes::npos) {
        c.wants(0);
      } else {
        c.uses(eol + 2);
        c.at_least(0.75, "ended by CRLF");
      }
      return;
    }
    auto& c = out.add(arnavi);
    c.at_least(level::prefix, "FF then a version byte, as the Arnavi header begins");
    if (!have_frame(b, c, 10)) return;
    std::uint64_t imei = 0;
    for (std::size_t i = 10; i-- > 2;) imei = (imei << 8) | static_cast<std::uint64_t>(b.at(i));
    DeviceId id = device_id_from_integer(imei);
    c.uses(10);
    if (id.luhn == LuhnCheck::valid) {
      c.at_least(level::structure, "10-byte header FF {:02x} whose little-endian IMEI has a valid check digit", b.at(1));
    } else {
      c.at_least(0.4, "10-byte header FF {:02x}", b.at(1));
      if (imei > 999999999999999ull) c.at_most(0.2, "the 8 bytes after the version are not an IMEI");
    }
    identify(c, std::move(id), "IMEI (little-endian integer)");
  }

 private:
  // "[", parcel number, then records (type, little-endian length, UNIX time, data, checksum), "]".
  static void parcel(const Bytes& b, Findings& out) {
    if (!b.has(9)) return;
    auto& c = out.add(arnavi);
    c.at_least(level::prefix, "'[' then a binary parcel number, as an Arnavi parcel");
    const std::size_t len = *b.le16(3);
    const std::uint32_t time = *b.le32(5);
    const std::size_t total = 2 + 1 + 2 + 4 + len + 1 + 1;
    if (len > 1024 || time < 1262304000u || time > 2524608000u) {  // records are small; 2010 .. 2050
      c.at_most(0.1, "the record time is not a plausible UNIX time");
      return;
    }
    c.at_least(level::weak, "record type {:02x}, length {}, UNIX time {}", b.at(2), len, time);
    if (!have_frame(b, c, total)) return;
    if (b.at(total - 1) != ']') {
      c.at_most(0.2, "no ']' after the record");
      return;
    }
    c.uses(total);
    c.at_least(0.75, "one record fills the parcel up to ']'");
    c.note("parcels follow the FF 2x header on the same connection: the capture began mid-flow");
  }
};

const ArnaviProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_arnavi
