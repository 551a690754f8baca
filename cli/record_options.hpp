// Options shared by every subcommand that writes records (decode, capture): how frames are
// read, which records are kept, how captured flows are tracked. Declared once, used alike.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vt106/gotop/framer.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/output/format_sink.hpp"

namespace vt106::cli {

struct RecordOptions {
  std::string format = "ndjson";
  std::string device_tz;
  std::size_t max_frame = gotop::default_max_frame;
  bool pretty = false;
  std::vector<std::string> imeis, events;
  std::string columns;  // --columns: the table's columns, comma-separated
  bool no_errors = false;
  bool strict = false;  // exit 1 when an --imei or --event value matched no record
  bool flows = false;
  std::vector<std::uint16_t> server_ports{8888, 5050};
  net::FlowLimits limits;
  double idle_timeout_s = 300;

  // Declares the options; `what` prefixes the help of the flow options ("Capture files: ").
  void add_to(CLI::App& cmd, const std::string& flow_help_prefix);
  // Only the record options (--device-tz, --max-frame, --imei, --event, --no-errors, --pretty),
  // for subcommands that have no captured flows to track (listen).
  void add_record_options_to(CLI::App& cmd);
  // nullopt (after a message on stderr naming `command`) when a value is unusable.
  std::optional<gotop::ParseOptions> parse_options(const char* command) const;
  output::RecordFilter filter() const;
  // The sink of --format writing to `out`; tables are coloured when `out` is a terminal.
  std::unique_ptr<output::FormatSink> make_sink(std::FILE* out, bool flush_each) const;
  net::CaptureOptions capture_options() const;
  // After the output is complete: says on stderr which --imei and --event values matched no
  // record (and the closest values seen); returns exit_input when there are such values and
  // --strict was given, else exit_ok.
  int report_unmatched(const char* command, const output::FormatSink& sink) const;
};

// Makes the named repeatable options take one value per occurrence, so that they never swallow
// the positional arguments that follow them.
void one_value_each(CLI::App& cmd, std::initializer_list<const char*> names);

}  // namespace vt106::cli
