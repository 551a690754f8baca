// ASCII text helpers used by every protocol parser.
#include "vt106/util/text.hpp"

#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vt106::util {

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

std::optional<double> parse_decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  const bool negative = s[0] == '-';
  std::uint64_t mantissa = 0;
  int significant = 0, decimals = 0;
  bool digits = false, point = false;
  for (std::size_t j = negative ? 1 : 0; j < s.size(); ++j) {
    const char c = s[j];
    if (is_digit(c)) {
      digits = true;
      if (mantissa != 0 || c != '0') ++significant;
      mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
      if (point) ++decimals;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  // Exact fast path: an integer below 2^53 divided by an exact power of ten is correctly rounded.
  static constexpr double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (significant <= 15 && decimals <= 22) {
    const double v = static_cast<double>(mantissa) / pow10[decimals];
    return negative ? -v : v;
  }
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_decimal_with_point(std::string_view s) {
  return s.find('.') != std::string_view::npos && parse_decimal(s).has_value();
}

void split_fields(std::string_view s, char sep, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  int braces = 0;
  bool quoted = false;
  // Only four characters matter; find them sixteen bytes at a time where SSE2 is there.
  auto visit = [&](std::size_t i) {
    const char c = s[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (quoted) {
      return;
    } else if (c == '{') {
      ++braces;
    } else if (c == '}') {
      if (braces > 0) --braces;
    } else if (c == sep && braces == 0) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  };
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i vsep = _mm_set1_epi8(sep), open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}'),
                quote = _mm_set1_epi8('"');
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vsep), _mm_cmpeq_epi8(v, open)),
                                      _mm_or_si128(_mm_cmpeq_epi8(v, close), _mm_cmpeq_epi8(v, quote)));
    for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits)); mask != 0; mask &= mask - 1)
      visit(i + static_cast<std::size_t>(__builtin_ctz(mask)));
  }
#endif
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == sep || c == '{' || c == '}' || c == '"') visit(i);
  }
  out.push_back(s.substr(start));
}

}  // namespace vt106::util
