// Wialon IPS 1.1/2.0: "#TYPE#payload\r\n" (L login, SD/D data, B black box, P ping, M message,
// I image) with a CRC-16 hex field in 2.0 and "[2.0;]<id>#D#…" over UDP, per Gurtam's Wialon IPS
// protocol document and Traccar's WialonProtocolDecoder.
#include "vt106/detect/probe.hpp"
#include "vt106/util/text.hpp"

namespace vt106::detect::probe_wialon {
namespace {

constexpr ProtocolInfo wialon{"wialon", "Wialon IPS 1.1/2.0", Category::tracker, 5039, true, true, true};
constexpr const ProtocolInfo* family_protocols[] = {&wialon};
constexpr std::size_t max_line = 2048;
constexpr std::string_view types[] = {"L", "SD", "D", "B", "P", "M", "I", "US", "UC"};

class WialonProbe final : public Probe {
 public:
  std::string_view family() const override { return "wialon"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '#' || (c >= '0' && c <= '9'); }
  Match quick(const Bytes& b) const override {
    if (b.at(0) == '#') return b.size() == 1 || is_upper(b.at(1)) ? Match::maybe : Match::no;
    return b.at(0) >= '0' && b.at(0) <= '9' ? Match::maybe : Match::no;  // UDP "[2.0;]<id>#D#"
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    std::size_t hash = 0;
    if (b.at(0) != '#') {
      // UDP: optional "2.0;" then the id, then '#'.
      std::size_t at = b.starts_with("2.0;") || b.starts_with("1.1;") ? 4 : 0;
      const std::size_t id_len = b.printable_at(at);
      hash = b.find('#', at, at + 32);
      if (hash == Bytes::npos || hash - at == 0 || id_len < hash - at) return;
    }
    const std::size_t type_at = hash + 1;
    std::size_t n = 0;
    while (is_upper(b.at(type_at + n)) && n < 3) ++n;
    if (!b.has(type_at + n + 1)) {
      if (hash == 0) out.add(wialon).at_least(level::prefix, "'#' and a letter, as a Wialon IPS message begins").wants(0);
      return;
    }
    const std::string_view type = b.text(type_at, n);
    if (b.at(type_at + n) != '#' || std::find(std::begin(types), std::end(types), type) == std::end(types)) return;
    auto& c = out.add(wialon);
    const std::size_t payload = type_at + n + 1;
    c.at_least(level::signature, "Wialon IPS '#{}#' {}{}", type, hash ? "after the id, as over UDP" : "message",
               type == "L" ? " (login)" : type == "P" ? " (ping)" : "");
    const std::size_t eol = b.find("\r\n", payload, max_line);
    if (eol == Bytes::npos) {
      c.wants(0);
      return;
    }
    if (b.first(eol).printable_at(0) < eol) {
      c.at_most(level::weak, "non-printable bytes before the CRLF");
      return;
    }
    c.uses(eol + 2);
    c.at_least(type == "P" || type == "L" ? 0.75 : level::structure, "ended by CRLF after {} bytes", eol + 2);
    const std::string_view body = b.text(payload, eol - payload);
    if (type == "L") {
      // "2.0;imei;password;crc" or "imei;password".
      std::string_view rest = body;
      if (rest.substr(0, 4) == "2.0;") rest.remove_prefix(4);
      const std::string_view id = rest.substr(0, rest.find(';'));
      if (!id.empty()) identify(c, device_id_from_text(id), "device id");
      if (body.substr(0, 4) == "2.0;") c.adjust(0.08);
    } else if (hash) {
      const std::size_t at = b.starts_with("2.0;") || b.starts_with("1.1;") ? 4 : 0;
      identify(c, device_id_from_text(b.text(at, hash - at)), "device id");
    }
    if (in.server.starts_with("#AL#") || in.server.starts_with("#AD#") || in.server.starts_with("#AP#"))
      c.note("the server answered {} as a Wialon IPS server does", quote(in.server.text(), 8));
    // Wialon IPS 2.0: the last field is a CRC-16 (ARC) of everything after "#TYPE#" up to it.
    const auto semi = body.rfind(';');
    if (type != "L" && semi != std::string_view::npos && body.size() - semi - 1 == 4) {
      const auto want = crc16_arc(Bytes(body.substr(0, semi + 1)));
      const auto got = util::parse_int<unsigned>(body.substr(semi + 1), 16);
      if (got && *got == want) c.at_least(level::integrity, "Wialon IPS 2.0 CRC-16 {:04X} is right", want);
      else if (got) c.at_most(level::failed, "the CRC-16 field {} does not match ({:04X})", body.substr(semi + 1), want);
    }
  }
};

const WialonProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_wialon
