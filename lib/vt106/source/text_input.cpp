// Input sniffing (pcap and pcapng magic numbers) and hex-dump decoding.
#include "vt106/source/text_input.hpp"

#include <fmt/format.h>

#include "vt106/util/text.hpp"

namespace vt106::source {

std::string_view to_string(InputKind k) {
  switch (k) {
    case InputKind::capture: return "capture";
    case InputKind::hex: return "hex";
    case InputKind::text: return "text";
    case InputKind::sms: return "sms";
  }
  return "text";
}

bool has_capture_magic(std::string_view h) {
  if (h.size() < 4) return false;
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(h[i]); };
  const std::uint32_t be = (std::uint32_t{b(0)} << 24) | (std::uint32_t{b(1)} << 16) | (std::uint32_t{b(2)} << 8) | b(3);
  switch (be) {
    case 0xa1b2c3d4: case 0xd4c3b2a1:  // pcap, microseconds
    case 0xa1b23c4d: case 0x4d3cb2a1:  // pcap, nanoseconds
    case 0x0a0d0d0a:                   // pcapng section header block
      return true;
    default:
      return false;
  }
}

InputKind sniff_input(std::string_view head) {
  if (has_capture_magic(head)) return InputKind::capture;
  std::size_t digits = 0;
  for (std::size_t i = 0; i < head.size(); ++i) {
    const char c = head[i];
    if (util::is_hex_digit(c)) {
      ++digits;
    } else if ((c == 'x' || c == 'X') && i > 0 && head[i - 1] == '0') {
      --digits;  // the '0' of "0x" was no digit
    } else if (!util::is_space(c) && c != ':' && c != '-') {
      return InputKind::text;
    }
  }
  return digits >= 2 ? InputKind::hex : InputKind::text;
}

std::string unescape_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      const char n = text[i + 1];
      if (n == 'n') { out.push_back('\n'); ++i; continue; }
      if (n == 'r') { out.push_back('\r'); ++i; continue; }
      if (n == 't') { out.push_back('\t'); ++i; continue; }
      if (n == '\\') { out.push_back('\\'); ++i; continue; }
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace vt106::source
