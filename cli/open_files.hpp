// The limit on open files, raised for subcommands that hold many sockets (replay, listen).
#pragma once

#include <cstddef>

namespace vt106::cli {

// Descriptors kept aside from sockets: standard streams, the input, epoll, an eventfd.
inline constexpr std::size_t spare_descriptors = 64;

struct OpenFileLimit {
  std::size_t soft = 0;  // after raising
  std::size_t hard = 0;
  // Sockets that fit beside the spare descriptors.
  std::size_t sockets() const { return soft > spare_descriptors ? soft - spare_descriptors : 0; }
};

// Raises the soft RLIMIT_NOFILE to the hard limit (a process may without privileges) and returns
// both; unknown limits are reported as very large.
OpenFileLimit raise_open_file_limit();

}  // namespace vt106::cli
