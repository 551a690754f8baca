// Command-line mistakes told in vt106's own words: what was wrong, the valid choices, and what
// was most likely meant (misspelt subcommands, options and enum values). Exit status 2.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace vt106::cli {

// Prints the parser's error `e` for `args` (as typed, first first) to stderr and returns the
// exit status: 0 for --help and --version (which it prints), 2 for a usage error.
int report_parse_error(CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args);
// The same sentence ("PATH: what was wrong ..."), not printed; `root` names `app` ("vt106",
// "vt106 craft"). Empty for --help and --version.
std::string parse_error_text(CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args,
                             const std::string& root = "vt106");

}  // namespace vt106::cli
