// vt106 entry point: builds the command line, runs one subcommand, maps failures to exit codes.
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "vt106/version.hpp"

int main(int argc, char** argv) {
  using namespace vt106::cli;
  CLI::App app{"vt106 - see what a GOTOP VT-106 tracker said to a platform, and talk back to it"};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       fmt::format("vt106 {}{}{}", vt106::version, *vt106::git_revision ? " " : "",
                                   vt106::git_revision));
  app.footer("Run 'vt106 SUBCOMMAND --help' for a subcommand's options; 'man vt106' for the record format.");
  Runner decode = setup_decode(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_usage;
  }
  try {
    if (app.got_subcommand("decode")) return decode();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vt106: %s\n", e.what());
    return exit_input;
  }
  return exit_usage;
}
