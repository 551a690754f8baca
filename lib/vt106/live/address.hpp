// Socket addresses for replay and listen: "HOST:PORT" targets (names, dotted quads, "[v6]:port"),
// name resolution, and the text form of an address as records print it (IPv4-mapped IPv6
// addresses shown as IPv4, RFC 5952 otherwise).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/net/endpoint.hpp"

namespace vt106::live {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
  std::string to_string() const;  // "127.0.0.1:8888", "[::1]:8888"
  net::Endpoint endpoint() const;
};

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
// "host:port", "1.2.3.4:port", "[::1]:port"; nullopt when the port is missing or not 1-65535.
std::optional<HostPort> parse_host_port(std::string_view text);

struct Resolved {
  std::vector<SocketAddress> addresses;  // in the order the resolver prefers
  std::string error;                     // set when there is none (gai_strerror)
};
// Resolves a host (a name or a literal address) for a transport. Blocks while the resolver works.
Resolved resolve(const HostPort& target, net::Transport transport);

// A literal address (no name lookup) with a port; nullopt when `host` is not an IP address.
std::optional<SocketAddress> literal_address(std::string_view host, std::uint16_t port);

// The address a connected or bound socket has on this side (getsockname) or the other (getpeername).
SocketAddress local_address(int fd);
SocketAddress peer_address(int fd);

}  // namespace vt106::live
