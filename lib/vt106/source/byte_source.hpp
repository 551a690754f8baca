// The one face every input is read through: a source of bytes that hands out what has arrived,
// as soon as it has arrived. Files, pipes, FIFOs and terminals are read with read(2) (a pipe is
// never waited on to fill a buffer); gzip data is inflated on the way; a stop request (SIGINT,
// SIGTERM) ends the input cleanly, after what was already read.
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace vt106::source {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to `n` bytes into `into`; 0 only at the end of the input (or after a failure or a stop).
  virtual std::size_t read(char* into, std::size_t n) = 0;
  // The input ended because reading failed; error() says how, naming the byte position.
  virtual bool failed() const { return false; }
  virtual std::string error() const { return {}; }
  // The input ended because a stop was requested, not because it was complete.
  virtual bool stopped() const { return false; }
  // True when a read would not wait (a file, or a pipe with bytes in it): peeking stops
  // waiting for more lines when the writer paused.
  virtual bool ready() { return true; }
  // Bytes handed out so far.
  std::uint64_t position() const { return position_; }

 protected:
  std::uint64_t position_ = 0;
};

// A flag a signal handler sets to end every input at its next read (nullptr: never).
void set_stop_flag(const volatile std::sig_atomic_t* flag);
bool stop_requested();

// A file descriptor (not closed unless `owned`). Before waiting on a pipe, FIFO, socket or
// terminal with nothing to read, it calls the pause callback (to flush output), and it checks
// the stop flag while it waits.
class FdSource final : public ByteSource {
 public:
  FdSource(int fd, bool owned);
  ~FdSource() override;
  FdSource(const FdSource&) = delete;
  FdSource& operator=(const FdSource&) = delete;

  std::size_t read(char* into, std::size_t n) override;
  bool failed() const override { return errno_ != 0; }
  std::string error() const override;
  bool stopped() const override { return stopped_; }
  bool ready() override;
  void on_pause(std::function<void()> callback) { on_pause_ = std::move(callback); }
  bool regular() const { return regular_; }

 private:
  int fd_;
  bool owned_;
  bool regular_ = false;
  bool stopped_ = false;
  int errno_ = 0;
  std::function<void()> on_pause_;
};

// Bytes in memory (--text, --hex, tests).
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
  std::size_t read(char* into, std::size_t n) override;

 private:
  std::string bytes_;
  std::size_t at_ = 0;
};

// The bytes of a gzip file (several members, as `cat a.gz b.gz` makes, read one after the other).
// Damaged data ends the input with failed() and the compressed byte position.
class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(ByteSource& compressed);
  ~GzipSource() override;
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  std::size_t read(char* into, std::size_t n) override;
  bool failed() const override { return !error_.empty() || in_.failed(); }
  std::string error() const override { return error_.empty() ? in_.error() : error_; }
  bool stopped() const override { return in_.stopped(); }
  bool ready() override { return in_.ready(); }

  static bool magic(std::string_view first_bytes);  // 1f 8b

 private:
  struct State;
  ByteSource& in_;
  std::unique_ptr<State> z_;
  std::string error_;
};

// A source whose first bytes can be looked at before they are read: how inputs are recognised
// without reading to the end. peek() waits only for what it asks for (or the end of input).
class PeekSource final : public ByteSource {
 public:
  explicit PeekSource(ByteSource& in) : in_(in) {}
  // At least `n` bytes, or `lines` whole lines when they come sooner (at least one line when
  // the input pauses before more arrive), or everything up to the end of input.
  std::string_view peek(std::size_t n, std::size_t lines = 0);
  bool ready() override { return at_ < head_.size() || in_.ready(); }
  std::size_t read(char* into, std::size_t n) override;
  bool failed() const override { return in_.failed(); }
  std::string error() const override { return in_.error(); }
  bool stopped() const override { return in_.stopped(); }

 private:
  ByteSource& in_;
  std::string head_;
  std::size_t at_ = 0;
  bool ended_ = false;
};

// Lines of a source, each without its line break (a trailing '\r' is dropped). Memory stays
// bounded by `max_line`: a longer line is handed out in pieces of that size, each marked as
// part of a long line, the last one as its end.
class LineReader {
 public:
  struct Line {
    std::string_view text;
    std::uint64_t number = 0;  // 1-based
    std::uint64_t offset = 0;  // of text[0] in the input
    bool partial = false;      // a piece of a line longer than max_line (not its end)
    bool continued = false;    // a later piece of such a line
  };
  explicit LineReader(ByteSource& in, std::size_t max_line = 1 << 20) : in_(in), max_line_(max_line) {}
  // The next line (or piece), false at the end of the input.
  bool next(Line& line);

 private:
  ByteSource& in_;
  std::size_t max_line_;
  std::string buf_;
  std::size_t begin_ = 0, scanned_ = 0;
  std::uint64_t number_ = 0, offset_ = 0;
  bool ended_ = false, in_long_ = false;
};

}  // namespace vt106::source
