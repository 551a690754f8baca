// Queclink @Track: GL200-family text "+RESP:GTxxx,<version>,<IMEI>,…$" and binary "+RSP"/"+EVT"/…
// frames, and the older GL100 text (IMEI second, NUL-terminated), per Queclink's @Track
// protocol documents and Traccar's Gl200FrameDecoder and Gl100ProtocolDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_queclink {
namespace {

constexpr ProtocolInfo gl200{"gl200", "Queclink GV/GL/GMT (@Track, text and binary)", Category::tracker, 5004, true,
                             true, true};
constexpr ProtocolInfo gl100{"gl100", "Queclink GL100, GT300 (older @Track text)", Category::tracker, 5003, true,
                             true, false};
constexpr const ProtocolInfo* family_protocols[] = {&gl200, &gl100};
constexpr std::size_t max_text = 2048;

// Where the binary frame types keep their length: offset and size in bytes.
struct LengthField {
  std::string_view head;
  std::size_t at, size;
};
constexpr LengthField binary_lengths[] = {
    {"+ACK", 6, 1}, {"+HBD", 5, 1}, {"+INF", 7, 2}, {"+BNF", 7, 2}, {"+CRD", 6, 2}, {"+BRD", 6, 2},
    {"+LGN", 6, 2}, {"+RSP", 9, 2}, {"+BSP", 9, 2}, {"+EVT", 9, 2}, {"+BVT", 9, 2},
};

class QueclinkProbe final : public Probe {
 public:
  std::string_view family() const override { return "queclink"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'A' || c == '+'; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("AT+GT")) return Match::need_more;
    if (b.starts_with("AT+GT")) return Match::maybe;
    if (b.at(0) != '+') return Match::no;
    return b.size() == 1 ? Match::need_more : Match::maybe;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.starts_with("AT+GT") || b.is_prefix_of("AT+GT")) return at_command(b, out);
    for (std::string_view head : {"+RESP:GT", "+BUFF:GT", "+ACK:GT"}) {
      if (b.is_prefix_of(head)) {
        out.add(gl200).at_least(b.size() >= 4 ? level::weak : level::prefix, "the bytes begin {}", head).wants(0);
        return;
      }
      if (b.starts_with(head)) return text(b, head.size(), out);
    }
    binary(b, out);
  }

 private:
  static void text(const Bytes& b, std::size_t type_at, Findings& out) {
    Cursor c(b, type_at);
    c.upper(3, 3).lit(",");
    if (c.bad()) return;
    if (c.ended()) {
      out.add(gl200).at_least(level::weak, "{}: a Queclink text report begins", quote(b.text(0, type_at))).wants(0);
      return;
    }
    const std::string_view report = b.text(0, type_at + 3);
    // GL200 family: 2nd field a 6-hex-digit protocol version, 3rd the IMEI; GL100: the IMEI.
    const std::size_t f2 = c.pos();
    const bool version = b.hex_digits_at(f2) == 6 && b.at(f2 + 6) == ',';
    const std::size_t imei_at = version ? f2 + 7 : f2;
    const bool imei = b.digits_at(imei_at) == 15 && b.at(imei_at + 15) == ',';
    auto& c200 = out.add(gl200);
    auto& c100 = out.add(gl100);
    c200.at_least(level::signature, "{} report header", report);
    c100.at_least(level::weak, "{} report header", report);
    if (!b.has(imei_at + 16)) {
      c200.wants(0);
      c100.wants(0);
      return;
    }
    if (version) {
      c200.at_least(0.7, "protocol version {} (device type {}) before the IMEI", b.text(f2, 6), b.text(f2, 2));
      c100.at_most(0.2, "a protocol-version field, which GL100 does not send");
    } else if (imei) {
      c100.at_least(0.6, "the IMEI right after the report type, without a protocol version: GL100");
      c200.at_most(0.4, "no protocol-version field before the IMEI");
    }
    if (imei) {
      identify(c200, device_id_from_text(b.text(imei_at, 15)), "IMEI");
      identify(c100, device_id_from_text(b.text(imei_at, 15)), "IMEI");
    }
    const std::size_t dollar = b.find('$', imei_at, max_text), nul = b.find('\0', imei_at, max_text);
    const std::size_t end = std::min(dollar, nul);
    if (end == Bytes::npos) {
      c200.wants(0);
      c100.wants(0);
      return;
    }
    c200.uses(end + 1);
    c100.uses(end + 1);
    if (end == dollar) {
      c200.at_least(level::structure, "ended by '$' after {} bytes", end + 1);
      c100.note("ended by '$', where GL100 sends a NUL");
    } else {
      c100.at_least(level::structure, "ended by a NUL after {} bytes", end + 1);
      c200.at_least(0.7, "ended by a NUL after {} bytes (GL200 firmware usually sends '$')", end + 1);
    }
  }

  static void at_command(const Bytes& b, Findings& out) {
    auto& c = out.add(gl100);
    c.at_least(b.size() >= 5 ? level::signature : level::prefix, "'AT+GT', the GL100 heartbeat/command form");
    if (!b.has(5)) {
      c.wants(0);
      return;
    }
    const std::size_t nul = b.find('\0', 5, max_text);
    const std::size_t comma = b.find(',', 5, 64);
    if (comma != Bytes::npos && b.digits_at(comma + 1) == 15)
      identify(c, device_id_from_text(b.text(comma + 1, 15)), "IMEI");
    if (nul == Bytes::npos) {
      c.wants(0);
      return;
    }
    c.uses(nul + 1);
    c.at_least(level::structure, "ended by a NUL after {} bytes", nul + 1);
  }

  static void binary(const Bytes& b, Findings& out) {
    std::size_t len_at = 0, len_size = 0;
    std::string_view head;
    if (b.at(1) == 0x00) {
      len_at = 2;
      len_size = 2;
      head = "'+' 00";
    } else {
      for (const auto& f : binary_lengths) {
        if (b.is_prefix_of(f.head) && b.size() < 4) {
          out.add(gl200).at_least(level::prefix, "the bytes begin {}", f.head).wants(0);
          return;
        }
        if (b.starts_with(f.head) && !(f.head == "+ACK" && b.at(4) == ':')) {
          len_at = f.at;
          len_size = f.size;
          head = f.head;
        }
      }
    }
    if (!len_size) return;
    auto& c = out.add(gl200);
    c.at_least(level::weak, "{}: a Queclink binary frame type", head);
    if (!b.has(len_at + len_size)) {
      c.wants(0);
      return;
    }
    const std::size_t total = len_size == 1 ? static_cast<std::size_t>(b.at(len_at)) : *b.be16(len_at);
    if (total < len_at + len_size) {
      c.at_most(0.1, "length {} at offset {} is too short", total, len_at);
      return;
    }
    if (!have_frame(b, c, total)) return;
    c.uses(total);
    const bool crlf = b.at(total - 2) == '\r' && b.at(total - 1) == '\n';
    if (b.size() == total || crlf || b.at(total) == '+') {
      c.at_least(crlf ? level::structure : 0.75, "the length at offset {} covers the {}-byte frame{}", len_at, total,
                 crlf ? ", which ends 0D 0A" : "");
      if (len_at == 2) {
        if (auto d = bcd_at(b, 5, 8)) identify(c, device_id_from_bcd(*d), "IMEI (8 BCD bytes)");
      }
    } else {
      c.at_most(0.2, "the length at offset {} does not end the frame", len_at);
    }
  }
};

const QueclinkProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_queclink
