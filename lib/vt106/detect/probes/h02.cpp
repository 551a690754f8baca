// H02 (SinoTrack ST-90x and many others): text "*HQ,id,cmd,…#" and the fixed-size binary "$"
// report with a 5-byte BCD id, per Traccar's H02FrameDecoder and H02ProtocolDecoder.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_h02 {
namespace {

constexpr ProtocolInfo h02{"h02", "H02: SinoTrack ST-90x and many clones", Category::tracker, 5013, true, true, true};
constexpr const ProtocolInfo* family_protocols[] = {&h02};
constexpr std::size_t max_text = 1024;

bool is_letter(int c) { return is_upper(c) || (c >= 'a' && c <= 'z'); }

// Two BCD digits forming a number in [lo, hi].
bool bcd_in(const Bytes& b, std::size_t at, int lo, int hi) {
  const int v = b.at(at);
  if (v < 0 || (v >> 4) > 9 || (v & 15) > 9) return false;
  const int n = (v >> 4) * 10 + (v & 15);
  return n >= lo && n <= hi;
}

class H02Probe final : public Probe {
 public:
  std::string_view family() const override { return "h02"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '*' || c == '$' || c == 'X'; }
  Match quick(const Bytes& b) const override {
    const int c = b.at(0);
    if (c != '*' && c != '$' && c != 'X') return Match::no;
    if (b.size() == 1) return Match::need_more;
    if (c == '*') return is_letter(b.at(1)) ? Match::maybe : Match::no;
    const int v = b.at(1);  // binary: byte 1 is BCD (it may read as a letter, 0x41 'A')
    return (v >> 4) <= 9 && (v & 15) <= 9 ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    if (in.client.at(0) == '*') text(in.client, out);
    else binary(in.client, out);
  }

 private:
  static void text(const Bytes& b, Findings& out) {
    Cursor c(b);
    c.lit("*").run(is_letter, 2, 2).lit(",");
    if (c.bad()) return;
    auto& cand = out.add(h02);
    const std::string_view head = b.text(1, 2);
    if (c.ended()) {
      cand.at_least(level::prefix, "'*' and letters, as an H02 text frame begins").wants(0);
      return;
    }
    const bool usual = head == "HQ" || head == "hq" || head == "TH";
    cand.at_least(usual ? level::signature : level::weak, "'*{},' H02 text header{}", head,
                  usual ? "" : " (unusual maker code)");
    const std::size_t id_at = c.pos();
    std::size_t id_len = 0, cmd_len = 0;
    // Traccar's H02 decoder: a numeric id, then a command that is V-something (V0, V1, V3, V4,
    // VP1, …) or one of HTBT, NBR, LINK, SMS; anything else is not H02 (EasyTrack's "*ET,id,HB").
    c.digits(1, 20, &id_len).lit(",").alnum(1, 8, &cmd_len);
    if (c.bad()) {
      cand.at_most(0.15, "no numeric 'id,command' after the H02 header");
      return;
    }
    if (c.ended()) {
      cand.wants(0);
      return;
    }
    const std::string_view cmd = b.text(id_at + id_len + 1, cmd_len);
    if (cmd[0] != 'V' && cmd != "HTBT" && cmd != "NBR" && cmd != "LINK" && cmd != "SMS") {
      cand.at_most(0.15, "command '{}' is not one of H02's (V…, HTBT, NBR, LINK, SMS)", quote(cmd));
      return;
    }
    if (b.at(c.pos()) != ',' && b.at(c.pos()) != '#') {
      cand.at_most(0.15, "the H02 command is not followed by ',' or '#'");
      return;
    }
    const std::string_view id = b.text(id_at, id_len);
    const std::size_t end = b.find('#', c.pos(), max_text);
    if (end == Bytes::npos) {
      if (b.size() >= max_text) cand.at_most(level::weak, "no closing '#' within {} bytes", max_text);
      else cand.wants(0);
      return;
    }
    if (b.first(end).printable_at(0) < end) {
      cand.at_most(level::weak, "non-printable bytes inside the text frame");
      return;
    }
    cand.uses(end + 1);
    const bool id_usual = (id_len == 10 || id_len == 15) && b.digits_at(id_at) == id_len;
    cand.at_least(id_usual ? level::structure : 0.7, "frame '*{},{},{}…' closed by '#' after {} bytes", head,
                  quote(id), quote(b.text(id_at + id_len + 1, c.pos() - id_at - id_len - 1)), end + 1);
    identify(cand, device_id_from_text(id), "device id");
    if (!id_usual) cand.note("H02 ids are usually 10 or 15 digits");
  }

  static void binary(const Bytes& b, Findings& out) {
    auto id = bcd_at(b, 1, 5);
    if (b.has(6) && !id) return;
    auto& cand = out.add(h02);
    const char lead = static_cast<char>(b.at(0));
    if (!b.has(12)) {
      cand.at_least(level::prefix, "'{}' and BCD digits, as an H02 binary report begins", lead).wants(32);
      return;
    }
    cand.at_least(level::weak, "'{}' then a 10-digit BCD id, as an H02 binary report", lead);
    // The 42-byte report (a frame size set in Traccar's configuration): an 8-byte BCD id of which
    // the first 15 digits count, then the BCD time and date.
    if (b.size() == 42) {
      const auto long_id = bcd_at(b, 1, 8);
      if (long_id && bcd_in(b, 9, 0, 23) && bcd_in(b, 10, 0, 59) && bcd_in(b, 11, 0, 59) && bcd_in(b, 12, 1, 31) &&
          bcd_in(b, 13, 1, 12) && bcd_in(b, 14, 0, 99)) {
        cand.uses(42);
        cand.at_least(0.7, "a 42-byte report: 8-byte BCD id, BCD time {:02x}:{:02x}:{:02x} and date", b.at(9), b.at(10),
                      b.at(11));
        identify(cand, device_id_from_text(long_id->substr(0, 15)), "device id");
        return;
      }
    }
    const bool time_ok = bcd_in(b, 6, 0, 23) && bcd_in(b, 7, 0, 59) && bcd_in(b, 8, 0, 59);
    const bool date_ok = bcd_in(b, 9, 1, 31) && bcd_in(b, 10, 1, 12) && bcd_in(b, 11, 0, 99);
    if (!time_ok || !date_ok) {
      cand.at_most(0.15, "bytes 6-11 are not a BCD time and date");
      return;
    }
    cand.at_least(0.5, "BCD time {:02x}:{:02x}:{:02x} and date {:02x}/{:02x}/{:02x}", b.at(6), b.at(7), b.at(8),
                  b.at(9), b.at(10), b.at(11));
    identify(cand, device_id_from_bcd(*id), "device id");
    // Fixed-size reports: 32 bytes (45 with the long format).
    for (std::size_t size : {32u, 45u}) {
      if (b.size() == size || (b.size() > size && (b.at(size) == '$' || b.at(size) == '*'))) {
        cand.uses(size);
        cand.at_least(level::structure, "a {}-byte report, the H02 binary size", size);
        return;
      }
    }
    if (b.size() < 32) cand.wants(32);
    else cand.at_most(0.5, "{} bytes, not the 32 or 45 of an H02 binary report", b.size());
  }
};

const H02Probe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_h02
