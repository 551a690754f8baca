// Targets and endpoint text: HOST:PORT forms, literal addresses, IPv4-mapped IPv6 shown as
// IPv4, and resolution of names and literals.
#include <doctest/doctest.h>

#include "vt106/live/address.hpp"

using namespace vt106;
using namespace vt106::live;

TEST_SUITE("replay.address") {
  TEST_CASE("parse_host_port: names, IPv4, bracketed IPv6; bad ports and bare IPv6 refused") {
    auto hp = parse_host_port("staging.example.com:8888");
    REQUIRE(hp);
    CHECK(hp->host == "staging.example.com");
    CHECK(hp->port == 8888);
    hp = parse_host_port("[::1]:5050");
    REQUIRE(hp);
    CHECK(hp->host == "::1");
    CHECK(hp->port == 5050);
    CHECK(parse_host_port("127.0.0.1:1")->host == "127.0.0.1");
    CHECK_FALSE(parse_host_port("127.0.0.1"));
    CHECK_FALSE(parse_host_port("127.0.0.1:0"));
    CHECK_FALSE(parse_host_port("127.0.0.1:65536"));
    CHECK_FALSE(parse_host_port("host:port"));
    CHECK_FALSE(parse_host_port("::1:8888"));
    CHECK_FALSE(parse_host_port("[::1]8888"));
    CHECK_FALSE(parse_host_port(":8888"));
  }

  TEST_CASE("literal addresses and their text; IPv4-mapped IPv6 reads as IPv4") {
    CHECK(literal_address("127.0.0.1", 8888)->to_string() == "127.0.0.1:8888");
    CHECK(literal_address("::1", 5050)->to_string() == "[::1]:5050");
    CHECK(literal_address("[::]", 1)->to_string() == "[::]:1");
    CHECK(literal_address("::ffff:10.1.2.3", 7)->to_string() == "10.1.2.3:7");
    CHECK_FALSE(literal_address("localhost", 1));
  }

  TEST_CASE("resolve: literals need no lookup; failures carry the resolver's words") {
    const auto r = resolve(HostPort{"127.0.0.1", 8888}, net::Transport::udp);
    REQUIRE(r.addresses.size() >= 1);
    CHECK(r.addresses.front().to_string() == "127.0.0.1:8888");
    const auto six = resolve(HostPort{"::1", 9}, net::Transport::tcp);
    REQUIRE_FALSE(six.addresses.empty());
    CHECK(six.addresses.front().to_string() == "[::1]:9");
  }
}
