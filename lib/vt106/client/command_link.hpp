// A client connection that carries crafted commands to a device, simulator or relay over TCP or
// UDP and hands back what arrives within a deadline (POSIX sockets, getaddrinfo, poll).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vt106::client {

enum class Transport : std::uint8_t { tcp, udp };
std::string_view to_string(Transport t);

struct HostPort {
  std::string host;  // a name, an IPv4 address or an IPv6 address (without brackets)
  std::string port;  // digits
};

// "host:port", "192.0.2.1:8888", "[::1]:8888"; nullopt when the text is not of that shape
// (IPv6 addresses need brackets, the port is 1-65535).
std::optional<HostPort> split_host_port(std::string_view text);

enum class ReceiveEnd : std::uint8_t { deadline, peer_closed };

class CommandLink {
 public:
  using Clock = std::chrono::steady_clock;

  // Resolves the name and connects (TCP) or binds the peer (UDP), trying every address the
  // resolver returns. Throws std::runtime_error naming the endpoint and the reason when it
  // cannot: I/O failures are exceptions, caught once by the command line.
  CommandLink(const HostPort& where, Transport transport, std::chrono::milliseconds connect_timeout);
  ~CommandLink();
  CommandLink(const CommandLink&) = delete;
  CommandLink& operator=(const CommandLink&) = delete;

  void send(std::string_view bytes);

  // Calls on_data for every read (TCP) or datagram (UDP) until `deadline` or until the peer
  // closes the connection. A UDP peer that answers with ICMP "port unreachable" is an error.
  ReceiveEnd receive_until(Clock::time_point deadline, const std::function<void(std::string_view)>& on_data);

  Transport transport() const { return transport_; }
  const std::string& peer() const { return peer_; }    // "192.0.2.1:8888", "[::1]:8888"
  const std::string& local() const { return local_; }

 private:
  [[noreturn]] void fail(std::string_view what, int error) const;

  int fd_ = -1;
  Transport transport_;
  std::string where_;  // as given, for messages
  std::string peer_, local_;
};

}  // namespace vt106::client
