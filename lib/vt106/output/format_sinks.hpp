// Inside the output library: the constructors behind make_format_sink, one per format file, and
// the plain-words flow summary that the csv and table formats share.
#pragma once

#include <memory>
#include <string>

#include "vt106/output/format_sink.hpp"

namespace vt106::output {

std::unique_ptr<FormatSink> make_json_sink(std::FILE* out, FormatOptions options);
std::unique_ptr<FormatSink> make_csv_sink(std::FILE* out, FormatOptions options);
std::unique_ptr<FormatSink> make_table_sink(std::FILE* out, FormatOptions options);
std::unique_ptr<FormatSink> make_geojson_sink(std::FILE* out, FormatOptions options);
std::unique_ptr<FormatSink> make_gpx_sink(std::FILE* out, FormatOptions options);
std::unique_ptr<FormatSink> make_kml_sink(std::FILE* out, FormatOptions options);

// "12 messages, 0 errors, 1 gap (40 bytes missing); 7/5 packets, 912/64 bytes up/down; devices
// 867648040000018; closed: fin"
std::string describe_flow(const FlowSummary& f);

}  // namespace vt106::output
