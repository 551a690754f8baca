// getrlimit/setrlimit(RLIMIT_NOFILE): a process may raise its soft limit up to the hard one.
#include "open_files.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace vt106::cli {

void raise_open_file_limit(std::size_t sockets) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  const rlim_t need = static_cast<rlim_t>(sockets) + 64;  // standard streams, the input, epoll
  if (lim.rlim_cur >= need) return;
  lim.rlim_cur = std::min(need, lim.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &lim);
}

}  // namespace vt106::cli
