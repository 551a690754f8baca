// Escaping for CSV, XML and terminal output, and numbers as the JSON output writes them.
#include "vt106/output/text_escape.hpp"

#include "vt106/output/json.hpp"

namespace vt106::output {

namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";
constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

void append_latin1(std::string& out, unsigned char c) {
  out.push_back(static_cast<char>(0xC0 | (c >> 6)));
  out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
}

void append_hex_escape(std::string& out, unsigned char c) {
  out += "\\x";
  out.push_back(hex_digits[c >> 4]);
  out.push_back(hex_digits[c & 15]);
}

}  // namespace

void append_number(std::string& out, double v) {
  char buf[48];
  out.append(buf, detail::write_double(buf, v));
}

bool append_csv_field(std::string& out, std::string_view s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos;
  bool clean = true;
  if (quote) out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      out += "\"\"";
      ++i;
    } else if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F) {
      out += replacement_character;
      clean = false;
      ++i;
    } else if (const std::size_t n = utf8_length(s, i); n == 0) {
      append_latin1(out, c);
      clean = false;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  if (quote) out.push_back('"');
  return clean;
}

void append_xml_text(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&': out += "&amp;"; ++i; continue;
      case '<': out += "&lt;"; ++i; continue;
      case '>': out += "&gt;"; ++i; continue;
      case '"': out += "&quot;"; ++i; continue;
      case '\'': out += "&apos;"; ++i; continue;
      default: break;
    }
    if (c < 0x20 && c != '\t' && c != '\r' && c != '\n') {
      out += replacement_character;  // not allowed in XML 1.0, not even as a reference
      ++i;
    } else if (const std::size_t n = utf8_length(s, i); n == 0) {
      append_latin1(out, c);
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
}

void append_terminal_text(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = utf8_length(s, i);
    // C1 controls (U+0080 to U+009F) are read as escape sequences by some terminals.
    const bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F || n == 0) {
      append_hex_escape(out, c);
    } else if (c1) {
      append_hex_escape(out, c);
      append_hex_escape(out, static_cast<unsigned char>(s[i + 1]));
    } else {
      out.append(s.substr(i, n));
    }
    i += n == 0 ? 1 : n;
  }
}

std::size_t terminal_width(std::string_view s) {
  std::size_t width = 0;
  for (char ch : s)
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++width;
  return width;
}

}  // namespace vt106::output
