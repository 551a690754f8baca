// Text made safe for each output: UTF-8 checking shared with the JSON writer, CSV fields
// (RFC 4180), XML character data, terminal text, and numbers written as the JSON output writes them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vt106::output {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
inline std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  auto cont = [&](std::size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 == 0xF0 && b1 < 0x90) return 0;
    if (b0 == 0xF4 && b1 > 0x8F) return 0;
    return 4;
  }
  return 0;
}

// The shortest decimal text that reads back as v, the same text the JSON records carry.
void append_number(std::string& out, double v);

// One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF, with quotes doubled.
// Bytes that are not valid UTF-8 become their Latin-1 reading (as in JSON output) and control
// characters other than tab, CR and LF become U+FFFD. Returns false when a byte was changed.
bool append_csv_field(std::string& out, std::string_view s);

// XML 1.0 character data or attribute value: & < > " ' as entities, bytes that are not valid
// UTF-8 as their Latin-1 reading, control characters XML cannot carry as U+FFFD.
void append_xml_text(std::string& out, std::string_view s);

// Text that cannot move the cursor or change a terminal's state: control characters (C0, DEL,
// C1) and bytes that are not valid UTF-8 are shown as \n, \r, \t or \xHH.
void append_terminal_text(std::string& out, std::string_view s);

// Columns that text written by append_terminal_text takes (one per code point).
std::size_t terminal_width(std::string_view s);

}  // namespace vt106::output
