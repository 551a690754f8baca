// The subcommands. Each lives in its own file with an options struct, a setup function that
// declares its options on the CLI11 app, and a run function that returns the exit status; it
// registers itself with a static `Subcommand` object, so adding one touches no other file.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "vt106/doctor/facts.hpp"
#include "vt106/net/capture_decoder.hpp"

namespace vt106::cli {

// Exit statuses shared by every subcommand.
inline constexpr int exit_ok = 0;
inline constexpr int exit_input = 1;  // the input (or a check) failed as a whole
inline constexpr int exit_usage = 2;

// Runs a subcommand after parsing; returns the exit status.
using Runner = std::function<int()>;
// Declares a subcommand on the app and returns its runner.
using Setup = Runner (*)(CLI::App& app);

struct Subcommand {
  Subcommand(const char* name, int order, Setup setup);
};

struct RegisteredSubcommand {
  std::string name;
  int order;
  Setup setup;
};
std::vector<RegisteredSubcommand>& registered_subcommands();

// A command as `vt106 craft` takes its words ("track 30s", "sos-number 1 +8613812345678"),
// crafted with `password`: its GPRS frame, or what is wrong in craft's words (listen's stdin).
struct CraftedWords {
  std::string frame;    // ":123456M1,030S#"
  std::string problem;  // empty when the frame was made
};
CraftedWords craft_from_words(const std::vector<std::string>& words, const std::string& password);

// "600", "600s", "10m", "2h" → seconds (--status-timeout of doctor and report); nullopt when not.
std::optional<std::int64_t> parse_duration(std::string_view text);

// The file inputs of doctor and report, read into one set of facts (cli/doctor.cpp).
struct FactInputs {
  const char* program = "vt106";
  std::vector<std::string> inputs;
  unsigned jobs = 1;
  std::int64_t log_tz_s = 0;
  net::CaptureOptions capture;
};
int read_fact_inputs(const FactInputs& fi, gotop::Parser& parser, doctor::FactCollector& collector,
                     std::vector<std::string>& inputs, std::size_t& usable, std::uint64_t& base);

// Closes a file a subcommand opened (standard input stays open): std::unique_ptr<FILE, FileCloser>.
struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f && f != stdin) std::fclose(f);
  }
};

}  // namespace vt106::cli
