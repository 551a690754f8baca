// vt106 report: what each device did, for a person to read at a glance. The records of the
// inputs (as decode writes them, through doctor's fact collector) are gathered per device:
// messages by kind, downlink commands and the replies that answer them, decode errors, fixes,
// connections and silences; with the doctor's findings they become one JSON document, put into a
// self-contained HTML page (lib/vt106/report/page.html) that draws a timeline and a track.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vt106/doctor/checks.hpp"
#include "vt106/doctor/facts.hpp"
#include "vt106/output/record.hpp"

namespace vt106::report {

struct Options {
  std::vector<std::string> imeis;     // only these devices (empty: all)
  std::int64_t status_timeout_s = 600;  // silences longer than this are shown
  // The page stays small: every message of a device is listed only while the whole report holds
  // at most `event_budget` of them; past that, devices with many messages get per-minute counts
  // (their alarms, commands, replies and errors are still listed one by one).
  std::size_t event_budget = 150'000;
  std::size_t track_budget = 100'000;  // fixes drawn in all (each device at least 50)
  std::size_t errors_per_device = 200;
};

// The kinds a message is counted and drawn as.
enum class Kind : std::uint8_t { position, heartbeat, alarm, reply, command, error, other };
inline constexpr std::size_t kinds = 7;
std::string_view to_string(Kind k);
Kind kind_of(const gotop::Message& m);

// Takes the records of every input (it is the sink the fact collector passes them on to).
class Collector final : public output::RecordSink {
 public:
  Collector();
  ~Collector() override;
  void message(const output::RecordContext& ctx, const gotop::Message& m) override;
  void error(const output::RecordContext& ctx, const output::ErrorRecord& e) override;

  std::uint64_t messages() const { return messages_; }

  struct Event {
    std::int64_t t_ms;
    std::uint32_t flow;
    Kind kind;
    gotop::Event event;
  };
  struct Fix {
    std::int64_t t_ms;
    double lat, lon;
    bool valid;
  };
  struct Command {
    std::int64_t t_ms;
    std::string frame, name, letter;
    std::int64_t reply_ms = 0;
    std::string reply;
  };
  struct Error {
    std::int64_t t_ms;
    std::uint32_t flow;
    std::string code, message;
  };
  struct Device {
    std::vector<Event> events;
    std::vector<Fix> fixes;
    std::vector<Command> commands;
    std::vector<Error> errors;
    std::uint64_t errors_total = 0;
    std::array<std::uint64_t, kinds> counts{};
    std::vector<std::uint32_t> flows;  // ascending
    std::int64_t first_ms = 0, last_ms = 0;
  };
  const std::unordered_map<std::string, Device>& devices() const { return devices_; }

 private:
  Device& device(std::string_view imei, std::uint32_t flow);
  std::unordered_map<std::string, Device> devices_;
  std::unordered_map<std::uint32_t, std::string> flow_device_;  // flow → the IMEI it carried last
  std::uint64_t messages_ = 0;
};

struct Meta {
  std::string generator;             // "vt106 0.1.0 (abc1234)"
  std::vector<std::string> inputs;
  std::int64_t generated_ms = 0;
};

// The JSON document the page draws (schema in lib/vt106/report/page.html's header comment).
std::string build_json(const Collector& records, const doctor::Facts& facts, const doctor::Report& report,
                       const Options& options, const Meta& meta);

// The page with the JSON put in (every '<' escaped, so the data cannot end its script element).
std::string render_page(std::string_view json);
std::string_view page_template();  // generated from page.html

}  // namespace vt106::report
