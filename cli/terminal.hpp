// What the CLI does differently on a terminal: colours, only there and never with NO_COLOR set.
#pragma once

#include <cstdio>

namespace vt106::cli {

bool is_terminal(std::FILE* f);
// On a terminal and NO_COLOR unset or empty (no-color.org).
bool colour_allowed(std::FILE* f);

}  // namespace vt106::cli
