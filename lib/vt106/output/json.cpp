// JSON escaping (RFC 8259) with UTF-8 validation, number output, and a re-indenter.
#include "vt106/output/json.hpp"

#include "vt106/output/text_escape.hpp"
#include "vt106/util/time.hpp"

#include <cmath>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vt106::output {

namespace {
constexpr char hex_digits[] = "0123456789abcdef";
}  // namespace

namespace detail {

namespace {
// The first byte at or after `i` that a JSON string cannot carry as it is (below 0x20, '"',
// '\\') or that starts a multi-byte sequence (0x80 and above); s.size() when there is none.
std::size_t find_special(std::string_view s, std::size_t i) {
  const std::size_t n = s.size();
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
  // Signed compare: bytes >= 0x80 are negative, so "below 0x20" catches them too.
  auto specials = [&](const char* block) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), _mm_cmplt_epi8(v, space))));
  };
  for (; i + 16 <= n; i += 16)
    if (const unsigned m = specials(s.data() + i); m != 0) return i + static_cast<std::size_t>(__builtin_ctz(m));
  if (i == n) return n;
  if (n >= 16) {
    // The last sixteen bytes again, keeping only those not seen yet.
    const std::size_t base = n - 16;
    const unsigned m = specials(s.data() + base) & ~((1u << (i - base)) - 1);
    return m != 0 ? base + static_cast<std::size_t>(__builtin_ctz(m)) : n;
  }
  char block[16];
  std::memset(block, 'a', sizeof block);
  std::memcpy(block, s.data() + i, n - i);
  const unsigned m = specials(block) & ((1u << (n - i)) - 1);
  return m != 0 ? i + static_cast<std::size_t>(__builtin_ctz(m)) : n;
#else
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return i;
  }
  return n;
#endif
}
}  // namespace

char* write_json_string(char* p, std::string_view s, bool& clean) {
  *p++ = '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t j = find_special(s, i);
    std::memcpy(p, s.data() + i, j - i);
    p += j - i;
    i = j;
    if (i >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      *p++ = '\\';
      *p++ = static_cast<char>(c);
      ++i;
    } else if (c < 0x20) {
      *p++ = '\\';
      switch (c) {
        case '\n': *p++ = 'n'; break;
        case '\r': *p++ = 'r'; break;
        case '\t': *p++ = 't'; break;
        default:
          *p++ = 'u';
          *p++ = '0';
          *p++ = '0';
          *p++ = hex_digits[c >> 4];
          *p++ = hex_digits[c & 15];
      }
      ++i;
    } else {
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        clean = false;
        std::memcpy(p, "\\u00", 4);
        p += 4;
        *p++ = hex_digits[c >> 4];
        *p++ = hex_digits[c & 15];
        ++i;
      } else {
        std::memcpy(p, s.data() + i, n);
        p += n;
        i += n;
      }
    }
  }
  *p++ = '"';
  return p;
}

}  // namespace detail

char* detail::write_double(char* p, double v) {
  // Tracker values have at most seven decimals. When v is exactly the double nearest to
  // k / 10^7 and |v| < 10^8, no shorter decimal rounds to v (the spacing of such decimals is far
  // above v's precision), so that decimal with trailing zeros removed is the shortest text.
  const double a = v < 0 ? -v : v;
  if (a < 1e8) {
    // Rounded to the nearest k; the test below rejects any value that is not exactly k / 10^7.
    const auto scaled = static_cast<std::uint64_t>(a * 1e7 + 0.5);
    if (static_cast<double>(scaled) / 1e7 == a) {
      if (v < 0 && scaled != 0) *p++ = '-';
      p = write_uint(p, scaled / 10'000'000);
      auto frac = static_cast<unsigned>(scaled % 10'000'000);
      if (frac != 0) {
        // Seven digits: one, then three pairs; trailing zeros dropped.
        char digits[8];
        digits[0] = static_cast<char>('0' + frac / 1'000'000);
        frac %= 1'000'000;
        std::memcpy(digits + 1, digit_pairs + 2 * (frac / 10'000), 2);
        std::memcpy(digits + 3, digit_pairs + 2 * (frac / 100 % 100), 2);
        std::memcpy(digits + 5, digit_pairs + 2 * (frac % 100), 2);
        int n = 7;
        while (digits[n - 1] == '0') --n;
        *p++ = '.';
        std::memcpy(p, digits, 7);  // the room is there; only n digits are kept
        p += n;
      }
      return p;
    }
  }
  const auto format = (a == 0 || (a >= 1e-5 && a < 1e15)) ? std::chars_format::fixed : std::chars_format::general;
  return std::to_chars(p, p + 40, v, format).ptr;
}

bool append_json_string(std::string& out, std::string_view s) {
  const std::size_t used = out.size();
  out.resize(used + s.size() * 6 + 2);
  bool clean = true;
  char* end = detail::write_json_string(out.data() + used, s, clean);
  out.resize(static_cast<std::size_t>(end - out.data()));
  return clean;
}

void append_hex(std::string& out, std::string_view bytes) {
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(hex_digits[c >> 4]);
    out.push_back(hex_digits[c & 15]);
  }
}

void JsonWriter::timestamp(std::int64_t seconds) {
  ensure(48);
  comma();
  out_[used_++] = '"';
  used_ += util::format_iso8601(cur(), seconds);
  out_[used_++] = '"';
}

void JsonWriter::timestamp_us(std::int64_t nanoseconds) {
  ensure(56);
  comma();
  out_[used_++] = '"';
  used_ += util::format_iso8601_us(cur(), nanoseconds);
  out_[used_++] = '"';
}

void JsonWriter::hex_string(std::string_view bytes) {
  ensure(bytes.size() * 2 + 3);
  comma();
  out_[used_++] = '"';
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out_[used_++] = hex_digits[c >> 4];
    out_[used_++] = hex_digits[c & 15];
  }
  out_[used_++] = '"';
}

std::string pretty_json(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  int depth = 0;
  bool in_string = false;
  auto newline = [&] {
    out.push_back('\n');
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < s.size()) out.push_back(s[++i]);
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; out.push_back(c); break;
      case '{':
      case '[':
        out.push_back(c);
        if (i + 1 < s.size() && (s[i + 1] == '}' || s[i + 1] == ']')) {
          out.push_back(s[++i]);
        } else {
          ++depth;
          newline();
        }
        break;
      case '}':
      case ']': --depth; newline(); out.push_back(c); break;
      case ',': out.push_back(c); newline(); break;
      case ':': out += ": "; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace vt106::output
