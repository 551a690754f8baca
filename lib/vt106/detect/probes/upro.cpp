// UPRO: "*" + two-letter head ("HQ", "AI", "MG", "VK") + "20" + ack flag + device id + "," +
// "&"-separated segments, ended by "#", per Traccar's UproProtocolDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_upro {
namespace {

constexpr ProtocolInfo upro{"upro", "UPRO", Category::tracker, 5095, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&upro};

class UproProbe final : public Probe {
 public:
  std::string_view family() const override { return "upro"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '*'; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) != '*') return Match::no;
    return !b.has(4) || (is_upper(b.at(1)) && is_upper(b.at(2)) && b.at(3) == '2') ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    Cursor c(b);
    std::size_t id_len = 0;
    c.lit("*").upper(2, 2).lit("20").one([](int ch) { return ch == '0' || ch == '1'; }).digits(10, 20, &id_len).lit(",");
    if (c.bad()) return;
    auto& cand = out.add(upro);
    if (c.ended()) {
      if (b.size() >= 4) cand.at_least(b.size() >= 8 ? level::weak : level::prefix, "'*{}20', as a UPRO header begins",
                                       b.text(1, 2)).wants(0);
      return;
    }
    cand.at_least(level::signature, "'*{}20' head, ack flag {}, {}-digit id and ','", b.text(1, 2),
                  static_cast<char>(b.at(5)), id_len);
    identify(cand, device_id_from_text(b.text(6, id_len)), "device id");
    const std::size_t end = b.find('#', c.pos(), 2048);
    if (end == Bytes::npos) {
      cand.wants(0);
      return;
    }
    cand.uses(end + 1);
    const bool segments = b.find('&', c.pos(), end) != Bytes::npos;
    cand.at_least(segments ? level::structure : 0.75, "ended by '#' after {} bytes{}", end + 1,
                  segments ? ", with '&' segments" : "");
  }
};

const UproProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_upro
