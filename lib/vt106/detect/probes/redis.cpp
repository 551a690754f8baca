// Redis RESP (the Redis protocol specification): an array of bulk strings "*<n>\r\n$<len>\r\n…",
// or an inline command such as "PING\r\n" (it collides with the tracker "*" group).
#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_redis {
namespace {

constexpr ProtocolInfo redis{"redis", "Redis (RESP)", Category::other, 6379, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&redis};

class RedisProbe final : public Probe {
 public:
  std::string_view family() const override { return "redis"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == '*' || c == 'P' || c == 'I' || c == 'C'; }
  Match quick(const Bytes& b) const override {
    if (b.at(0) == '*') return b.size() == 1 || (b.at(1) >= '1' && b.at(1) <= '9') ? Match::maybe : Match::no;
    for (std::string_view cmd : {"PING\r\n", "INFO\r\n", "INFO ", "CONFIG ", "COMMAND\r\n"})
      if (b.starts_with(cmd) || (b.size() >= 2 && b.is_prefix_of(cmd))) return Match::maybe;
    return Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.at(0) != '*') {
      auto& c = out.add(redis);
      const std::size_t eol = b.find("\r\n", 0, 256);
      if (eol == Bytes::npos) {
        c.at_least(level::prefix, "the bytes begin a Redis inline command").wants(0);
        return;
      }
      c.uses(eol + 2);
      c.at_least(0.5, "inline command {} (Redis answers it; scanners send it)", quote(b.text(0, eol)));
      return;
    }
    if (b.size() == 1) return;
    std::size_t elements = 0, len_digits = 0;
    Cursor c(b);
    c.lit("*").digits(1, 3, &elements).lit("\r\n$").digits(1, 9, &len_digits).lit("\r\n");
    if (c.bad()) return;
    auto& cand = out.add(redis);
    if (c.ended()) {
      cand.at_least(b.size() >= 4 ? level::weak : level::prefix, "'*<n>\\r\\n', as a Redis array begins").wants(0);
      return;
    }
    const std::size_t len = util_len(b.text(c.pos() - 2 - len_digits, len_digits));
    if (!have_frame(b, cand, c.pos() + len + 2)) return;
    if (b.text(c.pos() + len, 2) != "\r\n") {
      cand.at_most(0.2, "the bulk string is not followed by CRLF");
      return;
    }
    cand.uses(c.pos() + len + 2);
    cand.at_least(0.95, "a RESP array whose first bulk string is {} (a Redis client or scanner)",
                  quote(b.text(c.pos(), len), 24));
  }

 private:
  static std::size_t util_len(std::string_view digits) {
    std::size_t v = 0;
    for (char d : digits) v = v * 10 + static_cast<std::size_t>(d - '0');
    return v;
  }
};

const RedisProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_redis
