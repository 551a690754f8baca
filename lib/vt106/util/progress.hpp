// The text of the progress line shown while a long input is read (the CLI draws it on a terminal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vt106::util {

struct ProgressSnapshot {
  std::string_view input;                   // the file name as given
  std::optional<std::uint64_t> bytes_read;  // unknown for pipes
  std::optional<std::uint64_t> bytes_total;
  std::uint64_t messages = 0;
  double seconds = 0;                       // since the input was opened
};

// "capture.pcap  42%  12.3 MB of 29.0 MB  51234 messages  120000 messages/s"
std::string progress_text(const ProgressSnapshot& p);

// "950 B", "12.3 kB", "29.0 MB", "1.2 GB" (decimal units).
std::string byte_size_text(std::uint64_t bytes);

}  // namespace vt106::util
