// MQTT CONNECT (MQTT 3.1 "MQIsdp" level 3, 3.1.1 and 5.0 "MQTT" level 4/5): an MQTT-speaking
// device pointed at a plain tracker port; the client id often is the device's IMEI.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_mqtt {
namespace {

constexpr ProtocolInfo mqtt{"mqtt", "MQTT CONNECT", Category::other, 1883, true, false, true};
constexpr const ProtocolInfo* family_protocols[] = {&mqtt};

class MqttProbe final : public Probe {
 public:
  std::string_view family() const override { return "mqtt"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x10; }
  Match quick(const Bytes& b) const override { return b.at(0) == 0x10 ? Match::maybe : Match::no; }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    // Remaining length: 1 to 4 bytes, 7 bits each, low first.
    std::size_t remaining = 0, at = 1;
    for (int shift = 0; shift < 28; shift += 7, ++at) {
      const int v = b.at(at);
      if (v < 0) return;
      remaining |= static_cast<std::size_t>(v & 0x7f) << shift;
      if (!(v & 0x80)) break;
    }
    ++at;
    const Bytes rest = b.from(at);
    const bool v311 = rest.starts_with(std::string_view("\x00\x04MQTT", 6));
    const bool v31 = rest.starts_with(std::string_view("\x00\x06MQIsdp", 8));
    if (!v311 && !v31) {
      if (rest.size() < 8 && (rest.empty() || rest.is_prefix_of(std::string_view("\x00\x04MQTT", 6)) ||
                              rest.is_prefix_of(std::string_view("\x00\x06MQIsdp", 8))))
        out.add(mqtt).at_least(level::prefix, "10 and a remaining length, as an MQTT CONNECT begins").wants(0);
      return;
    }
    auto& c = out.add(mqtt);
    const std::size_t level_at = at + (v311 ? 6 : 8);
    const int lvl = b.at(level_at);
    c.at_least(0.8, "CONNECT with protocol name {}", v311 ? "MQTT" : "MQIsdp");
    if (lvl >= 0 && !((v311 && (lvl == 4 || lvl == 5)) || (v31 && lvl == 3))) {
      c.at_most(0.5, "protocol level {} does not go with that name", lvl);
      return;
    }
    const std::size_t total = at + remaining;
    if (!have_frame(b, c, total)) return;
    c.uses(total);
    c.at_least(0.97, "protocol level {} and a remaining length of {} that ends the packet", lvl, remaining);
    // Client id: a 2-byte length and the text, after flags (1), keep-alive (2) and, in MQTT 5,
    // the properties (a one-byte length here).
    std::size_t id_at = level_at + 4;
    if (lvl == 5) id_at += 1 + static_cast<std::size_t>(std::max(b.at(id_at), 0));
    const auto id_len = b.be16(id_at);
    if (id_len && *id_len > 0 && b.has(id_at + 2 + *id_len) && b.range(id_at + 2, *id_len).printable_at(0) == *id_len)
      identify(c, device_id_from_text(b.text(id_at + 2, *id_len)), "MQTT client id");
  }
};

const MqttProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_mqtt
