// The records replay writes besides decoded replies: one per sent message (`sent`, with
// --verbose) and the final `summary`. Field names are a public interface (man vt106-replay).
#pragma once

#include <string>
#include <string_view>

#include "vt106/replay/replayer.hpp"

namespace vt106::replay {

void append_sent_json(std::string& out, const SentMessage& sent);

struct SummaryHeader {
  std::string_view input;
  std::string_view target;     // as given; empty without --to
  std::string_view address;    // what it resolved to
  std::uint64_t planned = 0;   // messages per pass
  bool dry_run = false;        // no --to: nothing was sent
};
void append_summary_json(std::string& out, const SummaryHeader& header, const ReplayStats& stats);

}  // namespace vt106::replay
