// The record and flow options of decode and capture, and the record options listen shares.
#include "record_options.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "commands.hpp"
#include "terminal.hpp"
#include "vt106/util/text.hpp"
#include "vt106/util/time.hpp"

namespace vt106::cli {

void RecordOptions::add_to(CLI::App& cmd, const std::string& prefix) {
  // "Capture files: a summary…" for decode, "A summary…" where every input is a capture.
  auto p = [&](std::string text) {
    if (prefix.empty() && !text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    return prefix + text;
  };
  add_record_options_to(cmd);
  cmd.add_flag("--flows", flows, p("a summary record per flow when it ends"));
  cmd.add_option("--server-port", server_ports,
                 p("platform ports; without a handshake the other side is the device (default 8888 5050)"))
      ->type_name("PORT");
  cmd.add_option("--max-flows", limits.max_flows, p("flows tracked at once; the least recently active is evicted beyond"))
      ->check(CLI::Range(1, 1 << 24))
      ->capture_default_str();
  cmd.add_option("--max-buffer", limits.max_buffered_bytes,
                 p("out-of-order bytes held per flow direction before the hole is declared a gap"))
      ->check(CLI::Range(1024, 1 << 30))
      ->capture_default_str();
  cmd.add_option("--max-ooo", limits.max_ooo_segments,
                 p("out-of-order segments held per flow direction before the hole is declared a gap"))
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd.add_option("--idle-timeout", idle_timeout_s, p("seconds without a packet that end a flow"))
      ->check(CLI::Range(1.0, 1e7))
      ->capture_default_str();
  one_value_each(cmd, {"--server-port"});
}

void RecordOptions::add_record_options_to(CLI::App& cmd) {
  cmd.add_option("--format", format,
                 "Output: ndjson (one record per line), json (one array), csv, table (for a terminal), "
                 "geojson, gpx or kml (positions per device, written at the end)")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(output::output_format_names),
                                                     std::end(output::output_format_names))))
      ->type_name("FORMAT")
      ->capture_default_str();
  cmd.add_option("--columns", columns,
                 "Table: these columns, comma-separated (time,dir,imei,event,valid,fix_time,lat,lon,kmh,bat,gsm,"
                 "detail); default: those that fit the terminal")
      ->type_name("LIST");
  cmd.add_option("--device-tz", device_tz,
                 "The device reports local time at this UTC offset (e.g. +08 for a TL402 at factory settings); "
                 "fix times are converted to UTC")
      ->type_name("+HH[:MM]");
  cmd.add_option("--max-frame", max_frame, "Longest frame body in bytes; longer ones become frame_too_long errors")
      ->check(CLI::Range(16, 1 << 20))
      ->capture_default_str();
  cmd.add_option("--imei", imeis, "Only records of this device (repeatable)")->type_name("IMEI");
  cmd.add_option("--event", events, "Only messages with this event (repeatable; 'error' selects error records, 'foreign' flows in another protocol)")->type_name("EVENT");
  cmd.add_flag("--no-errors", no_errors, "Leave error records out of the output");
  cmd.add_flag("--strict", strict, "Exit with status 1 when an --imei or --event value matched no record");
  cmd.add_flag("--pretty", pretty, "Indent each record (ndjson and json; no longer one line per record)");
  one_value_each(cmd, {"--imei", "--event"});
}

std::optional<gotop::ParseOptions> RecordOptions::parse_options(const char* command) const {
  gotop::ParseOptions popts;
  if (!device_tz.empty()) {
    auto tz = util::parse_utc_offset(device_tz);
    if (!tz) {
      std::fprintf(stderr, "vt106 %s: --device-tz '%s' is not a UTC offset like 8, +08:00, -0530 or UTC+8\n", command,
                   device_tz.c_str());
      return std::nullopt;
    }
    popts.device_tz_seconds = *tz;
  }
  // --columns names the table's columns.
  const auto names = output::table_column_names();
  for (const auto& column : util::split_list(columns)) {
    if (std::find(names.begin(), names.end(), column) != names.end()) continue;
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ",") + n;
    std::fprintf(stderr, "vt106 %s: --columns: '%s' is not a column%s (the columns: %s)\n", command, column.c_str(),
                 util::did_you_mean(column, names, 1).c_str(), list.c_str());
    return std::nullopt;
  }
  // --event names one of the events a record can carry: a misspelt one would select nothing.
  std::vector<std::string> known;
  for (int e = 0; e <= static_cast<int>(gotop::Event::unknown); ++e)
    known.emplace_back(gotop::to_string(static_cast<gotop::Event>(e)));
  known.emplace_back("error");
  known.emplace_back("foreign");
  for (const auto& event : events) {
    if (std::find(known.begin(), known.end(), event) != known.end()) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    std::fprintf(stderr, "vt106 %s: --event '%s' is not an event%s (the events: %s)\n", command, event.c_str(),
                 util::did_you_mean(event, known, 1).c_str(), list.c_str());
    return std::nullopt;
  }
  return popts;
}

output::RecordFilter RecordOptions::filter() const {
  output::RecordFilter f;
  f.imeis.insert(imeis.begin(), imeis.end());
  f.events.insert(events.begin(), events.end());
  f.errors = !no_errors;
  return f;
}

std::unique_ptr<output::FormatSink> RecordOptions::make_sink(std::FILE* out, bool flush_each) const {
  output::FormatOptions o;
  o.filter = filter();
  o.pretty = pretty;
  o.flush_each = flush_each;
  o.colour = colour_allowed(out);
  // A table fits the terminal it is shown on; written elsewhere its rows are whole.
  o.width = terminal_columns(out);
  o.columns = util::split_list(columns);
  // --format was checked against the same names when the command line was parsed.
  return output::make_format_sink(output::parse_output_format(format).value_or(output::OutputFormat::ndjson), out,
                                  std::move(o));
}

net::CaptureOptions RecordOptions::capture_options() const {
  net::CaptureOptions c;
  c.flows = limits;
  c.flows.server_ports = server_ports;
  c.flows.idle_timeout_ns = static_cast<std::int64_t>(idle_timeout_s * 1e9);
  return c;
}

int RecordOptions::report_unmatched(const char* command, const output::FormatSink& sink) const {
  const auto unmatched = sink.unmatched_filters();
  for (const auto& line : unmatched) std::fprintf(stderr, "vt106 %s: %s\n", command, line.c_str());
  return strict && !unmatched.empty() ? exit_input : exit_ok;
}

void one_value_each(CLI::App& cmd, std::initializer_list<const char*> names) {
  for (const char* name : names) cmd.get_option(name)->allow_extra_args(false);
}

}  // namespace vt106::cli
