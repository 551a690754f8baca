// Fuzz target: the hex-dump reader. The input is split into lines and fed to HexDumpReader;
// the events must be well formed whatever the input: units begin and end in pairs, bytes come
// only inside a unit and in bounded pieces, units are numbered in order from lines already read,
// problems name lines already read, and the bytes never outnumber the input's digits / 2 plus
// what '*' repeats may add (at most max_repeat per '*' line).
//
// Input: [flags] text...   flags bit 0: CRLF line ends; bit 1: a time zone offset of +1 h
#include <algorithm>

#include "fuzz_support.hpp"
#include "vt106/source/hex_dump.hpp"
#include "vt106/util/text.hpp"

namespace {

using namespace vt106;

struct CheckingSink final : source::DumpSink {
  const source::HexDumpReader* reader = nullptr;
  bool open = false;
  std::uint64_t units = 0, bytes = 0;

  void unit_begin(const source::DumpUnit& u) override {
    fuzz::check(!open, "a unit began inside another");
    fuzz::check(u.number == units + 1, "units are not numbered in order");
    fuzz::check(u.line >= 1 && u.line <= reader->lines(), "a unit starts on a line not read yet");
    fuzz::check(u.style != source::DumpStyle::unknown, "a unit has no style");
    fuzz::check(u.header.size() <= 4096, "a unit header is longer than the limit");
    open = true;
    ++units;
  }
  void unit_bytes(std::string_view b) override {
    fuzz::check(open, "bytes outside a unit");
    fuzz::check(b.size() <= 4096, "bytes passed on in a piece larger than the output block");
    bytes += b.size();
  }
  void unit_end() override {
    fuzz::check(open, "a unit ended that was not open");
    open = false;
  }
  void problem(const source::DumpProblem& p) override {
    fuzz::check(p.line >= 1 && p.line <= reader->lines(), "a problem names a line not read yet", p.message);
    fuzz::check(p.column >= 1, "a problem has no column", p.message);
    fuzz::check(p.code == "bad_hex" || p.code == "dump_offset", "a problem code is not one of the stable codes",
                p.code);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::uint8_t flags = in.byte();
  const std::string_view text = in.rest();

  source::DumpOptions options;
  options.max_repeat = 1 << 16;
  if ((flags & 2) != 0) options.tz_offset_s = 3600;
  CheckingSink sink;
  source::HexDumpReader reader(sink, options);
  sink.reader = &reader;

  std::uint64_t digits = 0, stars = 0, lines = 0;
  for (char c : text) digits += util::is_hex_digit(c) ? 1 : 0;
  std::size_t pos = 0;
  std::string line;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(pos, nl - pos);
    if (!l.empty() && l.find_first_not_of(" \t\r") != std::string_view::npos && l.find('*') != std::string_view::npos)
      ++stars;
    if ((flags & 1) != 0) {  // the same line with CRLF
      line.assign(l);
      line += '\r';
      l = line;
    }
    reader.line(l);
    ++lines;
    fuzz::check(reader.lines() == lines, "the reader counted lines differently");
    pos = nl + 1;
  }
  reader.finish();
  fuzz::check(!sink.open, "a unit is still open after finish()");
  // Decimal C array values (up to three digits a byte) give at most a byte per digit.
  fuzz::check(sink.bytes <= digits + stars * options.max_repeat, "more bytes out than the input's digits allow");
  (void)source::to_string(reader.style());
  (void)source::looks_like_hex_dump(text.substr(0, 4096));
  return 0;
}
