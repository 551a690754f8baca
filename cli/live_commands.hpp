// What listen and proxy share on the command line: the commands typed on standard input (checked
// as craft checks them, sent or held until the device connects, the device's reply told on
// stderr) and the record tap that finds those replies.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/output/format_sink.hpp"
#include "vt106/output/record.hpp"
#include "vt106/util/text.hpp"

namespace vt106::cli {

// The loop of listen and proxy: polls until a stop signal, --duration or the output's --count;
// after each turn `flush()` so that what came is written at once. `poll(timeout_ns)` (-1: no limit).
template <class Poll, class Flush>
void run_until_stopped(const volatile std::sig_atomic_t& stop, double duration_s, const output::FormatSink& out,
                       Poll&& poll, Flush&& flush) {
  const auto started = std::chrono::steady_clock::now();
  const auto duration_ns = static_cast<std::int64_t>(duration_s * 1e9);
  // A stop signal that lands between the check of `stop` and the wait does not interrupt the
  // wait: the wait is bounded so that the flag is seen within this time however idle the loop.
  constexpr std::int64_t stop_check_ns = 100'000'000;
  while (!stop && !out.done()) {
    std::int64_t timeout = stop_check_ns;
    if (duration_ns > 0) {
      const auto elapsed =
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
      if (elapsed >= duration_ns) break;
      timeout = std::min(timeout, duration_ns - elapsed);
    }
    poll(timeout);
    flush();
  }
}

// Standard input is read only when it is not a terminal this process would be stopped for
// reading (a background job); lines are "IMEI FRAME".
inline bool stdin_usable() { return !::isatty(STDIN_FILENO) || ::tcgetpgrp(STDIN_FILENO) == ::getpgrp(); }

// Commands typed on standard input, and the replies that answer them: each line is an IMEI and
// a command as `vt106 craft` takes it (or a frame ':PASSWORD...#'), checked as craft checks it,
// sent at once or held until the device connects; the device's reply is told on stderr.
class CommandLines {
 public:
  // `send_or_hold(imei, frame)`: true when sent at once, false when held until the device
  // connects; `stop_watching()`: standard input has ended.
  CommandLines(std::string program, std::function<bool(std::string_view, std::string_view)> send_or_hold,
               std::function<void()> stop_watching, std::string password)
      : program_(std::move(program)),
        send_or_hold_(std::move(send_or_hold)),
        stop_watching_(std::move(stop_watching)),
        password_(std::move(password)) {}

  void on_readable() {
    char buf[4096];
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {  // end of input: no more commands, listening goes on
      if (!pending_.empty()) line(pending_);
      pending_.clear();
      stop_watching_();
      return;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
    for (auto nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n')) {
      line(pending_.substr(0, nl));
      pending_.erase(0, nl + 1);
    }
    if (pending_.size() > 65536) {
      std::fprintf(stderr, "%s: standard input: a line of over 64 KiB ignored\n", program_.c_str());
      pending_.clear();
    }
  }

  // An uplink message: the reply to a command sent from stdin when its type answers the letter.
  void on_message(const gotop::Message& m) {
    if (m.dir != gotop::Direction::up || m.imei.empty() || awaiting_.empty()) return;
    const auto it = awaiting_.find(m.imei);
    if (it == awaiting_.end()) return;
    auto& queue = it->second;
    for (auto w = queue.begin(); w != queue.end(); ++w) {
      if (!answers(m, w->letter)) continue;
      std::fprintf(stderr, "%s: %s answered '%s' (%s): %.*s\n", program_.c_str(), std::string(m.imei).c_str(),
                   w->typed.c_str(), w->frame.c_str(), static_cast<int>(m.raw.size()), m.raw.data());
      queue.erase(w);
      if (queue.empty()) awaiting_.erase(it);
      return;
    }
  }

 private:
  struct Awaited {
    std::string letter, typed, frame;
  };

  // A reply names the command it answers: CMD-<letter> (CMD-F for a locate, CMD-M for track...).
  static bool answers(const gotop::Message& m, std::string_view letter) {
    return !letter.empty() && (m.command == letter || m.type == "CMD-" + std::string(letter));
  }
  // The command letter of a frame ":123456M1,030S#" (after the 6-digit password).
  static std::string letter_of(std::string_view frame) {
    if (frame.size() > 8 && frame[0] == ':' && util::all_digits(frame.substr(1, 6))) return std::string(frame.substr(7, 1));
    return {};
  }

  void line(const std::string& text) {
    ++line_number_;
    submit(text, fmt::format("standard input line {}", line_number_));
  }

 public:
  // One command, from `where` ("--send", "standard input line 3"); false when it was refused.
  bool submit(const std::string& text, const std::string& where) {
    const std::string_view trimmed = util::trim(text);
    if (trimmed.empty() || trimmed.front() == '#') return true;  // blank lines and comments
    std::vector<std::string> words;
    for (std::size_t at = 0; at < trimmed.size();) {
      const auto end = trimmed.find_first_of(" \t", at);
      const auto word = trimmed.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
      if (!word.empty()) words.emplace_back(word);
      if (end == std::string_view::npos) break;
      at = end + 1;
    }
    if (words.size() < 2 || !util::all_digits(words[0]) || words[0].size() < 5 || words[0].size() > 20) {
      std::fprintf(stderr, "%s: %s: '%.*s' is not 'IMEI COMMAND' (e.g. '867648040000018 track 30s', or "
                   "'867648040000018 :123456F#')\n", program_.c_str(), where.c_str(), static_cast<int>(trimmed.size()), trimmed.data());
      return false;
    }
    const std::string imei = words[0];
    const std::vector<std::string> command(words.begin() + 1, words.end());
    std::string frame, typed;
    for (const auto& w : command) typed += (typed.empty() ? "" : " ") + w;
    if (command.size() == 1 && command[0].front() == ':') {
      // A frame as it goes out: it must be one GOTOP downlink frame that decodes.
      frame = command[0];
      gotop::Message m;
      gotop::DecodeError err;
      const bool whole = frame.size() > 2 && frame.back() == '#' && frame.find('#') == frame.size() - 1;
      if (!whole || !parser_.parse_frame(std::string_view(frame).substr(0, frame.size() - 1), m, err) ||
          m.dir != gotop::Direction::down) {
        std::fprintf(stderr, "%s: %s: '%s' is not a GOTOP command frame (':PASSWORD...#'); not sent\n", program_.c_str(),
                     where.c_str(), frame.c_str());
        return false;
      }
    } else {
      const auto crafted = craft_from_words(command, password_);
      if (!crafted.problem.empty()) {
        std::fprintf(stderr, "%s: %s: %s; not sent\n", program_.c_str(), where.c_str(), crafted.problem.c_str());
        return false;
      }
      frame = crafted.frame;
    }
    if (!send_or_hold_(imei, frame))
      std::fprintf(stderr, "%s: %s is not connected; '%s' (%s) is sent when it connects\n", program_.c_str(), imei.c_str(),
                   typed.c_str(), frame.c_str());
    awaiting_[imei].push_back({letter_of(frame), typed, frame});
    return true;
  }

 private:

  std::string program_;
  std::function<bool(std::string_view, std::string_view)> send_or_hold_;
  std::function<void()> stop_watching_;
  std::string password_;
  gotop::Parser parser_;
  std::string pending_;
  std::uint64_t line_number_ = 0;
  std::map<std::string, std::deque<Awaited>, std::less<>> awaiting_;
};

// Passes every record on, and tells CommandLines (once attached) of the messages: the replies
// it waits for.
class ReplyTap final : public output::RecordSink {
 public:
  explicit ReplyTap(output::RecordSink& next) : next_(next) {}
  void attach(CommandLines* lines) { lines_ = lines; }
  void message(const output::RecordContext& ctx, const gotop::Message& m) override {
    next_.message(ctx, m);
    if (lines_) lines_->on_message(m);
  }
  void error(const output::RecordContext& ctx, const output::ErrorRecord& e) override { next_.error(ctx, e); }
  void flow(const output::FlowSummary& f) override { next_.flow(f); }
  void foreign(const output::RecordContext& ctx, const detect::Verdict& v) override { next_.foreign(ctx, v); }
  void flow_closed(std::uint32_t flow) override { next_.flow_closed(flow); }

 private:
  output::RecordSink& next_;
  CommandLines* lines_ = nullptr;
};


}  // namespace vt106::cli
