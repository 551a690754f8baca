// The doctor's report on paper: text for a person (a summary that fits a screen, or every
// device in full), NDJSON or one JSON document for a program. The same findings in each.
#pragma once

#include <string>
#include <vector>

#include "vt106/doctor/checks.hpp"

namespace vt106::doctor {

struct RenderOptions {
  std::vector<std::string> inputs;  // as given (for the commands the summary suggests)
  std::string what;                 // "platform.pcap", "2 inputs": how the header names the input
  bool all = false;                 // every device in full, even when there are many
  std::size_t worst_names = 3;      // devices named per check row in the summary
  std::size_t max_groups = 24;      // next-step lines in the summary (the rest are counted)
};

// Full when one device is diagnosed (or --imei, or `all`), else the summary.
std::string render_text(const Report& report, const RenderOptions& options);
std::string render_ndjson(const Report& report);
std::string render_json(const Report& report);

}  // namespace vt106::doctor
