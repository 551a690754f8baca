// Parsing, resolving and printing socket addresses (getaddrinfo(3), inet_pton(3)).
#include "vt106/live/address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

#include "vt106/util/text.hpp"

namespace vt106::live {

net::Endpoint SocketAddress::endpoint() const {
  net::Endpoint e;
  if (family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
    std::memcpy(e.address.bytes.data(), &in->sin_addr, 4);
    e.port = ntohs(in->sin_port);
  } else if (family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    const auto* b = reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      std::memcpy(e.address.bytes.data(), b + 12, 4);
    } else {
      std::memcpy(e.address.bytes.data(), b, 16);
      e.address.v6 = true;
    }
    e.port = ntohs(in6->sin6_port);
  }
  return e;
}

std::string SocketAddress::to_string() const { return endpoint().to_string(); }

std::optional<HostPort> parse_host_port(std::string_view text) {
  HostPort hp;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    hp.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;  // bare IPv6 needs brackets
    hp.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  const auto p = util::parse_int<std::uint32_t>(port);
  if (hp.host.empty() || !p || *p == 0 || *p > 65535) return std::nullopt;
  hp.port = static_cast<std::uint16_t>(*p);
  return hp;
}

Resolved resolve(const HostPort& target, net::Transport transport) {
  Resolved out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = transport == net::Transport::udp ? SOCK_DGRAM : SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(target.port);
  int rc = ::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &list);
  if (rc == EAI_NONAME || rc == EAI_ADDRFAMILY) {
    // AI_ADDRCONFIG hides loopback-only families on hosts without other addresses: retry without.
    hints.ai_flags = AI_NUMERICSERV;
    rc = ::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &list);
  }
  if (rc != 0) {
    out.error = ::gai_strerror(rc);
    return out;
  }
  for (const addrinfo* a = list; a != nullptr; a = a->ai_next) {
    if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
    SocketAddress s;
    std::memcpy(&s.storage, a->ai_addr, a->ai_addrlen);
    s.length = a->ai_addrlen;
    out.addresses.push_back(s);
  }
  ::freeaddrinfo(list);
  if (out.addresses.empty()) out.error = "no address";
  return out;
}

std::optional<SocketAddress> literal_address(std::string_view host, std::uint16_t port) {
  net::IpAddress ip;
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  if (!net::IpAddress::parse(host, ip)) return std::nullopt;
  SocketAddress s;
  if (ip.v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&s.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, ip.bytes.data(), 16);
    s.length = sizeof(sockaddr_in6);
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&s.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, ip.bytes.data(), 4);
    s.length = sizeof(sockaddr_in);
  }
  return s;
}

SocketAddress local_address(int fd) {
  SocketAddress s;
  s.length = sizeof s.storage;
  if (::getsockname(fd, s.get(), &s.length) != 0) s.length = 0;
  return s;
}

SocketAddress peer_address(int fd) {
  SocketAddress s;
  s.length = sizeof s.storage;
  if (::getpeername(fd, s.get(), &s.length) != 0) s.length = 0;
  return s;
}

}  // namespace vt106::live
