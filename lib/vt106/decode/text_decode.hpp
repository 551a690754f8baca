// Decoding inputs that have no network around them: text frames, hex dumps and SMS texts, from
// a string or streamed from a FILE* (memory stays bounded by the frame limit and a chunk).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "vt106/decode/stream_decoder.hpp"
#include "vt106/source/text_input.hpp"

namespace vt106::decode {

// Reads a FILE* in chunks, after first handing out bytes already read to sniff the input.
class ChunkReader {
 public:
  ChunkReader(std::FILE* in, std::string head) : in_(in), head_(std::move(head)) {}
  // Next chunk (empty at the end of input). The view is valid until the next call.
  std::string_view next();
  bool failed() const { return in_ && std::ferror(in_); }
  // The bytes read ahead to sniff the input, when nothing has been handed out yet.
  std::string_view head() const { return head_; }

 private:
  std::FILE* in_;
  std::string head_;
  std::string buf_;
  bool head_done_ = false;
};

struct InputStatus {
  bool usable = true;   // false: the input as a whole could not be used (exit status 1)
  std::string problem;  // names the input and the position
};

class TextDecoder {
 public:
  TextDecoder(gotop::Parser& parser, output::RecordSink& sink, std::size_t max_frame = gotop::default_max_frame)
      : parser_(parser), sink_(sink), max_frame_(max_frame) {}

  // Frames as text: "#...#" frames in any arrangement, or one bare body per line.
  InputStatus text(ChunkReader& in, std::string_view name);
  // A hex dump of the bytes a device or server sent.
  InputStatus hex(ChunkReader& in, std::string_view name);
  // SMS texts, separated by blank lines; "\n" escapes count as line breaks.
  InputStatus sms(ChunkReader& in, std::string_view name);

  DecodeCounters counters() const { return counters_; }

 private:
  gotop::Parser& parser_;
  output::RecordSink& sink_;
  std::size_t max_frame_;
  DecodeCounters counters_;
};

// Reads a whole string through a ChunkReader-compatible path (for --text, --hex, --sms).
ChunkReader string_reader(std::string text);

}  // namespace vt106::decode
