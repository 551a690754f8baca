// Text forms of IP addresses and endpoints (RFC 791 dotted quads, RFC 5952 IPv6 text).
#include "vt106/net/endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

namespace vt106::net {

std::string_view to_string(Transport t) {
  switch (t) {
    case Transport::tcp: return "tcp";
    case Transport::udp: return "udp";
  }
  return "unknown";
}

bool IpAddress::parse(std::string_view text, IpAddress& out) {
  const std::string s(text);
  IpAddress ip;
  if (::inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) {
    out = ip;
    return true;
  }
  if (::inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) {
    ip.v6 = true;
    out = ip;
    return true;
  }
  return false;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text) == nullptr) return "?";
  return text;
}

std::string Endpoint::to_string() const {
  std::string out;
  out.reserve(48);
  if (address.v6) out += '[';
  out += address.to_string();
  if (address.v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

}  // namespace vt106::net
