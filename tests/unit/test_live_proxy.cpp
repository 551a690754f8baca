// The proxy's pure parts: where commands go in a platform's stream (never inside one of its
// frames), and the PROXY protocol headers it writes (read back by detection's header reader, and
// against the byte layout HAProxy's specification gives).
#include <doctest/doctest.h>

#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "vt106/detect/proxy.hpp"
#include "vt106/live/proxy.hpp"
#include "vt106/live/splice.hpp"

using namespace vt106;
using namespace vt106::live;

namespace {

// What the device receives when the platform's bytes come in `chunks` and a command is added
// before chunk i for each (i, command) in `commands`.
std::string device_receives(const std::vector<std::string>& chunks, const std::vector<std::pair<std::size_t, std::string>>& commands) {
  Splicer s;
  std::string out;
  auto emit = [&](std::string_view piece, bool) { out.append(piece); };
  for (std::size_t i = 0; i <= chunks.size(); ++i) {
    for (const auto& [at, frame] : commands)
      if (at == i) {
        REQUIRE(s.add(frame));
        s.release(emit);
      }
    if (i < chunks.size()) s.platform(chunks[i], emit);
  }
  return out;
}

net::Endpoint endpoint(std::string_view ip, std::uint16_t port) {
  net::Endpoint e;
  REQUIRE(net::IpAddress::parse(ip, e.address));
  e.port = port;
  return e;
}

}  // namespace

TEST_SUITE("live.proxy") {
  TEST_CASE("a command waits for the end of the platform's frame, then goes at once") {
    // Between frames (nothing yet, or after '#'): at once.
    CHECK(device_receives({":123456F#"}, {{0, ":123456M1,030S#"}}) == ":123456M1,030S#:123456F#");
    CHECK(device_receives({":123456F#"}, {{1, ":123456M1,030S#"}}) == ":123456F#:123456M1,030S#");
    // The platform has begun a frame: the command goes right after its '#', ahead of what follows.
    CHECK(device_receives({":123456", "F#:654321G#"}, {{1, "X#"}}) == ":123456F#X#:654321G#");
    CHECK(device_receives({":12", "34", "56F", "#"}, {{1, "X#"}, {3, "Y#"}}) == ":123456F#X#Y#");
    // Blanks after a '#' are not a frame: still between frames.
    CHECK(device_receives({":123456F#\r\n"}, {{1, "X#"}}) == ":123456F#\r\nX#");
    // Anything else is the start of something: the command waits for its '#'.
    CHECK(device_receives({"junk"}, {{1, "X#"}}) == "junk");
    CHECK(device_receives({"junk", " more#"}, {{1, "X#"}}) == "junk more#X#");
  }

  TEST_CASE("the splicer never loses nor reorders the platform's bytes, and bounds what waits") {
    Splicer s;
    std::string out;
    s.platform(":1", [&](std::string_view p, bool injected) {
      CHECK_FALSE(injected);
      out.append(p);
    });
    CHECK_FALSE(s.between_frames());
    for (int i = 0; i < 64; ++i) CHECK(s.add("X#"));
    CHECK_FALSE(s.add("X#"));
    CHECK(s.waiting() == 64);  // inside the platform's frame: nothing goes
    std::string frame;
    CHECK(s.take_unsent(frame));
    CHECK(frame == "X#");
    CHECK(s.waiting() == 63);
  }

  TEST_CASE("PROXY v1: the text line of HAProxy's specification") {
    CHECK(proxy_header(ProxyHeader::v1, endpoint("192.168.0.1", 56324), endpoint("192.168.0.11", 443)) ==
          "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
    CHECK(proxy_header(ProxyHeader::v1, endpoint("2001:db8::1", 40000), endpoint("::1", 8888)) ==
          "PROXY TCP6 2001:db8::1 ::1 40000 8888\r\n");
    CHECK(proxy_header(ProxyHeader::v1, endpoint("10.0.0.1", 1), endpoint("::1", 8888)) == "PROXY UNKNOWN\r\n");
    CHECK(proxy_header(ProxyHeader::none, endpoint("10.0.0.1", 1), endpoint("10.0.0.2", 2)).empty());
  }

  TEST_CASE("PROXY v2: signature, version and command, family, length, addresses, ports") {
    const std::string h = proxy_header(ProxyHeader::v2, endpoint("10.1.2.3", 0x1234), endpoint("10.9.8.7", 8888));
    const std::string expected = std::string("\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A", 12) +
                                 std::string("\x21\x11\x00\x0C", 4) + std::string("\x0A\x01\x02\x03\x0A\x09\x08\x07", 8) +
                                 std::string("\x12\x34\x22\xB8", 4);
    CHECK(h == expected);
    const std::string h6 = proxy_header(ProxyHeader::v2, endpoint("2001:db8::1", 1), endpoint("::1", 2));
    CHECK(h6.size() == 16 + 36);
    CHECK(static_cast<unsigned char>(h6[13]) == 0x21);
    // Read back by the header reader of vt106 detect.
    for (const auto& [bytes, family, src, dst] :
         {std::tuple{h, "TCP4", "10.1.2.3:4660", "10.9.8.7:8888"}, std::tuple{h6, "TCP6", "[2001:db8:0:0:0:0:0:1]:1", "[0:0:0:0:0:0:0:1]:2"},
          std::tuple{proxy_header(ProxyHeader::v1, endpoint("192.168.0.1", 56324), endpoint("192.168.0.11", 443)),
                     "TCP4", "192.168.0.1:56324", "192.168.0.11:443"}}) {
      detect::ProxyHeader parsed;
      std::string problem;
      const detect::Bytes b{std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size())};
      REQUIRE(detect::parse_proxy_header(b, parsed, problem) == detect::ProxyParse::ok);
      CHECK(parsed.family == family);
      CHECK(parsed.src == src);
      CHECK(parsed.dst == dst);
      CHECK(parsed.length == bytes.size());
    }
  }
}
