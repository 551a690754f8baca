// The output formats of decode, capture and listen: one record sink per format behind a common
// base that owns the filters, and the factory that picks one by name (--format).
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/output/record_filter.hpp"

namespace vt106::output {

enum class OutputFormat : std::uint8_t { ndjson, json, csv, table, geojson, gpx, kml };
std::string_view to_string(OutputFormat f);
std::optional<OutputFormat> parse_output_format(std::string_view name);
// Every format name, in the order of the enum (for --help and checks).
inline constexpr std::string_view output_format_names[] = {"ndjson", "json", "csv", "table", "geojson", "gpx", "kml"};

struct FormatOptions {
  RecordFilter filter;
  bool pretty = false;      // ndjson and json: indent each record
  bool flush_each = false;  // flush after every record (live capture); map formats write at finish()
  bool colour = false;      // table: ANSI colours for invalid fixes and errors
  // table: the widest a row may be (0: no limit) and the columns to show, by name (empty: those
  // that fit the width, most useful first; see table_column_names).
  std::size_t width = 0;
  std::vector<std::string> columns;
};

// The table's column names, in the order they are shown ("time", "dir", "imei", "event",
// "valid", "fix_time", "lat", "lon", "kmh", "bat", "gsm", "detail").
std::vector<std::string> table_column_names();

// A record sink writing one format to a FILE*. Streaming formats write as records come; the
// map formats (geojson, gpx, kml) group fixes per device and write everything at finish().
class FormatSink : public RecordSink {
 public:
  explicit FormatSink(RecordFilter filter) : gate_(std::move(filter)) {}

  // Writes out what is buffered, so that a message on stderr comes after the records before it.
  virtual void flush() = 0;
  // Completes the document (closing brackets, the map) and flushes; records after it are ignored.
  virtual void finish() = 0;

  // Writes at most `n` message records (capture -c); done() tells when they are out.
  void limit_messages(std::uint64_t n) { gate_.limit_messages(n); }
  bool done() const { return gate_.done(); }
  const SinkCounters& counters() const { return gate_.counters(); }
  std::vector<std::string> unmatched_filters() const { return gate_.unmatched_filters(); }
  std::size_t device_count() const { return gate_.device_count(); }
  void count_devices(bool on) { gate_.count_devices(on); }  // see RecordGate::count_devices
  bool device_count_capped() const { return gate_.device_count_capped(); }
  std::size_t flows_tracked() const { return gate_.flows_tracked(); }
  void flow_closed(std::uint32_t flow) override { gate_.flow_closed(flow); }

 protected:
  RecordGate gate_;
};

std::unique_ptr<FormatSink> make_format_sink(OutputFormat format, std::FILE* out, FormatOptions options);

}  // namespace vt106::output
