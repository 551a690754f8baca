// Integrity checks the tracker protocols carry (CRCs, sums, XORs, NMEA "*hh") and identifier
// plausibility (IMEI Luhn digit, BCD nibbles), each named after its catalogue entry in
// Greg Cook's "Catalogue of parametrised CRC algorithms" (reveng.sourceforge.io).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vt106/detect/bytes.hpp"

namespace vt106::detect {

std::uint16_t crc16_x25(const Bytes& b);           // GT06 (CRC-ITU), Castel
std::uint16_t crc16_ccitt_false(const Bytes& b);   // Meiligao, EGTS data
std::uint16_t crc16_modbus(const Bytes& b);        // Galileosky
std::uint16_t crc16_kermit(const Bytes& b);        // Ruptela
std::uint16_t crc16_arc(const Bytes& b);           // Teltonika, Wialon IPS 2.0, ATrack ("CRC-16/IBM")
std::uint16_t crc16_xmodem(const Bytes& b);        // MiniFinder2
std::uint8_t crc8_egts(const Bytes& b);            // EGTS header: poly 0x31, init 0xFF
std::uint8_t xor8(const Bytes& b);
std::uint8_t sum8(const Bytes& b);

// The value of two hex digits at pos ("7A" -> 0x7a), when they are hex digits.
std::optional<std::uint8_t> hex_byte_at(const Bytes& b, std::size_t pos);
// An NMEA-style sentence "<start>…*hh": XOR of the bytes from `start` up to the '*' at `star`.
bool nmea_checksum_ok(const Bytes& b, std::size_t start, std::size_t star);

// Luhn (ISO/IEC 7812) over a string of digits whose last digit is the check digit.
bool luhn_valid(std::string_view digits);
// The check digit that completes `digits` (a 14-digit IMEI body -> its 15th digit).
char luhn_digit(std::string_view digits);

// Packed BCD: two digits per byte, high nibble first. Trailing 0xF nibbles are padding when
// `f_padding`; any other nibble above 9 makes the field not BCD.
std::optional<std::string> bcd_digits(const Bytes& b, bool f_padding = false);

}  // namespace vt106::detect
