// Calendar arithmetic and ISO 8601 formatting without the C library's time zone state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vt106::util {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm).
std::int64_t days_from_civil(int year, unsigned month, unsigned day);
bool valid_date(int year, unsigned month, unsigned day);

// Seconds since the epoch for a UTC calendar time; nullopt when a field is out of range.
std::optional<std::int64_t> utc_seconds(int year, unsigned month, unsigned day, unsigned hour,
                                        unsigned minute, unsigned second);

// "2024-08-13T23:59:37Z"
void append_iso8601(std::string& out, std::int64_t seconds);
// "2024-08-13T23:59:37.123456Z" from nanoseconds (microsecond precision, truncated)
void append_iso8601_us(std::string& out, std::int64_t nanoseconds);

// The same into `buf` (at least 32 bytes, no terminator); returns the length written.
std::size_t format_iso8601(char* buf, std::int64_t seconds);
std::size_t format_iso8601_us(char* buf, std::int64_t nanoseconds);

// The year of the system clock in UTC (for dates written without one, as syslog writes them).
int current_year_utc();

// An offset from UTC in seconds east: "8", "+8", "+08", "+08:00", "-0530", "-5:30", "UTC+8",
// "GMT-05:30", "Z", "0", "UTC" (hours without a sign are east); at most 14 hours.
std::optional<int> parse_utc_offset(std::string_view text);

}  // namespace vt106::util
