// NavTelecom (Traccar "navis"): NTCB packets "@NTC" + ids + length + XOR sums, the FLEX frames
// "~A ~T ~C ~E ~X" with CRC-8 that follow the handshake, and the 7F keep-alive, per NavTelecom's
// NTCB/FLEX documents and Traccar's NavisFrameDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_navis {
namespace {

constexpr ProtocolInfo navis{"navis", "NavTelecom Signal S-2xxx (NTCB, FLEX)", Category::tracker, 5019, true, false,
                             false};
constexpr const ProtocolInfo* family_protocols[] = {&navis};

bool flex_type(int c) { return c == 'A' || c == 'T' || c == 'C' || c == 'E' || c == 'X'; }

class NavisProbe final : public Probe {
 public:
  std::string_view family() const override { return "navis"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x7f || c == '@' || c == 0x7e; }
  Match quick(const Bytes& b) const override {
    if (b.size() == 1 && b.at(0) == 0x7f) return Match::yes;
    if (b.is_prefix_of("@NTC")) return Match::need_more;
    if (b.starts_with("@NTC")) return Match::maybe;
    return b.at(0) == 0x7e && (b.size() == 1 || flex_type(b.at(1))) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.size() == 1 && b.at(0) == 0x7f) {
      out.add(navis).at_least(0.45, "a single 0x7F: the NavTelecom keep-alive").uses(1);
      return;
    }
    if (b.at(0) == 0x7e) return flex(b, out);
    auto& c = out.add(navis);
    c.at_least(b.has(4) ? level::signature : level::prefix, "\"@NTC\", the NTCB packet signature");
    if (!b.has(16)) {
      c.wants(0);
      return;
    }
    const std::size_t len = *b.le16(12);
    if (xor8(b.first(15)) != b.at(15)) {
      c.at_most(0.4, "the header XOR is {:02x}, the packet says {:02x}", xor8(b.first(15)), b.at(15));
      return;
    }
    c.at_least(0.8, "header XOR {:02x} is right", b.at(15));
    if (!have_frame(b, c, 16 + len)) return;
    c.uses(16 + len);
    if (xor8(b.range(16, len)) == b.at(14)) c.at_least(level::integrity, "data XOR {:02x} is right", b.at(14));
    else c.at_most(0.7, "the data XOR does not match");
    const std::string_view data = b.text(16, len);
    if (data.substr(0, 4) == "*>S:") {
      c.note("handshake '*>S:<IMEI>' (the server answers '*<S')");
      if (Bytes(data.substr(4)).digits_at(0) == 15) identify(c, device_id_from_text(data.substr(4, 15)), "IMEI");
    } else if (data.substr(0, 6) == "*>FLEX") {
      c.note("FLEX negotiation '*>FLEX'");
    }
  }

 private:
  static void flex(const Bytes& b, Findings& out) {
    if (!b.has(2)) return;
    auto& c = out.add(navis);
    c.at_least(level::prefix, "~{:c}: a NavTelecom FLEX frame", static_cast<char>(b.at(1)));
    c.note("FLEX frames follow an @NTC handshake on the same connection: the capture began mid-flow");
    if (!b.has(4)) {
      c.wants(0);
      return;
    }
    // Frame length depends on the negotiated field set; the CRC-8 over the whole frame is the proof.
    if (crc8_egts(b.first(b.size() - 1)) == b.at(b.size() - 1)) {
      c.uses(b.size());
      c.at_least(0.9, "CRC-8 (poly 31, init FF) over the {} bytes is right", b.size());
    } else {
      c.at_most(0.25, "no CRC-8 closes the bytes");
    }
  }
};

const NavisProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_navis
