// The subcommands: each has an options struct, a setup function that declares its options on
// the CLI11 app, and a run function that returns the process exit status.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace vt106::cli {

// Exit statuses shared by every subcommand.
inline constexpr int exit_ok = 0;
inline constexpr int exit_input = 1;  // the input (or a check) failed as a whole
inline constexpr int exit_usage = 2;

// Registers a subcommand; the returned callable runs it after parsing.
using Runner = std::function<int()>;
Runner setup_decode(CLI::App& app);

}  // namespace vt106::cli
