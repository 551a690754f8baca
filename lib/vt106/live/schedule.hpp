// When each recorded message is due in a replay, and exactly which bytes it is: the pace
// (capture gaps divided by --speed, a fixed --rate, or --top-speed), passes (--loop), the
// devices of this machine (--shard), identifier rewriting (--imei-map, --imei-prefix) and fix
// times moved to the send time (--restamp), computed as the input is read.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/net/endpoint.hpp"
#include "vt106/live/recording.hpp"

namespace vt106::live {

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

// One connection of one device in one pass.
struct StreamPlan {
  std::uint64_t id = 0;     // 1, 2, ... over all passes, in the order the input reveals them
  std::uint64_t pass = 0;
  std::string imei;         // as sent (after rewriting)
  std::string recorded_imei;
  std::string recorded_client;  // endpoint in the capture, "" for text input
  net::Transport transport = net::Transport::tcp;
};

// What the replay does next, in input order: open a device's connection, send a message on it,
// close it. Due times count from the start of the replay.
struct ScheduledEvent {
  enum class Kind : std::uint8_t { open, message, end };
  Kind kind = Kind::message;
  std::uint64_t stream = 0;
  std::int64_t due_ns = 0;  // open: when to connect; message: when to send; end: when to close, once all is sent
  std::string bytes;        // message: exactly what is sent
  bool restamped = false;   // message: its fix time was moved
  std::shared_ptr<const StreamPlan> plan;  // open (shared: a message event stays small)
};

// What one pass holds, counted as the input is read: final once the first pass was read whole.
struct PassTotals {
  std::uint64_t devices = 0;      // distinct identifiers of this shard
  std::uint64_t connections = 0;  // of this shard
  std::uint64_t udp_connections = 0;
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t connections_in_input = 0;  // of every shard
};

// The schedule of a replay, computed from the input as it is read: each event of the source
// becomes the event of the replay with its due time and exact bytes, pass after pass (the source
// rewound for each). Holds only what the connections open in the input need, so that a capture
// of any size is replayed in bounded memory. Pure: no clock, no sockets.
//
// Due times count from the opening of the first connection that sent a frame. A connection is
// due to open when its flow opened in the capture (capture pace), a second before its first
// message (--rate), or at once (--top-speed, text); the replay opens it when the input reveals
// it, with its first frame.
class Scheduler {
 public:
  // Keeps a reference to `source`, which must outlive the scheduler. `start_unix_ns`: the
  // wall-clock time at which due time 0 falls, used by --restamp (set_start may give it later,
  // before the first event is read).
  Scheduler(RecordingSource& source, ScheduleOptions options, std::int64_t start_unix_ns = 0);

  void set_start(std::int64_t start_unix_ns) { start_unix_ns_ = start_unix_ns; }
  // Due times follow a clock (capture times or a rate). False for --top-speed and for text
  // input without --rate: then every message is due at once and lateness means nothing.
  bool timed() const { return timed_; }
  const ScheduleOptions& options() const { return options_; }

  // The next event; false once the last pass has been read.
  bool next(ScheduledEvent& event);
  // The next event without taking it (nullptr at the end).
  const ScheduledEvent* peek();

  // The first pass's totals, as far as it has been read; first_pass_read() when final.
  const PassTotals& totals() const { return totals_; }
  bool first_pass_read() const { return first_read_; }
  // Passes there will be: --loop, cut short when --imei-prefix runs out of identifiers (known
  // once the first pass has been read); nullopt = until stopped.
  std::optional<std::uint64_t> passes() const;
  bool has_pass(std::uint64_t pass) const;
  std::uint64_t passes_begun() const { return pass_ + (began_ ? 1 : 0); }
  // Time between the starts of two passes (0 when untimed; known once the first pass was read).
  std::int64_t pass_period_ns() const { return period_ns_; }

  // --connect-ahead: reads the first pass to its end and returns its open events, then starts
  // the schedule over from the beginning of the input. nullopt when the input cannot be read again.
  std::optional<std::vector<ScheduledEvent>> first_pass_opens();

 private:
  struct Connection {
    bool selected = false;
    bool opened = false;
    std::uint64_t id = 0;
    std::int64_t open_ts_ns = 0;
    std::int64_t last_due_ns = 0;
    std::optional<std::int64_t> shift;  // --restamp: seconds added to this stream's fix times
    std::string counted_imei;  // the identifier of its last frame, counted among the devices
    StreamPlan plan;
  };

  bool fill();  // at least one event in out_, unless the input is done
  void on_record(RecordEvent& e);
  void end_pass();
  std::int64_t due(std::int64_t ts_ns) const;
  std::string rewritten_imei(std::string_view imei) const;
  void reset();

  RecordingSource& source_;
  ScheduleOptions options_;
  std::int64_t start_unix_ns_ = 0;
  bool timed_ = false;
  std::deque<ScheduledEvent> out_;
  std::unordered_map<std::uint64_t, Connection> open_;  // connections of the input not yet ended
  std::map<std::string, std::uint64_t, std::less<>> device_index_;  // IMEI → order of first appearance
  PassTotals totals_;
  std::uint64_t pass_ = 0;
  bool began_ = false;       // an event of pass_ has been read
  bool first_read_ = false;  // the first pass was read to its end
  bool done_ = false;
  bool have_t0_ = false;
  std::int64_t t0_ns_ = 0, last_ts_ns_ = 0;
  std::int64_t period_ns_ = 0;  // in capture time for Pace::capture, before the speed factor
  std::int64_t pass_last_due_ns_ = 0;  // the latest message due time of this pass
  std::uint64_t rank_ = 0;      // messages of this pass so far (Pace::rate)
  std::uint64_t next_id_ = 0;
};

}  // namespace vt106::live
