// Fuzz target: the '#' framer with the uplink and downlink parsers behind a StreamDecoder. The
// stream is decoded whole and again in slices whose sizes come from the input's first bytes;
// both must give the same records (framing may not depend on how bytes arrive). The parsers
// are also called directly on the whole stream.
//
// Input: [options] [max frame] [4 slice sizes] stream...
//   options bits 0-1: direction known from the network (0/3 none, 1 up, 2 down)
//           bit 2: a small frame limit (8 + max frame byte) instead of the default
//           bit 3: a gap of 1-16 bytes (bits 4-7) in the middle of the stream
#include <array>
#include <optional>

#include "fuzz_support.hpp"
#include "vt106/decode/stream_decoder.hpp"

namespace {

using namespace vt106;

struct Setup {
  std::optional<gotop::Direction> dir;
  std::size_t max_frame = gotop::default_max_frame;
  std::optional<std::uint64_t> gap;
  std::array<std::size_t, 4> slices{};
};

// Feeds `bytes` in pieces of the given sizes, cycling through them.
void feed_sliced(decode::StreamDecoder& dec, std::string_view bytes, const std::array<std::size_t, 4>& slices,
                 std::size_t& turn, output::RecordContext& ctx) {
  while (!bytes.empty()) {
    const std::size_t n = std::min(bytes.size(), slices[turn++ % slices.size()]);
    dec.feed(bytes.substr(0, n), ctx);
    bytes.remove_prefix(n);
  }
}

fuzz::CheckedSink decode_stream(std::string_view stream, const Setup& s, bool sliced) {
  fuzz::CheckedSink sink;
  gotop::Parser parser;
  decode::StreamDecoder dec(parser, sink, s.max_frame, s.dir);
  output::RecordContext ctx;
  ctx.input = "fuzz";
  const std::string_view first = s.gap ? stream.substr(0, stream.size() / 2) : stream;
  const std::string_view second = s.gap ? stream.substr(first.size()) : std::string_view{};
  std::size_t turn = 0;
  if (sliced) feed_sliced(dec, first, s.slices, turn, ctx); else dec.feed(first, ctx);
  if (s.gap) {
    dec.gap(*s.gap, ctx);
    if (sliced) feed_sliced(dec, second, s.slices, turn, ctx); else dec.feed(second, ctx);
  }
  dec.finish(ctx);
  fuzz::check(dec.counters().messages == sink.messages && dec.counters().errors == sink.errors,
              "the decoder's counters differ from the records it wrote");
  fuzz::check(dec.offset() == stream.size() + s.gap.value_or(0), "the stream offset is not the bytes fed");
  return sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::uint8_t options = in.byte();
  const std::uint8_t frame = in.byte();
  Setup s;
  if ((options & 3) == 1) s.dir = gotop::Direction::up;
  if ((options & 3) == 2) s.dir = gotop::Direction::down;
  if ((options & 4) != 0) s.max_frame = 8 + std::size_t{frame};
  if ((options & 8) != 0) s.gap = 1 + (options >> 4);
  for (auto& n : s.slices) n = 1 + std::size_t{in.byte()};
  const std::string_view stream = in.rest();

  const fuzz::CheckedSink whole = decode_stream(stream, s, false);
  const fuzz::CheckedSink sliced = decode_stream(stream, s, true);
  fuzz::check_same(whole, sliced, "slicing the stream changed the records");

  // The parsers on their own, on the whole stream as one body.
  fuzz::CheckedSink direct;
  gotop::Parser parser;
  gotop::Message msg;
  gotop::DecodeError err;
  bool ok = parser.parse_uplink(stream, msg, err);
  fuzz::record_parse(direct, ok, msg, err, stream);
  ok = parser.parse_downlink(stream, msg, err);
  fuzz::record_parse(direct, ok, msg, err, stream);
  ok = parser.parse_downlink(stream, msg, err, true);
  fuzz::record_parse(direct, ok, msg, err, stream);
  ok = parser.parse_frame(stream, msg, err);
  fuzz::record_parse(direct, ok, msg, err, stream);
  return 0;
}
