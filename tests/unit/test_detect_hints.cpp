// What the caller knows: the server port only breaks ties (and a mismatch with the protocol's
// default is reported), the transport narrows candidates, the server's answer is evidence.
#include <doctest/doctest.h>

#include <algorithm>

#include "detect_helpers.hpp"

using namespace vt106;

namespace {
bool says(const detect::Verdict& v, std::string_view text) {
  return std::any_of(v.evidence.begin(), v.evidence.end(),
                     [&](const std::string& e) { return e.find(text) != std::string::npos; });
}
const std::string login = "78780d010352887071911998000479d00d0a";
}  // namespace

TEST_SUITE("detect.hints") {
  TEST_CASE("a port never outweighs the bytes") {
    // A GT06 login on H02's port is GT06, and the mismatch is reported.
    const auto v = testing::detect_hex(login, {detect::Transport::tcp, 5013});
    CHECK(v.protocol == "gt06");
    CHECK(v.confidence >= 0.97);
    CHECK(says(v, "server port 5013 is the default of h02, not of gt06 (5023)"));
    const auto shared = testing::detect_hex(login, {detect::Transport::tcp, 8888});
    CHECK(says(shared, "server port 8888 is not gt06's default (5023)"));
    const auto own = testing::detect_hex(login, {detect::Transport::tcp, 5023});
    CHECK(says(own, "server port 5023 is gt06's default"));
    CHECK(own.confidence == v.confidence);
  }

  TEST_CASE("the transport narrows the candidates") {
    // CalAmp is UDP-only; the same bytes over TCP are reported with less confidence.
    const std::string calamp = "8308352648068863398f01070102039c5cfc4dcd5cfc4dcd19913f5dcce1291e000033fa0000005801110800"
                               "019aff9d6f0e13003e0b02000000000000000000";
    const auto udp = testing::detect_hex(calamp, {detect::Transport::udp, 0});
    const auto tcp = testing::detect_hex(calamp, {detect::Transport::tcp, 0});
    CHECK(udp.protocol == "calamp");
    CHECK(tcp.confidence < udp.confidence);
    CHECK(says(tcp, "calamp is not carried over tcp"));
    // DNS: a bare query over UDP, a length-prefixed one over TCP.
    const std::string query = "123401000001000000000000076578616d706c6503636f6d0000010001";
    CHECK(testing::detect_hex(query, {detect::Transport::udp, 53}).protocol == "dns");
    CHECK(testing::detect_hex("001d" + query, {detect::Transport::tcp, 53}).protocol == "dns");
  }

  TEST_CASE("the server's answer is evidence") {
    const auto v = testing::detect_bytes(testing::from_hex("000f313233343536373839303132333435"), {},
                                         testing::from_hex("01"));
    CHECK(v.protocol == "teltonika");
    CHECK(says(v, "IMEI accepted"));
    CHECK(says(v, "the server answered 1 byte: 01"));
    const auto gps103 = testing::detect_bytes("##,imei:359586015829802,A;", {}, "LOAD");
    CHECK(says(gps103, "the server answered LOAD"));
    // A server that speaks first to a silent client.
    const auto silent = testing::detect_bytes("", {}, "SSH-2.0-OpenSSH_9.2\r\n");
    CHECK(silent.status == detect::Status::empty);
    CHECK(says(silent, "the server spoke first"));
  }
}
