// SMB over NetBIOS session service: 00 + 3-byte length + "\xffSMB" (SMB1, MS-SMB) or "\xfeSMB"
// (SMB2/3, MS-SMB2 §2.2.1).
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_smb {
namespace {

constexpr ProtocolInfo smb{"smb", "SMB over NetBIOS session", Category::other, 445, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&smb};

class SmbProbe final : public Probe {
 public:
  std::string_view family() const override { return "smb"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x00; }
  Match quick(const Bytes& b) const override { return b.at(0) == 0x00 ? Match::maybe : Match::no; }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(8)) return;
    const int v = b.at(4);
    if ((v != 0xff && v != 0xfe) || b.text(5, 3) != "SMB") return;
    auto& c = out.add(smb);
    const std::size_t len = (static_cast<std::size_t>(b.at(1)) << 16) | *b.be16(2);
    c.uses(8);
    c.at_least(0.95, "NetBIOS session length {} and the {} signature {:02x} 'SMB'", len, v == 0xfe ? "SMB2" : "SMB1", v);
  }
};

const SmbProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_smb
