// CRC-16 variants by their catalogue parameters (reveng CRC catalogue), byte sums and XORs,
// the Luhn check digit (ISO/IEC 7812-1 annex B) and packed-BCD decoding.
#include "vt106/detect/checks.hpp"

#include <array>

namespace vt106::detect {

namespace {

struct Crc16Params {
  std::uint16_t poly, init;
  bool reflected;
  std::uint16_t xorout;
};

// One table of 256 entries per variant, built at compile time: a byte per lookup.
struct Crc16Table {
  std::array<std::uint16_t, 256> t{};
  Crc16Params p;
  constexpr explicit Crc16Table(Crc16Params params) : p(params) {
    std::uint16_t rpoly = 0;  // the polynomial with its bits mirrored
    for (int i = 0; i < 16; ++i)
      if (p.poly & (1u << i)) rpoly = static_cast<std::uint16_t>(rpoly | (1u << (15 - i)));
    for (unsigned n = 0; n < 256; ++n) {
      std::uint16_t crc = 0;
      if (p.reflected) {
        crc = static_cast<std::uint16_t>(n);
        for (int k = 0; k < 8; ++k) crc = static_cast<std::uint16_t>((crc & 1) ? (crc >> 1) ^ rpoly : crc >> 1);
      } else {
        crc = static_cast<std::uint16_t>(n << 8);
        for (int k = 0; k < 8; ++k)
          crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ p.poly : crc << 1);
      }
      t[n] = crc;
    }
  }
  std::uint16_t operator()(const Bytes& b) const {
    std::uint16_t crc = p.init;
    const std::string_view s = b.text();
    if (p.reflected)
      for (const char ch : s) crc = static_cast<std::uint16_t>((crc >> 8) ^ t[(crc ^ static_cast<unsigned char>(ch)) & 0xff]);
    else
      for (const char ch : s)
        crc = static_cast<std::uint16_t>((crc << 8) ^ t[((crc >> 8) ^ static_cast<unsigned char>(ch)) & 0xff]);
    return static_cast<std::uint16_t>(crc ^ p.xorout);
  }
};

constexpr Crc16Table x25({0x1021, 0xffff, true, 0xffff}), ccitt_false({0x1021, 0xffff, false, 0}),
    modbus({0x8005, 0xffff, true, 0}), kermit({0x1021, 0, true, 0}), arc({0x8005, 0, true, 0}),
    xmodem({0x1021, 0, false, 0});

int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::uint16_t crc16_x25(const Bytes& b) { return x25(b); }
std::uint16_t crc16_ccitt_false(const Bytes& b) { return ccitt_false(b); }
std::uint16_t crc16_modbus(const Bytes& b) { return modbus(b); }
std::uint16_t crc16_kermit(const Bytes& b) { return kermit(b); }
std::uint16_t crc16_arc(const Bytes& b) { return arc(b); }
std::uint16_t crc16_xmodem(const Bytes& b) { return xmodem(b); }

std::uint8_t crc8_egts(const Bytes& b) {
  std::uint8_t crc = 0xff;
  for (std::size_t i = 0; i < b.size(); ++i) {
    crc = static_cast<std::uint8_t>(crc ^ b.at(i));
    for (int k = 0; k < 8; ++k) crc = static_cast<std::uint8_t>((crc & 0x80) ? (crc << 1) ^ 0x31 : crc << 1);
  }
  return crc;
}

std::uint8_t xor8(const Bytes& b) {
  int x = 0;
  for (std::size_t i = 0; i < b.size(); ++i) x ^= b.at(i);
  return static_cast<std::uint8_t>(x);
}

std::uint8_t sum8(const Bytes& b) {
  unsigned s = 0;
  for (std::size_t i = 0; i < b.size(); ++i) s += static_cast<unsigned>(b.at(i));
  return static_cast<std::uint8_t>(s & 0xff);
}

std::optional<std::uint8_t> hex_byte_at(const Bytes& b, std::size_t pos) {
  const int hi = hex_value(b.at(pos)), lo = hex_value(b.at(pos + 1));
  if (hi < 0 || lo < 0) return std::nullopt;
  return static_cast<std::uint8_t>(hi * 16 + lo);
}

bool nmea_checksum_ok(const Bytes& b, std::size_t start, std::size_t star) {
  if (star <= start || b.at(star) != '*') return false;
  const auto want = hex_byte_at(b, star + 1);
  return want && *want == xor8(b.range(start, star - start));
}

bool luhn_valid(std::string_view digits) {
  if (digits.size() < 2) return false;
  return luhn_digit(digits.substr(0, digits.size() - 1)) == digits.back();
}

char luhn_digit(std::string_view digits) {
  // From the right, a doubled digit (the one left of the check digit first; its two digits
  // summed) and a plain one, by pairs.
  auto doubled = [](int d) { return 2 * d - (d > 4 ? 9 : 0); };
  int sum = 0;
  std::size_t i = digits.size();
  for (; i >= 2; i -= 2) sum += doubled(digits[i - 1] - '0') + (digits[i - 2] - '0');
  if (i == 1) sum += doubled(digits[0] - '0');
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::optional<std::string> bcd_digits(const Bytes& b, bool f_padding) {
  std::string out;
  out.reserve(b.size() * 2);
  bool padding = false;
  for (std::size_t i = 0; i < b.size(); ++i) {
    for (int nibble : {b.at(i) >> 4, b.at(i) & 15}) {
      if (nibble <= 9 && !padding) {
        out.push_back(static_cast<char>('0' + nibble));
      } else if (nibble == 15 && f_padding) {
        padding = true;
      } else {
        return std::nullopt;
      }
    }
  }
  return out;
}

}  // namespace vt106::detect
