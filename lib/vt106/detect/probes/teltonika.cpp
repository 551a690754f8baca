// Teltonika (FMB/FMC/FMM, GH3000): the TCP IMEI login "00 0F" + 15 digits, AVL data packets with
// CRC-16/IBM, the single-byte 0xFF ping and the UDP datagram, per Teltonika's "Codec" wiki
// pages and Traccar's TeltonikaFrameDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_teltonika {
namespace {

constexpr ProtocolInfo teltonika{"teltonika", "Teltonika FMB/FMC/FMM, GH3000", Category::tracker, 5027, true, true,
                                 true};
constexpr const ProtocolInfo* family_protocols[] = {&teltonika};

bool known_codec(int c) {
  return c == 0x08 || c == 0x8e || c == 0x10 || c == 0x0c || c == 0x0d || c == 0x0e || c == 0x07;
}

class TeltonikaProbe final : public Probe {
 public:
  std::string_view family() const override { return "teltonika"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  Match quick(const Bytes& b) const override {
    if (b.size() == 1 && b.at(0) == 0xff) return Match::yes;
    if (b.at(0) == 0x00) return Match::maybe;                  // login or AVL data
    return b.has(8) && b.at(4) == 0x01 ? Match::maybe : Match::no;  // UDP: packet id then 01
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.size() == 1 && b.at(0) == 0xff) {
      out.add(teltonika).at_least(0.45, "a single 0xFF: the Teltonika keep-alive ping").uses(1);
      return;
    }
    if (b.at(0) == 0x00 && (b.at(1) == 0x0f || b.size() == 1)) return login(b, in, out);
    if (b.at(0) == 0x00 && b.at(1) == 0x00) avl(b, out);
    if (in.hints.transport != Transport::tcp) udp(b, out);
  }

 private:
  static void login(const Bytes& b, const ProbeInput& in, Findings& out) {
    if (b.size() > 2 && b.digits_at(2) < std::min<std::size_t>(b.size() - 2, 15)) return;
    auto& c = out.add(teltonika);
    if (!b.has(17)) {
      c.at_least(b.size() >= 4 ? level::weak : level::prefix, "00 0F and ASCII digits, as a Teltonika IMEI login "
                                                              "begins")
          .wants(17);
      return;
    }
    c.uses(17);
    c.at_least(level::structure, "00 0F + 15 ASCII digits: the Teltonika IMEI login (17 bytes)");
    identify(c, device_id_from_text(b.text(2, 15)), "IMEI");
    if (in.server.size() == 1 && (in.server.at(0) == 0x01 || in.server.at(0) == 0x00))
      c.note("the server answered {:02x}: IMEI {}", in.server.at(0), in.server.at(0) ? "accepted" : "rejected");
  }

  static void avl(const Bytes& b, Findings& out) {
    if (b.has(4) && *b.be32(0) != 0) return;
    auto& c = out.add(teltonika);
    if (!b.has(10)) {
      c.at_least(level::prefix, "00 00 00 00, as a Teltonika AVL packet begins").wants(0);
      return;
    }
    const std::size_t len = *b.be32(4);
    const int codec = b.at(8), count = b.at(9);
    if (!known_codec(codec) || len < 3 || len > 0xffff || count == 0) {
      c.at_most(0.1, "zero preamble but codec {:02x} / length {} / record count {} do not fit Teltonika", codec,
                len, count);
      return;
    }
    c.at_least(0.45, "zero preamble, data length {}, codec {:02x}, {} record(s): a Teltonika AVL packet", len, codec,
               count);
    c.note("AVL data without the IMEI login that opens every Teltonika connection: the capture began mid-flow");
    const std::size_t total = 8 + len + 4;
    if (!have_frame(b, c, total)) return;
    c.uses(total);
    if (b.at(8 + len - 1) != count) {
      c.at_most(0.3, "the closing record count {} differs from the opening {}", b.at(8 + len - 1), count);
      return;
    }
    c.at_least(level::structure, "the record count {} is repeated at the end of the data", count);
    const auto want = crc16_arc(b.range(8, len));
    if (b.be32(8 + len) == want) c.at_least(level::integrity, "CRC-16/IBM {:04x} is right", want);
    else c.at_most(level::failed, "CRC-16/IBM is {:04x}, the packet says {:08x}", want, b.be32(8 + len).value_or(0));
  }

  // UDP: length, packet id, 01, AVL packet id, 00 0F, IMEI, then AVL data.
  static void udp(const Bytes& b, Findings& out) {
    if (!b.has(23) || b.at(4) != 0x01 || b.at(6) != 0x00 || b.at(7) != 0x0f || b.digits_at(8) < 15) return;
    auto& c = out.add(teltonika);
    c.at_least(level::signature, "packet id, 01, 00 0F + 15-digit IMEI: a Teltonika UDP datagram");
    identify(c, device_id_from_text(b.text(8, 15)), "IMEI");
    const std::size_t total = *b.be16(0) + 2u;
    if (b.size() == total) {
      c.uses(total);
      c.at_least(level::structure, "the length {} covers the datagram", total - 2);
    }
  }
};

const TeltonikaProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_teltonika
