// What the devices of an input said: each device connection of a capture (a flow's client
// side) split into its exact uplink frames with the packet time that completed each, or, for a
// text file of frames, one untimed connection per IMEI. `vt106 replay` reads it as events, as
// it sends (RecordingSource); tests and tools may collect it whole (Recording).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/decode/text_decode.hpp"
#include "vt106/gotop/framer.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/net/flow_table.hpp"

namespace vt106::live {

struct RecordedFrame {
  std::string bytes;          // the frame exactly as sent, '#' to '#'
  std::int64_t ts_ns = 0;     // capture time of the packet that completed it (0 when untimed)
  std::uint64_t sequence = 0; // position among all the frames of the input, in arrival order
};

// One connection of one device, in the order the capture opened them.
struct RecordedConnection {
  std::string imei;  // identifier of its first frame
  net::Transport transport = net::Transport::tcp;
  std::string client, server;   // endpoints in the capture ("" for text input)
  std::int64_t open_ts_ns = 0;  // first packet of the flow
  std::int64_t close_ts_ns = 0; // last packet of the flow
  std::vector<RecordedFrame> frames;
};

struct RecordingCounters {
  std::uint64_t frames = 0;          // uplink frames kept
  std::uint64_t incomplete = 0;      // pieces not kept: cut by a gap or the end, too long, not opened by '#'
  std::uint64_t not_uplink = 0;      // complete pieces that are not uplink frames: no IMEI first (junk, commands)
  std::uint64_t server_bytes = 0;    // bytes the servers sent (not replayed)
  std::uint64_t flows_without_frames = 0;
};

struct Recording {
  std::vector<RecordedConnection> connections;
  bool timed = false;  // frames carry capture times
  RecordingCounters counters;
};

// The identifier at the start of an uplink frame ("#867648040000018,CMD-X#" → its digits), or
// empty when the frame does not begin with digits followed by ',' or '#'.
std::string_view frame_imei(std::string_view frame);

// One step of an input, in the order the input holds them: a device connection seen for the
// first time (when its first uplink frame arrives), one of its frames, its end. This is what
// replay reads as it sends; a Recording is these events collected.
struct RecordEvent {
  enum class Kind : std::uint8_t { connection, frame, end };
  Kind kind = Kind::frame;
  std::uint64_t key = 0;  // the connection: its flow id (captures), its order of appearance (text)
  // connection
  std::string imei;
  net::Transport transport = net::Transport::tcp;
  std::string client, server;
  std::int64_t open_ts_ns = 0;
  // frame
  RecordedFrame frame;
  // end
  std::int64_t close_ts_ns = 0;
  bool open_at_end = false;  // the input ended before the connection did
};

// An input read one event at a time, holding only what open connections need: no more of the
// input is read than the next event takes.
class RecordingSource {
 public:
  virtual ~RecordingSource() = default;
  // The next event; false at the end of the input.
  virtual bool next(RecordEvent& event) = 0;
  // Starts again from the beginning of the input (--loop); false when the input cannot be read
  // again (a pipe: the caller spools it to a file first).
  virtual bool rewind() = 0;
  virtual bool timed() const = 0;
  virtual const RecordingCounters& counters() const = 0;
};

// A capture file: reader, packet pipeline and flow table, pulled one packet at a time. `file`
// (not closed) must be seekable for rewind(); `already_read` holds its sniffed first bytes.
class CaptureRecordingSource final : public RecordingSource {
 public:
  CaptureRecordingSource(std::FILE* file, std::string already_read, net::CaptureOptions options,
                         std::size_t max_frame = gotop::default_max_frame);
  ~CaptureRecordingSource() override;
  bool next(RecordEvent& event) override;
  bool rewind() override;
  bool timed() const override { return true; }
  const RecordingCounters& counters() const override;
  // What the capture reader saw (packets, damage) in the current pass.
  net::CaptureStats stats() const;

 private:
  struct State;
  void restart(std::string already_read);
  std::FILE* file_;
  net::CaptureOptions options_;
  std::size_t max_frame_;
  std::unique_ptr<State> state_;
};

// A text input ("#…#" frames anywhere): one untimed connection per distinct IMEI, each ending
// with the input. `file` (not closed) must be seekable for rewind().
class TextRecordingSource final : public RecordingSource {
 public:
  TextRecordingSource(std::FILE* file, std::string already_read, net::Transport transport,
                      std::size_t max_frame = gotop::default_max_frame);
  // Bytes that cannot be read again (rewind() is false).
  TextRecordingSource(source::ByteSource& bytes, net::Transport transport,
                      std::size_t max_frame = gotop::default_max_frame);
  ~TextRecordingSource() override;
  bool next(RecordEvent& event) override;
  bool rewind() override;
  bool timed() const override { return false; }
  const RecordingCounters& counters() const override { return counters_; }
  bool failed() const;  // a read error

 private:
  struct State;
  std::FILE* file_;
  net::Transport transport_;
  std::size_t max_frame_;
  std::unique_ptr<State> state_;
  RecordingCounters counters_;
};

// A Recording held in memory, replayed as its events (frames in sequence order; a connection
// appears with its first frame and ends after its last).
class MemoryRecordingSource final : public RecordingSource {
 public:
  explicit MemoryRecordingSource(const Recording& recording);
  bool next(RecordEvent& event) override;
  bool rewind() override;
  bool timed() const override { return recording_.timed; }
  const RecordingCounters& counters() const override { return recording_.counters; }

 private:
  const Recording& recording_;
  std::vector<RecordEvent> events_;
  std::size_t at_ = 0;
};

// Every event of a source collected: the connections in the order they opened.
Recording collect(RecordingSource& source);

// Reads a capture (the caller sniffed its first bytes into `already_read`).
Recording record_capture(std::FILE* file, std::string_view already_read, const net::CaptureOptions& options,
                         net::CaptureStats& stats, std::size_t max_frame = gotop::default_max_frame);

// Reads frames as text ("#…#" anywhere in the input): one untimed connection per distinct IMEI,
// with its frames in input order.
Recording record_text(decode::ChunkReader& in, net::Transport transport,
                      std::size_t max_frame = gotop::default_max_frame);

}  // namespace vt106::live
