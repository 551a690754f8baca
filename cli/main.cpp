// vt106 entry point: builds the command line, runs one subcommand, maps failures to exit codes.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "usage.hpp"
#include "vt106/util/text.hpp"
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
  CLI::App app{"vt106 - see what a GOTOP VT-106 tracker said to a platform, and talk back to it", "vt106"};
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("vt106 {}{}{}", vt106::version, *vt106::git_revision ? " " : "",
                                                vt106::git_revision));
  app.footer(R"(Examples:
  vt106 decode platform.pcap | jq 'select(.event == "sos")'
  vt106 decode --format table server.log
  sudo vt106 capture -i eth0 --format table
  vt106 craft track 30s

Run 'vt106 help SUBCOMMAND' (or 'vt106 SUBCOMMAND --help') for a subcommand's options and examples;
'man vt106-SUBCOMMAND' for the details and the record format.)");
  auto subs = registered_subcommands();
  std::sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
  std::map<std::string, Runner> runners;
  for (const auto& s : subs) runners[s.name] = s.setup(app);
  // 'vt106 help SUBCOMMAND...' is 'vt106 SUBCOMMAND... --help'; 'vt106 help' is 'vt106 --help'.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "help") {
    if (args.size() > 1 && !runners.count(args[1])) {
      std::vector<std::string> names;
      for (const auto& [name, run] : runners) names.push_back(name);
      std::fprintf(stderr, "vt106 help: no subcommand '%s'%s (run 'vt106 --help' for the list)\n", args[1].c_str(),
                   vt106::util::did_you_mean(args[1], names, 1).c_str());
      return exit_usage;
    }
    args.erase(args.begin());
    args.emplace_back("--help");
  }
  const std::vector<std::string> typed = args;
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(app, e, typed);
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
