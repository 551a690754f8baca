// The records replay writes besides decoded replies: one per sent message (`sent`, with
// --verbose) and the final `summary`. Field names are a public interface (man vt106-replay).
#pragma once

#include <string>
#include <string_view>

#include "vt106/live/replayer.hpp"

namespace vt106::live {

void append_sent_json(std::string& out, const SentMessage& sent);
// What a dry run would send on one connection (a "plan" record): the device as sent and as
// recorded, the transport, the pass, when it would connect (seconds after the start), how many
// messages and bytes, when the first and the last would leave.
struct ConnectionPlan {
  std::shared_ptr<const StreamPlan> stream;
  std::int64_t open_ns = 0, first_ns = -1, last_ns = -1, close_ns = -1;
  std::uint64_t messages = 0, bytes = 0, restamped = 0;
};
void append_plan_json(std::string& out, const ConnectionPlan& plan, bool timed);
// One message a dry run would send (-v): "would_send", its due time and bytes.
void append_would_send_json(std::string& out, const StreamPlan& stream, std::uint64_t index, std::int64_t due_ns,
                            std::string_view bytes, bool timed);

struct SummaryHeader {
  std::string_view input;
  std::string_view target;     // as given; empty without --to
  std::string_view address;    // what it resolved to
  std::uint64_t planned = 0;   // messages per pass
  bool dry_run = false;        // no --to: nothing was sent
};
void append_summary_json(std::string& out, const SummaryHeader& header, const ReplayStats& stats);

}  // namespace vt106::live
