// What the CLI does differently on a terminal: colours (never with NO_COLOR set), a progress line
// on stderr while a file is read, and a summary line at the end. Nothing of it when redirected.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "vt106/output/format_sink.hpp"

namespace vt106::cli {

bool is_terminal(std::FILE* f);
// The width of the terminal f is, in columns (its window size, else $COLUMNS); 0 when f is not
// a terminal.
std::size_t terminal_columns(std::FILE* f);
// Whether what is written to f may reach a terminal: f is one, or a pipe or socket whose reader
// may print there (`vt106 decode FILE | jq`). A progress line on stderr would mix with it.
bool may_reach_terminal(std::FILE* f);
// On a terminal and NO_COLOR unset or empty (no-color.org).
bool colour_allowed(std::FILE* f);

// Passes every record on and counts the messages, for the progress line (read by its thread).
class CountingSink final : public output::RecordSink {
 public:
  explicit CountingSink(output::RecordSink& next) : next_(next) {}
  void message(const output::RecordContext& ctx, const gotop::Message& msg) override {
    // One writer: a relaxed load and store is enough, and cheaper than an atomic increment.
    messages_.store(messages_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    next_.message(ctx, msg);
  }
  void error(const output::RecordContext& ctx, const output::ErrorRecord& err) override { next_.error(ctx, err); }
  void flow(const output::FlowSummary& f) override { next_.flow(f); }
  void foreign(const output::RecordContext& ctx, const detect::Verdict& v) override { next_.foreign(ctx, v); }
  void flow_closed(std::uint32_t flow) override { next_.flow_closed(flow); }
  std::uint64_t messages() const { return messages_.load(std::memory_order_relaxed); }
  // Messages that reached the sink another way (decode -j).
  void add(std::uint64_t n) { messages_.store(messages_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }

 private:
  output::RecordSink& next_;
  std::atomic<std::uint64_t> messages_{0};
};

// While it exists, redraws "NAME  42%  12.3 MB of 29.0 MB  ...  messages/s" on stderr four times a
// second, starting half a second in (short reads show nothing); erases the line when destroyed.
class ProgressLine {
 public:
  ProgressLine(std::string input, std::FILE* file, const CountingSink& counter);
  ProgressLine(std::string input, int fd, const CountingSink& counter);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  void run();
  void draw(double seconds);

  std::string input_;
  int fd_;
  std::optional<std::uint64_t> size_;  // regular files only
  const CountingSink& counter_;
  std::uint64_t messages_at_start_;
  bool drawn_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// "vt106 decode: 15 messages from 3 devices, 2 errors" and what the format left out.
std::string summary_line(const char* command, const output::FormatSink& sink, bool colour);

}  // namespace vt106::cli
