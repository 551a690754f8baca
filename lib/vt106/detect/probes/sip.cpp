// SIP requests (RFC 3261): "METHOD sip:… SIP/2.0" — scanners hit 5060, inside Traccar's port range.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_sip {
namespace {

constexpr ProtocolInfo sip{"sip", "SIP request", Category::other, 5060, true, true, false};
constexpr const ProtocolInfo* family_protocols[] = {&sip};
constexpr std::string_view methods[] = {"OPTIONS ", "REGISTER ", "INVITE ", "ACK ", "BYE ", "CANCEL ",
                                        "SUBSCRIBE ", "NOTIFY ", "MESSAGE ", "INFO "};

class SipProbe final : public Probe {
 public:
  std::string_view family() const override { return "sip"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override {
    return std::any_of(std::begin(methods), std::end(methods),
                       [c](std::string_view m) { return c == static_cast<unsigned char>(m[0]); });
  }
  Match quick(const Bytes& b) const override {
    for (auto m : methods)
      if (b.starts_with(m)) return Match::maybe;
    return Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    const std::size_t sp = b.find(' ');
    const Bytes uri = b.range(sp + 1, 5);
    const bool sip_uri = uri.starts_with("sip:") || uri.starts_with("sips:");
    if (!sip_uri && !(uri.size() < 5 && (uri.empty() || uri.is_prefix_of("sips:") || uri.is_prefix_of("sip:"))))
      return;
    auto& c = out.add(sip);
    if (!sip_uri) {
      c.at_least(level::prefix, "{} and the start of a URI", b.text(0, sp)).wants(0);
      return;
    }
    c.at_least(level::signature, "{} with a sip: URI", b.text(0, sp));
    const std::size_t eol = b.find("\r\n", 0, 2048);
    if (eol == Bytes::npos) {
      c.wants(0);
      return;
    }
    c.uses(eol + 2);
    if (b.text(0, eol).ends_with(" SIP/2.0")) c.at_least(0.95, "request line ends SIP/2.0");
    if (const std::size_t ua = b.find("User-Agent:", eol, 2048); ua != Bytes::npos) {
      const std::size_t end = b.find("\r\n", ua, 2048);
      c.note("{}", quote(b.text(ua, end == Bytes::npos ? 60 : end - ua), 60));
    }
  }
};

const SipProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_sip
