// Terminal detection, the progress line thread and the summary line.
#include "terminal.hpp"

#include <chrono>
#include <cstdlib>

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vt106/util/progress.hpp"
#include "vt106/util/text.hpp"

namespace vt106::cli {

bool is_terminal(std::FILE* f) { return f && ::isatty(::fileno(f)) == 1; }

std::size_t terminal_columns(std::FILE* f) {
  if (!is_terminal(f)) return 0;
  winsize ws{};
  if (::ioctl(::fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS"))
    if (const auto n = util::parse_int<unsigned>(c); n && *n > 0) return *n;
  return 80;
}

bool may_reach_terminal(std::FILE* f) {
  if (!f) return false;
  if (is_terminal(f)) return true;
  struct stat st {};
  if (::fstat(::fileno(f), &st) != 0) return true;
  return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

bool colour_allowed(std::FILE* f) {
  const char* no_colour = std::getenv("NO_COLOR");
  return is_terminal(f) && (no_colour == nullptr || *no_colour == '\0');
}

namespace {
constexpr auto first_draw_after = std::chrono::milliseconds(500);
constexpr auto redraw_every = std::chrono::milliseconds(250);

void write_stderr(std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, s.data(), s.size());
    if (n <= 0) return;  // nothing sensible to do about a failing stderr
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}
}  // namespace

ProgressLine::ProgressLine(std::string input, std::FILE* file, const CountingSink& counter)
    : ProgressLine(std::move(input), ::fileno(file), counter) {}

ProgressLine::ProgressLine(std::string input, int fd, const CountingSink& counter)
    : input_(std::move(input)), fd_(fd), counter_(counter), messages_at_start_(counter.messages()) {
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = static_cast<std::uint64_t>(st.st_size);
  thread_ = std::thread([this] { run(); });
}

ProgressLine::~ProgressLine() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (drawn_) write_stderr("\r\033[K");
}

void ProgressLine::run() {
  const auto started = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  if (wake_.wait_for(lock, first_draw_after, [this] { return stop_; })) return;
  do {
    draw(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  } while (!wake_.wait_for(lock, redraw_every, [this] { return stop_; }));
}

void ProgressLine::draw(double seconds) {
  util::ProgressSnapshot p;
  p.input = input_;
  if (size_) {
    // The kernel's file offset: what the reader has taken in, read-ahead buffer included.
    if (const off_t pos = ::lseek(fd_, 0, SEEK_CUR); pos >= 0) p.bytes_read = static_cast<std::uint64_t>(pos);
    p.bytes_total = size_;
  }
  p.messages = counter_.messages() - messages_at_start_;
  p.seconds = seconds;
  std::string text = util::progress_text(p);
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && text.size() >= ws.ws_col)
    text.resize(ws.ws_col - 1u);  // a wrapped line could not be redrawn in place
  write_stderr("\r" + text + "\033[K");
  drawn_ = true;
}

std::string summary_line(const char* command, const output::FormatSink& sink, bool colour) {
  const auto& c = sink.counters();
  auto plural = [](std::uint64_t n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
  };
  std::string errors = plural(c.errors, "error", "errors");
  if (colour && c.errors > 0) errors = "\033[31m" + errors + "\033[0m";
  std::string s = fmt::format("vt106 {}: {} from {}, {}", command, plural(c.messages, "message", "messages"),
                              plural(sink.device_count(), "device", "devices"), errors);
  if (c.written < c.messages + c.errors + c.flows)
    s += fmt::format("; {} after the filters", plural(c.written, "record", "records"));
  if (c.left_out > 0)
    s += fmt::format("; {} without a position left off the map", plural(c.left_out, "record", "records"));
  return s;
}

}  // namespace vt106::cli
