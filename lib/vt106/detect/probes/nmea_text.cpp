// "$"-sentence tracker protocols checked by their NMEA-style "*hh" XOR: GpsGate TrackerOne
// ($FRLIN/$FRCMD), Laipac ($AVRMC/$AVSYS/$ECHK/$EAVSYS), per GpsGate's server protocol and
// Laipac's documents and Traccar's GpsGate and Laipac decoders.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_nmea_text {
namespace {

constexpr ProtocolInfo gpsgate{"gpsgate", "GpsGate TrackerOne", Category::tracker, 5026, true, false, false};
constexpr ProtocolInfo laipac{"laipac", "Laipac", Category::tracker, 5048, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&gpsgate, &laipac};

struct Head {
  std::string_view text;
  const ProtocolInfo* protocol;
};
constexpr Head heads[] = {{"$FRLIN,", &gpsgate}, {"$FRCMD,", &gpsgate}, {"$AVRMC,", &laipac},
                          {"$AVSYS,", &laipac},  {"$ECHK,", &laipac},   {"$EAVSYS,", &laipac}};

class NmeaTextProbe final : public Probe {
 public:
  std::string_view family() const override { return "nmea_text"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override {
    return std::any_of(std::begin(heads), std::end(heads),
                       [c](const Head& h) { return c == static_cast<unsigned char>(h.text[0]); });
  }
  Match quick(const Bytes& b) const override {
    for (const auto& h : heads)
      if (b.starts_with(h.text) || (b.size() >= 2 && b.is_prefix_of(h.text))) return Match::maybe;
    return Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    for (const auto& h : heads) {
      if (b.is_prefix_of(h.text) && b.size() < h.text.size()) {
        out.add(*h.protocol).at_least(level::prefix, "the bytes begin {}", h.text).wants(0);
        continue;
      }
      if (!b.starts_with(h.text)) continue;
      auto& c = out.add(*h.protocol);
      c.at_least(level::signature, "{} sentence", h.text.substr(0, h.text.size() - 1));
      // The device id: field 1 (Laipac; GpsGate $FRCMD), or field 2 of $FRLIN ("$FRLIN,IMEI,<id>,"
      // or "$FRLIN,,<user>,": Traccar takes what follows the comma that ends field 1).
      std::string_view fields = b.text(h.text.size(), 64);
      std::string_view id = fields.substr(0, fields.find(','));
      if (h.text == "$FRLIN,") {
        const auto comma = fields.find(',');
        id = {};
        if (comma != std::string_view::npos) {
          fields.remove_prefix(comma + 1);
          if (const auto end = fields.find(','); end != std::string_view::npos) id = fields.substr(0, end);
        }
      }
      const std::size_t eol = b.find("\r\n", 0, 2048);
      if (eol == Bytes::npos) {
        c.wants(0);
        return;
      }
      c.uses(eol + 2);
      if (!id.empty()) identify(c, device_id_from_text(id), h.text == "$FRLIN," ? "login" : "device id");
      const std::size_t star = b.find('*', 0, eol);
      if (star != Bytes::npos && nmea_checksum_ok(b, 1, star))
        c.at_least(level::integrity - 0.02, "checksum *{} is right and CRLF ends the sentence", b.text(star + 1, 2));
      else
        c.at_least(0.7, "CRLF ends the sentence, but no right '*hh' checksum");
      return;
    }
  }
};

const NmeaTextProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_nmea_text
