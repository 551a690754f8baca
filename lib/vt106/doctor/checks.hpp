// The doctor's checks, in the order the data travels (reach, protocol, session, identity,
// content): each gives a finding with a status, the evidence and, where one exists, the fix and
// the exact command that applies it. The list follows the recurring root causes of "my device
// does not appear" reports.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "vt106/doctor/facts.hpp"
#include "vt106/doctor/identity.hpp"

namespace vt106::doctor {

enum class Status : std::uint8_t { pass, warn, fail, not_applicable };
std::string_view to_string(Status s);  // "pass", "warn", "fail", "n/a"

struct Finding {
  std::string check;     // stable code, e.g. "content.time_future"
  Status status = Status::pass;
  std::string device;    // the device's name in the report (IMEI, device id, or address); empty: the input as a whole
  std::optional<std::uint64_t> flow;
  std::string summary;                                        // one line of evidence
  std::vector<std::pair<std::string, std::string>> evidence;  // name → value (times, offsets, raw excerpt)
  std::string fix;       // what to do, in words
  std::string command;   // the exact command that applies the fix (or shows more), when there is one
  // Next steps are grouped by this key (devices with the same problem and the same fix); the
  // phrase says what they have in common, for one device and for several ("reports local time
  // (UTC+08:00)", "report local time (UTC+08:00)").
  std::string group, group_one, group_many;
};

struct Device {
  std::string name;       // IMEI, the id another protocol carries, or the client address
  std::string protocol;   // "gotop", "gt06", "tls", "unknown"; empty when it sent no bytes
  std::string label;      // "GOTOP device 867648044456745", "GT06 device 353419032954003", "client 10.0.0.7"
  std::vector<std::string> addresses;  // client addresses it used
  Status worst = Status::pass;
  std::vector<Finding> findings;       // every check, in data-path order
};

// An --imei no device in the input sends.
struct Missing {
  std::string imei;
  bool check_digit_fails = false;   // 15 digits whose IMEI check digit is wrong
  char right_check_digit = 0;
  std::vector<Candidate> candidates;
};

struct Options {
  std::vector<std::string> imeis;             // only these devices (--imei); empty: every device
  std::int64_t status_timeout_s = 600;        // the platform shows a device offline after this
  std::vector<std::string> inputs;            // as given on the command line (for suggested commands)
};

struct Report {
  std::string verdict;             // one line: the device(s) and the most likely reason
  bool failed = false;             // some check failed (or an --imei is not in the input)
  std::vector<Finding> input_findings;  // about the input as a whole (reach.traffic)
  std::vector<Device> devices;     // the devices diagnosed (all, or those of --imei), by name
  std::vector<Missing> missing;    // --imei values no device sends
  std::size_t devices_seen = 0;    // devices in the input, diagnosed or not
  std::size_t flows = 0;
  std::int64_t first_ns = 0, last_ns = 0;
};

// The checks, each run once per device over the facts.
Report diagnose(const Facts& facts, const Options& options);

// The list of check codes with a line each, in order (for --help, the man page and tests).
const std::vector<std::pair<std::string_view, std::string_view>>& check_catalogue();

// "1 device", "3 devices"; "1 connection", ... (an "s" plural is enough for the report's nouns).
std::string count_of(std::uint64_t n, std::string_view noun);

// A command line as a POSIX shell reads it: words quoted only when they need it.
std::string shell_quote(std::string_view word);

}  // namespace vt106::doctor
