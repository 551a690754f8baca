// Sends a schedule over real sockets: one connection per scheduled stream, all on one epoll
// loop with non-blocking sockets, so that thousands of connections and a slow peer never hold
// each other up. A reader thread reads the input (through the Scheduler) a bounded distance
// ahead of the sending: the capture is never held whole. Partial writes wait for the socket; replies are decoded as downlink records;
// refused, reset and closed connections become error records, retried with bounded exponential
// backoff when asked.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "vt106/gotop/framer.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/output/record.hpp"
#include "vt106/live/address.hpp"
#include "vt106/live/lateness.hpp"
#include "vt106/live/schedule.hpp"

namespace vt106::live {

// Stable codes of connection problems (error records and the summary's `errors`).
namespace replay_code {
inline constexpr std::string_view dns_failure = "dns_failure";
inline constexpr std::string_view connection_refused = "connection_refused";  // TCP RST to the SYN, ICMP port unreachable for UDP
inline constexpr std::string_view connection_reset = "connection_reset";
inline constexpr std::string_view closed_by_server = "closed_by_server";      // before every message was sent
inline constexpr std::string_view connect_timeout = "connect_timeout";
inline constexpr std::string_view unreachable = "unreachable";                // no route to the network or host
inline constexpr std::string_view socket_error = "socket_error";              // anything else the kernel refused
}  // namespace replay_code

struct ReplayOptions {
  SocketAddress target;
  std::string target_name;                        // as the user gave it, for messages
  std::size_t max_connections = 4096;             // open at once; later streams wait for a slot
  std::int64_t connect_timeout_ns = 10'000'000'000;
  std::int64_t linger_ns = 1'000'000'000;         // after the last message, time left for replies
  bool reconnect = false;
  unsigned max_retries = 5;                       // consecutive failures before a stream gives up
  std::int64_t backoff_first_ns = 100'000'000;    // doubled after each failure...
  std::int64_t backoff_max_ns = 10'000'000'000;   // ...up to this
  std::int64_t duration_ns = 0;                   // 0: until the schedule is done
  std::size_t max_frame = gotop::default_max_frame;  // of replies
  // Every connection of the first pass opened before the clock starts (the input read once more).
  bool connect_ahead = false;
  // Called once when a device has to wait because max_connections is reached, with the number
  // of connections the first pass wants (0 when not known: without connect_ahead).
  std::function<void(std::size_t wanted)> on_connections_short;
  // How far the reader runs ahead of the sending: bytes of messages read and not yet sent, and
  // (timed replays) due time. Messages of connections waiting for a free one may exceed it.
  std::size_t read_ahead_bytes = 8u << 20;
  std::int64_t read_ahead_ns = 2'000'000'000;
};

// One message out of the socket (all its bytes accepted by the kernel).
struct SentMessage {
  const StreamPlan* stream = nullptr;
  std::string_view bytes;
  std::size_t index = 0;  // among the messages of its stream
  std::string_view local, remote;
  std::int64_t due_unix_ns = 0;
  std::int64_t sent_unix_ns = 0;
  bool timed = false;  // due times mean something (not --top-speed)
};

class SendObserver {
 public:
  virtual ~SendObserver() = default;
  virtual void on_sent(const SentMessage& sent) = 0;
};

struct ReplayStats {
  std::uint64_t streams = 0;       // scheduled device connections started
  std::uint64_t devices = 0;       // distinct identifiers among them
  std::uint64_t connections = 0;   // connections established (UDP: sockets connected)
  std::uint64_t reconnects = 0;
  std::uint64_t messages = 0;      // sent
  std::uint64_t bytes = 0;
  std::uint64_t unsent = 0;        // read and not sent: of streams that gave up, or when stopped
  std::uint64_t restamped = 0;
  std::uint64_t replies = 0;       // downlink messages decoded from the server
  std::uint64_t reply_errors = 0;  // error records from reply bytes
  std::uint64_t reply_bytes = 0;
  std::uint64_t passes = 0;        // passes begun
  std::map<std::string, std::uint64_t, std::less<>> errors;  // by replay_code
  LatenessHistogram lateness;
  bool timed = false;
  std::uint64_t preconnected = 0;  // connections opened before the clock started
  std::int64_t connect_ns = 0;     // time taken to open them (not part of elapsed_ns)
  std::int64_t elapsed_ns = 0;
  std::int64_t last_sent_ns = 0;  // after the start, when the last message left
  std::uint64_t read_ahead_peak = 0;  // most bytes of messages read and not yet sent
  std::string_view stopped = "done";  // "done", "duration", "signal"

  std::uint64_t error_count() const;
};

class Replayer {
 public:
  // `records` receives reply messages and error records; `sent` (optional) every sent message.
  // `schedule` is read by the replayer's reader thread during run(); read its totals after.
  Replayer(Scheduler& schedule, ReplayOptions options, gotop::Parser& parser, output::RecordSink& records,
           SendObserver* sent = nullptr);
  ~Replayer();
  Replayer(const Replayer&) = delete;
  Replayer& operator=(const Replayer&) = delete;

  ReplayStats run();
  // Ends run() soon, as after --duration. Async-signal-safe.
  void stop();

  // Reports a failed name lookup the way connection problems are reported (record and count).
  static void report_dns_failure(output::RecordSink& records, ReplayStats& stats, std::string_view target,
                                 std::string_view problem);

 private:
  class Feed;
  struct Stream;
  struct Engine;
  std::unique_ptr<Engine> engine_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace vt106::live
