// Suntech (ST300/ST600/ST910, SA200, Universal): ";"-separated text ended by CR, headed
// "ST300STT;", "SA200ALV;", "STT;" …, and the length-prefixed binary form, per Suntech's
// protocol documents and Traccar's SuntechProtocolDecoder and SuntechFrameDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_suntech {
namespace {

constexpr ProtocolInfo suntech{"suntech", "Suntech ST300/ST600/ST910, SA200, Universal", Category::tracker, 5011,
                               true, false, true};
constexpr const ProtocolInfo* family_protocols[] = {&suntech};
constexpr std::size_t max_text = 2048;
constexpr std::string_view kinds[] = {"STT", "ALT", "EVT", "EMG", "ALV", "UEX", "CMD", "HTE", "RES", "BLE",
                                      "BSA", "CRR", "DEX", "HBD"};

bool is_kind(std::string_view s) {
  for (auto k : kinds)
    if (s == k) return true;
  return false;
}

class SuntechProbe final : public Probe {
 public:
  std::string_view family() const override { return "suntech"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'S' || c == 'E' || c == 'A' || c == 'U' || c == 'C' || c == 'H' || c == 'R' || c == 'B' || c == 'D' || c == 0x02 || c == 0x81 || c == 0x82; }
  Match quick(const Bytes& b) const override {
    const int c = b.at(0);
    if (c == 'S' || c == 'E' || c == 'A' || c == 'U' || c == 'C' || c == 'H' || c == 'R' || c == 'B' || c == 'D')
      return Match::maybe;
    if (c == 0x02 || ((c == 0x81 || c == 0x82) && (b.size() == 1 || b.at(1) == 0x00))) return Match::maybe;
    return Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.at(0) < 0x20 || b.at(0) >= 0x80) return binary(b, out);
    // Header: "ST"/"SA" + 3 digits + kind + ';' ("ST300STT;", "SA200ALV;"), a model alone
    // ("ST910;"), or a bare kind + ';' (Universal: "STT;").
    const bool model = (b.starts_with("ST") || b.starts_with("SA")) && b.digits_at(2) == 3;
    const std::size_t kind_at = model ? 5 : 0;
    std::string_view kind;
    std::size_t fields = 6;
    if (!(model && b.at(5) == ';')) {
      kind = b.text(kind_at, 3);
      if (!is_kind(kind) || b.at(kind_at + 3) != ';') {
        // Not yet a header: say so only while the bytes can still become one.
        const bool model_coming = (b.is_prefix_of("ST") || b.is_prefix_of("SA") ||
                                   ((b.starts_with("ST") || b.starts_with("SA")) && b.digits_at(2) == b.size() - 2)) &&
                                  b.size() < 5;
        const bool kind_coming = !b.has(kind_at + 4) && std::any_of(std::begin(kinds), std::end(kinds), [&](auto k) {
          return !kind.empty() && k.substr(0, kind.size()) == kind;
        });
        const bool could = model_coming || kind_coming || (model && !b.has(kind_at + 1));
        if (could && (model || b.size() >= 2))
          out.add(suntech).at_least(level::prefix, "the bytes begin as a Suntech header").wants(0);
        return;
      }
      fields = kind_at + 4;
    }
    auto& c = out.add(suntech);
    c.at_least(model ? level::signature : level::weak, "Suntech header '{}'", quote(b.text(0, fields)));
    if (!b.has(fields + 1)) {
      c.wants(0);
      return;
    }
    // The device id is the first field after the header, ended by ';' (or CR in a keep-alive);
    // a model alone ("ST910;") is followed by the report type, then the id.
    if (model && kind.empty())
      for (std::string_view t : {"Location;", "Emergency;", "Alert;"})
        if (b.from(fields).starts_with(t)) fields += t.size();
    std::size_t id_len = 0;
    while (id_len < 24 && is_alnum(b.at(fields + id_len))) ++id_len;
    if (id_len > 0 && (b.at(fields + id_len) == ';' || b.at(fields + id_len) == '\r'))
      identify(c, device_id_from_text(b.text(fields, id_len)), "device id");
    const std::size_t cr = b.find('\r', fields, max_text);
    if (cr == Bytes::npos) {
      if (b.size() >= max_text) c.at_most(level::weak, "no CR within {} bytes", max_text);
      else c.wants(0);
      return;
    }
    if (b.first(cr).printable_at(0) < cr) {
      c.at_most(level::weak, "non-printable bytes before the CR");
      return;
    }
    std::size_t semicolons = 0;
    for (std::size_t i = 0; i < cr; ++i) semicolons += b.at(i) == ';';
    c.uses(cr + 1);
    if (semicolons >= 2 || (semicolons == 1 && kind == "ALV"))
      c.at_least(model ? level::structure : 0.75, "{} ';'-separated fields ended by CR after {} bytes",
                 semicolons + 1, cr + 1);
  }

 private:
  static void binary(const Bytes& b, Findings& out) {
    auto& c = out.add(suntech);
    c.at_least(level::prefix, "header byte {:02x}, as Suntech's binary frames begin", b.at(0));
    const auto len = b.be16(1);
    if (!len) {
      c.wants(0);
      return;
    }
    // The length counts the bytes after itself, less the final checksum byte in some frames.
    const std::size_t total = *len + 3u;
    if (total < 8 || total > 2048) {
      c.at_most(0.1, "length {} does not fit a Suntech frame", *len);
      return;
    }
    // Traccar's frame decoder: an 02 (zip) frame has one byte more than the length says (its
    // checksum); other binary frames have 00 as their second byte and end where it says.
    const bool zip = b.at(0) == 0x02;
    if (!zip && b.at(1) != 0x00) {
      c.at_most(0.1, "a binary Suntech frame other than 02 has 00 as its second byte");
      return;
    }
    const std::size_t t = zip ? total + 1 : total;
    if (!have_frame(b, c, t)) return;
    if (b.size() == t || b.at(t) == b.at(0)) {
      c.uses(t);
      c.at_least(0.75, "the length {} covers the {}-byte frame", *len, t);
      // Traccar looks the device up by 5 bytes as hex (the first 9 digits of a zip frame's);
      // tests/data/detect-samples.tsv holds no id for these frames, so none is given here.
      return;
    }
    c.at_most(0.2, "the length {} does not end the bytes", *len);
  }
};

const SuntechProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_suntech
