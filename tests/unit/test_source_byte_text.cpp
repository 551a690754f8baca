// Hex dumps and C-style escapes to bytes (vt106 detect --hex/--text, the detect samples).
#include <doctest/doctest.h>

#include "vt106/source/byte_text.hpp"

using namespace vt106::source;

TEST_SUITE("source.byte_text") {
  TEST_CASE("hex with the separators decode accepts") {
    std::string problem;
    CHECK(hex_to_bytes("23 33:0x35-36\n37", problem) == std::string("#3567"));
    CHECK(hex_to_bytes("", problem) == std::string());
    CHECK(hex_to_bytes("00ff", problem) == std::string("\x00\xff", 2));
    CHECK(hex_to_bytes("0x00 0x0a", problem) == std::string("\x00\x0a", 2));
    CHECK(hex_to_bytes("a0b1c2", problem, 2) == std::string("\xa0\xb1"));
  }

  TEST_CASE("bad hex says where") {
    std::string problem;
    CHECK_FALSE(hex_to_bytes("2g", problem));
    CHECK(problem == "character 2 ('g') is not a hex digit");
    CHECK_FALSE(hex_to_bytes("23 3", problem));
    CHECK(problem == "odd number of hex digits: the one at character 4 has no partner");
  }

  TEST_CASE("C-style escapes") {
    CHECK(unescape_bytes(R"(a\r\n\t\0\\b)") == std::string("a\r\n\t\0\\b", 7));
    CHECK(unescape_bytes(R"(\x7e\x7D)") == "\x7e\x7d");
    CHECK(unescape_bytes(R"(\x7g \q \)") == R"(\x7g \q \)");
  }
}
