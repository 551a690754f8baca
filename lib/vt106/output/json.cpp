// JSON escaping (RFC 8259) with UTF-8 validation, number output, and a re-indenter.
#include "vt106/output/json.hpp"

#include <fmt/format.h>

namespace vt106::output {

namespace {
constexpr char hex_digits[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
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
}  // namespace

bool append_json_string(std::string& out, std::string_view s) {
  bool clean = true;
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    // Fast path: a run of plain printable ASCII.
    std::size_t j = i;
    while (j < s.size()) {
      const auto c = static_cast<unsigned char>(s[j]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++j;
    }
    out.append(s.data() + i, j - i);
    i = j;
    if (i >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          out += "\\u00";
          out.push_back(hex_digits[c >> 4]);
          out.push_back(hex_digits[c & 15]);
      }
      ++i;
    } else {
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        clean = false;
        out += "\\u00";
        out.push_back(hex_digits[c >> 4]);
        out.push_back(hex_digits[c & 15]);
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
    }
  }
  out.push_back('"');
  return clean;
}

void append_hex(std::string& out, std::string_view bytes) {
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(hex_digits[c >> 4]);
    out.push_back(hex_digits[c & 15]);
  }
}

JsonWriter& JsonWriter::key(std::string_view k) {
  comma();
  out_.push_back('"');
  out_ += k;  // keys are our own snake_case names
  out_ += "\":";
  pending_key_ = true;
  return *this;
}

void JsonWriter::number(std::int64_t v) {
  comma();
  fmt::format_to(std::back_inserter(out_), "{}", v);
}
void JsonWriter::number(std::uint64_t v) {
  comma();
  fmt::format_to(std::back_inserter(out_), "{}", v);
}
void JsonWriter::number(double v) {
  comma();
  fmt::format_to(std::back_inserter(out_), "{}", v);  // shortest text that reads back exactly
}

std::string pretty_json(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  int depth = 0;
  bool in_string = false;
  auto newline = [&] {
    out.push_back('\n');
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < s.size()) out.push_back(s[++i]);
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; out.push_back(c); break;
      case '{':
      case '[':
        out.push_back(c);
        if (i + 1 < s.size() && (s[i + 1] == '}' || s[i + 1] == ']')) {
          out.push_back(s[++i]);
        } else {
          ++depth;
          newline();
        }
        break;
      case '}':
      case ']': --depth; newline(); out.push_back(c); break;
      case ',': out.push_back(c); newline(); break;
      case ':': out += ": "; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace vt106::output
