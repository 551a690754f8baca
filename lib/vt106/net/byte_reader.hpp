// Bounds-checked reading of big- and little-endian integers from a byte span: every capture,
// link, IP and transport header in net/ and source/ is read through it (no spec of its own).
#pragma once

#include <bit>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

namespace vt106::net {

enum class ByteOrder : std::uint8_t { little, big };

// The bytes of a span as characters (the observer and the frame splitter work on text).
inline std::string_view as_chars(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
inline std::span<const std::byte> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

// Reads forward through a span. A read past the end returns zero (or an empty span), leaves the
// position where it was and makes ok() false for good, so a parser reads a whole header and
// checks once. Reads never touch memory outside the span.
class ByteReader {
 public:
  constexpr ByteReader() = default;
  constexpr explicit ByteReader(std::span<const std::byte> data) : data_(data) {}

  constexpr bool ok() const { return ok_; }
  constexpr std::size_t position() const { return pos_; }
  constexpr std::size_t size() const { return data_.size(); }
  constexpr std::size_t remaining() const { return data_.size() - pos_; }
  constexpr bool can_read(std::size_t n) const { return n <= data_.size() - pos_; }
  constexpr std::span<const std::byte> data() const { return data_; }
  constexpr std::span<const std::byte> rest() const { return data_.subspan(pos_); }

  constexpr bool skip(std::size_t n) {
    if (!can_read(n)) return fail();
    pos_ += n;
    return true;
  }
  // Moves to an absolute position inside the span (the end included).
  constexpr bool seek(std::size_t position) {
    if (position > data_.size()) return fail();
    pos_ = position;
    return true;
  }

  constexpr std::uint8_t u8() {
    if (!can_read(1)) return fail_zero<std::uint8_t>();
    return static_cast<std::uint8_t>(data_[pos_++]);
  }
  constexpr std::uint16_t u16(ByteOrder order) { return static_cast<std::uint16_t>(read_uint(2, order)); }
  constexpr std::uint32_t u32(ByteOrder order) { return static_cast<std::uint32_t>(read_uint(4, order)); }
  constexpr std::uint64_t u64(ByteOrder order) { return read_uint(8, order); }
  constexpr std::uint16_t be16() { return u16(ByteOrder::big); }
  constexpr std::uint32_t be32() { return u32(ByteOrder::big); }
  constexpr std::uint16_t le16() { return u16(ByteOrder::little); }
  constexpr std::uint32_t le32() { return u32(ByteOrder::little); }

  // The next n bytes, or an empty span (and !ok()) when fewer remain.
  constexpr std::span<const std::byte> bytes(std::size_t n) {
    if (!can_read(n)) {
      fail();
      return {};
    }
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  // Reads at an absolute position without moving; zero (without failing) when out of range.
  constexpr std::uint8_t peek_u8(std::size_t at) const {
    return at < data_.size() ? static_cast<std::uint8_t>(data_[at]) : std::uint8_t{0};
  }
  constexpr std::uint16_t peek_u16(std::size_t at, ByteOrder order) const {
    if (at > data_.size() || data_.size() - at < 2) return 0;
    return static_cast<std::uint16_t>(decode(at, 2, order));
  }
  constexpr std::uint32_t peek_u32(std::size_t at, ByteOrder order) const {
    if (at > data_.size() || data_.size() - at < 4) return 0;
    return static_cast<std::uint32_t>(decode(at, 4, order));
  }

 private:
  constexpr bool fail() {
    ok_ = false;
    return false;
  }
  template <class T>
  constexpr T fail_zero() {
    ok_ = false;
    return T{0};
  }
  constexpr std::uint64_t decode(std::size_t at, std::size_t n, ByteOrder order) const {
    if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
      // One load and at most one byte swap instead of a loop per byte (headers are read per packet).
      switch (n) {
        case 2: return order == ByteOrder::big ? load_swapped<std::uint16_t>(at) : load<std::uint16_t>(at);
        case 4: return order == ByteOrder::big ? load_swapped<std::uint32_t>(at) : load<std::uint32_t>(at);
        case 8: return order == ByteOrder::big ? load_swapped<std::uint64_t>(at) : load<std::uint64_t>(at);
        default: break;
      }
    }
    std::uint64_t v = 0;
    if (order == ByteOrder::big) {
      for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(data_[at + i]);
    } else {
      for (std::size_t i = n; i-- > 0;) v = (v << 8) | static_cast<std::uint8_t>(data_[at + i]);
    }
    return v;
  }
  template <class T>
  T load(std::size_t at) const {
    T v;
    std::memcpy(&v, data_.data() + at, sizeof v);
    return v;
  }
  template <class T>
  T load_swapped(std::size_t at) const {
    const T v = load<T>(at);
    if constexpr (sizeof(T) == 2) return __builtin_bswap16(v);
    else if constexpr (sizeof(T) == 4) return __builtin_bswap32(v);
    else return __builtin_bswap64(v);
  }
  constexpr std::uint64_t read_uint(std::size_t n, ByteOrder order) {
    if (!can_read(n)) return fail_zero<std::uint64_t>();
    const std::uint64_t v = decode(pos_, n, order);
    pos_ += n;
    return v;
  }

  std::span<const std::byte> data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace vt106::net
