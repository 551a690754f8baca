// The protocol table: parsing protocols.table, matching its rules against a client's first
// bytes, and the probe that turns matches into candidates.
#include "vt106/detect/table.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "vt106/detect/checks.hpp"
#include "vt106/detect/probe.hpp"
#include "vt106/util/text.hpp"

namespace vt106::detect::table {

namespace {

using util::trim;

// A hex digit's value, or -1 (util::hex_value says 0xff).
int hex_value(char c) { return util::is_hex_digit(c) ? static_cast<int>(util::hex_value(c)) : -1; }

// Decimal, or hex after 0x.
bool parse_u64(std::string_view s, std::uint64_t& v) {
  const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  const auto r = util::parse_int<std::uint64_t>(hex ? s.substr(2) : s, hex ? 16 : 10);
  if (r) v = *r;
  return r.has_value();
}

// Decimal with an optional sign.
bool parse_i64(std::string_view s, std::int64_t& v) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto r = util::parse_int<std::int64_t>(s);
  if (r) v = *r;
  return r.has_value();
}

// Splits a rule into words; a quoted string is one word (quotes kept), escapes stay as written.
std::vector<std::string_view> words(std::string_view s, std::string& error) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size()) break;
    const std::size_t start = i;
    bool quoted = false;
    while (i < s.size() && (quoted || (s[i] != ' ' && s[i] != '\t'))) {
      if (s[i] == '\\' && quoted) {
        i += 2;
        continue;
      }
      if (s[i] == '"') quoted = !quoted;
      ++i;
    }
    if (quoted) {
      error = "a quoted string does not end";
      return {};
    }
    out.push_back(s.substr(start, std::min(i, s.size()) - start));
  }
  return out;
}

bool unquote(std::string_view w, std::string& out, std::string& error) {
  if (w.size() < 2 || w.front() != '"' || w.back() != '"') {
    error = fmt::format("'{}' is not a quoted string", w);
    return false;
  }
  w = w.substr(1, w.size() - 2);
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] != '\\') {
      out.push_back(w[i]);
      continue;
    }
    if (++i >= w.size()) {
      error = "a '\\' ends a string";
      return false;
    }
    switch (w[i]) {
      case 'r': out.push_back('\r'); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case '0': out.push_back('\0'); break;
      case '\\': out.push_back('\\'); break;
      case '"': out.push_back('"'); break;
      case 'x': {
        if (i + 2 >= w.size() || hex_value(w[i + 1]) < 0 || hex_value(w[i + 2]) < 0) {
          error = "\\x needs two hex digits";
          return false;
        }
        out.push_back(static_cast<char>(hex_value(w[i + 1]) * 16 + hex_value(w[i + 2])));
        i += 2;
        break;
      }
      default: error = fmt::format("unknown escape \\{}", w[i]); return false;
    }
  }
  return true;
}

bool parse_hex(std::string_view h, std::string& out, std::string& error) {
  if (h.empty() || h.size() % 2) {
    error = fmt::format("x:{} needs an even number of hex digits", h);
    return false;
  }
  for (std::size_t i = 0; i < h.size(); i += 2) {
    const int a = hex_value(h[i]), b = hex_value(h[i + 1]);
    if (a < 0 || b < 0) {
      error = fmt::format("x:{} is not hex", h);
      return false;
    }
    out.push_back(static_cast<char>(a * 16 + b));
  }
  return true;
}

// "{n}" or "{m-n}" after a class name.
bool parse_count(std::string_view s, std::size_t& lo, std::size_t& hi, std::string& error) {
  if (s.size() < 3 || s.front() != '{' || s.back() != '}') {
    error = fmt::format("'{}' is not a count like {{15}} or {{1-20}}", s);
    return false;
  }
  s = s.substr(1, s.size() - 2);
  const auto dash = s.find('-');
  std::uint64_t a = 0, b = 0;
  if (!parse_u64(s.substr(0, dash), a) || (dash != std::string_view::npos && !parse_u64(s.substr(dash + 1), b))) {
    error = fmt::format("'{{{}}}' is not a count", s);
    return false;
  }
  if (dash == std::string_view::npos) b = a;
  if (a > b || b > 65535) {
    error = fmt::format("'{{{}}}': the range is empty or too large", s);
    return false;
  }
  lo = a;
  hi = b;
  return true;
}

bool parse_width(std::string_view w, unsigned& width, bool& le) {
  static constexpr std::pair<std::string_view, std::pair<unsigned, bool>> widths[] = {
      {"u8", {1, false}},  {"u16", {2, false}}, {"u16le", {2, true}}, {"u24", {3, false}},
      {"u32", {4, false}}, {"u32le", {4, true}}, {"u64", {8, false}}, {"u64le", {8, true}}};
  for (const auto& [name, wl] : widths)
    if (w == name) {
      width = wl.first;
      le = wl.second;
      return true;
    }
  return false;
}

bool parse_token(std::string_view w, Token& t, std::string& error) {
  t.text = std::string(w);
  if (w.starts_with("id:")) {
    t.id = true;
    w.remove_prefix(3);
    // Modifiers after the token: /raw /hex /HEX /firstN.
    for (auto slash = w.rfind('/'); slash != std::string_view::npos && w.front() != '"'; slash = w.rfind('/')) {
      const std::string_view mod = w.substr(slash + 1);
      std::uint64_t n = 0;
      if (mod == "raw") t.id_form = Token::IdForm::raw;
      else if (mod == "hex") t.id_form = Token::IdForm::hex;
      else if (mod == "HEX") t.id_form = Token::IdForm::upper_hex;
      else if (mod.starts_with("first") && parse_u64(mod.substr(5), n) && n > 0) t.id_first = n;
      else {
        error = fmt::format("{}: unknown identifier modifier '/{}' (raw, hex, HEX, firstN)", t.text, mod);
        return false;
      }
      w = w.substr(0, slash);
    }
  }
  if (!w.empty() && w.front() == '"') {
    t.kind = Tok::lit;
    return unquote(w, t.lit, error);
  }
  if (w.starts_with("x:")) {
    t.kind = Tok::lit;
    return parse_hex(w.substr(2), t.lit, error);
  }
  if (w.starts_with("end:")) {
    t.kind = Tok::end;
    w.remove_prefix(4);
    return w.starts_with("x:") ? parse_hex(w.substr(2), t.lit, error) : unquote(w, t.lit, error);
  }
  if (w.starts_with("len:")) {
    t.kind = Tok::len;
    w.remove_prefix(4);
    const auto sign = w.find_first_of("+-");
    if (!parse_width(w.substr(0, sign), t.width, t.le) || t.width > 4) {
      error = fmt::format("len:{}: the width is u8, u16, u16le, u24, u32 or u32le", w);
      return false;
    }
    if (sign != std::string_view::npos && !parse_i64(w.substr(sign), t.adjust)) {
      error = fmt::format("len:{}: the adjustment is not a number", w);
      return false;
    }
    return true;
  }
  if (w.starts_with("check:")) {
    t.kind = Tok::check;
    std::vector<std::string_view> parts;
    std::size_t start = 6;
    for (std::size_t i = 6; i <= w.size(); ++i)
      if (i == w.size() || w[i] == ':') {
        parts.push_back(w.substr(start, i - start));
        start = i + 1;
      }
    if (parts.size() != 4) {
      error = fmt::format("{}: a check is check:KIND:FROM:TO:AT", w);
      return false;
    }
    std::string_view kind = parts[0];
    if (kind.size() > 2 && kind.ends_with("le") && kind.starts_with("crc")) {
      t.le = true;
      kind.remove_suffix(2);
    }
    static constexpr std::pair<std::string_view, Sum> sums[] = {
        {"xor8", Sum::xor8},         {"sum8", Sum::sum8},           {"xor8hex", Sum::xor8hex},
        {"sum8hex", Sum::sum8hex},   {"nmea", Sum::nmea},           {"crc16x25", Sum::crc16x25},
        {"crc16ccitt", Sum::crc16ccitt}, {"crc16xmodem", Sum::crc16xmodem}, {"crc16kermit", Sum::crc16kermit},
        {"crc16modbus", Sum::crc16modbus}, {"crc16arc", Sum::crc16arc}};
    bool known = false;
    for (const auto& [n, s] : sums)
      if (kind == n) {
        t.sum = s;
        known = true;
      }
    if (!known) {
      error = fmt::format("{}: unknown check kind '{}'", w, parts[0]);
      return false;
    }
    if (!parse_i64(parts[1], t.from) || !parse_i64(parts[2], t.to) || !parse_i64(parts[3], t.at)) {
      error = fmt::format("{}: FROM, TO and AT are byte offsets (negative: from the end)", w);
      return false;
    }
    return true;
  }
  const auto brace = w.find('{');
  const std::string_view head = w.substr(0, brace);
  static constexpr std::pair<std::string_view, Cls> classes[] = {
      {"digits", Cls::digits}, {"hex", Cls::hex},     {"HEX", Cls::upper_hex}, {"alnum", Cls::alnum},
      {"alpha", Cls::alpha},   {"upper", Cls::upper}, {"lower", Cls::lower},   {"print", Cls::print},
      {"field", Cls::field},   {"bytes", Cls::bytes}};
  for (const auto& [name, c] : classes)
    if (head == name) {
      t.kind = Tok::cls;
      t.cls = c;
      if (brace == std::string_view::npos) {
        error = fmt::format("{} needs a count, e.g. {}{{15}}", w, name);
        return false;
      }
      return parse_count(w.substr(brace), t.min, t.max, error);
    }
  if (head == "skip" || head == "bcd") {
    t.kind = head == "skip" ? Tok::skip : Tok::bcd;
    if (brace == std::string_view::npos) {
      error = fmt::format("{} needs a count", w);
      return false;
    }
    return parse_count(w.substr(brace), t.min, t.max, error);
  }
  const auto eq = w.find('=');
  if (parse_width(w.substr(0, eq), t.width, t.le)) {
    t.kind = Tok::uint;
    if (eq == std::string_view::npos) return true;
    std::string_view values = w.substr(eq + 1);
    while (!values.empty()) {
      const auto bar = values.find('|');
      const std::string_view v = values.substr(0, bar);
      const auto dots = v.find("..");
      Range r;
      if (!parse_u64(v.substr(0, dots), r.lo) || (dots != std::string_view::npos && !parse_u64(v.substr(dots + 2), r.hi))) {
        error = fmt::format("{}: '{}' is not a value or a range A..B", w, v);
        return false;
      }
      if (dots == std::string_view::npos) r.hi = r.lo;
      t.allowed.push_back(r);
      values = bar == std::string_view::npos ? std::string_view() : values.substr(bar + 1);
    }
    return true;
  }
  error = fmt::format("unknown token '{}'", w);
  return false;
}

constexpr bool in_class_slow(Cls c, int ch) {
  switch (c) {
    case Cls::digits: return ch >= '0' && ch <= '9';
    case Cls::hex: return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
    case Cls::upper_hex: return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F');
    case Cls::alnum: return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    case Cls::alpha: return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    case Cls::upper: return ch >= 'A' && ch <= 'Z';
    case Cls::lower: return ch >= 'a' && ch <= 'z';
    case Cls::print: return ch >= 0x20 && ch <= 0x7e;
    case Cls::field: return ch >= 0x20 && ch <= 0x7e && ch != ',';
    case Cls::bytes: return ch >= 0;
  }
  return false;
}

// Each byte's classes, one bit per class: the matcher's inner loop is one load. (Constant, so
// that probes built during static initialisation may use it.)
constexpr std::array<std::uint16_t, 256> class_bits = [] {
  std::array<std::uint16_t, 256> t{};
  for (int ch = 0; ch < 256; ++ch)
    for (int c = 0; c <= static_cast<int>(Cls::bytes); ++c)
      if (in_class_slow(static_cast<Cls>(c), ch)) t[static_cast<std::size_t>(ch)] |= static_cast<std::uint16_t>(1u << c);
  return t;
}();

inline bool in_class(Cls c, int ch) {
  return ch >= 0 && (class_bits[static_cast<std::size_t>(ch)] >> static_cast<unsigned>(c) & 1);
}

bool bcd_byte(int b, bool last) { return (b >> 4) <= 9 && ((b & 15) <= 9 || (last && (b & 15) == 15)); }

// The matcher: depth-first over the compiled tokens, greedy classes and lazy skips with
// backtracking.
class Matcher {
 public:
  Matcher(const Rule& r, const Bytes& b, bool complete)
      : rule_(r),
        ops_(r.ops.data()),
        count_(r.ops.size()),
        pool_(reinterpret_cast<const unsigned char*>(r.pool.data())),
        b_(b),
        d_(reinterpret_cast<const unsigned char*>(b.span().data())),
        n_(b.size()),
        complete_(complete) {}

  Result run() {
    Result res;
    if (step(0, 0)) {
      res = std::move(best_);
      res.status = Result::full;
      return res;
    }
    res.tokens_matched = deepest_;
    res.status = ran_out_ ? Result::need_more : Result::fail;
    res.wanted = wanted_;
    return res;
  }

 private:
  bool out_of_bytes(std::size_t need_total) {
    if (complete_) return false;  // the message has ended: what is missing will not come
    ran_out_ = true;
    if (need_total > wanted_) wanted_ = need_total;
    return false;
  }

  std::size_t resolve(std::int64_t off) const {
    if (off >= 0) return static_cast<std::size_t>(off);
    const auto end = static_cast<std::int64_t>(frame_end_);
    return end + off < 0 ? 0 : static_cast<std::size_t>(end + off);
  }

  // Bytes [pos, pos + width) are present.
  std::uint64_t read(std::size_t pos, unsigned width, bool le) const {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i) v = v << 8 | d_[pos + (le ? width - 1 - i : i)];
    return v;
  }

  bool checksum_ok(const Token& t) {
    const std::size_t from = resolve(t.from), to = resolve(t.to), at = resolve(t.at);
    if (from > to || to > n_) return false;
    const Bytes range = b_.range(from, to - from);
    auto stored16 = [&]() -> std::optional<std::uint16_t> { return t.le ? b_.le16(at) : b_.be16(at); };
    switch (t.sum) {
      case Sum::xor8: return b_.at(at) == xor8(range);
      case Sum::sum8: return b_.at(at) == sum8(range);
      case Sum::xor8hex: return hex_byte_at(b_, at) == xor8(range);
      case Sum::sum8hex: return hex_byte_at(b_, at) == sum8(range);
      case Sum::nmea: return nmea_checksum_ok(b_, from, at);
      case Sum::crc16x25: return stored16() == crc16_x25(range);
      case Sum::crc16ccitt: return stored16() == crc16_ccitt_false(range);
      case Sum::crc16xmodem: return stored16() == crc16_xmodem(range);
      case Sum::crc16kermit: return stored16() == crc16_kermit(range);
      case Sum::crc16modbus: return stored16() == crc16_modbus(range);
      case Sum::crc16arc: return stored16() == crc16_arc(range);
    }
    return false;
  }

  // Records the identifier of token ti over [pos, pos + n) (on the successful path).
  void take_id(std::size_t ti, std::size_t pos, std::size_t n) {
    const Token& t = rule_.tokens[ti];
    if (t.id_form == Token::IdForm::hex || t.id_form == Token::IdForm::upper_hex) {
      const char* digits = t.id_form == Token::IdForm::hex ? "0123456789abcdef" : "0123456789ABCDEF";
      best_.id.clear();
      for (std::size_t i = 0; i < n; ++i) {
        best_.id.push_back(digits[b_.at(pos + i) >> 4]);
        best_.id.push_back(digits[b_.at(pos + i) & 15]);
      }
    } else if (t.kind == Tok::bcd) {
      best_.id = bcd_digits(b_.range(pos, n), true).value_or("");
      best_.id_bcd = t.id_form != Token::IdForm::raw;
    } else if (t.kind == Tok::uint) {
      best_.id = std::to_string(read(pos, t.width, t.le));
      best_.id_integer = true;
    } else {
      best_.id.assign(b_.text(pos, n));
    }
    if (t.id_first && best_.id.size() > t.id_first) {
      best_.id.resize(t.id_first);
      best_.id_bcd = false;
    }
  }

  bool finish(std::size_t pos) {
    if (frame_end_ && pos > frame_end_) return false;  // the rule's fields overrun the declared length
    std::size_t end = frame_end_ ? frame_end_ : pos;
    if (end > n_) return out_of_bytes(end);
    best_.used = end;
    best_.checks_ok = checks_ok_;
    best_.checks_failed = checks_failed_;
    return true;
  }

  // Whether matching from token ti at pos (outside a declared length) is known to fail: a rule
  // of optional parts can reach one place many ways, and each way would fail alike. Kept once
  // a match takes more than a few steps, so that backtracking stays polynomial.
  bool known_failure(std::size_t ti, std::size_t pos) {
    if (steps_ < memo_after || frame_end_ != 0 || pos > n_) return false;
    const std::size_t columns = n_ + 1;
    if (!memo_) {
      memo_ = &memo();
      memo_->assign((count_ * columns + 63) / 64, 0);
    }
    const std::size_t bit = ti * columns + pos;
    return (*memo_)[bit / 64] >> (bit % 64) & 1;
  }
  void failed(std::size_t ti, std::size_t pos) {
    if (!memo_ || frame_end_ != 0 || pos > n_) return;
    const std::size_t bit = ti * (n_ + 1) + pos;
    (*memo_)[bit / 64] |= std::uint64_t{1} << (bit % 64);
  }
  static std::vector<std::uint64_t>& memo() {
    thread_local std::vector<std::uint64_t> m;
    return m;
  }

  // Matching from token ti at pos. The tokens that leave one way on and nothing to do after it
  // (forced) are followed in a loop rather than by recursion, with the same steps, the same
  // memo and the same results.
  bool step(std::size_t ti, std::size_t pos) {
    const std::size_t first_ti = ti, first_pos = pos;
    std::size_t forced_steps = 0;  // tokens followed in the loop
    for (;;) {
      if (++steps_ > 16384) break;  // a bound whatever the rule (a rule of the table needs far fewer)
      if (ti > deepest_) deepest_ = ti;
      if (ti == count_) {
        if (finish(pos)) return true;
        break;
      }
      if (known_failure(ti, pos)) break;
      std::size_t next_pos = 0;
      const Forced f = forced(ti, pos, next_pos);
      if (f == Forced::on) {
        ++ti;
        pos = next_pos;
        ++forced_steps;
        continue;
      }
      if (f == Forced::other && step_token(ti, pos)) return true;
      failed(ti, pos);
      break;
    }
    // Each token followed here failed from where it was.
    if (memo_ && frame_end_ == 0) {
      ti = first_ti;
      pos = first_pos;
      for (std::size_t i = 0; i < forced_steps; ++i) {
        failed(ti, pos);
        std::size_t next_pos = 0;
        forced(ti, pos, next_pos);
        ++ti;
        pos = next_pos;
      }
    }
    return false;
  }

  enum class Forced : std::uint8_t { fails, on, other };
  // A literal, a class run that only its whole length can follow, or an integer, none the
  // identifier: whether it fails at pos, or continues at next_pos (and only there); `other`
  // for every other token (step_token).
  [[gnu::always_inline]] Forced forced(std::size_t ti, std::size_t pos, std::size_t& next_pos) {
    const Op& t = ops_[ti];
    switch (t.forced) {
      case 1:
        if (!literal_at(pos, t.a, t.b)) return Forced::fails;
        next_pos = pos + t.b;
        return Forced::on;
      case 2: {
        const std::size_t limit = pos < n_ ? std::min<std::size_t>(t.b, n_ - pos) : 0;
        const unsigned char* p = d_ + pos;
        const auto bit = static_cast<unsigned>(t.cls);
        std::size_t run = 0;
        while (run < limit && (class_bits[p[run]] >> bit & 1)) ++run;
        if (run < t.a) {
          if (pos + run >= n_) out_of_bytes(0);
          return Forced::fails;
        }
        if (pos + run >= n_ && run < t.b && !complete_) ran_out_ = true;  // more bytes could extend it
        // (Of a fixed count, run is that count.)
        if (t.next >= 0 && pos + run < n_ && d_[pos + run] != t.next) return Forced::fails;
        next_pos = pos + run;
        return Forced::on;
      }
      case 3: {
        const std::uint32_t width = t.a;
        if (pos + width > n_) {
          out_of_bytes(0);
          return Forced::fails;
        }
        const Token& full = rule_.tokens[ti];
        if (!full.allowed.empty()) {
          const std::uint64_t v = read(pos, width, full.le);
          if (std::none_of(full.allowed.begin(), full.allowed.end(),
                           [&](const Range& r) { return v >= r.lo && v <= r.hi; }))
            return Forced::fails;
        }
        next_pos = pos + width;
        return Forced::on;
      }
      default: return Forced::other;
    }
  }

  // Whether bytes [pos, pos + size) equal the pool's bytes at off; false with out_of_bytes when
  // the bytes end before a difference shows.
  bool literal_at(std::size_t pos, std::uint32_t off, std::uint32_t size) {
    const std::size_t avail = pos < n_ ? std::min<std::size_t>(size, n_ - pos) : 0;
    const unsigned char* lit = pool_ + off;
    for (std::size_t i = 0; i < avail; ++i)
      if (d_[pos + i] != lit[i]) return false;
    if (avail < size) return out_of_bytes(0);
    return true;
  }

  // Whether token ti, a literal or a class run of at least one byte that follows a literal,
  // refuses the byte at pos at once: step would fail there, after two steps, having written
  // nothing but its steps and depth. Only while the memo is not kept (steps and marks the same).
  bool refused_after(std::size_t ti, std::size_t pos) const {
    if (ti >= count_ || pos >= n_ || steps_ + 2 >= memo_after) return false;
    const Op& t = ops_[ti];
    if (t.forced == 1) return t.b != 0 && d_[pos] != pool_[t.a];
    if (t.forced == 2) return t.a != 0 && !(class_bits[d_[pos]] >> static_cast<unsigned>(t.cls) & 1);
    return false;
  }

  bool step_token(std::size_t ti, std::size_t pos) {
    const Op& t = ops_[ti];
    switch (t.kind) {
      case Tok::lit: {
        if (!literal_at(pos, t.a, t.b)) return false;
        if (!step(ti + 1, pos + t.b)) return false;
        if (t.id) take_id(ti, pos, t.b);
        return true;
      }
      case Tok::cls:
      case Tok::bcd: {
        const std::size_t limit = pos < n_ ? std::min<std::size_t>(t.b, n_ - pos) : 0;
        const unsigned char* p = d_ + pos;
        std::size_t run = 0;
        if (t.kind == Tok::cls) {
          const auto bit = static_cast<unsigned>(t.cls);
          while (run < limit && (class_bits[p[run]] >> bit & 1)) ++run;
        } else {
          while (run < limit) {
            const int ch = p[run];
            if (!bcd_byte(ch, true)) break;
            ++run;
            if ((ch & 15) == 15) break;  // an F pad nibble ends the digits
          }
        }
        if (run < t.a) {
          if (pos + run >= n_) return out_of_bytes(0);
          return false;
        }
        if (pos + run >= n_ && run < t.b && !complete_) ran_out_ = true;  // more bytes could extend it
        // Followed by a literal: only the lengths after which that literal can start. When that
        // literal's first byte is never of the class, only the whole run can be followed by it.
        const int next = t.next;
        std::size_t shortest = t.a;
        if (t.next_outside) shortest = run;
        for (std::size_t k = run + 1; k-- > shortest;) {
          if (next >= 0 && pos + k < n_ && d_[pos + k] != next) continue;
          if (step(ti + 1, pos + k)) {
            if (t.id) take_id(ti, pos, k);
            return true;
          }
        }
        return false;
      }
      case Tok::skip: {
        // Followed by a literal: only the places where that literal occurs are worth trying.
        if (t.next >= 0) {
          const Op& l = ops_[ti + 1];
          const unsigned char* lit = pool_ + l.a;
          const std::size_t size = l.b;
          const std::size_t last = pos + t.b;  // the latest place the literal may start
          std::size_t from = pos + t.a;
          while (from <= last && from < n_ && size <= n_) {
            // The next place at or after `from` where the literal starts.
            const std::size_t final_start = std::min(last, n_ - size);
            if (from > final_start) break;
            // (Looked for at its least common byte: the places where the literal starts come in
            // the same order.)
            const std::size_t k = l.anchor;
            const auto* found =
                static_cast<const unsigned char*>(std::memchr(d_ + from + k, lit[k], final_start - from + 1));
            if (!found) break;
            const auto at = static_cast<std::size_t>(found - d_) - k;
            std::size_t same = 0;
            while (same < size && d_[at + same] == lit[same]) ++same;
            if (same < size) {
              from = at + 1;
              continue;
            }
            if (refused_after(ti + 2, at + size)) {
              // What step(ti + 1, at) would do, without the call: the literal, then a refusal.
              steps_ += 2;
              if (ti + 2 > deepest_) deepest_ = ti + 2;
              from = at + 1;
              continue;
            }
            if (step(ti + 1, at)) return true;
            from = at + 1;
          }
          // Not found: more bytes could still bring it, when the window runs past the end.
          if (last + size > n_) return out_of_bytes(0);
          return false;
        }
        for (std::size_t k = t.a; k <= t.b; ++k) {
          if (pos + k > n_) return out_of_bytes(0);
          if (step(ti + 1, pos + k)) return true;
        }
        return false;
      }
      case Tok::uint: {
        const std::uint32_t width = t.a;
        if (pos + width > n_) return out_of_bytes(0);
        const Token& full = rule_.tokens[ti];
        const std::uint64_t v = read(pos, width, full.le);
        if (!full.allowed.empty() &&
            std::none_of(full.allowed.begin(), full.allowed.end(), [&](const Range& r) { return v >= r.lo && v <= r.hi; }))
          return false;
        if (!step(ti + 1, pos + width)) return false;
        if (t.id) take_id(ti, pos, width);
        return true;
      }
      case Tok::len: {
        const std::uint32_t width = t.a;
        if (pos + width > n_) return out_of_bytes(0);
        const Token& full = rule_.tokens[ti];
        const auto total = static_cast<std::int64_t>(read(pos, width, full.le)) + full.adjust;
        if (total < static_cast<std::int64_t>(pos + width) || total > 65535 + 64) return false;
        const std::size_t saved = frame_end_;
        frame_end_ = static_cast<std::size_t>(total);
        if (step(ti + 1, pos + width)) return true;
        if (ran_out_ && frame_end_ > wanted_) wanted_ = frame_end_;
        frame_end_ = saved;
        return false;
      }
      case Tok::end: {
        if (frame_end_ == 0) {  // no length: the end marker is here
          if (!literal_at(pos, t.a, t.b)) return false;
          frame_end_ = pos + t.b;
          if (step(ti + 1, frame_end_)) return true;
          frame_end_ = 0;
          return false;
        }
        if (frame_end_ > n_) return out_of_bytes(frame_end_);
        if (frame_end_ < t.b || std::memcmp(d_ + frame_end_ - t.b, pool_ + t.a, t.b) != 0) return false;
        return step(ti + 1, pos);
      }
      case Tok::check: {
        const std::size_t end = frame_end_ ? frame_end_ : pos;
        if (end > n_) return out_of_bytes(end);
        const std::size_t saved_end = frame_end_;
        if (!frame_end_) frame_end_ = pos;
        const bool ok = checksum_ok(rule_.tokens[ti]);
        frame_end_ = saved_end;
        (ok ? checks_ok_ : checks_failed_)++;
        if (step(ti + 1, pos)) return true;
        (ok ? checks_ok_ : checks_failed_)--;
        return false;
      }
    }
    return false;
  }

  const Rule& rule_;
  const Op* ops_;
  const std::size_t count_;
  const unsigned char* pool_;
  const Bytes& b_;
  const unsigned char* d_;
  const std::size_t n_;
  Result best_;
  static constexpr std::size_t memo_after = 64;
  std::size_t frame_end_ = 0, wanted_ = 0, deepest_ = 0, steps_ = 0;
  int checks_ok_ = 0, checks_failed_ = 0;
  bool ran_out_ = false;
  std::vector<std::uint64_t>* memo_ = nullptr;
  const bool complete_;
};

}  // namespace

void compile(Rule& rule) {
  rule.ops.clear();
  rule.pool.clear();
  for (const Token& t : rule.tokens) {
    Op op;
    op.kind = t.kind;
    op.cls = t.cls;
    op.id = t.id;
    switch (t.kind) {
      case Tok::lit:
      case Tok::end:
        op.a = static_cast<std::uint32_t>(rule.pool.size());
        op.b = static_cast<std::uint32_t>(t.lit.size());
        rule.pool += t.lit;
        if (t.kind == Tok::lit) op.anchor = static_cast<std::uint8_t>(least_common_at(std::string_view(t.lit).substr(0, 256)));
        break;
      case Tok::uint:
      case Tok::len: op.a = t.width; break;
      case Tok::cls:
      case Tok::bcd:
      case Tok::skip:
        op.a = static_cast<std::uint32_t>(t.min);
        op.b = static_cast<std::uint32_t>(t.max);
        break;
      default: break;
    }
    rule.ops.push_back(op);
  }
  for (std::size_t i = 0; i + 1 < rule.ops.size(); ++i) {
    Op& op = rule.ops[i];
    const Token& after = rule.tokens[i + 1];
    if ((op.kind != Tok::cls && op.kind != Tok::bcd && op.kind != Tok::skip) || after.kind != Tok::lit ||
        after.lit.empty())
      continue;
    const int c = static_cast<unsigned char>(after.lit[0]);
    op.next = static_cast<std::int16_t>(c);
    op.next_outside = op.kind == Tok::cls ? !in_class(op.cls, c) : op.kind == Tok::bcd && !bcd_byte(c, true);
  }
  // Each token spans at least its fixed bytes (an end marker may lie inside a declared length,
  // a check spans nothing).
  rule.min_size = 0;
  for (const Token& t : rule.tokens) {
    if (t.kind == Tok::lit) rule.min_size += t.lit.size();
    else if (t.kind == Tok::cls || t.kind == Tok::bcd || t.kind == Tok::skip) rule.min_size += t.min;
    else if (t.kind == Tok::uint || t.kind == Tok::len) rule.min_size += t.width;
  }
  for (Op& op : rule.ops)
    if (!op.id)
      op.forced = op.kind == Tok::lit                                        ? 1
                  : op.kind == Tok::cls && (op.next_outside || op.a == op.b) ? 2
                  : op.kind == Tok::uint                                     ? 3
                                                                             : 0;
}

Result match(const Rule& rule, const Bytes& b, bool complete) {
  if (rule.ops.size() != rule.tokens.size()) {  // built by hand and not compiled
    Rule compiled = rule;
    compile(compiled);
    return Matcher(compiled, b, complete).run();
  }
  return Matcher(rule, b, complete).run();
}

const Table& builtin() {
  static const Table table = parse(builtin_text(), "protocols", true);
  return table;
}

namespace {
struct Active {
  Table table;
  std::uint64_t generation = 0;
  bool extended = false;
};
Active& active_state() {
  static Active a;
  return a;
}
}  // namespace

const Table& active() {
  const Active& a = active_state();
  return a.extended ? a.table : builtin();
}

std::uint64_t generation() { return active_state().generation; }

std::vector<std::string> add_text(std::string_view text, std::string_view name) {
  Table extra = parse(text, name);
  Active& a = active_state();
  if (!a.extended) {
    a.table = builtin();
    a.extended = true;
  }
  for (auto& e : extra.entries) {
    std::erase_if(a.table.entries, [&](const Entry& x) { return x.name == e.name; });
    a.table.entries.push_back(std::move(e));
  }
  for (auto& e : a.table.entries)
    e.info = ProtocolInfo{e.name, e.title, Category::tracker, e.port, e.tcp, e.udp, e.common};
  ++a.generation;
  return extra.errors;
}

Table parse(std::string_view text, std::string_view name, bool file_markers) {
  Table table;
  Entry* current = nullptr;
  bool current_bad = false;
  std::size_t line_no = 0;
  std::string file(name);
  auto error = [&](std::string what) {
    table.errors.push_back(fmt::format("{}:{}: {}", file, line_no, what));
    current_bad = true;
  };
  auto close = [&] {
    if (!current) return;
    if (!current_bad && current->rules.empty()) error(fmt::format("protocol {} has no rule", current->name));
    if (!current_bad && current->title.empty()) error(fmt::format("protocol {} has no title", current->name));
    if (!current_bad && current->sources.empty()) error(fmt::format("protocol {} names no source", current->name));
    if (current_bad) table.entries.pop_back();
    current = nullptr;
    current_bad = false;
  };
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (const auto hash = line.find('#'); hash != std::string_view::npos) {
      // A comment starts at a '#' outside quotes.
      bool quoted = false;
      for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\\' && quoted) {
          ++i;
          continue;
        }
        if (line[i] == '"') quoted = !quoted;
        if (line[i] == '#' && !quoted) {
          line = line.substr(0, i);
          break;
        }
      }
    }
    if (file_markers && line.starts_with("@file ")) {  // the files of a table directory, joined
      close();
      file = std::string(trim(line.substr(6)));
      line_no = 0;
      continue;
    }
    line = trim(line);
    if (line.empty()) continue;
    const auto sp = line.find_first_of(" \t");
    const std::string_view key = line.substr(0, sp);
    const std::string_view value = sp == std::string_view::npos ? std::string_view() : trim(line.substr(sp));
    if (key == "protocol") {
      close();
      if (value.empty() || value.find(' ') != std::string_view::npos) {
        table.errors.push_back(fmt::format("{}:{}: 'protocol NAME' with one word", file, line_no));
        continue;
      }
      for (const auto& e : table.entries)
        if (e.name == value) table.errors.push_back(fmt::format("{}:{}: protocol {} twice", file, line_no, value));
      current = &table.entries.emplace_back();
      current->name = std::string(value);
      current->family = current->name;
      continue;
    }
    if (!current) {
      table.errors.push_back(fmt::format("{}:{}: '{}' outside a protocol block", file, line_no, key));
      continue;
    }
    if (key == "title") {
      current->title = std::string(value);
    } else if (key == "family") {
      current->family = std::string(value);
    } else if (key == "port") {
      std::uint64_t p = 0;
      if (!parse_u64(value, p) || p > 65535) error(fmt::format("port '{}' is not a port", value));
      current->port = static_cast<std::uint16_t>(p);
    } else if (key == "over") {
      current->tcp = value.find("tcp") != std::string_view::npos;
      current->udp = value.find("udp") != std::string_view::npos;
      if (!current->tcp && !current->udp) error("'over' names tcp, udp or both");
    } else if (key == "common") {
      current->common = value == "yes";
    } else if (key == "source") {
      current->sources.emplace_back(value);
    } else if (key == "rule") {
      std::string err;
      const auto ws = words(value, err);
      if (!err.empty() || ws.size() < 2) {
        error(err.empty() ? "a rule is 'rule LABEL TOKEN...'" : err);
        continue;
      }
      Rule r;
      r.label = std::string(ws[0]);
      r.text = std::string(trim(value.substr(ws[0].size())));
      std::size_t first = 1;
      if (ws[1].starts_with("level=")) {
        try {
          r.level = std::stod(std::string(ws[1].substr(6)));
        } catch (...) {
          r.level = -1;
        }
        if (r.level <= 0 || r.level > 0.97) error(fmt::format("rule {}: level between 0 and 0.97", r.label));
        first = 2;
        r.text = std::string(trim(value.substr(ws[1].data() + ws[1].size() - value.data())));
      }
      int ids = 0, lens = 0;
      for (std::size_t i = first; i < ws.size(); ++i) {
        Token t;
        if (!parse_token(ws[i], t, err)) {
          error(fmt::format("rule {}: {}", r.label, err));
          break;
        }
        ids += t.id;
        lens += t.kind == Tok::len;
        r.tokens.push_back(std::move(t));
      }
      for (const auto& t : r.tokens)
        if ((t.kind == Tok::lit || t.kind == Tok::end) && t.lit.size() > r.required.size()) r.required = t.lit;
      if (ids > 1) error(fmt::format("rule {}: more than one id", r.label));
      if (lens > 1) error(fmt::format("rule {}: more than one len", r.label));
      if (r.tokens.empty()) error(fmt::format("rule {}: no token", r.label));
      compile(r);
      current->rules.push_back(std::move(r));
    } else {
      error(fmt::format("unknown key '{}'", key));
    }
  }
  close();
  for (auto& e : table.entries)
    e.info = ProtocolInfo{e.name, e.title, Category::tracker, e.port, e.tcp, e.udp, e.common};
  return table;
}

void first_bytes(const Rule& r, std::array<bool, 256>& first) {
  for (const auto& t : r.tokens) {
    switch (t.kind) {
      case Tok::lit:
        first[static_cast<unsigned char>(t.lit[0])] = true;
        return;
      case Tok::cls:
      case Tok::bcd:
        for (int c = 0; c < 256; ++c)
          if (t.kind == Tok::cls ? in_class(t.cls, c) : bcd_byte(c, true)) first[static_cast<std::size_t>(c)] = true;
        if (t.min > 0) return;
        break;
      case Tok::uint:
        if (t.width == 1 && !t.allowed.empty()) {
          for (const auto& range : t.allowed)
            for (std::uint64_t c = range.lo; c <= range.hi && c < 256; ++c) first[c] = true;
          return;
        }
        [[fallthrough]];
      default:
        first.fill(true);
        return;
    }
  }
  first.fill(true);
}


namespace {
// The bytes of an integer field at position p whose value lies in one of `allowed`: byte k
// (0 the least significant) is bounded where the bytes above it are the same all over a range.
void integer_bytes(std::array<std::bitset<256>, positions>& sets, std::size_t p, unsigned width, bool le,
                   const std::vector<Range>& allowed) {
  for (unsigned k = 0; k < width; ++k) {
    const std::size_t at = p + (le ? k : width - 1 - k);
    if (at >= positions) continue;
    std::bitset<256> can;
    for (const auto& r : allowed) {
      const unsigned above = 8 * (k + 1);
      const bool fixed_above = above >= 64 || (r.lo >> above) == (r.hi >> above);
      if (!fixed_above || (r.hi >> (8 * k)) - (r.lo >> (8 * k)) > 255) {
        can.set();
        break;
      }
      const auto lo = static_cast<unsigned>((r.lo >> (8 * k)) & 255), hi = static_cast<unsigned>((r.hi >> (8 * k)) & 255);
      for (unsigned c = lo; c <= hi; ++c) can.set(c);
    }
    sets[at] &= can;
  }
}
}  // namespace

void position_bytes(const Rule& r, std::array<std::bitset<256>, positions>& sets) {
  for (auto& s : sets) s.set();
  std::size_t p = 0;
  auto only = [&](std::size_t at, auto&& allowed) {
    if (at >= positions) return;
    sets[at].reset();
    for (int c = 0; c < 256; ++c)
      if (allowed(c)) sets[at].set(static_cast<std::size_t>(c));
  };
  for (const auto& t : r.tokens) {
    if (p >= positions) return;
    switch (t.kind) {
      case Tok::lit:
        for (std::size_t i = 0; i < t.lit.size(); ++i)
          only(p + i, [&](int c) { return c == static_cast<unsigned char>(t.lit[i]); });
        p += t.lit.size();
        break;
      case Tok::cls:
      case Tok::bcd:
        // The first `min` bytes are of the class whatever the run's length.
        for (std::size_t i = 0; i < t.min && p + i < positions; ++i)
          only(p + i, [&](int c) { return t.kind == Tok::cls ? in_class(t.cls, c) : bcd_byte(c, true); });
        if (t.min != t.max) return;
        p += t.min;
        break;
      case Tok::uint:
        if (!t.allowed.empty()) integer_bytes(sets, p, t.width, t.le, t.allowed);
        p += t.width;
        break;
      case Tok::len: {
        // A declared length gives at most 65535 + 64 bytes (the matcher's bound).
        const std::int64_t most = 65535 + 64 - t.adjust;
        if (most >= 0) integer_bytes(sets, p, t.width, t.le, {Range{0, static_cast<std::uint64_t>(most)}});
        p += t.width;
        break;
      }
      case Tok::skip:
        if (t.min != t.max) return;
        p += t.min;
        break;
      case Tok::check:  // may wait for a frame's end first: what follows is not read yet
      case Tok::end: return;  // a marker at the frame's end, or here: the positions after are not fixed
    }
  }
}

}  // namespace vt106::detect::table
