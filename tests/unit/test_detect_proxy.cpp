// PROXY protocol v1 and v2 headers (HAProxy's proxy-protocol.txt): recognised, reported,
// stripped, and detection continues on what follows.
#include <doctest/doctest.h>

#include "detect_helpers.hpp"

using namespace vt106;

namespace {
const std::string gotop = "#353327020412763,CMD-X#";
const std::string v2_tcp4 = "0d0a0d0a000d0a515549540a2111000cc6336407c00002019c4013ba";
}  // namespace

TEST_SUITE("detect.proxy") {
  TEST_CASE("v1 TCP4 header, then a GOTOP frame") {
    const auto v = testing::detect_bytes("PROXY TCP4 198.51.100.7 192.0.2.1 40000 5050\r\n" + gotop);
    CHECK(v.protocol == "gotop");
    REQUIRE(v.proxy);
    CHECK(v.proxy->version == 1);
    CHECK(v.proxy->family == "TCP4");
    CHECK(v.proxy->src == "198.51.100.7:40000");
    CHECK(v.proxy->dst == "192.0.2.1:5050");
    CHECK(v.proxy->length == 46);
    CHECK(v.bytes_seen == gotop.size());
    // The header's destination port is the real one: 5050 is GOTOP's default.
    bool port = false;
    for (const auto& e : v.evidence) port = port || e == "server port 5050 is gotop's default";
    CHECK(port);
  }

  TEST_CASE("v1 TCP6 and UNKNOWN") {
    const auto v6 = testing::detect_bytes("PROXY TCP6 2001:db8::1 2001:db8::2 40000 8888\r\n" + gotop);
    REQUIRE(v6.proxy);
    CHECK(v6.proxy->src == "[2001:db8::1]:40000");
    CHECK(v6.protocol == "gotop");
    const auto unknown = testing::detect_bytes("PROXY UNKNOWN\r\n" + gotop);
    REQUIRE(unknown.proxy);
    CHECK(unknown.proxy->family == "UNKNOWN");
    CHECK(unknown.protocol == "gotop");
  }

  TEST_CASE("v2 TCP4 header, then a GT06 login") {
    const auto v = testing::detect_bytes(testing::from_hex(v2_tcp4 + "78780d010352887071911998000479d00d0a"));
    CHECK(v.protocol == "gt06");
    REQUIRE(v.proxy);
    CHECK(v.proxy->version == 2);
    CHECK(v.proxy->family == "TCP4");
    CHECK(v.proxy->src == "198.51.100.7:40000");
    CHECK(v.proxy->dst == "192.0.2.1:5050");
    CHECK(v.proxy->length == 28);
  }

  TEST_CASE("a header with nothing after it is an empty connection; LOCAL is a health check") {
    const auto v = testing::detect_hex(v2_tcp4);
    CHECK(v.status == detect::Status::empty);
    REQUIRE(v.proxy);
    const auto local = testing::detect_hex("0d0a0d0a000d0a515549540a20000000");
    CHECK(local.status == detect::Status::empty);
    REQUIRE(local.proxy);
    CHECK(local.proxy->local);
    bool said = false;
    for (const auto& e : local.evidence) said = said || e.find("health check") != std::string::npos;
    CHECK(said);
  }

  TEST_CASE("partial and malformed headers") {
    const auto partial = testing::detect_bytes("PROXY TCP4 198.51.100.7");
    CHECK(partial.status == detect::Status::need_more);
    CHECK(partial.protocol == "proxy");
    CHECK_FALSE(partial.proxy);
    const auto bad = testing::detect_bytes("PROXY TCP9 a b c d\r\n" + gotop);
    CHECK_FALSE(bad.proxy);
    CHECK(bad.protocol == "proxy");
    CHECK(bad.confidence < detect::confident);
    // "\r\n\r\n" is nmap's GenericLines probe, not the start of a v2 signature.
    CHECK(testing::detect_bytes("\r\n\r\n").protocol == "text_lines");
  }
}
