// Bounds-checked reads over the first bytes of a flow.
#include "vt106/detect/bytes.hpp"

namespace vt106::detect {

std::optional<std::uint16_t> Bytes::be16(std::size_t i) const {
  if (!has(i + 2)) return std::nullopt;
  return static_cast<std::uint16_t>((at(i) << 8) | at(i + 1));
}

std::optional<std::uint16_t> Bytes::le16(std::size_t i) const {
  if (!has(i + 2)) return std::nullopt;
  return static_cast<std::uint16_t>(at(i) | (at(i + 1) << 8));
}

std::optional<std::uint32_t> Bytes::be32(std::size_t i) const {
  if (!has(i + 4)) return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<std::uint32_t>(at(i + k));
  return v;
}

std::optional<std::uint32_t> Bytes::le32(std::size_t i) const {
  if (!has(i + 4)) return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t k = 4; k-- > 0;) v = (v << 8) | static_cast<std::uint32_t>(at(i + k));
  return v;
}

std::optional<std::uint64_t> Bytes::be64(std::size_t i) const {
  if (!has(i + 8)) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < 8; ++k) v = (v << 8) | static_cast<std::uint64_t>(at(i + k));
  return v;
}

std::string_view Bytes::text(std::size_t pos, std::size_t n) const {
  const std::string_view all = text();
  if (pos >= all.size()) return {};
  return all.substr(pos, n);
}

std::size_t Bytes::find(std::string_view needle, std::size_t from, std::size_t limit) const {
  const std::string_view hay = text().substr(0, limit < size() ? limit : size());
  if (from > hay.size()) return npos;
  const std::size_t p = hay.find(needle, from);
  return p == std::string_view::npos ? npos : p;
}

std::size_t Bytes::digits_at(std::size_t pos) const {
  std::size_t n = 0;
  while (at(pos + n) >= '0' && at(pos + n) <= '9') ++n;
  return n;
}

std::size_t Bytes::hex_digits_at(std::size_t pos) const {
  std::size_t n = 0;
  for (;; ++n) {
    const int c = at(pos + n);
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return n;
  }
}

std::size_t Bytes::printable_at(std::size_t pos) const {
  std::size_t n = 0;
  while (is_printable(at(pos + n))) ++n;
  return n;
}

}  // namespace vt106::detect
