// Identifier and fix-time edits of uplink frames (layouts of the GOTOP uplink grammar: the
// identifier first, the date and time after the type token and A/V, labelled or not).
#include "vt106/live/rewrite.hpp"

#include <vector>

#include "vt106/live/recording.hpp"
#include "vt106/util/text.hpp"
#include "vt106/util/time.hpp"

namespace vt106::live {

namespace {

bool is_type_token(std::string_view field) {
  field = util::trim(field);
  return field.starts_with("CMD-") || field.starts_with("ALM-") || field == "ERROR!";
}

// Six digits, optionally after `label`; the offset of the digits inside the field or npos.
std::size_t six_digits_at(std::string_view field, std::string_view label) {
  std::size_t at = 0;
  if (field.starts_with(label)) at = label.size();
  if (field.size() != at + 6 || !util::all_digits(field.substr(at))) return std::string_view::npos;
  return at;
}

unsigned two(std::string_view s, std::size_t at) {
  return static_cast<unsigned>((s[at] - '0') * 10 + (s[at + 1] - '0'));
}

}  // namespace

bool replace_imei(std::string& frame, std::string_view new_imei) {
  const std::string_view old = frame_imei(frame);
  if (old.empty()) return false;
  frame.replace(1, old.size(), new_imei);
  return true;
}

char luhn_check_digit(std::string_view digits) {
  // Doubling starts with the rightmost digit, since the check digit will follow it.
  unsigned sum = 0;
  bool doubled = true;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    unsigned v = static_cast<unsigned>(*it - '0');
    if (doubled) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    doubled = !doubled;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::uint64_t synthetic_imei_capacity(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > 13 || !util::all_digits(prefix)) return 0;
  std::uint64_t capacity = 1;
  for (std::size_t i = prefix.size(); i < 14; ++i) capacity *= 10;
  return capacity;
}

std::optional<std::string> synthetic_imei(std::string_view prefix, std::uint64_t serial) {
  if (serial >= synthetic_imei_capacity(prefix)) return std::nullopt;
  std::string imei(prefix);
  const std::string digits = std::to_string(serial);
  imei.append(14 - prefix.size() - digits.size(), '0');
  imei += digits;
  imei.push_back(luhn_check_digit(imei));
  return imei;
}

std::optional<FixTimeField> find_fix_time(std::string_view frame) {
  if (frame.size() < 2 || frame.front() != '#' || frame.back() != '#') return std::nullopt;
  const std::string_view body = frame.substr(1, frame.size() - 2);
  std::vector<std::string_view> fields;
  util::split_fields(body, ',', fields);
  std::size_t type = 1;
  while (type < fields.size() && !is_type_token(fields[type])) ++type;
  if (type + 3 >= fields.size()) return std::nullopt;
  const std::string_view validity = fields[type + 1];
  if (validity != "A" && validity != "V") return std::nullopt;
  const std::string_view date = fields[type + 2], time = fields[type + 3];
  const std::size_t d = six_digits_at(date, "DATE:"), t = six_digits_at(time, "TIME:");
  if (d == std::string_view::npos || t == std::string_view::npos) return std::nullopt;
  const auto seconds = util::utc_seconds(2000 + static_cast<int>(two(date, d)), two(date, d + 2), two(date, d + 4),
                                         two(time, t), two(time, t + 2), two(time, t + 4));
  if (!seconds) return std::nullopt;
  FixTimeField f;
  f.date_at = static_cast<std::size_t>(date.data() - frame.data()) + d;
  f.time_at = static_cast<std::size_t>(time.data() - frame.data()) + t;
  f.seconds = *seconds;
  return f;
}

bool shift_fix_time(std::string& frame, std::int64_t shift_seconds) {
  const auto field = find_fix_time(frame);
  if (!field) return false;
  const std::int64_t moved = field->seconds + shift_seconds;
  // "YYYY-MM-DDThh:mm:ssZ" gives the calendar fields without a second calendar implementation.
  std::string iso;
  util::append_iso8601(iso, moved);
  if (iso.size() != 20 || !iso.starts_with("20")) return false;
  frame.replace(field->date_at, 6, iso.substr(2, 2) + iso.substr(5, 2) + iso.substr(8, 2));
  frame.replace(field->time_at, 6, iso.substr(11, 2) + iso.substr(14, 2) + iso.substr(17, 2));
  return true;
}

}  // namespace vt106::live
