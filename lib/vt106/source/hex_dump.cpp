// Hex dumps as people paste them, read line by line into units of bytes (see hex_dump.hpp).
//
// Each line is first classified from its start (a bounded look at the first characters, so a
// line of any length is read once), then read in one pass: digits go to a small output block
// that is passed to the sink whenever it fills and at the end of every line.
#include "vt106/source/hex_dump.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "vt106/util/text.hpp"
#include "vt106/util/time.hpp"

namespace vt106::source {

std::string_view to_string(DumpStyle s) {
  switch (s) {
    case DumpStyle::plain: return "plain";
    case DumpStyle::xxd: return "xxd";
    case DumpStyle::hexdump_c: return "hexdump";
    case DumpStyle::od: return "od";
    case DumpStyle::tcpdump: return "tcpdump";
    case DumpStyle::c_array: return "c_array";
    case DumpStyle::unknown: break;
  }
  return "unknown";
}

namespace {

constexpr std::size_t kOutBlock = 4096;   // bytes passed to the sink at a time
constexpr std::size_t kHeaderMax = 4096;  // a tcpdump header line is kept up to this length
constexpr std::size_t kPeek = 256;        // how far into a line its classification looks
constexpr int kRadix16 = 1, kRadix8 = 2, kRadix10 = 4;

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_hex(char c) { return util::is_hex_digit(c); }
bool is_dec(char c) { return c >= '0' && c <= '9'; }
// Separators of plain hex: spaces, ':' and '-'.
bool is_plain_sep(char c) { return c == ' ' || c == '\t' || c == ':' || c == '-'; }

std::size_t hex_run(std::string_view t, std::size_t i, std::size_t end) {
  while (i < end && is_hex(t[i])) ++i;
  return i;
}

bool starts_with(std::string_view t, std::size_t i, std::string_view what) {
  return t.size() - std::min(i, t.size()) >= what.size() && t.compare(i, what.size(), what) == 0;
}

bool all_blank(std::string_view t, std::size_t i) {
  for (; i < t.size(); ++i)
    if (!is_blank(t[i])) return false;
  return true;
}

std::string char_text(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02x}", u);
}

// The value of digits in a radix, nothing when a digit does not belong to it or it overflows.
std::optional<std::uint64_t> parse_radix(std::string_view digits, unsigned radix) {
  std::uint64_t v = 0;
  for (char c : digits) {
    const unsigned d = util::hex_value(c);
    if (d >= radix) return std::nullopt;
    if (v > (UINT64_MAX - d) / radix) return std::nullopt;
    v = v * radix + d;
  }
  return v;
}

// A tcpdump timestamp at the start of a header line, followed by a space.
struct Stamp {
  std::int64_t ns = 0;
  bool date_known = false;
};

std::optional<unsigned> fixed_digits(std::string_view t, std::size_t& i, std::size_t n) {
  if (t.size() < i + n) return std::nullopt;
  unsigned v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (!is_dec(t[i + k])) return std::nullopt;
    v = v * 10 + static_cast<unsigned>(t[i + k] - '0');
  }
  i += n;
  return v;
}

bool expect(std::string_view t, std::size_t& i, char c) {
  if (i >= t.size() || t[i] != c) return false;
  ++i;
  return true;
}

// ".123456 " (1 to 9 digits, then a space): nanoseconds.
std::optional<std::int64_t> fraction(std::string_view t, std::size_t& i) {
  if (!expect(t, i, '.')) return std::nullopt;
  std::int64_t ns = 0;
  std::size_t n = 0;
  while (i < t.size() && is_dec(t[i]) && n < 9) {
    ns = ns * 10 + (t[i] - '0');
    ++i;
    ++n;
  }
  if (n == 0 || i >= t.size() || t[i] != ' ') return std::nullopt;
  for (; n < 9; ++n) ns *= 10;
  return ns;
}

constexpr std::int64_t max_stamp_s = 9'000'000'000;  // ±285 years: within nanoseconds in 64 bits

std::optional<Stamp> tcpdump_stamp(std::string_view t, std::int64_t tz_offset_s) {
  // -tttt: "2026-12-01 10:00:00.123456 "
  {
    std::size_t i = 0;
    const auto y = fixed_digits(t, i, 4);
    if (y && expect(t, i, '-')) {
      const auto mo = fixed_digits(t, i, 2);
      if (!mo || !expect(t, i, '-')) return std::nullopt;
      const auto d = fixed_digits(t, i, 2);
      if (!d || !expect(t, i, ' ')) return std::nullopt;
      const auto h = fixed_digits(t, i, 2);
      if (!h || !expect(t, i, ':')) return std::nullopt;
      const auto mi = fixed_digits(t, i, 2);
      if (!mi || !expect(t, i, ':')) return std::nullopt;
      const auto s = fixed_digits(t, i, 2);
      if (!s) return std::nullopt;
      const auto frac = fraction(t, i);
      if (!frac) return std::nullopt;
      const auto secs = util::utc_seconds(static_cast<int>(*y), *mo, *d, *h, *mi, *s);
      // Nanoseconds since the epoch hold about 292 years either side of 1970.
      if (!secs || *secs < -max_stamp_s || *secs > max_stamp_s) return std::nullopt;
      return Stamp{(*secs - tz_offset_s) * 1'000'000'000 + *frac, true};
    }
  }
  // default: "10:00:00.123456 " (also what -ttt and -ttttt print: a delta, read as a time of day)
  {
    std::size_t i = 0;
    const auto h = fixed_digits(t, i, 2);
    if (h && expect(t, i, ':')) {
      const auto mi = fixed_digits(t, i, 2);
      if (!mi || !expect(t, i, ':')) return std::nullopt;
      const auto s = fixed_digits(t, i, 2);
      if (!s) return std::nullopt;
      const auto frac = fraction(t, i);
      if (!frac || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
      const std::int64_t tod = *h * 3600 + *mi * 60 + *s;
      return Stamp{(tod - tz_offset_s) * 1'000'000'000 + *frac, false};
    }
  }
  // -tt: "1764583200.123456 " (seconds since the epoch: already UTC)
  {
    std::size_t i = 0;
    std::int64_t secs = 0;
    while (i < t.size() && is_dec(t[i]) && i < 12) secs = secs * 10 + (t[i++] - '0');
    if (i == 0) return std::nullopt;
    const auto frac = fraction(t, i);
    if (!frac || secs > max_stamp_s) return std::nullopt;
    return Stamp{secs * 1'000'000'000 + *frac, true};
  }
}

// Plain hex in a bounded look: digits, separators, "0x" prefixes. `digits` counts the digits.
bool plain_chars(std::string_view t, std::size_t& digits) {
  digits = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '0' && i + 1 < t.size() && (t[i + 1] == 'x' || t[i + 1] == 'X') &&
        (i == 0 || is_plain_sep(t[i - 1]))) {
      ++i;
      continue;
    }
    if (is_hex(c))
      ++digits;
    else if (!is_plain_sep(c))
      return false;
  }
  return digits > 0;
}

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident(char c) { return is_ident_start(c) || is_dec(c); }

// "static const unsigned char pkt12[74] = {", "unsigned char file_pcap[] = {": the array name
// and where the data after '{' starts.
bool c_array_start(std::string_view t, std::string_view& name, std::size_t& data) {
  const std::string_view head = t.substr(0, kPeek);
  const auto brace = head.find('{');
  if (brace == std::string_view::npos || !is_ident_start(t[0])) return false;
  std::size_t i = brace;
  while (i > 0 && is_blank(t[i - 1])) --i;
  if (i == 0 || t[i - 1] != '=') return false;
  --i;
  while (i > 0 && is_blank(t[i - 1])) --i;
  if (i == 0 || t[i - 1] != ']') return false;
  const auto open = head.rfind('[', i - 1);
  if (open == std::string_view::npos) return false;
  for (std::size_t k = open + 1; k + 1 < i; ++k)
    if (!is_ident(t[k]) && !is_blank(t[k])) return false;
  std::size_t e = open;
  while (e > 0 && is_blank(t[e - 1])) --e;
  std::size_t b = e;
  while (b > 0 && is_ident(t[b - 1])) --b;
  if (b == e) return false;
  for (std::size_t k = 0; k < b; ++k)  // type words before the name
    if (!is_ident(t[k]) && !is_blank(t[k]) && t[k] != '*') return false;
  name = t.substr(b, e - b);
  data = brace + 1;
  return true;
}

// "unsigned int file_pcap_len = 1234;" and other C statements around arrays.
bool c_statement(std::string_view t) {
  if (!is_ident_start(t[0])) return false;
  std::size_t e = t.size();
  while (e > 0 && is_blank(t[e - 1])) --e;
  return e > 0 && t[e - 1] == ';' && t.substr(0, std::min(e, kPeek)).find('=') != std::string_view::npos;
}

enum class Kind : std::uint8_t {
  blank,
  plain,       // digits and separators (or text: read as plain, its first stray character reported)
  xxd,         // offset ':' groups
  spaced,      // offset, spaces, groups: hexdump -C, hexdump, od, tshark -x
  total,       // an offset alone ending a hexdump or od dump
  star,        // '*': the previous line repeats
  tcp_hex,     // "\t0x0010:  4500 ..."
  tcp_header,  // a tcpdump packet line
  c_array,     // the declaration opening a C array
  comment,     // "/*" opening a comment that goes on past this line
  skip,        // C statements, closed comments, tcpdump's own messages, verbose decode lines
};

struct Line {
  Kind kind = Kind::blank;
  std::size_t off_begin = 0, off_len = 0;  // the offset's digits
  std::size_t data = 0;                    // where the digits (or the array's content) start
  std::string_view name;                   // c_array
};

struct Context {
  bool in_spaced = false;  // an offset dump without colons is open (a lone offset is its total)
  bool tcpdump = false;    // the input is tcpdump output (other unindented lines are headers)
};

Line classify(std::string_view t, const Context& ctx) {
  Line out;
  std::size_t i = 0;
  while (i < t.size() && is_blank(t[i])) ++i;
  if (i == t.size()) return out;
  const std::size_t n = t.size();
  // tcpdump data lines: "\t0x0000:  4500 ...", the tab sometimes lost in a paste
  if (t[i] == '0' && i + 1 < n && t[i + 1] == 'x') {
    const std::size_t j = hex_run(t, i + 2, std::min(n, i + 2 + kPeek));
    if (j > i + 2 && j < n && t[j] == ':') {
      out.kind = Kind::tcp_hex;
      out.off_begin = i + 2;
      out.off_len = j - (i + 2);
      out.data = j + 1;
      return out;
    }
  }
  if (starts_with(t, i, "/*")) {
    out.kind = t.find("*/", i + 2) == std::string_view::npos ? Kind::comment : Kind::skip;
    return out;
  }
  if (starts_with(t, i, "//") || t[i] == '}') {
    out.kind = Kind::skip;
    return out;
  }
  std::size_t digits = 0;
  if (i > 0) {  // indented: a line of tcpdump's verbose decode, or plain hex (text is reported)
    out.kind = ctx.tcpdump ? Kind::skip : Kind::plain;
    return out;
  }
  if (starts_with(t, 0, "reading from file ") || starts_with(t, 0, "listening on ")) {
    out.kind = Kind::skip;
    return out;
  }
  if (c_array_start(t, out.name, out.data)) {
    out.kind = Kind::c_array;
    return out;
  }
  if (c_statement(t)) {
    out.kind = Kind::skip;
    return out;
  }
  if (tcpdump_stamp(t.substr(0, kPeek), 0) || starts_with(t, 0, "IP ") || starts_with(t, 0, "IP6 ")) {
    out.kind = Kind::tcp_header;
    return out;
  }
  if (t[0] == '*' && all_blank(t, 1)) {
    out.kind = Kind::star;
    return out;
  }
  const std::size_t j = hex_run(t, 0, std::min(n, kPeek));
  if (j >= 4 && j <= 20) {
    out.off_begin = 0;
    out.off_len = j;
    if (j < n && t[j] == ':' && (j + 1 == n || t[j + 1] == ' ')) {
      out.kind = Kind::xxd;
      out.data = j + 1;
      return out;
    }
    if (all_blank(t, j)) {
      if (j >= 6 && ctx.in_spaced) {
        out.kind = Kind::total;
        return out;
      }
    } else if (t[j] == ' ') {
      std::size_t k = j;
      while (k < n && t[k] == ' ') ++k;
      const bool zero = t.substr(0, j).find_first_not_of('0') == std::string_view::npos;
      const bool marker = t.find(" |") != std::string_view::npos || t.find(" >") != std::string_view::npos;
      if (k < n && is_hex(t[k]) && (k - j >= 2 || (j >= 6 && (ctx.in_spaced || zero || marker)))) {
        out.kind = Kind::spaced;
        out.data = j;
        return out;
      }
    }
  }
  if (ctx.tcpdump) {
    out.kind = plain_chars(t.substr(0, kPeek), digits) ? Kind::plain : Kind::tcp_header;
    return out;
  }
  out.kind = Kind::plain;
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct HexDumpReader::State {
  Context ctx;
  bool in_unit = false;
  bool in_array = false;    // inside a C array's braces
  bool in_comment = false;  // inside a /* comment */ that spans lines
  std::uint64_t units = 0;
  std::string out;  // bytes not yet passed on (at most kOutBlock)

  // plain: a digit waiting for its partner (plain digits pair across lines within a unit)
  int nibble = -1;
  std::uint64_t nibble_line = 0, nibble_col = 0;

  // offset styles
  std::uint64_t next_off = 0;  // the offset the next line should carry
  bool star = false;           // a '*' line was read since the last data line
  bool damaged = false;        // the last data line had a problem: the next offset resynchronises
  bool octal = false;          // od's default (octal words): reported once, its lines not read
  int radix = kRadix16;        // radices the offsets may still be written in (7-digit od/hexdump)
  unsigned word = 1;           // bytes per group, little-endian when > 1 (hexdump, od -x)
  std::string held;            // the last bytes of the last line (a little-endian dump pads its end)
  std::array<char, 256> row{};  // the last data line's bytes, for '*'
  std::size_t row_len = 0;
  bool row_ok = false;

  // tcpdump
  bool have_header = false;
  std::string header;
  std::uint64_t header_line = 0;
  std::optional<Stamp> stamp;
};

HexDumpReader::HexDumpReader(DumpSink& sink, DumpOptions options)
    : sink_(sink), options_(options), st_(std::make_unique<State>()) {
  st_->out.reserve(kOutBlock);
}

HexDumpReader::~HexDumpReader() = default;

void HexDumpReader::flush_out() {
  if (st_->out.empty()) return;
  sink_.unit_bytes(st_->out);
  st_->out.clear();
}

void HexDumpReader::emit(unsigned char b) {
  st_->out.push_back(static_cast<char>(b));
  if (st_->out.size() >= kOutBlock) flush_out();
}

void HexDumpReader::report(std::string_view code, std::uint64_t line, std::uint64_t column, std::string message) {
  flush_out();
  DumpProblem p;
  p.code = code;
  p.line = line;
  p.column = column;
  p.message = fmt::format("line {}, column {}: {}", line, column, message);
  sink_.problem(p);
}

void HexDumpReader::begin_unit(DumpStyle style, std::uint64_t line, std::string_view name) {
  end_unit();
  State& s = *st_;
  DumpUnit u;
  u.number = ++s.units;
  u.line = line;
  u.style = style;
  u.header = name;
  if (style == DumpStyle::tcpdump && s.have_header) {
    u.line = s.header_line;
    u.header = std::move(s.header);
    if (s.stamp) {
      u.ts_ns = s.stamp->ns;
      u.date_known = s.stamp->date_known;
    }
    s.have_header = false;
    s.header.clear();
  }
  style_ = style;
  s.in_unit = true;
  s.nibble = -1;
  s.next_off = 0;
  s.star = false;
  s.damaged = false;
  s.octal = false;
  s.radix = kRadix16;
  s.word = 1;
  s.held.clear();
  s.row_len = 0;
  s.row_ok = false;
  s.ctx.in_spaced = style == DumpStyle::hexdump_c || style == DumpStyle::od;
  if (style != DumpStyle::tcpdump) s.ctx.tcpdump = false;
  sink_.unit_begin(u);
}

void HexDumpReader::end_unit() {
  State& s = *st_;
  s.in_array = false;
  s.ctx.in_spaced = false;
  if (!s.in_unit) return;
  if (s.nibble >= 0) {
    report("bad_hex", s.nibble_line, s.nibble_col, "odd number of hex digits: this digit has no partner");
    s.nibble = -1;
  }
  release_held(s.held.size());
  flush_out();
  s.in_unit = false;
  sink_.unit_end();
}

void HexDumpReader::release_held(std::size_t n) {
  State& s = *st_;
  for (std::size_t k = 0; k < n && k < s.held.size(); ++k) emit(static_cast<unsigned char>(s.held[k]));
  s.held.clear();
}

void HexDumpReader::finish() {
  State& s = *st_;
  s.in_comment = false;
  end_unit();
  flush_out();
}

void HexDumpReader::line(std::string_view text) {
  ++line_no_;
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  State& s = *st_;
  std::size_t from = 0;
  if (s.in_comment) {
    const auto close = text.find("*/");
    if (close == std::string_view::npos) return;
    s.in_comment = false;
    if (!s.in_array) return;  // what follows a comment outside an array is not read
    from = close + 2;
  }
  if (s.in_array) {
    array_text(text, from);
    flush_out();
    return;
  }
  const Line l = classify(text, s.ctx);
  switch (l.kind) {
    case Kind::blank: end_unit(); break;
    case Kind::skip: break;
    case Kind::comment: s.in_comment = true; break;
    case Kind::c_array:
      begin_unit(DumpStyle::c_array, line_no_, l.name);
      s.in_array = true;
      array_text(text, l.data);
      break;
    case Kind::tcp_header:
      end_unit();
      s.ctx.tcpdump = true;
      s.have_header = true;
      s.header.assign(text.substr(0, kHeaderMax));
      s.header_line = line_no_;
      s.stamp = tcpdump_stamp(text.substr(0, kPeek), options_.tz_offset_s);
      break;
    case Kind::tcp_hex: tcp_line(text, l.off_begin, l.off_len, l.data); break;
    case Kind::xxd:
    case Kind::spaced: offset_line(text, l.off_begin, l.off_len, l.data, l.kind == Kind::xxd); break;
    case Kind::total: total_line(text.substr(l.off_begin, l.off_len)); break;
    case Kind::star:
      if (s.in_unit && (style_ == DumpStyle::xxd || s.ctx.in_spaced || style_ == DumpStyle::tcpdump)) {
        release_held(s.held.size());
        s.star = true;
      } else {
        if (s.in_unit && style_ != DumpStyle::plain) end_unit();
        report("bad_hex", line_no_, 1, "'*' (a repeat) outside an offset dump");
      }
      break;
    case Kind::plain:
      if (s.in_unit && style_ != DumpStyle::plain) end_unit();
      s.ctx.tcpdump = false;
      plain_text(text);
      break;
  }
  flush_out();
}

void HexDumpReader::plain_text(std::string_view t) {
  State& s = *st_;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    const unsigned v = util::hex_value(c);
    if (v <= 15) {
      if (c == '0' && i + 1 < t.size() && (t[i + 1] == 'x' || t[i + 1] == 'X') && (i == 0 || is_plain_sep(t[i - 1]))) {
        ++i;
        continue;
      }
      if (!s.in_unit) begin_unit(DumpStyle::plain, line_no_);
      if (s.nibble < 0) {
        s.nibble = static_cast<int>(v);
        s.nibble_line = line_no_;
        s.nibble_col = i + 1;
      } else {
        emit(static_cast<unsigned char>(s.nibble * 16 + static_cast<int>(v)));
        s.nibble = -1;
      }
    } else if (!is_plain_sep(c)) {
      report("bad_hex", line_no_, i + 1, fmt::format("{} is not a hex digit (the rest of the line is skipped)", char_text(c)));
      return;
    }
  }
}

void HexDumpReader::array_text(std::string_view t, std::size_t i) {
  State& s = *st_;
  while (i < t.size()) {
    const char c = t[i];
    if (is_blank(c) || c == ',') {
      ++i;
    } else if (c == '/' && i + 1 < t.size() && t[i + 1] == '*') {
      const auto close = t.find("*/", i + 2);
      if (close == std::string_view::npos) {
        s.in_comment = true;
        return;
      }
      i = close + 2;
    } else if (c == '/' && i + 1 < t.size() && t[i + 1] == '/') {
      return;
    } else if (c == '}') {
      end_unit();
      return;
    } else if (c == '0' && i + 1 < t.size() && (t[i + 1] == 'x' || t[i + 1] == 'X')) {
      const std::size_t j = hex_run(t, i + 2, t.size());
      if (j == i + 2 || j - (i + 2) > 2) {
        report("bad_hex", line_no_, i + 1,
               j == i + 2 ? std::string("\"0x\" without digits") : std::string("a byte with more than two hex digits"));
        return;
      }
      emit(static_cast<unsigned char>(*parse_radix(t.substr(i + 2, j - (i + 2)), 16)));
      i = j;
    } else if (is_dec(c)) {
      std::size_t j = i;
      while (j < t.size() && is_dec(t[j]) && j - i < 4) ++j;
      const auto v = parse_radix(t.substr(i, j - i), 10);
      if (!v || *v > 255 || (j < t.size() && is_ident(t[j]))) {
        report("bad_hex", line_no_, i + 1, "not a byte value (0x00 to 0xff)");
        return;
      }
      emit(static_cast<unsigned char>(*v));
      i = j;
    } else {
      report("bad_hex", line_no_, i + 1, fmt::format("{} in a C array (the rest of the line is skipped)", char_text(c)));
      return;
    }
  }
}

// The groups of hex digits after an offset, up to `end` or (two_space) the first run of two
// spaces, where the ASCII column starts.
std::size_t HexDumpReader::read_groups(std::string_view t, std::size_t i, std::size_t end, bool two_space) {
  State& s = *st_;
  std::size_t bytes = 0;
  s.row_len = 0;
  s.row_ok = true;
  s.damaged = false;
  auto put = [&](unsigned char b) {
    if (s.row_len < s.row.size())
      s.row[s.row_len++] = static_cast<char>(b);
    else
      s.row_ok = false;
    ++bytes;
    if (s.word > 1) {  // keep the line's last bytes back: the dump's end may be padding
      s.held.push_back(static_cast<char>(b));
      if (s.held.size() >= s.word) {
        emit(static_cast<unsigned char>(s.held.front()));
        s.held.erase(0, 1);
      }
    } else {
      emit(b);
    }
  };
  while (i < end && is_blank(t[i])) ++i;
  while (i < end) {
    if (!is_hex(t[i])) {
      report("bad_hex", line_no_, i + 1, fmt::format("{} where hex digits were expected", char_text(t[i])));
      s.damaged = true;
      break;
    }
    const std::size_t j = hex_run(t, i, end);
    const std::size_t pairs = (j - i) / 2;
    if (s.word > 1 && pairs <= 8) {  // a little-endian word: its last pair is its first byte
      for (std::size_t p = pairs; p-- > 0;)
        put(static_cast<unsigned char>(util::hex_value(t[i + 2 * p]) * 16 + util::hex_value(t[i + 2 * p + 1])));
    } else {
      for (std::size_t p = 0; p < pairs; ++p)
        put(static_cast<unsigned char>(util::hex_value(t[i + 2 * p]) * 16 + util::hex_value(t[i + 2 * p + 1])));
    }
    if ((j - i) % 2 != 0) {
      report("bad_hex", line_no_, j, "odd number of hex digits in a group: this digit has no partner");
      s.damaged = true;
    }
    i = j;
    if (i >= end) break;
    if (!is_blank(t[i])) {
      report("bad_hex", line_no_, i + 1, fmt::format("{} where hex digits were expected", char_text(t[i])));
      s.damaged = true;
      break;
    }
    std::size_t k = i;
    while (k < end && is_blank(t[k])) ++k;
    if (two_space && k - i >= 2) break;
    i = k;
  }
  return bytes;
}

// A '*' was read and this line's offset is further on: the last line repeats up to it.
void HexDumpReader::repeat_to(std::uint64_t target, std::size_t column) {
  State& s = *st_;
  s.star = false;
  const std::uint64_t gap = target - s.next_off;
  if (!s.row_ok || s.row_len == 0 || gap % s.row_len != 0) {
    report("dump_offset", line_no_, column,
           fmt::format("after '*' the offset jumps by {} bytes, not a whole number of {}-byte lines", gap, s.row_len));
    return;
  }
  if (gap > options_.max_repeat) {
    report("dump_offset", line_no_, column,
           fmt::format("'*' would repeat {} bytes, more than the limit of {}", gap, options_.max_repeat));
    return;
  }
  release_held(s.held.size());
  for (std::uint64_t k = gap / s.row_len; k > 0; --k)
    for (std::size_t b = 0; b < s.row_len; ++b) emit(static_cast<unsigned char>(s.row[b]));
}

// Where this offset leaves the unit: continuing, restarting at zero (a new unit), repeating,
// or jumping (reported).
bool HexDumpReader::check_offset(std::uint64_t off, std::size_t column) {
  State& s = *st_;
  if (off == s.next_off) {
    s.star = false;
    return true;
  }
  if (off == 0) return false;
  if (s.damaged && off > s.next_off) {
    // the bytes the damaged line lost: already reported there
  } else if (s.star && off > s.next_off) {
    repeat_to(off, column);
  } else if (off < s.next_off) {
    report("dump_offset", line_no_, column,
           fmt::format("the offset goes back to 0x{:x} (0x{:x} was expected)", off, s.next_off));
  } else {
    report("dump_offset", line_no_, column,
           fmt::format("the offset jumps forward to 0x{:x} (0x{:x} was expected) without '*'", off, s.next_off));
  }
  s.star = false;
  return true;
}

namespace {
// A 7-digit offset may be hex (hexdump), octal (od's default) or decimal (od -A d); the radix
// is told by the first step from one line to the next. Other widths are hex.
int radices_of(std::string_view digits) {
  int m = kRadix16;
  if (digits.size() == 7) {
    if (parse_radix(digits, 8)) m |= kRadix8;
    if (parse_radix(digits, 10)) m |= kRadix10;
  }
  return m;
}
std::optional<std::uint64_t> offset_in(std::string_view digits, int radix) {
  return parse_radix(digits, radix == kRadix16 ? 16 : radix == kRadix8 ? 8 : 10);
}
}  // namespace

std::optional<std::uint64_t> HexDumpReader::spaced_offset(std::string_view digits) {
  State& s = *st_;
  const int m = s.radix & radices_of(digits);
  int match = 0;
  for (int r : {kRadix16, kRadix8, kRadix10})
    if ((m & r) != 0 && offset_in(digits, r) == s.next_off) match |= r;
  if (match != 0) {
    s.radix = match;
    return s.next_off;
  }
  for (int r : {kRadix16, kRadix8, kRadix10})
    if ((m & r) != 0) return offset_in(digits, r);
  return std::nullopt;
}

void HexDumpReader::offset_line(std::string_view t, std::size_t off_begin, std::size_t off_len, std::size_t data,
                                bool colon) {
  State& s = *st_;
  const std::string_view digits = t.substr(off_begin, off_len);
  const bool same = s.in_unit && (colon ? style_ == DumpStyle::xxd : s.ctx.in_spaced);
  if (same && s.octal) return;
  std::optional<std::uint64_t> off;
  if (same) {
    release_held(s.held.size());
    off = colon ? parse_radix(digits, 16) : spaced_offset(digits);
    if (!off) {
      report("dump_offset", line_no_, off_begin + 1, "the offset is too large");
      off = s.next_off;
    }
  }
  if (!same || !check_offset(*off, off_begin + 1)) {
    // a new dump: its style from this first line
    DumpStyle style = DumpStyle::xxd;
    unsigned word = 1;
    std::size_t g = data;
    while (g < t.size() && is_blank(t[g])) ++g;
    const std::size_t width = hex_run(t, g, std::min(t.size(), g + 32)) - g;
    if (!colon) {
      if (t.find(" |") != std::string_view::npos)
        style = DumpStyle::hexdump_c;
      else if (t.find(" >") != std::string_view::npos || off_len == 6)
        style = DumpStyle::od;
      else
        style = off_len == 7 && width == 4 ? DumpStyle::hexdump_c : off_len <= 4 ? DumpStyle::hexdump_c : DumpStyle::od;
      // hexdump and od print words as numbers: bytes in little-endian order
      if ((width == 4 || width == 8) && off_len >= 6) word = static_cast<unsigned>(width / 2);
    }
    begin_unit(style, line_no_);
    s.word = word;
    if (!colon && (width == 3 || width == 6 || width == 11)) {
      s.octal = true;
      report("bad_hex", line_no_, g + 1,
             fmt::format("groups of {} digits: octal words (od's default) are not read; od -A x -t x1z writes hex bytes",
                         width));
    }
    s.radix = colon ? kRadix16 : radices_of(digits);
    int first = 0;
    for (int r : {kRadix16, kRadix8, kRadix10})
      if (first == 0 && (s.radix & r) != 0) first = r;
    off = offset_in(digits, first);
    if (!off) {
      report("dump_offset", line_no_, off_begin + 1, "the offset is too large");
      off = 0;
    }
  }
  std::size_t end = t.size();
  bool two_space = true;
  if (!colon && style_ == DumpStyle::hexdump_c) {
    const auto bar = t.find(" |", data);
    if (bar != std::string_view::npos) end = bar, two_space = false;
  } else if (!colon && style_ == DumpStyle::od) {
    const auto gt = t.find(" >", data);
    if (gt != std::string_view::npos) end = gt, two_space = false;
  }
  if (s.octal) return;
  const std::size_t n = read_groups(t, data, end, two_space);
  s.next_off = *off + n;
}

void HexDumpReader::total_line(std::string_view digits) {
  State& s = *st_;
  const auto total = spaced_offset(digits);
  if (s.octal) {
    // nothing was read
  } else if (!total) {
    report("dump_offset", line_no_, 1, "the total length is too large");
  } else {
    if (s.star && *total > s.next_off) repeat_to(*total, 1);
    if (*total == s.next_off || (s.damaged && *total > s.next_off)) {
      release_held(s.held.size());
    } else if (*total < s.next_off && s.next_off - *total <= s.held.size()) {
      release_held(s.held.size() - (s.next_off - *total));  // the rest pads the last word
    } else {
      report("dump_offset", line_no_, 1,
             fmt::format("the dump says it holds 0x{:x} bytes, its lines hold 0x{:x}", *total, s.next_off));
    }
  }
  end_unit();
}

void HexDumpReader::tcp_line(std::string_view t, std::size_t off_begin, std::size_t off_len, std::size_t data) {
  State& s = *st_;
  const auto off = parse_radix(t.substr(off_begin, off_len), 16);
  s.ctx.tcpdump = true;
  if (s.have_header || !s.in_unit || style_ != DumpStyle::tcpdump || !off || !check_offset(*off, off_begin + 1))
    begin_unit(DumpStyle::tcpdump, line_no_);
  const std::size_t n = read_groups(t, data, t.size(), true);
  s.next_off = off.value_or(s.next_off) + n;
}

// ---------------------------------------------------------------------------------------------

bool looks_like_hex_dump(std::string_view head) {
  for (char c : head) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u >= 0x7f) return false;
  }
  Context ctx;
  bool in_array = false, in_comment = false;
  int positive = 0, headers = 0, tcp_lines = 0, looked = 0;
  std::size_t pos = 0;
  while (pos < head.size() && looked < 16) {
    auto nl = head.find('\n', pos);
    const bool cut = nl == std::string_view::npos;
    if (cut) nl = head.size();
    std::string_view t = head.substr(pos, nl - pos);
    pos = nl + 1;
    if (!t.empty() && t.back() == '\r') t.remove_suffix(1);
    if (cut && (positive > 0 || headers > 0)) break;  // a cut last line adds nothing to decide by
    if (in_comment) {
      const auto close = t.find("*/");
      if (close == std::string_view::npos) continue;
      in_comment = false;
      t = t.substr(close + 2);
      if (!in_array) continue;
    }
    if (in_array) {
      std::size_t i = 0;
      while (i < t.size()) {
        const char c = t[i];
        if (is_blank(c) || c == ',' || is_hex(c) || ((c == 'x' || c == 'X') && i > 0 && t[i - 1] == '0')) {
          ++i;
        } else if (c == '/' && i + 1 < t.size() && t[i + 1] == '*') {
          const auto close = t.find("*/", i + 2);
          if (close == std::string_view::npos) {
            in_comment = true;
            break;
          }
          i = close + 2;
        } else if (c == '}') {
          in_array = false;
          break;
        } else {
          return false;
        }
      }
      continue;
    }
    const Line l = classify(t, ctx);
    if (l.kind != Kind::blank) ++looked;
    std::size_t digits = 0;
    switch (l.kind) {
      case Kind::blank:
      case Kind::skip: break;
      case Kind::comment: in_comment = true; break;
      case Kind::plain:
        if (!plain_chars(t, digits) || (digits % 2 != 0 && !cut)) return false;
        ++positive;
        break;
      case Kind::spaced:
        ctx.in_spaced = true;
        ++positive;
        break;
      case Kind::xxd:
      case Kind::total:
      case Kind::star: ++positive; break;
      case Kind::tcp_hex:
        ctx.tcpdump = true;
        ++tcp_lines;
        ++positive;
        break;
      case Kind::tcp_header:
        ctx.tcpdump = true;
        ++headers;
        break;
      case Kind::c_array:
        in_array = true;
        ++positive;
        break;
    }
  }
  return positive > 0 && (headers == 0 || tcp_lines > 0);
}

}  // namespace vt106::source
