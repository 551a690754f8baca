// The listener's pure parts: telling GOTOP from other protocols by the first bytes, and reading
// device commands from --command and standard input lines.
#include <doctest/doctest.h>

#include "vt106/live/listener.hpp"

using namespace vt106::live;

TEST_SUITE("replay.listener") {
  TEST_CASE("looks_like_gotop: '#', ':' or a digit after whitespace; undecided while blank") {
    CHECK(looks_like_gotop("#867648040000018,CMD-X#") == FirstBytes::gotop);
    CHECK(looks_like_gotop(":123456F#") == FirstBytes::gotop);
    CHECK(looks_like_gotop("867648040000018,CMD-X") == FirstBytes::gotop);
    CHECK(looks_like_gotop(" \r\n#") == FirstBytes::gotop);
    CHECK(looks_like_gotop("GET / HTTP/1.1\r\n") == FirstBytes::foreign);
    CHECK(looks_like_gotop("\x78\x78\x11\x01") == FirstBytes::foreign);  // a binary tracker login
    CHECK(looks_like_gotop("*HQ,865205030330012,V1#") == FirstBytes::foreign);
    CHECK(looks_like_gotop("") == FirstBytes::undecided);
    CHECK(looks_like_gotop("  \n") == FirstBytes::undecided);
  }

  TEST_CASE("device commands: IMEI=FRAME and 'IMEI FRAME', trimmed; bad ones refused") {
    auto c = parse_device_command("867648040000018=:123456F#", '=');
    REQUIRE(c);
    CHECK(c->first == "867648040000018");
    CHECK(c->second == ":123456F#");
    c = parse_device_command("  867648040000018   :123456M1,030S# \r", ' ');
    REQUIRE(c);
    CHECK(c->second == ":123456M1,030S#");
    c = parse_device_command("867648040000018=:123456A1,+8613812345678#", '=');
    REQUIRE(c);
    CHECK(c->second == ":123456A1,+8613812345678#");
    CHECK_FALSE(parse_device_command("867648040000018", ' '));
    CHECK_FALSE(parse_device_command("86764804x000018 :123456F#", ' '));
    CHECK_FALSE(parse_device_command("=:123456F#", '='));
    CHECK_FALSE(parse_device_command("867648040000018=", '='));
  }
}
