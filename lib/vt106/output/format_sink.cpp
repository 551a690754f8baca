// Output formats by name, and the factory that makes the sink for one.
#include "vt106/output/format_sink.hpp"

#include <fmt/format.h>

#include "vt106/output/format_sinks.hpp"
#include "vt106/output/ndjson_sink.hpp"

namespace vt106::output {

std::string_view to_string(OutputFormat f) { return output_format_names[static_cast<std::size_t>(f)]; }

std::optional<OutputFormat> parse_output_format(std::string_view name) {
  for (std::size_t i = 0; i < std::size(output_format_names); ++i)
    if (output_format_names[i] == name) return static_cast<OutputFormat>(i);
  return std::nullopt;
}

std::unique_ptr<FormatSink> make_format_sink(OutputFormat format, std::FILE* out, FormatOptions options) {
  switch (format) {
    case OutputFormat::ndjson:
      return std::make_unique<NdjsonSink>(out, std::move(options.filter), options.pretty, options.flush_each);
    case OutputFormat::json: return make_json_sink(out, std::move(options));
    case OutputFormat::csv: return make_csv_sink(out, std::move(options));
    case OutputFormat::table: return make_table_sink(out, std::move(options));
    case OutputFormat::geojson: return make_geojson_sink(out, std::move(options));
    case OutputFormat::gpx: return make_gpx_sink(out, std::move(options));
    case OutputFormat::kml: return make_kml_sink(out, std::move(options));
  }
  return nullptr;
}

std::string describe_flow(const FlowSummary& f) {
  auto plural = [](std::uint64_t n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
  };
  std::string s = plural(f.messages, "message", "messages") + ", " + plural(f.errors, "error", "errors") + ", " +
                  plural(f.gaps, "gap", "gaps");
  if (f.bytes_missing) s += fmt::format(" ({} bytes missing)", f.bytes_missing);
  s += fmt::format("; {}/{} packets, {}/{} bytes up/down", f.packets_up, f.packets_down, f.bytes_up, f.bytes_down);
  if (!f.imeis.empty()) s += fmt::format("; devices {}", f.imeis);
  if (!f.close_reason.empty()) s += fmt::format("; closed: {}", f.close_reason);
  return s;
}

}  // namespace vt106::output
