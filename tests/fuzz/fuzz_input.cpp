// Fuzz target: a whole input as `vt106 decode` reads it — recognised from its first bytes
// (capture, gzip, hex dump, text or log), gunzipped, and decoded line by line, dump unit by
// unit or packet by packet. The same bytes handed out whole and in slices must give the same
// records, and every record must be one line of valid JSON.
//
// Input: [slice] content...   slice: the size of the slices (1 + slice % 61)
#include <algorithm>
#include <cstring>

#include "fuzz_support.hpp"
#include "vt106/decode/flow_decoder.hpp"
#include "vt106/decode/input.hpp"
#include "vt106/decode/text_decode.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/source/byte_source.hpp"
#include "vt106/source/capture_file.hpp"

namespace {

using namespace vt106;

class Sliced final : public source::ByteSource {
 public:
  Sliced(std::string_view bytes, std::size_t slice) : bytes_(bytes), slice_(slice) {}
  std::size_t read(char* into, std::size_t n) override {
    const std::size_t take = std::min({n, slice_, bytes_.size() - at_});
    std::memcpy(into, bytes_.data() + at_, take);
    at_ += take;
    return take;
  }

 private:
  std::string_view bytes_;
  std::size_t slice_, at_ = 0;
};

void decode_all(source::ByteSource& raw, fuzz::CheckedSink& sink) {
  gotop::Parser parser;
  source::PeekSource peek(raw);
  std::unique_ptr<source::GzipSource> gz;
  std::unique_ptr<source::PeekSource> inflated;
  source::PeekSource* in = &peek;
  if (source::GzipSource::magic(peek.peek(2))) {
    gz = std::make_unique<source::GzipSource>(peek);
    inflated = std::make_unique<source::PeekSource>(*gz);
    in = inflated.get();
  }
  const decode::Sniffed kind = decode::sniff_source(*in);
  decode::TextOptions topts;
  topts.flow_summaries = true;
  topts.capture.flows.max_flows = 64;
  if (kind == decode::Sniffed::capture) {
    decode::FlowDecoderOptions fo;
    fo.flow_summaries = true;
    decode::FlowDecoder flows(parser, sink, "fuzz", fo);
    source::CaptureReader reader(*in, topts.capture.capture);
    net::CaptureDecoder(flows, topts.capture).run(reader);
    return;
  }
  decode::TextDecoder text(parser, sink, topts);
  const auto status = kind == decode::Sniffed::hex ? text.hex(*in, "fuzz") : text.text(*in, "fuzz");
  fuzz::check(status.usable || !status.problem.empty(), "an unusable input without a reason");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::size_t slice = 1 + in.byte() % 61;
  const std::string_view content = in.rest();

  fuzz::CheckedSink whole, sliced;
  source::MemorySource a{std::string(content)};
  decode_all(a, whole);
  Sliced b(content, slice);
  decode_all(b, sliced);
  fuzz::check_same(whole, sliced, "the records depend on how the input's bytes arrive");
  return 0;
}
