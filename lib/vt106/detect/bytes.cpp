// Bounds-checked reads over the first bytes of a flow.
#include "vt106/detect/bytes.hpp"

#include <array>
#include <cstring>

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

namespace {
constexpr std::array<std::uint8_t, 256> commonness_of = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0x20; c < 0x7f; ++c) t[static_cast<std::size_t>(c)] = c >= 'a' && c <= 'z' ? 2 : 1;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = 3;
  for (const char c : std::string_view(",.:;\" -{}\r\n")) t[static_cast<unsigned char>(c)] = 3;
  t[0] = t[0xff] = 3;
  return t;
}();
}  // namespace

int commonness(unsigned char c) { return commonness_of[c]; }

std::size_t least_common_at(std::string_view s) {
  std::size_t k = 0;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (commonness_of[static_cast<unsigned char>(s[i])] < commonness_of[static_cast<unsigned char>(s[k])]) k = i;
  return k;
}

std::size_t Bytes::find(std::string_view needle, std::size_t from, std::size_t limit) const {
  const std::string_view hay = text().substr(0, limit < size() ? limit : size());
  if (from > hay.size()) return npos;
  if (needle.size() <= 1) {
    const std::size_t p = hay.find(needle, from);
    return p == std::string_view::npos ? npos : p;
  }
  if (needle.size() > hay.size() - from) return npos;
  // The places where needle's least common byte is, from the first where needle could start.
  const std::size_t k = least_common_at(needle);
  const std::size_t last = hay.size() - needle.size();  // the last place needle may start
  for (std::size_t start = from; start <= last;) {
    const void* hit = std::memchr(hay.data() + start + k, needle[k], last - start + 1);
    if (!hit) return npos;
    start = static_cast<std::size_t>(static_cast<const char*>(hit) - hay.data()) - k;
    if (std::memcmp(hay.data() + start, needle.data(), needle.size()) == 0) return start;
    ++start;
  }
  return npos;
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
