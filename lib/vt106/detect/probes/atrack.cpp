// ATrack (AK/AX series): binary "@P" + CRC-16 + length + sequence + 8-byte unit id, text "@P,",
// the FE 02 keep-alive and "$INFO="/"$OK"/"$ERROR=" replies, per ATrack's AT command and
// report documents and Traccar's AtrackFrameDecoder.
#include "vt106/detect/probe.hpp"
#include "vt106/util/text.hpp"

namespace vt106::detect::probe_atrack {
namespace {

constexpr ProtocolInfo atrack{"atrack", "ATrack AK/AX series", Category::tracker, 5044, true, true, true};
constexpr const ProtocolInfo* family_protocols[] = {&atrack};

class AtrackProbe final : public Probe {
 public:
  std::string_view family() const override { return "atrack"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '@' || c == '$' || c == 0xfe; }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("@P") || b.is_prefix_of("$INFO=") || b.is_prefix_of("$OK") || b.is_prefix_of("$ERROR="))
      return b.size() >= 2 ? Match::need_more : Match::no;
    if (b.starts_with("@P") || b.starts_with("$INFO=") || b.starts_with("$OK") || b.starts_with("$ERROR="))
      return Match::maybe;
    return b.at(0) == 0xfe && (b.size() == 1 || b.at(1) == 0x02) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    auto& c = out.add(atrack);
    if (b.at(0) == 0xfe) {
      c.at_least(level::prefix, "FE 02, the ATrack keep-alive");
      if (!have_frame(b, c, 12)) return;
      c.uses(12);
      const std::uint64_t unit = *b.be64(2);
      DeviceId id = device_id_from_integer(unit);
      if (id.luhn == LuhnCheck::valid) {
        c.at_least(level::structure, "12-byte keep-alive whose unit id is an IMEI (the server echoes it)");
        identify(c, std::move(id), "IMEI (unit id)");
      } else {
        c.at_least(0.45, "12-byte keep-alive FE 02 (the server echoes it)");
      }
      return;
    }
    if (b.at(0) == '$') {
      c.at_least(level::weak, "{}, an ATrack command reply", quote(b.text(0, 7)));
      // "$INFO=<unit id>,<model>,<firmware>,<IMEI>,…": Traccar takes the unit id.
      if (b.starts_with("$INFO=")) {
        const std::size_t n = b.digits_at(6);
        if (n > 0 && b.at(6 + n) == ',') identify(c, device_id_from_text(b.text(6, n)), "unit id");
      }
      if (b.find("\r\n", 0, 1024) != Bytes::npos) c.at_least(0.5, "ended by CRLF");
      else c.wants(0);
      return;
    }
    if (b.at(2) == ',') return text(b, c);
    c.at_least(level::prefix, "\"@P\", the ATrack report marker");
    if (!b.has(16)) {
      c.wants(b.has(6) ? *b.be16(4) + 6u : 0);
      return;
    }
    const std::size_t total = *b.be16(4) + 6u;
    if (!have_frame(b, c, total)) return;
    c.uses(total);
    const auto want = crc16_arc(b.range(4, total - 4));
    if (b.be16(2) == want) {
      c.at_least(level::integrity, "CRC-16/ARC {:04x} over the report is right", want);
    } else {
      c.at_most(0.4, "the CRC {:04x} does not match ({:04x})", b.be16(2).value_or(0), want);
      return;
    }
    DeviceId id = device_id_from_integer(*b.be64(8));
    identify(c, std::move(id), "unit id");
  }

 private:
  static void text(const Bytes& b, Candidate& c) {
    // "@P,<crc hex>,<length>,<seq>,<unit id>,…\r\n"
    c.at_least(level::weak, "\"@P,\", an ATrack text report");
    const std::size_t eol = b.find("\r\n", 3, 2048);
    const std::string_view line = b.text(0, eol == Bytes::npos ? b.size() : eol);
    std::size_t commas[5] = {}, n = 0;
    for (std::size_t i = 0; i < line.size() && n < 5; ++i)
      if (line[i] == ',') commas[n++] = i;
    if (n < 5) {
      if (eol == Bytes::npos) c.wants(0);
      else c.at_most(0.2, "fewer fields than an ATrack report");
      return;
    }
    const std::string_view crc = line.substr(commas[0] + 1, commas[1] - commas[0] - 1);
    const std::string_view unit = line.substr(commas[3] + 1, commas[4] - commas[3] - 1);
    if (Bytes(crc).hex_digits_at(0) != crc.size() || !util::all_digits(unit)) {
      c.at_most(0.2, "the CRC and unit id fields do not fit ATrack");
      return;
    }
    c.at_least(0.75, "hex CRC {} and unit id {} in the ATrack positions", crc, unit);
    identify(c, device_id_from_text(unit), "unit id");
    if (eol == Bytes::npos) {
      c.wants(0);
      return;
    }
    c.uses(eol + 2);
    c.at_least(level::structure, "ended by CRLF after {} bytes", eol + 2);
  }
};

const AtrackProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_atrack
