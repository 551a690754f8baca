// The bytes of one packet decoded on their own, as a packet dissector sees them: a UDP datagram,
// or a TCP payload that may end inside a frame whose rest is in the next segments. The records
// are the stream decoder's (the same frames, messages and error codes as `vt106 decode`), with
// offsets into the bytes given.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "vt106/gotop/framer.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/output/record.hpp"

namespace vt106::decode {

struct SegmentOptions {
  // More bytes of this stream may follow (TCP, with reassembly): a frame left open at the end
  // is not reported but handed back, so the caller can ask for the bytes from `pending` on
  // together with the next segment. False for datagrams and for the stream's last bytes: an
  // open frame is then reported as `truncated`, as decode reports it.
  bool more_may_come = false;
  std::size_t max_frame = gotop::default_max_frame;
  // Commands carry no identifier: they take the device's, when the caller knows it.
  const std::string* device_imei = nullptr;
};

struct SegmentResult {
  // Where the frame still open at the end starts (its opening '#', or 0 when no '#' came):
  // the bytes from here on were not decoded. bytes.size() when everything was. Bytes after
  // the last '#' are held even when they are blanks, so that what comes next is judged as in
  // the whole stream, and so is a last '#' that can only open a frame (the first byte, or after
  // another '#').
  std::size_t pending = 0;
  std::uint64_t messages = 0;
  std::uint64_t errors = 0;
  std::string last_imei;  // the identifier of the last uplink message, if any
};

// Decodes `bytes` through a fresh StreamDecoder into `sink`; `ctx` says where they come from
// (ctx.offset of each record is an offset into `bytes`). An open frame is held back only while
// it is shorter than max_frame: past that it can never become a message and is reported now,
// so a stream that never says '#' is never held whole.
SegmentResult decode_segment(std::string_view bytes, const SegmentOptions& options, gotop::Parser& parser,
                             output::RecordSink& sink, output::RecordContext& ctx);

// How a packet's bytes begin, for a dissector that is offered any packet: true when they begin
// with a GOTOP frame that parses ('#' and an uplink body with its identifier, or a command
// ':' and its password), so that other protocols' packets are left alone.
bool segment_starts_with_gotop(std::string_view bytes, gotop::Parser& parser);

}  // namespace vt106::decode
