// Which device a support engineer means: the identifier they typed (--imei) checked for shape,
// and, when no device in the input sends it, the devices it most likely is, each with the
// reason (adjacent digits swapped, one digit off, a failing check digit, a shorter id, the same
// id under another protocol).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vt106::doctor {

// An identifier a user may type: 5 to 20 digits (an IMEI, a shortened IMEI, a serial).
bool looks_like_identifier(std::string_view text);

// The IMEI check digit (Luhn) for 14 digits; nullopt when `first14` is not 14 digits.
std::optional<char> imei_check_digit(std::string_view first14);
// 15 digits whose last one is the check digit of the first 14.
bool imei_check_digit_ok(std::string_view digits);

// One identifier seen in the input, and the device (as the report names it) that sent it.
struct SeenId {
  std::string id;        // as the protocol carries it (digits)
  std::string device;    // the report's name for the device (usually the same as id)
  std::string protocol;  // "gotop", "gt06", ...
};

enum class Likeness {
  other_protocol,  // the wanted id, sent in another protocol (or as its 15-digit IMEI form)
  check_digit,     // the same 14 digits; the wanted id's check digit fails, the device's is right
  transposed,      // two adjacent digits swapped
  one_digit,       // one digit different
  shorter_id,      // the device sends the wanted id's last (or first) digits only
  longer_id,       // the wanted id is the end (or start) of what the device sends
};
std::string_view to_string(Likeness l);  // "other_protocol", "check_digit", ...

struct Candidate {
  std::string device, id, protocol;
  Likeness why = Likeness::one_digit;
  std::string evidence;  // one sentence: which digits, where
};

// The devices `wanted` most likely is, best first (at most `limit`).
std::vector<Candidate> likely_devices(std::string_view wanted, const std::vector<SeenId>& seen, std::size_t limit = 5);

}  // namespace vt106::doctor
