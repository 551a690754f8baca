// IP addresses, transport endpoints and the transport kind shared by the packet decoder and the
// flow table; text forms follow RFC 791 dotted quads and RFC 5952 for IPv6 ("[::1]:5").
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace vt106::net {

enum class Transport : std::uint8_t { tcp, udp };
std::string_view to_string(Transport t);  // "tcp", "udp"

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first four bytes, the rest stay zero
  bool v6 = false;

  static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    IpAddress ip;
    ip.bytes[0] = a;
    ip.bytes[1] = b;
    ip.bytes[2] = c;
    ip.bytes[3] = d;
    return ip;
  }
  static IpAddress v6_from(const std::array<std::uint8_t, 16>& b) {
    IpAddress ip;
    ip.bytes = b;
    ip.v6 = true;
    return ip;
  }
  // Parses "1.2.3.4" or an IPv6 text form; false when the text is neither.
  static bool parse(std::string_view text, IpAddress& out);

  std::string to_string() const;  // "1.2.3.4" or "2001:db8::1"
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

struct Endpoint {
  IpAddress address;
  std::uint16_t port = 0;

  std::string to_string() const;  // "1.2.3.4:5" or "[::1]:5"
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

}  // namespace vt106::net
