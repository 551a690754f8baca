// The doctor's checks, in the order the data travels (reach, protocol, session, identity,
// content): each gives a finding with a status, the evidence and, where one exists, the fix.
// The list follows the recurring root causes of "my device does not appear" reports.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "vt106/doctor/facts.hpp"

namespace vt106::doctor {

enum class Status : std::uint8_t { pass, warn, fail, not_applicable };
std::string_view to_string(Status s);  // "pass", "warn", "fail", "n/a"

struct Finding {
  std::string check;   // stable code, e.g. "content.time_future"
  Status status = Status::pass;
  std::string device;  // IMEI, or the device's address when it sent no GOTOP identifier
  std::optional<std::uint64_t> flow;
  std::string summary;                                       // one line of evidence
  std::vector<std::pair<std::string, std::string>> evidence; // name → value (times, offsets, raw excerpt)
  std::string fix;      // what to do, in words
  std::string command;  // the exact command that fixes it, when there is one
};

struct Options {
  std::set<std::string, std::less<>> imeis;   // identifiers the platform has registered (--imei)
  std::int64_t status_timeout_s = 600;        // the platform shows a device offline after this
  std::vector<std::uint16_t> server_ports{8888, 5050};
};

struct Report {
  std::string verdict;             // one line: the device and the most likely reason
  std::vector<Finding> findings;   // every check, in the order of the data path
  bool failed = false;             // some check failed
};

// The checks, each run once over the facts.
Report diagnose(const Facts& facts, const Options& options);

// The list of check codes with a line each, in order (for --help, the man page and tests).
const std::vector<std::pair<std::string_view, std::string_view>>& check_catalogue();

}  // namespace vt106::doctor
