// EGTS (GOST R 54619, the transport of ERA-GLONASS-era terminals): protocol version 01, header
// length 11 or 16 with a CRC-8, then the data with a CRC-16, per GOST R 54619-2011 and Traccar's
// EgtsFrameDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_egts {
namespace {

constexpr ProtocolInfo egts{"egts", "EGTS (GOST R 54619)", Category::tracker, 5162, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&egts};

class EgtsProbe final : public Probe {
 public:
  std::string_view family() const override { return "egts"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x01; }
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
    identity(b, header, header + data, c);
    const auto dcrc = crc16_ccitt_false(b.range(header, data));
    if (b.le16(header + data) == dcrc) c.at_least(level::integrity, "data CRC-16 {:04x} is right", dcrc);
    else c.at_most(level::failed, "data CRC-16 is {:04x}, the packet says {:04x}", dcrc, b.le16(header + data).value_or(0));
  }

 private:
  // The first record: length, number, flags (bit 0 object id, bit 1 event id, bit 2 time), service
  // types, then subrecords (type, length, data). A terminal identity (type 1) names the device by
  // its IMEI (flag bit 1), IMSI (bit 2) or phone number (bit 7), as Traccar looks them up in
  // that order; without one, Traccar uses the record's object id.
  static void identity(const Bytes& b, std::size_t at, std::size_t end, Candidate& c) {
    const auto rlen = b.le16(at);
    const int rflags = b.at(at + 4);
    if (!rlen || rflags < 0) return;
    std::optional<std::uint32_t> object;
    std::size_t p = at + 5;
    if (rflags & 1) object = b.le32(p), p += 4;
    if (rflags & 2) p += 4;
    if (rflags & 4) p += 4;
    p += 2;  // service types
    const std::size_t rend = std::min(end, p + *rlen);
    auto text_id = [&](std::size_t q, std::size_t n) {
      std::string_view t = b.text(q, n);
      while (!t.empty() && static_cast<unsigned char>(t.back()) <= 0x20) t.remove_suffix(1);
      while (!t.empty() && static_cast<unsigned char>(t.front()) <= 0x20) t.remove_prefix(1);
      return Bytes(t).printable_at(0) == t.size() ? t : std::string_view();
    };
    while (p + 3 <= rend) {
      const int type = b.at(p);
      const auto slen = b.le16(p + 1);
      if (!slen) return;
      const std::size_t q0 = p + 3;
      if (type == 1 && b.has(q0 + 5)) {
        const int f = b.at(q0 + 4);
        std::size_t q = q0 + 5;
        if (f & 1) q += 2;
        std::string_view imei = (f & 2) ? text_id(q, 15) : std::string_view();
        if (f & 2) q += 15;
        std::string_view imsi = (f & 4) ? text_id(q, 16) : std::string_view();
        if (f & 4) q += 16;
        if (f & 8) q += 3;
        if (f & 32) q += 3;
        if (f & 64) q += 2;
        std::string_view msisdn = (f & 128) ? text_id(q, 15) : std::string_view();
        for (auto [id, what] : {std::pair{imei, "IMEI (terminal identity)"}, std::pair{imsi, "IMSI (terminal identity)"},
                                std::pair{msisdn, "phone number (terminal identity)"}})
          if (!id.empty()) {
            identify(c, device_id_from_text(id), what);
            return;
          }
        return;
      }
      p = q0 + *slen;
    }
    if (object && *object != 0) identify(c, device_id_from_text(std::to_string(*object)), "object id (record)");
  }
};

const EgtsProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_egts
