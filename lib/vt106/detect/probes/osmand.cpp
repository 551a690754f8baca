// OsmAnd protocol (Traccar Client, OsmAnd and many phone apps): an HTTP request whose query or
// JSON body carries id, lat/lon or location, timestamp; per Traccar's OsmAndProtocolDecoder.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_osmand {
namespace {

constexpr ProtocolInfo osmand{"osmand", "OsmAnd/Traccar Client HTTP", Category::tracker, 5055, true, false, true};
constexpr const ProtocolInfo* family_protocols[] = {&osmand};
constexpr std::size_t max_head = 2048;

// The value of query key `key` in the target ("/?id=1&lat=2"), when present.
std::optional<std::string_view> query_value(std::string_view target, std::string_view key) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (pair.substr(0, key.size()) == key && pair.size() > key.size() && pair[key.size()] == '=')
      return pair.substr(key.size() + 1);
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

class OsmandProbe final : public Probe {
 public:
  std::string_view family() const override { return "osmand"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'G' || c == 'P'; }
  Match quick(const Bytes& b) const override {
    return b.starts_with("GET /") || b.starts_with("POST /") ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    const std::size_t eol = b.find("\r\n", 0, max_head);
    if (eol == Bytes::npos) return;  // the HTTP probe says "need more" for a partial request line
    const std::string_view line = b.text(0, eol);
    const auto sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == sp2 || line.substr(sp2 + 1, 7) != "HTTP/1.") return;
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    auto id = query_value(target, "id");
    if (!id) id = query_value(target, "deviceid");
    const bool position = (query_value(target, "lat") && query_value(target, "lon")) || query_value(target, "location");
    // The JSON form (Traccar's decodeJson): "device_id" and a "location" object, with "coords"
    // when it holds a fix. "location" alone is any JSON feed (Polte's has one too).
    const std::string_view all = b.text();
    const bool json = b.find("\"location\":{") != Bytes::npos || b.find("\"location\": {") != Bytes::npos;
    const bool coords = json && b.find("\"coords\"") != Bytes::npos;
    std::optional<std::string_view> json_id;
    if (json) {
      for (std::string_view key : {"\"device_id\":\"", "\"device_id\": \""}) {
        const auto k = b.find(key);
        if (k == Bytes::npos) continue;
        const auto v = k + key.size();
        const auto q = all.find('"', v);
        if (q != std::string_view::npos && q > v && q - v <= 64) json_id = all.substr(v, q - v);
        break;
      }
    }
    if (!id && !json) return;
    auto& c = out.add(osmand);
    c.uses(eol + 2);
    if (id && position) {
      c.at_least(0.96, "HTTP request whose query carries {}, lat/lon and the other OsmAnd keys",
                 query_value(target, "id") ? "id" : "deviceid");
    } else if (json && json_id && coords) {
      c.at_least(0.85, "HTTP POST with a JSON body holding \"location\" with \"coords\" and \"device_id\" (OsmAnd "
                       "JSON form)");
      identify(c, device_id_from_text(*json_id), "device_id");
    } else if (json && (json_id || coords)) {
      c.at_least(0.6, "HTTP POST with a JSON body holding \"location\" and {} (OsmAnd JSON form, so far)",
                 coords ? "\"coords\"" : "\"device_id\"");
      if (json_id) identify(c, device_id_from_text(*json_id), "device_id");
    } else if (json) {
      c.at_least(level::weak, "HTTP POST with a JSON body holding a \"location\" object");
    } else {
      c.at_least(0.6, "HTTP request with an OsmAnd device id but no position");
    }
    if (id) identify(c, device_id_from_text(*id), "device id");
  }
};

const OsmandProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_osmand
