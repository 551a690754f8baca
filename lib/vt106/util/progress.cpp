// Progress line text: percent of the file, bytes, messages and the message rate.
#include "vt106/util/progress.hpp"

#include <fmt/format.h>

namespace vt106::util {

std::string byte_size_text(std::uint64_t bytes) {
  if (bytes < 1000) return fmt::format("{} B", bytes);
  constexpr const char* units[] = {"kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes) / 1000;
  std::size_t unit = 0;
  while (v >= 999.95 && unit + 1 < std::size(units)) {
    v /= 1000;
    ++unit;
  }
  return fmt::format("{:.1f} {}", v, units[unit]);
}

std::string progress_text(const ProgressSnapshot& p) {
  std::string s(p.input);
  if (p.bytes_read && p.bytes_total && *p.bytes_total > 0) {
    const auto read = std::min(*p.bytes_read, *p.bytes_total);
    const auto percent = read * 100 / *p.bytes_total;
    s += fmt::format("  {:3}%  {} of {}", percent, byte_size_text(read), byte_size_text(*p.bytes_total));
  } else if (p.bytes_read) {
    s += fmt::format("  {}", byte_size_text(*p.bytes_read));
  }
  s += fmt::format("  {} messages", p.messages);
  if (p.seconds > 0) s += fmt::format("  {:.0f} messages/s", static_cast<double>(p.messages) / p.seconds);
  return s;
}

}  // namespace vt106::util
