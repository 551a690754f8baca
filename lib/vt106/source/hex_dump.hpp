// Hex dumps as people paste them — xxd (and -p, -i), hexdump -C, od -A x -t x1z, tcpdump
// -x/-xx/-X/-XX, Wireshark's "Copy as Hex Stream" and "Copy as C Arrays" — read line by line
// into units of bytes. A unit is one dump: one packet of a tcpdump dump, one C array, or one
// run of offset-addressed lines whose offsets start again at zero. Offsets and ASCII columns
// are read past; problems (an odd digit count, a stray character, an offset that jumps) are
// reported with line and column, and the rest of the input is still read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace vt106::source {

enum class DumpStyle : std::uint8_t {
  unknown,
  plain,       // hex digits with optional separators (' ', ':', '-', "0x"), xxd -p, Hex Stream
  xxd,         // "00000000: 2338 3637 ...  #867..."
  hexdump_c,   // "00000000  23 38 36 37 ...  |#867...|", '*' repeats, total length last
  od,          // "000000 23 38 36 ... >#867...<", '*' repeats, total length last
  tcpdump,     // a header line per packet, then "\t0x0000:  4500 0034 ..." lines
  c_array,     // "static const unsigned char pkt1[74] = { 0x00, ... };", xxd -i
};
std::string_view to_string(DumpStyle s);  // "plain", "xxd", "hexdump", "od", "tcpdump", "c_array", "unknown"

// What is known about one unit before its bytes.
struct DumpUnit {
  std::uint64_t number = 0;           // 1-based, in input order
  std::uint64_t line = 0;             // 1-based line where the unit starts (header or first data line)
  DumpStyle style = DumpStyle::unknown;
  std::optional<std::int64_t> ts_ns;  // tcpdump: the time of the header line, as UTC (see DumpOptions)
  bool date_known = false;            // the time carried a date (-tttt, -tt); otherwise day 0 + time of day
  std::string header;                 // tcpdump: the header line as written; c_array: the array name
};

struct DumpProblem {
  std::string_view code;  // "bad_hex" (stray character, odd digits), "dump_offset" (offset jumps or goes back mid-unit)
  std::uint64_t line = 0;
  std::uint64_t column = 0;  // 1-based
  std::string message;       // says what is wrong at line:column, without the input's name
};

class DumpSink {
 public:
  virtual ~DumpSink() = default;
  virtual void unit_begin(const DumpUnit& unit) = 0;
  virtual void unit_bytes(std::string_view bytes) = 0;  // any number of calls per unit
  virtual void unit_end() = 0;
  virtual void problem(const DumpProblem& problem) = 0;
};

struct DumpOptions {
  std::int64_t tz_offset_s = 0;  // tcpdump times are local: subtract this to get UTC (--log-tz)
  // A '*' line (hexdump, od, xxd -a) stands for the previous line repeated up to the next
  // offset; a repeat longer than this is reported ("dump_offset") instead of written.
  std::uint64_t max_repeat = std::uint64_t{256} << 20;
};

// True when these first lines (up to a few KiB, possibly cut mid-line) look like a hex dump of
// one of the styles above rather than text frames or a log.
bool looks_like_hex_dump(std::string_view head);

class HexDumpReader {
 public:
  explicit HexDumpReader(DumpSink& sink, DumpOptions options = {});
  ~HexDumpReader();
  HexDumpReader(const HexDumpReader&) = delete;
  HexDumpReader& operator=(const HexDumpReader&) = delete;
  // One line without its line break ("\r" at the end is ignored). Lines of any length; memory
  // stays bounded (bytes are passed on as they are read, never collected per unit).
  void line(std::string_view text);
  // End of input: closes the open unit.
  void finish();
  DumpStyle style() const { return style_; }
  std::uint64_t lines() const { return line_no_; }

 private:
  struct State;  // the reader's state between lines (hex_dump.cpp)

  void begin_unit(DumpStyle style, std::uint64_t line, std::string_view name = {});
  void end_unit();
  void emit(unsigned char b);
  void flush_out();
  void release_held(std::size_t n);
  void report(std::string_view code, std::uint64_t line, std::uint64_t column, std::string message);
  void plain_text(std::string_view t);
  void array_text(std::string_view t, std::size_t from);
  void offset_line(std::string_view t, std::size_t off_begin, std::size_t off_len, std::size_t data, bool colon);
  void total_line(std::string_view digits);
  void tcp_line(std::string_view t, std::size_t off_begin, std::size_t off_len, std::size_t data);
  std::size_t read_groups(std::string_view t, std::size_t from, std::size_t end, bool two_space);
  bool check_offset(std::uint64_t off, std::size_t column);
  void repeat_to(std::uint64_t target, std::size_t column);
  std::optional<std::uint64_t> spaced_offset(std::string_view digits);

  DumpSink& sink_;
  DumpOptions options_;
  DumpStyle style_ = DumpStyle::unknown;
  std::uint64_t line_no_ = 0;
  std::unique_ptr<State> st_;
};

}  // namespace vt106::source
