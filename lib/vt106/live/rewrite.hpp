// Edits of uplink frames made before a replay sends them: the identifier (--imei-map,
// --imei-prefix) and the fix date and time (--restamp). Frames keep their layout; a frame that
// cannot be edited is left as it was.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vt106::live {

// Replaces the identifier at the start of `frame` ('#' + digits); false when it has none.
bool replace_imei(std::string& frame, std::string_view new_imei);

// The Luhn check digit of a run of decimal digits (ISO/IEC 7812-1, as IMEIs use it).
char luhn_check_digit(std::string_view digits);

// A 15-digit IMEI: `prefix`, then `serial` zero-padded, then a Luhn check digit. nullopt when
// the prefix is not 1-13 digits or the serial does not fit in the digits left.
std::optional<std::string> synthetic_imei(std::string_view prefix, std::uint64_t serial);
// How many serials fit after `prefix` (10^(14 - prefix length)); 0 for an unusable prefix.
std::uint64_t synthetic_imei_capacity(std::string_view prefix);

// Where the fix date and time of an uplink frame are: after the type token (CMD-…, ALM-…,
// ERROR!) and the validity A/V, as "DATE:yymmdd,TIME:hhmmss" or bare "yymmdd,hhmmss".
struct FixTimeField {
  std::size_t date_at = 0;  // offset of the six date digits in the frame
  std::size_t time_at = 0;  // offset of the six time digits
  std::int64_t seconds = 0; // the time they name, read as UTC, in seconds since the epoch
};
// nullopt when the frame has no date and time, or they are not a real calendar time.
std::optional<FixTimeField> find_fix_time(std::string_view frame);

// Moves the fix date and time of `frame` by `shift_seconds`, in place (same length). False when
// the frame has none, or the new time falls outside 2000-2099 (yy cannot say it).
bool shift_fix_time(std::string& frame, std::int64_t shift_seconds);

}  // namespace vt106::live
