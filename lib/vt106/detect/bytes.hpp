// A read-only view of the first bytes of a flow with bounds-checked accessors, so that a probe
// can never read past what arrived and can tell "input ended" from "input contradicts itself".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vt106::detect {

class Bytes {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  Bytes() = default;
  explicit Bytes(std::span<const std::byte> s) : s_(s) {}
  explicit Bytes(std::string_view s) : s_(reinterpret_cast<const std::byte*>(s.data()), s.size()) {}

  std::size_t size() const { return s_.size(); }
  bool empty() const { return s_.empty(); }
  // At least n bytes are present.
  bool has(std::size_t n) const { return n <= s_.size(); }
  std::span<const std::byte> span() const { return s_; }

  // The byte at i, or -1 past the end (so a comparison with a byte value is simply false).
  int at(std::size_t i) const { return i < s_.size() ? static_cast<int>(s_[i]) : -1; }
  std::optional<std::uint16_t> be16(std::size_t i) const;
  std::optional<std::uint16_t> le16(std::size_t i) const;
  std::optional<std::uint32_t> be32(std::size_t i) const;
  std::optional<std::uint32_t> le32(std::size_t i) const;
  std::optional<std::uint64_t> be64(std::size_t i) const;

  // The bytes as characters; text(pos, n) is clipped to what is present (never throws).
  std::string_view text() const { return {reinterpret_cast<const char*>(s_.data()), s_.size()}; }
  std::string_view text(std::size_t pos, std::size_t n = npos) const;
  Bytes first(std::size_t n) const { return Bytes(s_.first(n < s_.size() ? n : s_.size())); }
  Bytes from(std::size_t pos) const { return pos < s_.size() ? Bytes(s_.subspan(pos)) : Bytes(); }
  Bytes range(std::size_t pos, std::size_t n) const { return from(pos).first(n); }

  bool starts_with(std::string_view lit) const { return text().substr(0, lit.size()) == lit; }
  // The bytes so far could still become `lit`: they are a non-empty prefix of it (or all of it).
  bool is_prefix_of(std::string_view lit) const {
    return !empty() && size() <= lit.size() && lit.substr(0, size()) == text();
  }
  // Position of `needle` at or after `from`, looking no further than `limit` bytes in total
  // (searched for at its least common byte).
  std::size_t find(std::string_view needle, std::size_t from = 0, std::size_t limit = npos) const;
  std::size_t find(char c, std::size_t from = 0, std::size_t limit = npos) const {
    return find(std::string_view(&c, 1), from, limit);
  }

  // Length of the run of ASCII digits (or hex digits, or printable ASCII) starting at pos.
  std::size_t digits_at(std::size_t pos) const;
  std::size_t hex_digits_at(std::size_t pos) const;
  std::size_t printable_at(std::size_t pos) const;

 private:
  std::span<const std::byte> s_;
};

// How common a byte is in trackers' first messages, roughly, from 0 to 3: digits, separators
// and line ends are the most common, then lowercase letters, then the other letters and marks.
int commonness(unsigned char c);
// The place in s of its least common byte: where a search for s looks first (0 for an empty s).
std::size_t least_common_at(std::string_view s);

inline bool is_printable(int c) { return c >= 0x20 && c < 0x7f; }
inline bool is_upper(int c) { return c >= 'A' && c <= 'Z'; }
inline bool is_alnum(int c) { return (c >= '0' && c <= '9') || is_upper(c) || (c >= 'a' && c <= 'z'); }

}  // namespace vt106::detect
