// Fuzz target: text and hex inputs (frames in any arrangement, bare bodies one per line, hex
// dumps with separators and 0x prefixes), read from a string (--text, --hex) and from a file
// whose first bytes were read ahead to sniff it (vt106 decode FILE); both must give the same
// records and the same verdict on the input.
//
// Input: [mode] content...   mode % 3: 0 text, 1 hex, 2 whatever sniff_input says (as the CLI)
#include <cstdio>
#include <memory>

#include "fuzz_support.hpp"
#include "vt106/decode/text_decode.hpp"
#include "vt106/source/text_input.hpp"

namespace {

using namespace vt106;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

struct Outcome {
  fuzz::CheckedSink sink;
  decode::InputStatus status;
};

Outcome decode_as(source::InputKind kind, decode::ChunkReader& in) {
  Outcome out;
  gotop::Parser parser;
  decode::TextDecoder dec(parser, out.sink);
  switch (kind) {
    case source::InputKind::hex: out.status = dec.hex(in, "fuzz"); break;
    case source::InputKind::sms: out.status = dec.sms(in, "fuzz"); break;
    case source::InputKind::text:
    case source::InputKind::capture: out.status = dec.text(in, "fuzz"); break;
  }
  fuzz::check(dec.counters().messages == out.sink.messages && dec.counters().errors == out.sink.errors,
              "the decoder's counters differ from the records it wrote");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::uint8_t mode = in.byte();
  const std::string_view content = in.rest();

  source::InputKind kind = mode % 3 == 0 ? source::InputKind::text : source::InputKind::hex;
  if (mode % 3 == 2) {
    kind = source::sniff_input(content.substr(0, 512));
    if (kind == source::InputKind::capture) return 0;  // the capture target's business
  }

  auto from_string = decode::string_reader(std::string(content));
  const Outcome a = decode_as(kind, from_string);

  std::string copy(content);
  std::unique_ptr<std::FILE, FileCloser> file(copy.empty() ? std::tmpfile()
                                                           : ::fmemopen(copy.data(), copy.size(), "rb"));
  fuzz::check(file != nullptr, "cannot open the input as a FILE*");
  std::string head(512, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), file.get()));
  decode::ChunkReader from_file(file.get(), std::move(head));
  const Outcome b = decode_as(kind, from_file);

  fuzz::check_same(a.sink, b.sink, "a string and a file with the same bytes gave different records");
  fuzz::check(a.status.usable == b.status.usable && a.status.problem == b.status.problem,
              "a string and a file with the same bytes got different verdicts",
              a.status.problem + "\n" + b.status.problem);
  return 0;
}
