// GPS103 (Coban TK103A/B, TK-10x): "##,imei:…,A;" login, "imei:…,…;" reports and the bare
// "<IMEI>;" heartbeat, per Traccar's Gps103ProtocolDecoder (frames end ';').
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_gps103 {
namespace {

constexpr ProtocolInfo gps103{"gps103", "GPS103: Coban TK103A/B, TK-10x", Category::tracker, 5001, true, true, true};
constexpr const ProtocolInfo* family_protocols[] = {&gps103};
constexpr std::size_t max_text = 1024;

class Gps103Probe final : public Probe {
 public:
  std::string_view family() const override { return "gps103"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '#' || c == 'i' || (c >= '0' && c <= '9'); }
  Match quick(const Bytes& b) const override {
    if (b.is_prefix_of("##,imei:") || b.is_prefix_of("imei:")) return Match::need_more;
    if (b.starts_with("##,imei:") || b.starts_with("imei:")) return Match::maybe;
    return b.at(0) >= '0' && b.at(0) <= '9' ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.is_prefix_of("##,imei:") || b.is_prefix_of("imei:")) {
      out.add(gps103).at_least(b.size() >= 3 ? level::weak : level::prefix, "the bytes begin 'imei:' or "
                                                                              "'##,imei:' as GPS103 frames do")
          .wants(0);
      return;
    }
    if (b.at(0) >= '0' && b.at(0) <= '9') {
      // A heartbeat "<IMEI>" without its ';' runs into the report that follows; Traccar's decoder
      // answers ON and reads the report from "imei:".
      if (b.digits_at(0) == 15 && b.from(15).starts_with("imei:")) return report(in, b.from(15), 15, out);
      return heartbeat(b, out);
    }
    report(in, b, 0, out);
  }

 private:
  static void report(const ProbeInput& in, const Bytes& b, std::size_t skip, Findings& out) {
    const bool login = b.starts_with("##,");
    const std::size_t id_at = login ? 8 : 5;
    Cursor c(b, id_at);
    c.digits(15, 15);
    if (c.bad()) return;
    auto& cand = out.add(gps103);
    cand.at_least(level::signature, "'{}' followed by digits, as GPS103 {}", login ? "##,imei:" : "imei:",
                  login ? "logs in" : "reports");
    if (c.ended()) {
      cand.wants(0);
      return;
    }
    identify(cand, device_id_from_text(b.text(id_at, 15)), "IMEI");
    if (b.at(c.pos()) != ',') {
      cand.at_most(0.2, "no ',' after the IMEI");
      return;
    }
    const std::size_t end = b.find(';', c.pos(), max_text);
    if (end == Bytes::npos) {
      if (b.size() >= max_text) cand.at_most(level::weak, "no ';' within {} bytes", max_text);
      else cand.wants(0);
      return;
    }
    cand.uses(skip + end + 1);
    if (skip) cand.note("the 15 digits in front are a heartbeat without its ';'");
    if (login && b.text(c.pos(), end + 1 - c.pos()) == ",A;")
      cand.at_least(level::structure + 0.05, "the exact GPS103 login '##,imei:<IMEI>,A;' (the server answers LOAD)");
    else
      cand.at_least(level::structure, "frame ended by ';' after {} bytes", end + 1);
    if (in.server.starts_with("LOAD") || in.server.starts_with("ON"))
      cand.note("the server answered {}, as a GPS103 server does", quote(in.server.text(), 4));
  }

  static void heartbeat(const Bytes& b, Findings& out) {
    Cursor c(b);
    c.digits(15, 15).lit(";");
    if (c.bad()) return;
    auto& cand = out.add(gps103);
    if (c.ended()) {
      cand.at_least(level::prefix, "digits so far; GPS103's heartbeat is '<IMEI>;'").wants(0);
      return;
    }
    cand.uses(16);
    cand.at_least(0.7, "'<15 digits>;': the GPS103 heartbeat (the server answers ON)");
    identify(cand, device_id_from_text(b.text(0, 15)), "IMEI");
  }
};

const Gps103Probe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_gps103
