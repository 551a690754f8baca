// Server log lines and Traccar's tracker-server.log: one left-to-right pass over the line. The
// time is read at the start; a Traccar handler line is recognised by its bracketed session;
// anything else is scanned token by token (addresses, direction words and arrows, level words)
// until the first frame. Every look-ahead is bounded or skips what it read, so the work is
// linear in the line and nothing is allocated.
#include "vt106/source/log_line.hpp"

#include <algorithm>

#include "vt106/util/text.hpp"
#include "vt106/util/time.hpp"

namespace vt106::source {
namespace {

constexpr std::size_t npos = std::string_view::npos;
constexpr std::int64_t ns_per_s = 1'000'000'000;

using util::is_digit;
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_alpha(char c) { return is_upper(c) || (c >= 'a' && c <= 'z'); }
inline bool is_word(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }
inline char lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether `n` digits start at `i`.
bool digits_at(std::string_view t, std::size_t i, std::size_t n) {
  if (i > t.size() || t.size() - i < n) return false;
  for (std::size_t k = 0; k < n; ++k)
    if (!is_digit(t[i + k])) return false;
  return true;
}
unsigned number_at(std::string_view t, std::size_t i, std::size_t n) {
  unsigned v = 0;
  for (std::size_t k = 0; k < n; ++k) v = v * 10 + static_cast<unsigned>(t[i + k] - '0');
  return v;
}
bool digit_at(std::string_view t, std::size_t i) { return i < t.size() && is_digit(t[i]); }
bool char_at(std::string_view t, std::size_t i, char c) { return i < t.size() && t[i] == c; }

// Local seconds minus the offset, in nanoseconds, plus the fraction; nullopt when it overflows.
std::optional<std::int64_t> to_ns(std::int64_t local_s, std::int64_t offset_s, std::int64_t fraction_ns) {
  std::int64_t s = 0, ns = 0;
  if (__builtin_sub_overflow(local_s, offset_s, &s)) return std::nullopt;
  if (__builtin_mul_overflow(s, ns_per_s, &ns)) return std::nullopt;
  if (__builtin_add_overflow(ns, fraction_ns, &ns)) return std::nullopt;
  return ns;
}

// "hh:mm:ss" at `i` (a leap second 60 is accepted); seconds of the day.
std::optional<std::int64_t> clock_at(std::string_view t, std::size_t i) {
  if (!digits_at(t, i, 2) || !char_at(t, i + 2, ':') || !digits_at(t, i + 3, 2) || !char_at(t, i + 5, ':') ||
      !digits_at(t, i + 6, 2))
    return std::nullopt;
  const unsigned h = number_at(t, i, 2), m = number_at(t, i + 3, 2), s = number_at(t, i + 6, 2);
  if (h > 23 || m > 59 || s > 60) return std::nullopt;
  return static_cast<std::int64_t>(h) * 3600 + m * 60 + s;
}

// A fraction after `i` when t[i] is one of `marks` and 1 to 9 digits follow: its nanoseconds,
// with `i` moved past it. Otherwise 0, `i` kept (",353327020412763" after a time is no fraction).
std::int64_t fraction_at(std::string_view t, std::size_t& i, std::string_view marks) {
  if (i >= t.size() || marks.find(t[i]) == npos || !digit_at(t, i + 1)) return 0;
  std::size_t j = i + 1;
  std::int64_t ns = 0;
  int used = 0;
  for (; j < t.size() && is_digit(t[j]); ++j) {
    if (used == 9) return 0;
    ns = ns * 10 + (t[j] - '0');
    ++used;
  }
  for (; used < 9; ++used) ns *= 10;
  i = j;
  return ns;
}

// A zone directly after the time: 'Z', or ±hh, ±hh:mm, ±hhmm not followed by a digit.
std::optional<int> zone_at(std::string_view t, std::size_t& i) {
  if (i >= t.size()) return std::nullopt;
  if (t[i] == 'Z' || t[i] == 'z') {
    if (i + 1 < t.size() && is_word(t[i + 1])) return std::nullopt;
    ++i;
    return 0;
  }
  if ((t[i] != '+' && t[i] != '-') || !digits_at(t, i + 1, 2)) return std::nullopt;
  std::size_t j = i + 3;
  if (char_at(t, j, ':') && digits_at(t, j + 1, 2))
    j += 3;
  else if (digits_at(t, j, 2))
    j += 2;
  if (digit_at(t, j)) return std::nullopt;
  const auto offset = util::parse_utc_offset(t.substr(i, j - i));
  if (offset) i = j;
  return offset;
}

// ISO 8601 at `i`: "YYYY-MM-DD" ('/' also), 'T' or ' ', "hh:mm:ss", optional '.'/',' fraction,
// optional zone.
std::optional<std::int64_t> iso_at(std::string_view t, std::size_t& i, const LogOptions& options) {
  if (!digits_at(t, i, 4)) return std::nullopt;
  const char sep = i + 4 < t.size() ? t[i + 4] : '\0';
  if ((sep != '-' && sep != '/') || !digits_at(t, i + 5, 2) || !char_at(t, i + 7, sep) || !digits_at(t, i + 8, 2))
    return std::nullopt;
  if (i + 10 >= t.size() || (t[i + 10] != 'T' && t[i + 10] != ' ')) return std::nullopt;
  const auto clock = clock_at(t, i + 11);
  if (!clock) return std::nullopt;
  const int year = static_cast<int>(number_at(t, i, 4));
  const unsigned month = number_at(t, i + 5, 2), day = number_at(t, i + 8, 2);
  if (!util::valid_date(year, month, day)) return std::nullopt;
  std::size_t j = i + 19;
  const std::int64_t fraction = fraction_at(t, j, ".,");
  if (digit_at(t, j)) return std::nullopt;
  std::int64_t offset = options.tz_offset_s;
  if (const auto zone = zone_at(t, j)) offset = *zone;
  const auto ns = to_ns(util::days_from_civil(year, month, day) * 86400 + *clock, offset, fraction);
  if (ns) i = j;
  return ns;
}

// Syslog "Mmm dd hh:mm:ss" (the day space- or zero-padded, or one digit) with an optional
// fraction; the year is given.
std::optional<std::int64_t> syslog_at(std::string_view t, std::size_t& i, const LogOptions& options,
                                      int year) {
  static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (i > t.size() || t.size() - i < 3) return std::nullopt;
  const std::size_t m = months.find(t.substr(i, 3));
  if (m == npos || m % 3 != 0 || !char_at(t, i + 3, ' ')) return std::nullopt;
  std::size_t j = i + 4;
  if (char_at(t, j, ' ')) ++j;
  std::size_t day_digits = digits_at(t, j, 2) ? 2 : digit_at(t, j) ? 1 : 0;
  if (day_digits == 0 || (j == i + 5 && day_digits != 1)) return std::nullopt;
  const unsigned day = number_at(t, j, day_digits);
  j += day_digits;
  if (!char_at(t, j, ' ')) return std::nullopt;
  const auto clock = clock_at(t, j + 1);
  if (!clock) return std::nullopt;
  const auto month = static_cast<unsigned>(m / 3 + 1);
  if (!util::valid_date(year, month, day)) return std::nullopt;
  j += 9;
  const std::int64_t fraction = fraction_at(t, j, ".");
  if (digit_at(t, j)) return std::nullopt;
  const auto ns = to_ns(util::days_from_civil(year, month, day) * 86400 + *clock, options.tz_offset_s, fraction);
  if (ns) i = j;
  return ns;
}

// Epoch seconds: ten digits, the first not 0, optional '.' fraction; already UTC.
std::optional<std::int64_t> epoch_at(std::string_view t, std::size_t& i) {
  if (!digits_at(t, i, 10) || t[i] == '0' || digit_at(t, i + 10)) return std::nullopt;
  std::int64_t s = 0;
  for (std::size_t k = 0; k < 10; ++k) s = s * 10 + (t[i + k] - '0');
  std::size_t j = i + 10;
  const std::int64_t fraction = fraction_at(t, j, ".");
  if (digit_at(t, j)) return std::nullopt;
  const auto ns = to_ns(s, 0, fraction);
  if (ns) i = j;
  return ns;
}

// ---- frames ----

// '#' then at least six digits then ','.
bool hash_frame_at(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  while (j < s.size() && is_digit(s[j])) ++j;
  return j - i - 1 >= 6 && char_at(s, j, ',');
}
// ':' then a six-digit password then a command letter (gotop.md §7.1).
bool downlink_at(std::string_view s, std::size_t i) {
  return digits_at(s, i + 1, 6) && i + 7 < s.size() && is_upper(s[i + 7]);
}
// A bare uplink body: fifteen digits then ",CMD-" or ",ALM-" (the caller checked the boundary).
bool bare_body_at(std::string_view s, std::size_t i) {
  if (!digits_at(s, i, 15) || digit_at(s, i + 15)) return false;
  const std::string_view after = s.substr(i + 15, 5);
  return after == ",CMD-" || after == ",ALM-";
}

// ---- addresses ----

struct Address {
  std::size_t begin = 0, end = 0;
  int port = -1;    // -1: none written
  char label = 0;   // 'R' or 'L' for "R:/a" and "L:/a" (Netty's channel text), else 0
};

// ":port" at `i`: 1 to 5 digits up to 65535, not followed by a digit.
bool port_at(std::string_view s, std::size_t i, std::size_t& end, int& port) {
  if (!char_at(s, i, ':')) return false;
  std::size_t j = i + 1;
  unsigned v = 0;
  while (j < s.size() && is_digit(s[j]) && j - i <= 5) v = v * 10 + static_cast<unsigned>(s[j++] - '0');
  if (j == i + 1 || digit_at(s, j) || v > 65535) return false;
  end = j;
  port = static_cast<int>(v);
  return true;
}

// Dotted IPv4 at `i` (the caller checked the boundary before it), optional ":port".
bool ipv4_at(std::string_view s, std::size_t i, Address& a) {
  std::size_t j = i;
  for (int group = 0; group < 4; ++group) {
    if (group > 0) {
      if (!char_at(s, j, '.')) return false;
      ++j;
    }
    const std::size_t start = j;
    unsigned v = 0;
    while (j < s.size() && is_digit(s[j]) && j - start < 3) v = v * 10 + static_cast<unsigned>(s[j++] - '0');
    if (j == start || digit_at(s, j) || v > 255) return false;
  }
  if (j < s.size() && (is_word(s[j]) || (s[j] == '.' && digit_at(s, j + 1)))) return false;
  a = Address{i, j, -1, 0};
  port_at(s, j, a.end, a.port);
  return true;
}

// "[v6]" at `i` (hex digits, ':', '.', an optional "%scope", at least two colons), optional ":port".
bool ipv6_at(std::string_view s, std::size_t i, Address& a) {
  std::size_t j = i + 1;
  int colons = 0;
  while (j < s.size() && j - i <= 46 && (util::is_hex_digit(s[j]) || s[j] == ':' || s[j] == '.')) {
    if (s[j] == ':') ++colons;
    ++j;
  }
  if (colons < 2) return false;
  if (char_at(s, j, '%')) {
    const std::size_t scope = ++j;
    while (j < s.size() && j - scope < 16 && (is_word(s[j]) || s[j] == '.' || s[j] == '-')) ++j;
    if (j == scope) return false;
  }
  if (!char_at(s, j, ']')) return false;
  a = Address{i, j + 1, -1, 0};
  port_at(s, j + 1, a.end, a.port);
  return true;
}

// "R:" / "R:/" or "L:" / "L:/" right before the address, as a word of its own.
char label_before(std::string_view s, std::size_t begin) {
  std::size_t k = begin;
  if (k > 0 && s[k - 1] == '/') --k;
  if (k < 2 || s[k - 1] != ':' || (s[k - 2] != 'R' && s[k - 2] != 'L')) return 0;
  if (k >= 3 && is_word(s[k - 3])) return 0;
  return s[k - 2];
}

// ---- words and arrows ----

std::optional<LogDir> direction_word(std::string_view w) {
  if (w.size() < 2 || w.size() > 9) return std::nullopt;
  char buf[9];
  for (std::size_t k = 0; k < w.size(); ++k) {
    if (!is_alpha(w[k])) return std::nullopt;
    buf[k] = lower(w[k]);
  }
  const std::string_view l(buf, w.size());
  static constexpr std::string_view from[] = {"rx",   "recv", "received", "receiving", "in",
                                              "from", "read", "incoming"};
  static constexpr std::string_view to[] = {"tx", "send", "sent", "sending", "out", "to", "write", "outgoing"};
  for (auto f : from)
    if (l == f) return LogDir::from_device;
  for (auto t : to)
    if (l == t) return LogDir::to_device;
  return std::nullopt;
}

bool is_level_word(std::string_view w) {
  static constexpr std::string_view levels[] = {"TRACE", "DEBUG", "INFO",  "NOTICE", "WARN",
                                                "WARNING", "ERROR", "SEVERE", "FATAL",  "CRITICAL"};
  for (auto l : levels)
    if (w == l) return true;
  return false;
}

// An arrow: +1 points at the device side of "us" ('>' family: to the device), -1 the other way.
int arrow(std::string_view a) {
  if (a == ">" || a == "->" || a == ">>" || a == "-->") return +1;
  if (a == "<" || a == "<-" || a == "<<" || a == "<--") return -1;
  return 0;
}

struct Scan {
  std::size_t frame_at = npos;
  Address addr[2];
  int addresses = 0;
  int connector = 0;  // with two addresses: +1 data goes first → second, -1 second → first
  std::optional<LogDir> dir;
  std::string_view level;
};

// Scans s[from, end) for the first frame; with `collect`, also reads the prefix's tokens.
void scan(std::string_view s, std::size_t from, bool collect, Scan& r) {
  const std::size_t n = s.size();
  int pending = 0;  // a connector after the first address, before a second
  std::size_t i = from;
  const auto add = [&](const Address& a) {
    if (r.addresses == 2) return;
    r.addr[r.addresses] = a;
    r.addr[r.addresses].label = label_before(s, a.begin);
    if (r.addresses == 1) r.connector = pending;
    ++r.addresses;
  };
  const auto direction = [&](LogDir d, int connector) {
    if (!r.dir) r.dir = d;
    if (r.addresses == 1 && pending == 0) pending = connector;
  };
  while (i < n) {
    const char c = s[i];
    if (c == '#') {
      if (hash_frame_at(s, i)) {
        while (i > from && s[i - 1] == '#') --i;  // "##353…": the run of '#' starts the frame
        r.frame_at = i;
        return;
      }
      ++i;
    } else if (c == ':') {
      if (downlink_at(s, i)) {
        r.frame_at = i;
        return;
      }
      ++i;
    } else if (is_digit(c)) {
      const char prev = i > 0 ? s[i - 1] : ' ';
      if (!is_word(prev) && prev != '.') {
        if (bare_body_at(s, i)) {
          r.frame_at = i;
          return;
        }
        Address a;
        if (collect && ipv4_at(s, i, a)) {
          add(a);
          i = a.end;
          continue;
        }
      }
      while (i < n && is_word(s[i])) ++i;
    } else if (is_word(c)) {
      const std::size_t b = i;
      while (i < n && is_word(s[i])) ++i;
      if (!collect) continue;
      const std::string_view w = s.substr(b, i - b);
      if (const auto d = direction_word(w)) {
        const bool connector_word = w.size() == 2 && lower(w[0]) == 't' && lower(w[1]) == 'o';
        direction(*d, connector_word ? +1 : 0);
      } else if (r.level.empty() && w.size() <= 8 && is_level_word(w)) {
        r.level = w;
      }
    } else if (c == '<' || c == '>' || c == '-') {
      const std::size_t b = i;
      while (i < n && (s[i] == '<' || s[i] == '>' || s[i] == '-')) ++i;
      // Not touching a letter ("<init>", "a-b"), nor '=' ("=>" is no data direction).
      if (!collect || (b > 0 && (is_alpha(s[b - 1]) || s[b - 1] == '=')) || (i < n && (is_alpha(s[i]) || s[i] == '=')))
        continue;
      if (const int a = arrow(s.substr(b, i - b)); a != 0)
        direction(a > 0 ? LogDir::to_device : LogDir::from_device, a);
    } else if (c == '[') {
      Address a;
      if (collect && ipv6_at(s, i, a)) {
        add(a);
        i = a.end;
        continue;
      }
      ++i;
    } else {
      ++i;
    }
  }
}

bool is_server_port(int port, const LogOptions& options) {
  return port == 5050 || port == 8888 || (options.server_port != 0 && port == options.server_port);
}

// Remote, local and direction from the addresses found.
void resolve(std::string_view line, const Scan& r, const LogOptions& options, LogLine& out) {
  out.dir = r.dir;
  const auto text = [&](const Address& a) { return line.substr(a.begin, a.end - a.begin); };
  if (r.addresses == 1) {
    (r.addr[0].label == 'L' ? out.local : out.remote) = text(r.addr[0]);
    return;
  }
  if (r.addresses != 2) return;
  const Address& a = r.addr[0];
  const Address& b = r.addr[1];
  const Address* remote = &a;
  if (a.label == 'L' || b.label == 'R') {
    remote = &b;
  } else if (a.label == 0 && b.label == 0 && r.connector != 0) {
    const Address& src = r.connector > 0 ? a : b;
    const Address& dst = r.connector > 0 ? b : a;
    if (is_server_port(dst.port, options))
      remote = &src;
    else if (is_server_port(src.port, options))
      remote = &dst;
  }
  const Address* local = remote == &a ? &b : &a;
  out.remote = text(*remote);
  out.local = text(*local);
  if (r.connector != 0) {
    const Address* src = r.connector > 0 ? &a : &b;
    out.dir = src == remote ? LogDir::from_device : LogDir::to_device;
  }
}

// "[T7c2d1e3f: gotop < 1.2.3.4] data", "[T7c2d1e3f] connected", ... with line[i] == '['.
// Older releases wrote other layouts of the same facts, all read here:
//   "[5EBA4B9B: 5005 < 1.2.3.4] HEX: data"       the channel id alone (eight hex digits) and the
//                                                server's port where the protocol's name is now;
//   "[3A374472: 5074 <- 1.2.3.4] - HEX: data"    arrows "<-" and "->", a "- HEX: " label;
//   "[5005 <- 1.2.3.4] - HEX: data"              no channel id at all: the port, per remote host.
// A port in the protocol's place leaves the protocol unnamed.
bool traccar_at(std::string_view line, std::size_t i, LogLine& out) {
  const std::size_t n = line.size();
  const std::size_t t = i + 1;
  if (t >= n) return false;
  const auto hex_run = [&](std::size_t from) {
    std::size_t k = from;
    while (k < n && util::is_hex_digit(line[k])) ++k;
    return k;
  };
  // The session: "T"/"U" and hex digits, or eight hex digits, each ending in ':' or ']'; or none.
  std::size_t k = 0;
  char transport = 'T';
  bool has_session = true;
  if ((line[t] == 'T' || line[t] == 'U') && (k = hex_run(t + 1)) > t + 1 && k < n &&
      (line[k] == ':' || line[k] == ']')) {
    transport = line[t];
  } else if ((k = hex_run(t)) == t + 8 && k < n && (line[k] == ':' || line[k] == ']')) {
    // the older channel id
  } else {
    has_session = false;
    k = t;
  }

  TraccarLine tl;
  tl.transport = transport;
  if (has_session) tl.session = line.substr(t, k - t);
  if (has_session && line[k] == ']') {
    std::size_t r = k + 1;
    if (char_at(line, r, ' ')) ++r;
    tl.rest = line.substr(r);
    tl.kind = tl.rest == "connected"      ? TraccarLine::Kind::connected
              : tl.rest == "disconnected" ? TraccarLine::Kind::disconnected
                                          : TraccarLine::Kind::other;
    out.traccar = tl;
    return true;
  }
  // [": "] protocol-or-port " " arrow " " host "] " ["- "] ["HEX: "] data
  std::size_t p = has_session ? k + 1 : t;
  if (has_session && char_at(line, p, ' ')) ++p;
  const std::size_t proto = p;
  while (p < n && (is_word(line[p]) || line[p] == '-' || line[p] == '.')) ++p;
  std::size_t a = p + 1;  // the arrow
  int arrow = 0;          // +1 from the device, -1 to it
  std::size_t arrow_len = 0;
  if (p > proto && char_at(line, p, ' ')) {
    if (line.substr(a, 2) == "<-") arrow = 1, arrow_len = 2;
    else if (line.substr(a, 2) == "->") arrow = -1, arrow_len = 2;
    else if (char_at(line, a, '<')) arrow = 1, arrow_len = 1;
    else if (char_at(line, a, '>')) arrow = -1, arrow_len = 1;
  }
  const std::string_view name = line.substr(proto, p - proto);
  const bool port = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return util::is_digit(c); });
  if (arrow != 0 && char_at(line, a + arrow_len, ' ') && (has_session || port)) {
    const std::size_t host = a + arrow_len + 1;
    const std::size_t close = line.find(']', host);
    if (close != npos && close > host) {
      tl.kind = TraccarLine::Kind::data;
      if (!has_session) tl.session = name;
      tl.per_remote = !has_session || transport == 'U';
      tl.protocol = port ? std::string_view() : name;
      tl.dir = arrow > 0 ? LogDir::from_device : LogDir::to_device;
      tl.remote = line.substr(host, close - host);
      std::size_t d = close + 1;
      if (char_at(line, d, ' ')) ++d;
      if (line.substr(d, 2) == "- ") d += 2;
      if (line.substr(d, 5) == "HEX: ") d += 5;
      tl.data = line.substr(d);
      bool hex = !tl.data.empty() && tl.data.size() % 2 == 0;
      for (std::size_t q = 0; hex && q < tl.data.size(); ++q) hex = util::is_hex_digit(tl.data[q]);
      tl.data_is_hex = hex;
      out.remote = tl.remote;
      out.dir = tl.dir;
      if (!hex) {
        Scan r;
        scan(line, d, false, r);
        out.frame_at = r.frame_at;
      }
      out.traccar = tl;
      return true;
    }
  }
  if (!has_session) return false;
  std::size_t r = k + 1;
  if (char_at(line, r, ' ')) ++r;
  tl.kind = TraccarLine::Kind::other;
  tl.rest = line.substr(r);
  out.traccar = tl;
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_log_time(std::string_view text, const LogOptions& options, std::size_t& used,
                                           int year_hint) {
  used = 0;
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  // A syslog priority "<13>" and the RFC 5424 version "1 " before the time.
  if (char_at(text, i, '<')) {
    std::size_t j = i + 1;
    while (j < text.size() && j - i <= 3 && is_digit(text[j])) ++j;
    if (j > i + 1 && char_at(text, j, '>')) {
      i = j + 1;
      if (char_at(text, i, '1') && char_at(text, i + 1, ' ')) i += 2;
    }
  }
  const bool bracket = char_at(text, i, '[');
  if (bracket) ++i;
  std::optional<std::int64_t> ns = iso_at(text, i, options);
  if (!ns) ns = syslog_at(text, i, options, year_hint);
  if (!ns) ns = epoch_at(text, i);
  if (!ns) return std::nullopt;
  if (bracket && char_at(text, i, ']')) ++i;
  used = i;
  return ns;
}

bool parse_log_line(std::string_view line, const LogOptions& options, LogLine& out) {
  out = LogLine{};
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  const std::size_t n = line.size();
  std::size_t pos = 0;
  std::size_t used = 0;
  if (const auto ts = parse_log_time(line, options, used, options.syslog_year)) {
    out.ts_ns = ts;
    pos = used;
  }

  // Traccar: " INFO: [session..." after the time (or at the start of the line).
  std::size_t p = pos;
  while (p < n && (line[p] == ' ' || line[p] == '\t')) ++p;
  const std::size_t level_begin = p;
  while (p < n && p - level_begin <= 8 && is_upper(line[p])) ++p;
  std::string_view level;
  if (p > level_begin && char_at(line, p, ':')) {
    level = line.substr(level_begin, p - level_begin);
    ++p;
    while (p < n && line[p] == ' ') ++p;
  } else {
    p = level_begin;
  }
  if (char_at(line, p, '[') && traccar_at(line, p, out)) {
    out.level = level;
    return true;
  }

  Scan r;
  scan(line, pos, true, r);
  out.level = r.level;
  out.frame_at = r.frame_at;
  resolve(line, r, options, out);
  return out.ts_ns.has_value() || out.frame_at != npos;
}

std::string hex_text_to_bytes(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    const unsigned hi = util::hex_value(hex[i]), lo = util::hex_value(hex[i + 1]);
    if (hi > 15 || lo > 15) break;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

std::string traccar_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 'r' || text[i + 1] == 'n')) {
      out.push_back(text[i + 1] == 'r' ? '\r' : '\n');
      ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace vt106::source
