// Kids' watches (3G/4G, "SeTracker"): "[XX*id*LLLL*content]", per Traccar's WatchFrameDecoder
// and WatchProtocolDecoder; the length is hex and some devices miscount it.
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"
#include "vt106/util/text.hpp"

namespace vt106::detect::probe_watch {
namespace {

constexpr ProtocolInfo watch{"watch", "3G/4G kids' watches (SeTracker and similar)", Category::tracker, 5093, true,
                             false, true};
constexpr const ProtocolInfo* family_protocols[] = {&watch};
constexpr std::size_t max_text = 2048;

class WatchProbe final : public Probe {
 public:
  std::string_view family() const override { return "watch"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '['; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) != '[') return Match::no;
    if (b.size() < 3) return Match::need_more;
    return is_alnum(b.at(1)) && is_alnum(b.at(2)) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    Cursor c(b);
    std::size_t id_len = 0, len_digits = 0;
    c.lit("[").alnum(2, 2).lit("*").digits(10, 15, &id_len).lit("*").hex(4, 4, &len_digits).lit("*");
    if (c.bad()) return;
    auto& cand = out.add(watch);
    if (c.ended()) {
      cand.at_least(b.size() >= 5 ? level::weak : level::prefix, "{}, as a watch frame begins",
                    b.size() >= 4 ? fmt::format("'[{}*'", b.text(1, 2)) : std::string("'['"))
          .wants(0);
      return;
    }
    if (id_len != 10 && id_len != 15) {
      cand.at_most(0.1, "the id has {} digits; watches send 10 or 15", id_len);
      return;
    }
    std::size_t len_at = 4 + id_len + 1;
    std::size_t content = c.pos();
    // An optional 4-hex-digit index before the length ("[ZJ*id*0003*0113*AL…").
    if (b.hex_digits_at(content) == 4 && b.at(content + 4) == '*') {
      len_at = content;
      content += 5;
    }
    const std::size_t len = util::parse_int<std::size_t>(b.text(len_at, 4), 16).value_or(0);
    cand.at_least(level::signature, "'[{}*<{}-digit id>*<hex length>*' watch header", b.text(1, 2), id_len);
    identify(cand, device_id_from_text(b.text(4, id_len)), "device id");
    const std::size_t close = b.find(']', content, max_text);
    if (close == Bytes::npos) {
      if (b.has(content + len + 1) || b.size() >= max_text) cand.at_most(level::weak, "no closing ']'");
      else cand.wants(content + len + 1);
      return;
    }
    cand.uses(close + 1);
    const std::size_t actual = close - content;
    std::size_t keyword = 0;
    while (keyword < actual && is_alnum(b.at(content + keyword))) ++keyword;
    cand.at_least(level::structure, "frame closed by ']' after {} bytes, content {}", close + 1,
                  quote(b.text(content, keyword)));
    if (actual == len) cand.note("the hex length {:04X} matches the content", len);
    else cand.note("the hex length says {} bytes, the content has {} (watches often miscount)", len, actual);
    if (in.server.starts_with("[")) cand.note("the server answered with a watch frame");
  }
};

const WatchProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_watch
