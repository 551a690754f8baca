// Recognising what an input holds (capture, hex dump, text frames) and turning hex text into bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vt106::source {

enum class InputKind { capture, hex, text, sms };
std::string_view to_string(InputKind k);

// Looks at the first bytes of an input. Captures are known by their magic number; text made
// only of hex digits and separators is a hex dump; everything else is frames as text.
InputKind sniff_input(std::string_view head);
bool has_capture_magic(std::string_view head);

// Turns the two-character escapes "\n", "\r", "\t" and "\\" into the characters they name, so
// that an SMS pasted from a log on one line reads as its lines.
std::string unescape_newlines(std::string_view text);

}  // namespace vt106::source
