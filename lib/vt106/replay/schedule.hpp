// When each recorded message is due in a replay, and exactly which bytes it is: the pace
// (capture gaps divided by --speed, a fixed --rate, or --top-speed), passes (--loop), the
// devices of this machine (--shard), identifier rewriting (--imei-map, --imei-prefix) and fix
// times moved to the send time (--restamp). Pure: no clock, no sockets.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/net/endpoint.hpp"
#include "vt106/replay/recording.hpp"

namespace vt106::replay {

enum class Pace : std::uint8_t {
  capture,    // the gaps of the capture, divided by the speed factor
  rate,       // one message every 1/rate seconds, in the order the input holds them
  top_speed,  // every message as soon as the one before it on its connection is out
};

// "I/N": this machine replays the devices whose identifier hashes to I of N (1 ≤ I ≤ N).
struct Shard {
  std::uint32_t index = 1;
  std::uint32_t count = 1;
};
std::optional<Shard> parse_shard(std::string_view text);
// Which shard (1..count) a device belongs to: FNV-1a of its identifier, so every machine agrees.
std::uint32_t shard_of(std::string_view device_key, std::uint32_t count);

using ImeiMap = std::map<std::string, std::string, std::less<>>;
// Adds "OLD=NEW" (both all digits) to `map`; false when the text is not such a pair.
bool add_imei_pair(std::string_view text, ImeiMap& map);
// Reads pairs, one per line as "OLD=NEW" or "OLD NEW"; blank lines and '#' comments are skipped.
// nullopt with the 1-based number of the first bad line in `bad_line`.
std::optional<ImeiMap> parse_imei_map_file(std::string_view text, std::size_t& bad_line);

struct ScheduleOptions {
  Pace pace = Pace::capture;
  double speed = 1.0;        // Pace::capture
  double rate = 0.0;         // Pace::rate, messages per second
  std::uint64_t loops = 1;   // passes over the input; 0 = until stopped
  Shard shard;
  ImeiMap imei_map;          // identifiers replaced as they are
  std::string imei_prefix;   // identifiers replaced by prefix + serial + Luhn digit, unique per pass
  bool restamp = false;      // fix date/time moved to the send time, intervals kept
  std::optional<net::Transport> transport;  // forces every connection onto one transport
};

struct ScheduledMessage {
  std::int64_t due_ns = 0;  // after the start of the replay
  std::string bytes;        // exactly what is sent
};

// One connection of one device in one pass.
struct ScheduledStream {
  std::uint64_t id = 0;     // 1, 2, ... over all passes
  std::uint64_t pass = 0;
  std::string imei;         // as sent (after rewriting)
  std::string recorded_imei;
  std::string recorded_client;  // endpoint in the capture, "" for text input
  net::Transport transport = net::Transport::tcp;
  std::int64_t open_ns = 0;     // when the connection is opened
  std::int64_t close_ns = 0;    // when it is closed, once every message is out
  std::vector<ScheduledMessage> messages;
  std::uint64_t restamped = 0;  // frames whose fix time was moved
};

class Schedule {
 public:
  // Keeps a reference to `recording`, which must outlive the schedule.
  Schedule(const Recording& recording, ScheduleOptions options);

  // Due times follow a clock (capture times or a rate). False for --top-speed and for text
  // input without --rate: then every message is due at once and lateness means nothing.
  bool timed() const { return timed_; }
  std::size_t connections_per_pass() const { return selected_.size(); }
  std::size_t udp_connections_per_pass() const { return udp_; }
  std::size_t devices_per_pass() const { return device_index_.size(); }
  std::uint64_t messages_per_pass() const { return messages_; }
  std::uint64_t bytes_per_pass() const { return bytes_; }
  std::uint64_t connections_in_recording() const { return recording_.connections.size(); }
  // Passes there will be: --loop, cut short when --imei-prefix runs out of identifiers;
  // nullopt = until stopped.
  std::optional<std::uint64_t> passes() const;
  bool has_pass(std::uint64_t pass) const;
  // Time between the starts of two passes (0 when untimed).
  std::int64_t pass_period_ns() const { return period_ns_; }
  const ScheduleOptions& options() const { return options_; }

  // The streams of a pass, in the order they open. `start_unix_ns`: the wall-clock time at which
  // due time 0 falls, used by --restamp.
  std::vector<ScheduledStream> pass(std::uint64_t pass, std::int64_t start_unix_ns) const;

 private:
  std::int64_t due(std::int64_t ts_ns, std::uint64_t pass) const;
  std::string rewritten_imei(std::string_view imei, std::uint64_t pass) const;

  const Recording& recording_;
  ScheduleOptions options_;
  bool timed_ = false;
  std::vector<std::size_t> selected_;                  // connections of this shard
  std::map<std::string, std::uint64_t, std::less<>> device_index_;  // IMEI → order of first appearance
  std::vector<std::vector<std::uint64_t>> rank_;       // Pace::rate: per selected connection and frame
  std::uint64_t messages_ = 0, bytes_ = 0;
  std::size_t udp_ = 0;
  std::int64_t t0_ns_ = 0;
  std::int64_t period_ns_ = 0;  // in capture time for Pace::capture, before the speed factor
};

}  // namespace vt106::replay
