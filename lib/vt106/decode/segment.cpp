#include "vt106/decode/segment.hpp"

#include "vt106/decode/stream_decoder.hpp"
#include "vt106/util/text.hpp"

namespace vt106::decode {

namespace {
// Blanks held before a body that has not begun: a stream of nothing but blanks is not held
// whole.
constexpr std::size_t max_blanks_held = 4096;

// The digits of an identifier and the comma after it: how an uplink body begins.
bool identifier_then_comma(std::string_view body) {
  std::size_t n = 0;
  while (n < body.size() && util::is_digit(body[n])) ++n;
  return n >= 15 && n < body.size() && body[n] == ',';
}
}  // namespace

SegmentResult decode_segment(std::string_view bytes, const SegmentOptions& options, gotop::Parser& parser,
                             output::RecordSink& sink, output::RecordContext& ctx) {
  std::size_t cut = bytes.size();
  if (options.more_may_come) {
    // Every '#' is a boundary, so the frame still open is the one after the last '#'.
    const std::size_t last = bytes.rfind('#');
    const std::size_t opens = last == std::string_view::npos ? 0 : last;
    const std::size_t body = last == std::string_view::npos ? 0 : last + 1;
    // Anything after it, even blanks, is held: what follows blanks is judged as the whole
    // stream would judge it (a body after a '#' and blanks is still that '#''s frame).
    // The limit counts the body as the framer does, without the blanks before it (which the
    // framer skips); the blanks themselves are held up to a bound of their own.
    const std::string_view tail = bytes.substr(body);
    std::size_t blanks = 0;
    while (blanks < tail.size() && util::is_space(tail[blanks])) ++blanks;
    if (!tail.empty() && tail.size() - blanks <= options.max_frame && blanks <= max_blanks_held) cut = opens;
    // A '#' that ends the bytes opens the next frame when it cannot close one: it is the first
    // byte, or follows another '#' ("##": a frame closed, the next opened). Held, so that the
    // next segment's body is known to be opened, as a device that sends the '#' on its own
    // makes it. After a body it is taken as that body's end.
    if (tail.empty() && last != std::string_view::npos && (last == 0 || bytes[last - 1] == '#')) cut = last;
  }
  StreamDecoder decoder(parser, sink, options.max_frame);
  decoder.set_device_imei(options.device_imei);
  // The '#' at the cut closes the frame before it (and opens the held one, which the next call
  // sees again from its start).
  const std::size_t fed = cut < bytes.size() && bytes[cut] == '#' ? cut + 1 : cut;
  decoder.feed(bytes.substr(0, fed), ctx);
  decoder.finish(ctx);
  SegmentResult r;
  r.pending = cut;
  r.messages = decoder.counters().messages;
  r.errors = decoder.counters().errors;
  r.last_imei = decoder.last_imei();
  return r;
}

bool segment_starts_with_gotop(std::string_view bytes, gotop::Parser& parser) {
  if (bytes.size() < 2 || (bytes[0] != '#' && bytes[0] != ':')) return false;
  const std::size_t from = bytes[0] == '#' ? 1 : 0;
  if (!util::is_digit(bytes[from]) && bytes[from] != ':') return false;
  const std::size_t end = bytes.find('#', 1);
  if (end == std::string_view::npos) {
    // The first frame goes on in the next segment: its start must be an identifier's.
    return bytes[0] == '#' && identifier_then_comma(bytes.substr(1));
  }
  gotop::Message msg;
  gotop::DecodeError err;
  return parser.parse_frame(bytes.substr(from, end - from), msg, err);
}

}  // namespace vt106::decode
