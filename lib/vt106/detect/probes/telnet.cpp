// Telnet option negotiation (RFC 854/855): IAC (FF) followed by WILL/WONT/DO/DONT (FB-FE) and an
// option, from scanners and misdirected modem consoles.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_telnet {
namespace {

constexpr ProtocolInfo telnet{"telnet", "Telnet negotiation", Category::other, 23, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&telnet};

class TelnetProbe final : public Probe {
 public:
  std::string_view family() const override { return "telnet"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0xff; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) != 0xff) return Match::no;
    return b.size() == 1 || (b.at(1) >= 0xfb && b.at(1) <= 0xfe) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.size() == 1) {
      out.add(telnet).at_least(0.15, "FF could begin a Telnet command").wants(0);
      return;
    }
    // Options in use are numbered 0-49 (IANA telnet-options) or 255 (extended list).
    auto option = [](int o) { return (o >= 0 && o <= 49) || o == 255; };
    std::size_t commands = 0, at = 0;
    while (b.at(at) == 0xff && b.at(at + 1) >= 0xfb && b.at(at + 1) <= 0xfe && option(b.at(at + 2))) {
      ++commands;
      at += 3;
    }
    auto& c = out.add(telnet);
    if (commands == 0) {
      if (b.has(3)) c.at_most(0.1, "IAC and a verb, but option {} is not a Telnet option", b.at(2));
      c.at_least(level::weak, "IAC and a negotiation verb").wants(3);
      return;
    }
    c.uses(at);
    c.at_least(commands >= 2 ? 0.95 : 0.6, "{} Telnet option negotiation command(s) (IAC WILL/WONT/DO/DONT)", commands);
  }
};

const TelnetProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_telnet
