// CalAmp LMU (LMDirect over UDP): an options byte with bit 7 set, the mobile id (BCD, F-padded)
// and its type, then service type and message type, per CalAmp's LMDirect reference and
// Traccar's CalAmpProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_calamp {
namespace {

constexpr ProtocolInfo calamp{"calamp", "CalAmp LMU (LMDirect)", Category::tracker, 5082, false, true, false};
constexpr const ProtocolInfo* family_protocols[] = {&calamp};

class CalampProbe final : public Probe {
 public:
  std::string_view family() const override { return "calamp"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c >= 0x80 && (c & 0x03) == 0x03; }
  Match quick(const Bytes& b) const override {
    const int o = b.at(0);
    return o >= 0x80 && (o & 0x03) == 0x03 && (!b.has(2) || (b.at(1) >= 1 && b.at(1) <= 8)) ? Match::maybe
                                                                                                : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (!b.has(2)) return;
    const std::size_t id_len = static_cast<std::size_t>(b.at(1));
    const std::size_t type_len_at = 2 + id_len;
    if (!b.has(type_len_at + 6)) return;
    const auto id = bcd_at(b, 2, id_len, true);
    if (!id || id->size() < 6 || b.at(type_len_at) != 1 || b.at(type_len_at + 1) > 7) return;
    const int service = b.at(type_len_at + 2), message = b.at(type_len_at + 3);
    auto& c = out.add(calamp);
    c.uses(type_len_at + 6);
    if (service > 2 || message > 11) {
      c.at_most(0.15, "service type {} / message type {} are not LMDirect's", service, message);
      c.at_least(0.1, "options byte {:02x} and a BCD mobile id", b.at(0));
      return;
    }
    c.at_least(0.75, "options {:02x}, {}-byte BCD mobile id, id type {}, service type {}, message type {}", b.at(0),
               id_len, b.at(type_len_at + 1), service, message);
    identify(c, device_id_from_bcd(*id), "mobile id");
  }
};

const CalampProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_calamp
