// ASCII text helpers used by every protocol parser.
#include "vt106/util/text.hpp"

#include <algorithm>
#include <cstring>
#include <tuple>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vt106::util {

std::string_view trim_slow(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
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

namespace {
// Adds the run of digits at p to v (v = 10 v + digit each), two at a time while two are there;
// returns where the run ends.
inline const char* accumulate_digits(const char* p, const char* end, std::uint64_t& v) {
  for (;;) {
    if (p == end) return p;
    const unsigned a = static_cast<unsigned char>(*p) - unsigned{'0'};
    if (a > 9) return p;
    if (end - p >= 2) {
      const unsigned b = static_cast<unsigned char>(p[1]) - unsigned{'0'};
      if (b <= 9) {
        v = v * 100 + a * 10 + b;
        p += 2;
        continue;
      }
    }
    v = v * 10 + a;
    return p + 1;
  }
}
}  // namespace

std::optional<double> parse_decimal(std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  std::uint64_t mantissa = 0;
  const char* const whole = p;
  p = accumulate_digits(p, end, mantissa);
  const auto whole_digits = p - whole;
  std::ptrdiff_t decimals = 0;
  if (p != end && *p == '.') {
    const char* const fraction = ++p;
    p = accumulate_digits(p, end, mantissa);
    decimals = p - fraction;
  }
  if (p != end || whole_digits + decimals == 0) return std::nullopt;
  // Exact fast path: an integer below 2^53 divided by an exact power of ten is correctly rounded.
  // Up to 15 digits (leading zeros aside) the mantissa is exact and below 2^53.
  static constexpr double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  auto significant = whole_digits + decimals;
  if (significant > 15) {
    for (const char* q = negative ? s.data() + 1 : s.data(); q != end && (*q == '0' || *q == '.'); ++q)
      if (*q == '0') --significant;
  }
  if (significant <= 15 && decimals <= 22) {
    const double v = static_cast<double>(mantissa) / pow10[decimals];
    return negative ? -v : v;
  }
  double v = 0;
  auto [q, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc{} || q != end) return std::nullopt;
  return v;
}

bool is_decimal_with_point(std::string_view s) {
  return s.find('.') != std::string_view::npos && parse_decimal(s).has_value();
}

std::span<const std::string_view> split_fields_into(std::string_view s, char sep,
                                                    std::vector<std::string_view>& store) {
  if (store.size() < s.size() + 1) store.resize(s.size() + 1);
  std::string_view* const first = store.data();
  std::string_view* w = first;
  std::size_t start = 0;
  int braces = 0;
  bool quoted = false;
  // Braces and quotes change where separators count; every other byte is skipped.
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
      *w++ = s.substr(start, i - start);
      start = i + 1;
    }
  };
#if defined(__SSE2__)
  // Sixteen bytes at a time: where a block has no brace or quote (and none is open), each
  // separator ends a field without further questions.
  const __m128i vsep = _mm_set1_epi8(sep), open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}'),
                quote = _mm_set1_epi8('"');
  // The block at `block` (16 readable bytes) holds s[base + k] at k for the bits of `valid`.
  auto scan = [&](const char* block, std::size_t base, unsigned valid) __attribute__((always_inline)) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block));
    auto seps = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vsep))) & valid;
    const auto special = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
                             _mm_or_si128(_mm_cmpeq_epi8(v, open), _mm_cmpeq_epi8(v, close)), _mm_cmpeq_epi8(v, quote)))) &
                         valid;
    if (special == 0 && braces == 0 && !quoted) {
      for (; seps != 0; seps &= seps - 1) {
        const std::size_t at = base + static_cast<std::size_t>(__builtin_ctz(seps));
        *w++ = std::string_view(s.data() + start, at - start);
        start = at + 1;
      }
      return;
    }
    for (auto mask = seps | special; mask != 0; mask &= mask - 1)
      visit(base + static_cast<std::size_t>(__builtin_ctz(mask)));
  };
  std::size_t i = 0;
  for (; i + 16 <= s.size(); i += 16) scan(s.data() + i, i, 0xffff);
  if (i < s.size()) {
    if (s.size() >= 16) {
      // The last sixteen bytes again, keeping only those not seen yet.
      const std::size_t base = s.size() - 16;
      scan(s.data() + base, base, 0xffffu & ~((1u << (i - base)) - 1));
    } else {
      char block[16] = {};
      std::memcpy(block, s.data(), s.size());
      scan(block, 0, (1u << s.size()) - 1);
    }
  }
#else
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == sep || c == '{' || c == '}' || c == '"') visit(i);
  }
#endif
  *w++ = s.substr(start);
  return {first, static_cast<std::size_t>(w - first)};
}

void split_fields(std::string_view s, char sep, std::vector<std::string_view>& out) {
  const std::size_t n = split_fields_into(s, sep, out).size();
  out.resize(n);
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    const std::string_view word = trim(s.substr(0, comma));
    if (!word.empty()) out.emplace_back(word);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: rows of the previous two lines of the table.
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  const std::size_t n = b.size();
  std::vector<std::size_t> before(n + 1), prev(n + 1), cur(n + 1);
  for (std::size_t j = 0; j <= n; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= n; ++j) {
      const bool same = lower(a[i - 1]) == lower(b[j - 1]);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
        cur[j] = std::min(cur[j], before[j - 2] + 1);
    }
    before.swap(prev);
    prev.swap(cur);
  }
  return prev[n];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& choices, std::size_t at_most) {
  const auto near = closest_choices(word, choices, at_most);
  if (near.empty()) return {};
  std::string out = "; did you mean '" + near[0] + "'";
  for (std::size_t i = 1; i < near.size(); ++i) out += (i + 1 == near.size() ? " or '" : ", '") + near[i] + "'";
  return out + "?";
}

std::vector<std::string> closest_choices(std::string_view word, const std::vector<std::string>& choices,
                                         std::size_t at_most) {
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  // (edits, not a continuation of the word, choice): nearest first, and among as near ones those
  // the word begins ("of" is rather "off" than "on").
  std::vector<std::tuple<std::size_t, bool, std::string>> near;
  for (const auto& c : choices) {
    if (c == word) continue;
    std::size_t d = edit_distance(word, c);
    const bool begins = c.size() > word.size() && starts_with_icase(c, word);
    // A beginning of the choice ("--form" for "--format") is as good as one edit.
    if (word.size() >= 3 && begins) d = std::min<std::size_t>(d, 1);
    if (d <= limit) near.emplace_back(d, !begins, c);
  }
  std::stable_sort(near.begin(), near.end(), [](const auto& x, const auto& y) {
    return std::get<0>(x) != std::get<0>(y) ? std::get<0>(x) < std::get<0>(y) : std::get<1>(x) < std::get<1>(y);
  });
  std::vector<std::string> out;
  for (auto& [d, later, c] : near) {
    if (out.size() == at_most) break;
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace vt106::util
