// Fuzz target: server log lines and Traccar's tracker-server.log, one line at a time. Every view
// must lie inside its line, frame_at inside the line (and on a '#', ':' or digit), the hex data
// must turn into half as many bytes, and the same line parsed again, or with "\r" after it,
// must give the same result.
//
// Input: [offset choice] [server port] lines separated by '\n'.
#include <iterator>
#include <string>

#include "fuzz_support.hpp"
#include "vt106/source/log_line.hpp"

namespace {

using namespace vt106;
using source::LogLine;

constexpr std::int64_t offsets[] = {0, 3600, -5 * 3600, 8 * 3600, 19800, INT64_MAX, INT64_MIN, -50400};

// A view as (offset, length) in its line: -1 for an empty view that points nowhere.
struct Span {
  std::int64_t at = -1;
  std::size_t size = 0;
  bool operator==(const Span&) const = default;
};

Span span_in(std::string_view line, std::string_view v, std::string_view what) {
  if (v.empty() && v.data() == nullptr) return {};
  const bool inside = v.data() >= line.data() && v.data() <= line.data() + line.size() &&
                      v.size() <= static_cast<std::size_t>(line.data() + line.size() - v.data());
  fuzz::check(inside, "a view points outside its line", what);
  return {v.data() - line.data(), v.size()};
}

// Everything parse_log_line said, independent of where the line lives.
struct Summary {
  bool ok = false;
  std::optional<std::int64_t> ts;
  Span level, remote, local;
  std::optional<source::LogDir> dir;
  std::size_t frame_at = 0;
  bool traccar = false;
  int kind = 0;
  char transport = 0;
  Span session, protocol, t_remote, data, rest;
  source::LogDir t_dir{};
  bool hex = false;
  bool operator==(const Summary&) const = default;
};

Summary summarise(std::string_view line, const source::LogOptions& options) {
  LogLine l;
  Summary s;
  s.ok = source::parse_log_line(line, options, l);
  s.ts = l.ts_ns;
  s.level = span_in(line, l.level, "level");
  s.remote = span_in(line, l.remote, "remote");
  s.local = span_in(line, l.local, "local");
  s.dir = l.dir;
  s.frame_at = l.frame_at;
  fuzz::check(l.frame_at == std::string_view::npos || l.frame_at < line.size(), "frame_at lies past the line",
              line);
  if (l.frame_at != std::string_view::npos) {
    const char c = line[l.frame_at];
    fuzz::check(c == '#' || c == ':' || (c >= '0' && c <= '9'), "frame_at is not on a frame's first character",
                line);
  }
  fuzz::check(s.ok == (l.ts_ns.has_value() || l.traccar.has_value() || l.frame_at != std::string_view::npos),
              "the return value disagrees with what was found", line);
  if (l.traccar) {
    const source::TraccarLine& t = *l.traccar;
    s.traccar = true;
    s.kind = static_cast<int>(t.kind);
    s.transport = t.transport;
    s.session = span_in(line, t.session, "session");
    s.protocol = span_in(line, t.protocol, "protocol");
    s.t_remote = span_in(line, t.remote, "traccar remote");
    s.data = span_in(line, t.data, "data");
    s.rest = span_in(line, t.rest, "rest");
    s.t_dir = t.dir;
    s.hex = t.data_is_hex;
    fuzz::check(t.transport == 'T' || t.transport == 'U', "a transport other than T or U", line);
    // A session is "T…"/"U…" (its transport), or an older release's channel id or port (TCP).
    fuzz::check(!t.session.empty(), "a Traccar line without a session", line);
    fuzz::check(t.session.front() == t.transport || (t.transport == 'T' && t.session.front() != 'U'),
                "the session does not agree with its transport", line);
    fuzz::check(!t.per_remote || t.kind == source::TraccarLine::Kind::data, "per-remote on a line that is not data",
                line);
    if (t.data_is_hex) {
      fuzz::check(t.kind == source::TraccarLine::Kind::data, "hex data on a line that is not a data line", line);
      fuzz::check(source::hex_text_to_bytes(t.data).size() * 2 == t.data.size(), "hex data did not give n/2 bytes",
                  line);
    }
    fuzz::check(source::traccar_unescape(t.data).size() <= t.data.size(), "unescaping made the text longer", line);
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  source::LogOptions options;
  options.tz_offset_s = offsets[in.byte() % std::size(offsets)];
  options.server_port = static_cast<std::uint16_t>(in.byte() * 257u);
  options.syslog_year = 2026;
  std::string_view text = in.rest();

  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);

    // A copy of exactly the line's size, so that reading past it is caught by ASan.
    const std::string copy(line);
    const Summary a = summarise(copy, options);
    const Summary b = summarise(copy, options);
    fuzz::check(a == b, "the same line parsed twice gave different results", line);
    const Summary c = summarise(copy + "\r", options);
    fuzz::check(a == c, "a carriage return at the end changed the result", line);

    std::size_t used = 0;
    const auto ts = source::parse_log_time(copy, options, used, options.syslog_year);
    fuzz::check(used <= copy.size() && (ts.has_value() || used == 0), "parse_log_time's length is wrong", line);
  }
  return 0;
}
