// JSON for a protocol-detection verdict: the fields of `vt106 detect` records, written into an
// object the caller opens, so that decode can put them in a record of its own (kind "foreign").
#pragma once

#include <string>

#include "vt106/detect/detect.hpp"
#include "vt106/output/json.hpp"

namespace vt106::output {

// Writes status, protocol, category, confidence, device_id, evidence, alternatives, bytes_seen,
// bytes_used, bytes_wanted and proxy (absent values omitted) into the object `w` has open.
void write_verdict_fields(JsonWriter& w, const detect::Verdict& v);
// The verdict as one JSON object.
void append_verdict_json(std::string& out, const detect::Verdict& v);

}  // namespace vt106::output
