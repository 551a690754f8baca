// Civil-date arithmetic (days_from_civil / civil_from_days, public-domain algorithms by
// Howard Hinnant) and ISO 8601 output.
#include "vt106/util/time.hpp"

#include <chrono>

#include "vt106/util/text.hpp"

#include <climits>
#include <cstring>

namespace vt106::util {

std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? static_cast<unsigned>(-3) : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

namespace {
struct Civil {
  std::int64_t year;
  unsigned month, day;
};
Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

// Writes v (0 <= v, at most `width` digits unless larger) zero-padded to `width` digits.
char* put_digits(char* p, std::int64_t v, int width) {
  char tmp[24];
  int n = 0;
  const bool neg = v < 0;
  std::uint64_t u = neg ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0 && n < 20);
  if (neg) *p++ = '-';
  for (int i = n; i < width; ++i) *p++ = '0';
  while (n > 0) *p++ = tmp[--n];
  return p;
}

// a = quotient * b + remainder with 0 <= remainder < b (b > 0), rounding the quotient down.
// From the remainder, not a - quotient * b: that product overflows near INT64_MIN.
struct FloorDivision {
  std::int64_t quotient, remainder;
};
FloorDivision floor_divide(std::int64_t a, std::int64_t b) {
  FloorDivision d{a / b, a % b};
  if (d.remainder < 0) {
    d.remainder += b;
    --d.quotient;
  }
  return d;
}
char* put_two(char* p, unsigned v) {
  std::memcpy(p, digit_pairs + 2 * v, 2);
  return p + 2;
}

// "YYYY-MM-DDThh:mm:ss" into p, which has room for 32 bytes.
char* put_date_time(char* p, std::int64_t seconds) {
  const auto [days, rem] = floor_divide(seconds, 86400);
  // Records come from a limited set of days (a capture's span, the dates devices report): keep
  // the "YYYY-MM-DDT" of the last 256 (direct-mapped, about 10 KB).
  struct Day {
    std::int64_t days = INT64_MIN;
    char text[24];
    std::size_t len = 0;
  };
  thread_local Day memo[256];
  Day& d = memo[static_cast<std::size_t>(days) & 255];
  if (d.days != days) {
    const Civil c = civil_from_days(days);
    char* q = put_digits(d.text, c.year, 4);
    *q++ = '-';
    q = put_two(q, c.month);
    *q++ = '-';
    q = put_two(q, c.day);
    *q++ = 'T';
    d.len = static_cast<std::size_t>(q - d.text);
    d.days = days;
  }
  std::memcpy(p, d.text, sizeof d.text);  // whole, so the copy has a fixed size; len counts
  p += d.len;
  const auto r = static_cast<unsigned>(rem);
  p = put_two(p, r / 3600);
  *p++ = ':';
  p = put_two(p, r / 60 % 60);
  *p++ = ':';
  return put_two(p, r % 60);
}
}  // namespace

bool valid_date(int year, unsigned month, unsigned day) {
  static constexpr unsigned days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const unsigned limit = days_in[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= limit;
}

std::optional<std::int64_t> utc_seconds(int year, unsigned month, unsigned day, unsigned hour,
                                        unsigned minute, unsigned second) {
  if (!valid_date(year, month, day) || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

std::size_t format_iso8601(char* buf, std::int64_t seconds) {
  char* p = put_date_time(buf, seconds);
  *p++ = 'Z';
  return static_cast<std::size_t>(p - buf);
}

std::size_t format_iso8601_us(char* buf, std::int64_t nanoseconds) {
  const auto [seconds, fraction] = floor_divide(nanoseconds, 1'000'000'000);
  const auto micros = static_cast<unsigned>(fraction / 1000);
  // Capture times come in order, thousands a second: keep the last second's text.
  struct Second {
    std::int64_t seconds = INT64_MIN;
    char text[32];
    std::size_t len = 0;
  };
  thread_local Second last;
  if (last.seconds != seconds) {
    last.len = static_cast<std::size_t>(put_date_time(last.text, seconds) - last.text);
    last.seconds = seconds;
  }
  std::memcpy(buf, last.text, 24);  // fixed size; the text is at most 24 bytes in this range
  char* p = buf + last.len;
  *p++ = '.';
  p = put_two(p, micros / 10000);
  p = put_two(p, micros / 100 % 100);
  p = put_two(p, micros % 100);
  *p++ = 'Z';
  return static_cast<std::size_t>(p - buf);
}

void append_iso8601(std::string& out, std::int64_t seconds) {
  char buf[40];
  out.append(buf, format_iso8601(buf, seconds));
}

void append_iso8601_us(std::string& out, std::int64_t nanoseconds) {
  char buf[48];
  out.append(buf, format_iso8601_us(buf, nanoseconds));
}

std::optional<int> parse_utc_offset(std::string_view text) {
  text = trim(text);
  // "UTC+8", "GMT-05:30": the name is the zero the offset counts from.
  for (std::string_view zero : {"UTC", "GMT", "utc", "gmt"})
    if (text.substr(0, 3) == zero) {
      text.remove_prefix(3);
      if (text.empty()) return 0;
      if (text[0] != '+' && text[0] != '-') return std::nullopt;
      break;
    }
  if (text == "Z" || text == "z") return 0;
  if (text.empty()) return std::nullopt;
  int sign = 1;
  if (text[0] == '+' || text[0] == '-') {  // "8" is "+8": east of UTC, as zone offsets are written
    sign = text[0] == '-' ? -1 : 1;
    text.remove_prefix(1);
  }
  std::string_view hh = text, mm;
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    hh = text.substr(0, colon);
    mm = text.substr(colon + 1);
  } else if (text.size() == 4 || text.size() == 3) {  // "0530", "530"
    hh = text.substr(0, text.size() - 2);
    mm = text.substr(text.size() - 2);
  }
  if (hh.empty() || hh.size() > 2 || !all_digits(hh)) return std::nullopt;
  if (!mm.empty() && (mm.size() != 2 || !all_digits(mm))) return std::nullopt;
  const int h = *parse_int<int>(hh);
  const int m = mm.empty() ? 0 : *parse_int<int>(mm);
  if (h > 14 || m > 59 || (h == 14 && m > 0)) return std::nullopt;
  return sign * (h * 3600 + m * 60);
}

int current_year_utc() {
  char buf[32];
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  format_iso8601(buf, now.count());
  return (buf[0] - '0') * 1000 + (buf[1] - '0') * 100 + (buf[2] - '0') * 10 + (buf[3] - '0');
}

}  // namespace vt106::util
