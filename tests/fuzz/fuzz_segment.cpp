// Fuzz target: decode_segment, the Wireshark dissector's reader, under Wireshark's reassembly.
// The stream is cut into segments whose sizes come from the input's first bytes, each decoded
// with what the previous call handed back; the records must be those of one StreamDecoder over
// the whole stream (the same messages at the same offsets, the same errors), and what is handed
// back never exceeds a frame (with the blanks before it). Two exceptions, where only the bounds
// are checked: frames over the limit (the dissector reports them as soon as they pass it, in
// pieces), and bytes that end with a '#' after a body, followed by a segment that does not begin
// with '#' (a packet is decoded on its own: that '#' is taken as the body's end, and the next
// packet cannot know it also opened its first body, which a GOTOP device, whose frames have
// both their '#', never relies on).
//
// Input: [small limit?] [3 segment sizes] stream...
#include "../unit/segment_loop.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vt106;
  fuzz::InputReader in(data, size);
  const std::size_t max_frame = (in.byte() & 1) ? 16 : gotop::default_max_frame;
  std::size_t sizes[3];
  for (auto& s : sizes) s = 1 + in.byte();
  const std::string_view stream = in.rest();
  std::vector<std::string_view> segments;
  for (std::size_t at = 0, turn = 0; at < stream.size(); ++turn) {
    const std::size_t n = std::min(stream.size() - at, sizes[turn % 3]);
    segments.push_back(stream.substr(at, n));
    at += n;
  }
  // What each call hands back stays under the limit plus one segment.
  {
    testing::SegmentedRecords out;
    testing::SegmentRecorder sink(out);
    gotop::Parser parser;
    output::RecordContext ctx;
    decode::SegmentOptions options;
    options.more_may_come = true;
    options.max_frame = max_frame;
    std::string carried;
    for (auto seg : segments) {
      std::string bytes = carried + std::string(seg);
      const auto r = decode::decode_segment(bytes, options, parser, sink, ctx);
      fuzz::check(r.pending <= bytes.size(), "pending past the bytes");
      carried = bytes.substr(r.pending);
      // At most a '#', the blanks before a body (4096) and a body up to the limit.
      fuzz::check(carried.size() <= 1 + 4096 + max_frame, "held more than a frame", carried);
    }
  }
  const auto whole = testing::decode_whole(stream, max_frame);
  const auto cut = testing::decode_segments(segments, max_frame);
  for (const auto& e : whole.errors)
    if (e.ends_with(" frame_too_long")) return 0;
  if (!cut.exact) return 0;
  const auto lines = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + "\n";
    return s;
  };
  fuzz::check(cut.messages == whole.messages, "messages differ from the whole stream's",
              lines(cut.messages) + "--- whole:\n" + lines(whole.messages));
  fuzz::check(cut.errors == whole.errors, "errors differ from the whole stream's",
              lines(cut.errors) + "--- whole:\n" + lines(whole.errors));
  return 0;
}
