// Terminal detection.
#include "terminal.hpp"

#include <cstdlib>

#include <unistd.h>

namespace vt106::cli {

bool is_terminal(std::FILE* f) { return f && ::isatty(::fileno(f)) == 1; }

bool colour_allowed(std::FILE* f) {
  const char* no_colour = std::getenv("NO_COLOR");
  return is_terminal(f) && (no_colour == nullptr || *no_colour == '\0');
}

}  // namespace vt106::cli
