// Hex dumps and C-style escapes to bytes (the escapes of detect-samples.tsv and C string literals).
#include "vt106/source/byte_text.hpp"

#include <fmt/format.h>

#include "vt106/util/text.hpp"

namespace vt106::source {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> hex_to_bytes(std::string_view text, std::string& problem, std::size_t limit) {
  std::string out;
  int high = -1;
  std::size_t high_at = 0;
  for (std::size_t i = 0; i < text.size() && out.size() < limit; ++i) {
    const char c = text[i];
    if (c == '0' && high < 0 && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
      ++i;  // a "0x" prefix
      continue;
    }
    const int v = hex_value(c);
    if (v >= 0) {
      if (high < 0) {
        high = v;
        high_at = i;
      } else {
        out.push_back(static_cast<char>(high * 16 + v));
        high = -1;
      }
    } else if (!util::is_space(c) && c != ':' && c != '-') {
      problem = fmt::format("character {} ('{}') is not a hex digit", i + 1, c);
      return std::nullopt;
    }
  }
  if (high >= 0) {
    problem = fmt::format("odd number of hex digits: the one at character {} has no partner", high_at + 1);
    return std::nullopt;
  }
  return out;
}

std::string unescape_bytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 >= text.size()) {
      out.push_back(text[i]);
      continue;
    }
    const char n = text[i + 1];
    switch (n) {
      case 'r': out.push_back('\r'); ++i; continue;
      case 'n': out.push_back('\n'); ++i; continue;
      case 't': out.push_back('\t'); ++i; continue;
      case '0': out.push_back('\0'); ++i; continue;
      case '\\': out.push_back('\\'); ++i; continue;
      case 'x':
        if (i + 3 < text.size() && hex_value(text[i + 2]) >= 0 && hex_value(text[i + 3]) >= 0) {
          out.push_back(static_cast<char>(hex_value(text[i + 2]) * 16 + hex_value(text[i + 3])));
          i += 3;
          continue;
        }
        break;
      default: break;
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace vt106::source
