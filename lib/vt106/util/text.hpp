// Small, allocation-free helpers for reading ASCII protocol text.
#pragma once

#include <charconv>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vt106::util {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
// The value of a hexadecimal digit, or 0xff for any other byte.
inline constexpr auto hex_values = [] {
  struct Table {
    unsigned char v[256];
  } t{};
  for (int c = 0; c < 256; ++c)
    t.v[c] = c >= '0' && c <= '9' ? static_cast<unsigned char>(c - '0')
             : c >= 'a' && c <= 'f' ? static_cast<unsigned char>(c - 'a' + 10)
             : c >= 'A' && c <= 'F' ? static_cast<unsigned char>(c - 'A' + 10)
                                    : static_cast<unsigned char>(0xff);
  return t;
}();
inline unsigned hex_value(char c) { return hex_values.v[static_cast<unsigned char>(c)]; }
inline bool is_hex_digit(char c) { return hex_value(c) <= 15; }
// "00" to "99", two bytes each: numbers are printed two digits at a time.
inline constexpr char digit_pairs[] =
    "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
    "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";
// ' ', \t, \n, \v, \f, \r and NUL.
inline bool is_space(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= ' ' && ((std::uint64_t{1} << u) & 0x100003e01ULL) != 0;
}

std::string_view trim_slow(std::string_view s);
// `s` without surrounding whitespace; most fields have none, so that case is inline.
inline std::string_view trim(std::string_view s) {
  if (s.empty() || (!is_space(s.front()) && !is_space(s.back()))) return s;
  return trim_slow(s);
}
// True for a non-empty run of 0-9.
inline bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}
bool starts_with_icase(std::string_view s, std::string_view prefix);

// Whether `s` begins with the literal `label` (compared as bytes, without a library call).
template <std::size_t N>
inline bool has_prefix(std::string_view s, const char (&label)[N]) {
  return s.size() >= N - 1 && __builtin_memcmp(s.data(), label, N - 1) == 0;
}
// Removes `label` from the front of `s` when present; returns whether it was.
template <std::size_t N>
inline bool strip_prefix(std::string_view& s, const char (&label)[N]) {
  if (!has_prefix(s, label)) return false;
  s.remove_prefix(N - 1);
  return true;
}
inline bool strip_prefix(std::string_view& s, std::string_view label) {
  if (s.substr(0, label.size()) != label) return false;
  s.remove_prefix(label.size());
  return true;
}
// The value of two decimal digits (the caller has checked they are digits).
inline unsigned two_digits(const char* p) {
  return static_cast<unsigned>(p[0] - '0') * 10 + static_cast<unsigned>(p[1] - '0');
}

template <class Int>
std::optional<Int> parse_int(std::string_view s, int base = 10) {
  if (s.empty()) return std::nullopt;
  // Short unsigned decimal runs (most protocol fields) without from_chars' generality.
  if (base == 10 && s.size() <= 9 && s.front() != '-') {
    std::uint32_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if constexpr (sizeof(Int) < sizeof(std::uint32_t) || (sizeof(Int) == sizeof(std::uint32_t) && std::is_signed_v<Int>)) {
      if (v > static_cast<std::uint32_t>(std::numeric_limits<Int>::max())) return std::nullopt;
    }
    return static_cast<Int>(v);
  }
  Int v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// A plain decimal number: optional '-', digits, optional '.' and digits. No exponent, no '+'.
std::optional<double> parse_decimal(std::string_view s);
bool is_decimal_with_point(std::string_view s);

// Splits on `sep` except inside {...} and "..." (GOTOP Wi-Fi/BLE lists and quoted SSIDs).
void split_fields(std::string_view s, char sep, std::vector<std::string_view>& out);
// The same into `store`, which grows to s.size() + 1 fields when needed and never shrinks (no
// per-call bookkeeping); the fields are the returned span, valid until the next call.
std::span<const std::string_view> split_fields_into(std::string_view s, char sep,
                                                    std::vector<std::string_view>& store);

// "a, b,c" → {"a", "b", "c"}: comma-separated words, trimmed, empty ones left out.
std::vector<std::string> split_list(std::string_view s);

// Edits (insert, delete, substitute, swap two neighbours) from a to b, case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The choices a misspelt word most likely meant, closest first: those within about one edit per
// three characters (at least one, at most three), or that begin with the word (3+ characters).
// Empty when none is close.
std::vector<std::string> closest_choices(std::string_view word, const std::vector<std::string>& choices,
                                         std::size_t at_most = 3);
// "; did you mean 'x'?", "; did you mean 'x' or 'y'?" (up to `at_most`), or "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& choices, std::size_t at_most = 3);

}  // namespace vt106::util
