// Test helper: a TCP stream cut into segments and decoded the way the Wireshark dissector
// decodes it under Wireshark's reassembly: each segment, with what the previous call handed
// back, goes through decode_segment; the frame left open is carried into the next call; the
// stream's end decodes what is left with nothing more to come. Records are the messages as
// `offset raw` lines (offsets in the whole stream), and the error codes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vt106/decode/segment.hpp"
#include "vt106/decode/stream_decoder.hpp"

namespace vt106::testing {

struct SegmentedRecords {
  std::vector<std::string> messages;  // "offset raw"
  std::vector<std::string> errors;    // "offset code"
  // False when a segment's bytes ended with a '#' after a body and the next segment does not
  // begin with '#': that '#' was taken as the body's end, so the next body is decoded as one
  // whose opening '#' is missing (decode_segment's one difference from the whole stream).
  bool exact = true;
};

class SegmentRecorder final : public output::RecordSink {
 public:
  explicit SegmentRecorder(SegmentedRecords& out) : out_(out) {}
  std::uint64_t base = 0;
  void message(const output::RecordContext& ctx, const gotop::Message& m) override {
    out_.messages.push_back(std::to_string(base + ctx.offset.value_or(0)) + " " + std::string(m.raw));
  }
  void error(const output::RecordContext& ctx, const output::ErrorRecord& e) override {
    out_.errors.push_back(std::to_string(base + ctx.offset.value_or(0)) + " " + std::string(e.code));
  }

 private:
  SegmentedRecords& out_;
};

inline SegmentedRecords decode_segments(const std::vector<std::string_view>& segments,
                                        std::size_t max_frame = gotop::default_max_frame) {
  SegmentedRecords out;
  SegmentRecorder sink(out);
  gotop::Parser parser;
  output::RecordContext ctx;
  decode::SegmentOptions options;
  options.max_frame = max_frame;
  std::string carried;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    std::string bytes = carried + std::string(segments[i]);
    options.more_may_come = true;
    const auto r = decode::decode_segment(bytes, options, parser, sink, ctx);
    if (r.pending == bytes.size() && bytes.ends_with('#') && i + 1 < segments.size() &&
        !segments[i + 1].starts_with('#'))
      out.exact = false;
    carried = bytes.substr(r.pending);
    sink.base += r.pending;
  }
  options.more_may_come = false;
  decode::decode_segment(carried, options, parser, sink, ctx);
  return out;
}

// The same stream through one StreamDecoder, as `vt106 decode` reads it.
inline SegmentedRecords decode_whole(std::string_view stream, std::size_t max_frame = gotop::default_max_frame) {
  SegmentedRecords out;
  SegmentRecorder sink(out);
  gotop::Parser parser;
  output::RecordContext ctx;
  decode::StreamDecoder dec(parser, sink, max_frame);
  dec.feed(stream, ctx);
  dec.finish(ctx);
  return out;
}

}  // namespace vt106::testing
