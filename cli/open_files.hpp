// The limit on open files, raised for subcommands that hold many sockets (replay, listen).
#pragma once

#include <cstddef>

namespace vt106::cli {

// Raises the soft RLIMIT_NOFILE to `sockets` plus some spare, as far as the hard limit allows.
void raise_open_file_limit(std::size_t sockets);

}  // namespace vt106::cli
