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

char* write_json_string(char* p, std::string_view s, bool& clean) {
  *p++ = '"';
  std::size_t i = 0;
  while (i < s.size()) {
    // Fast path: a run of plain printable ASCII (no byte below 0x20 or above 0x7f, no '"', no
    // '\\'), sixteen bytes at a time where SSE2 is there (every x86-64), else eight.
    std::size_t j = i;
#if defined(__SSE2__)
    {
      const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
      while (j + 16 <= s.size()) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + j));
        // Signed compare: bytes >= 0x80 are negative, so "below 0x20" catches them too.
        const __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                         _mm_cmplt_epi8(v, space));
        const int mask = _mm_movemask_epi8(bad);
        if (mask != 0) {
          j += static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
          break;
        }
        j += 16;
      }
    }
#endif
    while (j + 8 <= s.size()) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + j, 8);
      constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
      const std::uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
      // Classic SWAR tests: a byte below 0x20, a zero byte in w ^ '"' or w ^ '\\', a high bit.
      const std::uint64_t below = (w - ones * 0x20) & ~w & highs;
      const std::uint64_t is_quote = (quote - ones) & ~quote & highs;
      const std::uint64_t is_backslash = (backslash - ones) & ~backslash & highs;
      if ((below | is_quote | is_backslash | (w & highs)) != 0) break;
      j += 8;
    }
    while (j < s.size()) {
      const auto c = static_cast<unsigned char>(s[j]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++j;
    }
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
    const auto scaled = static_cast<std::int64_t>(std::llround(a * 1e7));
    if (static_cast<double>(scaled) / 1e7 == a) {
      if (v < 0 && scaled != 0) *p++ = '-';
      auto whole = scaled / 10'000'000, frac = scaled % 10'000'000;
      p = std::to_chars(p, p + 20, whole).ptr;
      if (frac != 0) {
        char digits[7];
        for (int i = 6; i >= 0; --i, frac /= 10) digits[i] = static_cast<char>('0' + frac % 10);
        int n = 7;
        while (digits[n - 1] == '0') --n;
        *p++ = '.';
        std::memcpy(p, digits, static_cast<std::size_t>(n));
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
