// One direction of one conversation: bytes in, frames split, parsed, and written as records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vt106/gotop/framer.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/output/record.hpp"

namespace vt106::decode {

struct DecodeCounters {
  std::uint64_t messages = 0;
  std::uint64_t errors = 0;
};

class StreamDecoder {
 public:
  StreamDecoder(gotop::Parser& parser, output::RecordSink& sink, std::size_t max_frame = gotop::default_max_frame,
                std::optional<gotop::Direction> stream_dir = std::nullopt)
      : parser_(&parser), sink_(&sink), splitter_(max_frame), stream_dir_(stream_dir) {}

  // `ctx` describes where the bytes come from (input, flow, packet time); offsets are filled in.
  void feed(std::string_view bytes, output::RecordContext& ctx);
  void gap(std::uint64_t missing, output::RecordContext& ctx);
  void finish(output::RecordContext& ctx);

  // A line of a text file: a line with '#' is stream data; a line without one is a bare frame
  // body as server logs quote them ("353327020412763,CMD-X").
  void feed_text_line(std::string_view line_with_newline, output::RecordContext& ctx);

  // One line of a log (or of frames as text) on its own: `text` holds the frames, from the
  // first one; `offset` is where text[0] lies in the input. A frame never continues into the
  // next line, and text after the last '#' that does not begin like a frame is the log's.
  void decode_line(std::string_view text, std::uint64_t offset, output::RecordContext& ctx);

  // The direction of the bytes when the input says it (a log's arrow); errors carry it.
  void set_direction(std::optional<gotop::Direction> dir) { stream_dir_ = dir; }
  // Downlink commands carry no identifier: they take the device's, kept here by the caller.
  void set_device_imei(const std::string* imei) { device_imei_ = imei; }
  // The identifier of the last uplink message decoded.
  const std::string& last_imei() const { return last_imei_; }

  const DecodeCounters& counters() const { return counters_; }
  std::string_view first_imei() const { return first_imei_; }
  std::uint64_t offset() const { return splitter_.offset(); }

 private:
  void on_piece(const gotop::Piece& p, output::RecordContext& ctx);
  void decode_body(std::string_view body, std::string_view raw, std::uint64_t offset, std::size_t body_at,
                   bool opened, output::RecordContext& ctx);

  gotop::Parser* parser_;
  output::RecordSink* sink_;
  gotop::FrameSplitter splitter_;
  gotop::Message msg_;
  gotop::DecodeError err_;
  DecodeCounters counters_;
  std::string first_imei_;
  std::string last_imei_;
  const std::string* device_imei_ = nullptr;
  bool after_gap_ = false;  // the next unopened piece follows missing bytes
  bool in_gap_ = false;     // pieces now flushed are cut short by missing bytes
  std::optional<gotop::Direction> stream_dir_;  // known from the network: device→server is up
};

}  // namespace vt106::decode
