// vt106 entry point: builds the command line, runs one subcommand, maps failures to exit codes.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "vt106/version.hpp"

namespace vt106::cli {

std::vector<RegisteredSubcommand>& registered_subcommands() {
  static std::vector<RegisteredSubcommand> all;
  return all;
}

Subcommand::Subcommand(const char* name, int order, Setup setup) {
  registered_subcommands().push_back({name, order, setup});
}

}  // namespace vt106::cli

int main(int argc, char** argv) {
  using namespace vt106::cli;
  CLI::App app{"vt106 - see what a GOTOP VT-106 tracker said to a platform, and talk back to it"};
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("vt106 {}{}{}", vt106::version, *vt106::git_revision ? " " : "",
                                                vt106::git_revision));
  app.footer("Run 'vt106 SUBCOMMAND --help' for a subcommand's options; 'man vt106' for the record format.");
  auto subs = registered_subcommands();
  std::sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
  std::map<std::string, Runner> runners;
  for (const auto& s : subs) runners[s.name] = s.setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  try {
    for (auto* sub : app.get_subcommands())
      if (auto it = runners.find(sub->get_name()); it != runners.end()) return it->second();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "vt106: %s\n", e.what());
    return exit_input;
  }
  return exit_usage;
}
