// Tracker protocols described as data: lib/vt106/detect/protocols.table, one block per protocol
// (name, title, port, transports, the public sources of its facts) with one rule per first
// message a device sends. A rule is a sequence of tokens matched from the first byte: literals,
// character classes, BCD, integers with allowed values, a length field giving the frame's total
// size, the frame's end marker and its checksum. One probe (family "table") interprets every
// rule; the code probes under probes/ remain for grammars a rule cannot say.
//
// The grammar (see the header of protocols.table for examples):
//   "text" | x:HEX                      literal characters (C escapes) or bytes
//   CLASS{n} | CLASS{m-n}               digits hex HEX alnum alpha upper lower print field bytes
//                                       (field: printable but ','; print: 0x20-0x7e); greedy
//   skip{m-n}                           any bytes, as few as the rest of the rule allows
//   bcd{n} | bcd{m-n}                   bytes of packed BCD digits (a last F nibble is padding)
//   u8 u16 u16le u24 u32 u32le u64 [=V|V|A..B]  an integer (big-endian unless le) and its values
//   len:u8+K | len:u16+K | len:u16le+K | len:u32+K   the frame's total length is the value + K
//   end:"text" | end:x:HEX              the frame ends with these bytes (at the length's end)
//   check:KIND:FROM:TO:AT               checksum over [FROM, TO) stored at AT; negative offsets
//                                       count from the frame's end. KIND: xor8 sum8 xor8hex
//                                       sum8hex nmea crc16x25 crc16ccitt crc16xmodem crc16kermit
//                                       crc16modbus crc16arc, a 'le' suffix for little-endian
//   id:TOKEN[/MOD...]                   the device identifier (digits, hex, alnum, field, bcd, u32, u64,
//                                       u64le, bytes); MOD: raw (BCD digits as sent, a leading 0 kept),
//                                       hex / HEX (the bytes as hex digits), firstN (the first N characters)
//   level=L (after the label)           the highest confidence a full match gives (default 0.85)
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/detect/bytes.hpp"
#include "vt106/detect/detect.hpp"

namespace vt106::detect::table {

enum class Tok : std::uint8_t { lit, cls, skip, bcd, uint, len, end, check };
enum class Cls : std::uint8_t { digits, hex, upper_hex, alnum, alpha, upper, lower, print, field, bytes };
enum class Sum : std::uint8_t {
  xor8, sum8, xor8hex, sum8hex, nmea, crc16x25, crc16ccitt, crc16xmodem, crc16kermit, crc16modbus, crc16arc
};

struct Range {
  std::uint64_t lo = 0, hi = 0;
};

struct Token {
  Tok kind = Tok::lit;
  std::string lit;                 // lit, end
  Cls cls = Cls::bytes;
  std::size_t min = 1, max = 1;    // cls, skip, bcd: how many bytes
  bool id = false;                 // the device identifier
  enum class IdForm : std::uint8_t { plain, raw, hex, upper_hex } id_form = IdForm::plain;  // /raw /hex /HEX
  std::size_t id_first = 0;        // /firstN: keep the first N characters (0: all)
  unsigned width = 1;              // uint, len: bytes
  bool le = false;                 // uint, len, check: little-endian
  std::vector<Range> allowed;      // uint: values (empty: any)
  std::int64_t adjust = 0;         // len: total = value + adjust
  Sum sum = Sum::xor8;             // check
  std::int64_t from = 0, to = 0, at = 0;
  std::string text;                // as written (evidence, docs)
};

// A token as the matcher reads it: 16 bytes, the literals of its rule in one string (Rule::pool).
// The rarer details (integer values, lengths, checks, the identifier's form) stay in the Token of
// the same place.
struct Op {
  Tok kind = Tok::lit;
  Cls cls = Cls::bytes;
  // lit: the place (in its first 256 bytes) of its least common byte, where a search for it
  // after a skip looks first.
  std::uint8_t anchor = 0;
  bool id = false;
  std::int16_t next = -1;          // cls, bcd, skip: the first byte of the literal that follows (-1: none)
  bool next_outside = false;       // cls, bcd: that byte is never of the class (only the longest run can fit)
  // Not the identifier, and one way on: a literal (1), a class run only its whole length can
  // end (2), an integer (3); 0 for the others.
  std::uint8_t forced = 0;
  // lit, end: offset and size in the pool; cls, bcd, skip: min, max; uint, len: a is the width.
  std::uint32_t a = 0, b = 0;
};

struct Rule {
  std::string label;               // login, heartbeat, position…
  std::vector<Token> tokens;
  double level = 0.85;
  std::string text;                // the rule as written
  std::string required;            // its longest literal: a full match needs it somewhere
  std::vector<Op> ops;             // the tokens compiled (compile), one per token
  std::string pool;                // the bytes of its literals and end markers
  std::size_t min_size = 0;        // the fewest bytes a full match spans (compile)
};

// Fills a rule's ops and pool from its tokens (parse does; a rule built by hand needs it too).
void compile(Rule& rule);

struct Entry {
  std::string name, title, family;
  std::uint16_t port = 0;
  bool tcp = true, udp = false, common = false;
  std::vector<std::string> sources;
  std::vector<Rule> rules;
  ProtocolInfo info{};             // views into the strings above
};

struct Table {
  std::deque<Entry> entries;
  std::vector<std::string> errors;  // "protocols.table:LINE: what is wrong"
};

// Parses a table; errors name the line. Entries with an error are left out.
// `file_markers`: lines "@file NAME" start another file of the built-in table (its own line
// numbers); in a table given with --table such a line is an error like any unknown key.
Table parse(std::string_view text, std::string_view name = "protocols.table", bool file_markers = false);
// The table built into vt106 (parsed once).
const Table& builtin();
std::string_view builtin_text();
// The table detection uses: the built-in one, plus the blocks added with add_text (each replaces
// a block of the same name): `vt106 detect --table FILE` tries a protocol without a rebuild.
const Table& active();
std::vector<std::string> add_text(std::string_view text, std::string_view name);  // the errors
std::uint64_t generation();  // changes whenever the active table does

struct Result {
  enum Status : std::uint8_t { fail, need_more, full } status = fail;
  std::size_t tokens_matched = 0;   // of the rule, on the best path
  std::size_t used = 0;             // bytes the frame spans (when known)
  std::size_t wanted = 0;           // need_more: the total length the frame declares (0: unknown)
  std::string id;                   // the identifier, as digits or text
  bool id_bcd = false, id_integer = false;
  int checks_ok = 0, checks_failed = 0;
};

// `complete`: the bytes are a whole message (its framing says where it ends), so a rule that
// runs past them fails rather than waits.
Result match(const Rule& rule, const Bytes& b, bool complete = false);
// The bytes a rule's first byte can be (for the probe's first-byte index).
void first_bytes(const Rule& rule, std::array<bool, 256>& first);
// The bytes each of the first positions of a full or waiting match can hold: sets[p] for byte p.
// Exact while the tokens before p have a fixed width; after a token of variable width (a class
// {m-n} past its m, a skip{m-n}, an end marker) every position may hold any byte. A rule whose
// sets refuse a byte the input holds can only fail: the probe's decision table.
inline constexpr std::size_t positions = 16;
void position_bytes(const Rule& rule, std::array<std::bitset<256>, positions>& sets);

}  // namespace vt106::detect::table
