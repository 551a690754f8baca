// TK102 binary: "[" + type byte + 10 ASCII digits + length byte + data + "]", per Traccar's
// Tk102ProtocolDecoder; byte 1 is not printable, which sets it apart from watch "[XX*".
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_tk102 {
namespace {

constexpr ProtocolInfo tk102{"tk102", "TK102 binary", Category::tracker, 5036, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&tk102};

std::string_view type_name(int t) {
  switch (t) {
    case 0x80: return "login";
    case 0x21: return "login (second form)";
    case 0xf0: return "heartbeat";
    case 0x90: case 0x93: return "report";
    default: return "";
  }
}

class Tk102Probe final : public Probe {
 public:
  std::string_view family() const override { return "tk102"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '['; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) != '[') return Match::no;
    if (b.size() == 1) return Match::need_more;
    return type_name(b.at(1)).empty() ? Match::no : Match::maybe;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    auto& c = out.add(tk102);
    c.at_least(level::prefix, "'[' then type byte {:02x} ({})", b.at(1), type_name(b.at(1)));
    if (!b.has(13)) {
      c.wants(0);
      return;
    }
    if (b.digits_at(2) < 10) {
      c.at_most(0.1, "no 10 ASCII digits after the type byte");
      return;
    }
    const std::size_t total = 13 + static_cast<std::size_t>(b.at(12)) + 1;
    c.at_least(level::weak, "10-digit sequence and length byte {}", b.at(12));
    if (!have_frame(b, c, total)) return;
    // The device is named by its login's data (Traccar's Tk102ProtocolDecoder): the data itself
    // for login 0x80, the IMEI after '(' for login 0x21; the ten digits are a sequence number.
    const std::string_view data = b.text(13, static_cast<std::size_t>(b.at(12)));
    if (b.at(1) == 0x80 && !data.empty()) identify(c, device_id_from_text(data), "device id (login data)");
    if (b.at(1) == 0x21 && data.size() > 1 && data[0] == '(') {
      std::size_t n = 1;
      while (n < data.size() && data[n] >= '0' && data[n] <= '9') ++n;
      if (n > 1) identify(c, device_id_from_text(data.substr(1, n - 1)), "IMEI (login data)");
    }
    if (b.at(total - 1) != ']') {
      c.at_most(0.2, "no ']' where the length byte ends the frame");
      return;
    }
    c.uses(total);
    c.at_least(level::structure, "length byte places ']' at the end of the {}-byte frame", total);
  }
};

const Tk102Probe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_tk102
