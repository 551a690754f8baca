// SSH identification string (RFC 4253 §4.2): "SSH-2.0-software comments\r\n", at most 255 bytes.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_ssh {
namespace {

constexpr ProtocolInfo ssh{"ssh", "SSH client", Category::other, 22, true, false, true};
constexpr const ProtocolInfo* family_protocols[] = {&ssh};

class SshProbe final : public Probe {
 public:
  std::string_view family() const override { return "ssh"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'S'; }
  Match quick(const Bytes& b) const override {
    return b.starts_with("SSH-") || (b.size() >= 2 && b.is_prefix_of("SSH-")) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    auto& c = out.add(ssh);
    if (!b.starts_with("SSH-2.0-") && !b.starts_with("SSH-1.99-") && !b.starts_with("SSH-1.5-")) {
      if (b.is_prefix_of("SSH-2.0-") || b.is_prefix_of("SSH-1.99-") || b.is_prefix_of("SSH-1.5-"))
        c.at_least(b.size() >= 4 ? level::signature : level::prefix, "the bytes begin an SSH identification").wants(0);
      return;
    }
    const std::size_t cr = b.find('\r', 0, 255);
    c.at_least(0.85, "SSH identification {}", quote(b.text(0, cr == Bytes::npos ? 64 : cr), 64));
    const std::size_t eol = b.find("\r\n", 0, 255);
    if (eol == Bytes::npos) {
      if (b.size() < 255) c.wants(0);
      else c.at_most(0.6, "no CRLF within 255 bytes");
      return;
    }
    c.uses(eol + 2);
    c.at_least(0.97, "ended by CRLF within 255 bytes (a scanner or an SSH client on the wrong port)");
  }
};

const SshProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_ssh
