// Who a device claims to be: the identifier of its first message and the variants a platform
// may have registered it under (IMEI with its Luhn digit, BCD nibbles, digits only, shortened).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/detect/bytes.hpp"

namespace vt106::detect {

// How the identifier travelled on the wire.
enum class IdEncoding : std::uint8_t { text, bcd, integer };
std::string_view to_string(IdEncoding e);

// What the IMEI check digit (Luhn) says about the identifier.
enum class LuhnCheck : std::uint8_t {
  not_imei,   // not 14 or 15 digits: a serial, a phone number, a device number
  valid,      // 15 digits with a valid check digit
  invalid,    // 15 digits, the check digit does not match
  completed,  // 14 digits; the IMEI is those plus the computed check digit
};
std::string_view to_string(LuhnCheck l);

struct DeviceId {
  std::string value;  // what the protocol's decoder would look up (gt06: BCD without the leading 0)
  IdEncoding encoding = IdEncoding::text;
  std::string raw;    // as carried (all BCD nibbles, the integer in hex) when it differs from value
  std::string imei;   // a 15-digit IMEI when the identifier is or completes to one
  LuhnCheck luhn = LuhnCheck::not_imei;
  std::vector<std::string> variants;  // other spellings a platform may hold, most likely first
};

// The identifier's value, raw form, IMEI and check digit. Its variants are left to add_variants:
// detection weighs many candidates' identifiers and shows one.
// The identifier as text, trimmed of NUL and space padding.
DeviceId device_id_from_text(std::string_view text);
// BCD digits (already decoded); `raw` is every nibble as sent. A single leading 0 in front of
// 15 digits (8 bytes for a 15-digit IMEI) is dropped from the value, as the decoders do.
DeviceId device_id_from_bcd(std::string_view digits);
// An integer identifier (Ruptela's 8-byte IMEI, JT808's 48-bit terminal number).
DeviceId device_id_from_integer(std::uint64_t v);
// Adds the other spellings a platform may hold the device under, most likely first, after any
// already there: the IMEI, the raw form, the digits alone, without leading zeros, the last 12,
// 11 and 10 digits.
void add_variants(DeviceId& id);

}  // namespace vt106::detect
