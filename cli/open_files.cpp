// getrlimit/setrlimit(RLIMIT_NOFILE): a process may raise its soft limit up to the hard one.
#include "open_files.hpp"

#include <sys/resource.h>

#include <limits>

namespace vt106::cli {

namespace {
std::size_t as_size(rlim_t value) {
  if (value == RLIM_INFINITY || value > std::numeric_limits<std::size_t>::max())
    return std::numeric_limits<std::size_t>::max();
  return static_cast<std::size_t>(value);
}
}  // namespace

OpenFileLimit raise_open_file_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return {std::numeric_limits<std::size_t>::max(), std::numeric_limits<std::size_t>::max()};
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return {as_size(lim.rlim_cur), as_size(lim.rlim_max)};
}

}  // namespace vt106::cli
