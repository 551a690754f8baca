// Decoding inputs that are text: server logs (frames after a prefix that gives time, address and
// direction), Traccar's tracker-server.log (each session a flow), frames as text, hex dumps as
// people paste them (payload bytes, whole packets, or a capture file), and SMS texts. All are
// read line by line from a byte source as the bytes arrive; memory stays bounded by the line
// limit, the frame limit and the flow limits.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "vt106/decode/stream_decoder.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/source/byte_source.hpp"
#include "vt106/source/text_input.hpp"

namespace vt106::decode {

// Chunks of an input, after first handing out bytes already read to sniff it. A byte source
// itself, so that line and dump readers can read through it.
class ChunkReader final : public source::ByteSource {
 public:
  ChunkReader(std::FILE* in, std::string head) : file_(in), head_(std::move(head)) {}
  explicit ChunkReader(source::ByteSource& in) : source_(&in) {}
  // Next chunk (empty at the end of input). The view is valid until the next call.
  std::string_view next();
  std::size_t read(char* into, std::size_t n) override;
  bool failed() const override;
  std::string error() const override;
  bool stopped() const override { return source_ && source_->stopped(); }
  // The bytes read ahead to sniff the input, when nothing has been handed out yet.
  std::string_view head() const { return head_; }

 private:
  std::FILE* file_ = nullptr;
  source::ByteSource* source_ = nullptr;
  std::string head_;
  std::string buf_;
  std::size_t head_at_ = 0;
};

struct InputStatus {
  bool usable = true;   // false: the input as a whole could not be used (exit status 1)
  std::string problem;  // names the input and the position
};

struct TextOptions {
  std::size_t max_frame = gotop::default_max_frame;
  std::int64_t log_tz_s = 0;        // the log's times are local at this offset (--log-tz)
  bool flow_summaries = false;      // --flows, for Traccar sessions and packets in dumps
  bool name_input = false;          // several inputs: records name theirs
  std::uint64_t flow_id_base = 0;   // flow ids count on from here (unique across inputs)
  net::CaptureOptions capture;      // packets and captures found in hex dumps
  // Where flows go (Traccar sessions, packets and captures in dumps) when not to records
  // through a FlowDecoder of this decoder's own: doctor's fact collector.
  net::FlowObserver* observer = nullptr;
};

class TextDecoder {
 public:
  TextDecoder(gotop::Parser& parser, output::RecordSink& sink, TextOptions options);
  TextDecoder(gotop::Parser& parser, output::RecordSink& sink, std::size_t max_frame = gotop::default_max_frame);
  ~TextDecoder();

  // Logs and frames as text, line by line: each line's frames are decoded with what its prefix
  // says (time, address, direction); Traccar session lines become flows.
  // `frames_only`: the text is meant as frames (--text): a line without one is reported as
  // junk rather than skipped as a log's context.
  InputStatus text(source::ByteSource& in, std::string_view name, bool frames_only = false);
  // A hex dump of payload bytes, of packets (tcpdump -x/-X, C arrays) or of a capture file.
  InputStatus hex(source::ByteSource& in, std::string_view name);
  // SMS texts, separated by blank lines; "\n" escapes count as line breaks.
  InputStatus sms(source::ByteSource& in, std::string_view name);

  DecodeCounters counters() const { return counters_; }
  // Flows opened so far (Traccar sessions, packets in dumps): the next input's id base.
  std::uint64_t flows_seen() const { return flows_seen_; }
  void set_flow_id_base(std::uint64_t base) { options_.flow_id_base = base; }
  void set_name_input(bool on) { options_.name_input = on; }

 private:
  class LogSessions;
  class DumpRouter;
  gotop::Parser& parser_;
  output::RecordSink& sink_;
  TextOptions options_;
  DecodeCounters counters_;
  std::uint64_t flows_seen_ = 0;
};

// Reads a whole string (for --text, --hex, --sms).
ChunkReader string_reader(std::string text);

// What an input holds, from its first bytes (a capture, gzip data, a hex dump, or text).
enum class Sniffed : std::uint8_t { capture, gzip, hex, text, binary };
Sniffed sniff(std::string_view head);

}  // namespace vt106::decode
