// Bytes written as text on a command line or in a file: hex dumps and C-style escapes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vt106::source {

// Hex digits to bytes, with the separators vt106 decode accepts (whitespace, ':', '-', "0x"
// prefixes). Stops after `limit` bytes. On a stray character or an odd digit count returns
// nothing and says why in `problem`.
std::optional<std::string> hex_to_bytes(std::string_view text, std::string& problem,
                                        std::size_t limit = static_cast<std::size_t>(-1));

// C-style escapes to the bytes they name: \r \n \t \0 \\ and \xHH; any other backslash stays.
std::string unescape_bytes(std::string_view text);

}  // namespace vt106::source
