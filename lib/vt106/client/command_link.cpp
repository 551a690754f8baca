// TCP and UDP client sockets with bounded waits: non-blocking connect and poll (POSIX.1-2017).
#include "vt106/client/command_link.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vt106/util/text.hpp"

namespace vt106::client {

std::string_view to_string(Transport t) { return t == Transport::udp ? "udp" : "tcp"; }

std::optional<HostPort> split_host_port(std::string_view text) {
  std::string_view host, port;
  if (text.starts_with("[")) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  const auto number = util::all_digits(port) && port.size() <= 5 ? util::parse_int<int>(port) : std::nullopt;
  if (host.empty() || !number || *number < 1 || *number > 65535) return std::nullopt;
  return HostPort{std::string(host), std::string(port)};
}

namespace {

struct AddrinfoFree {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

std::string numeric_name(const sockaddr* sa, socklen_t len) {
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0) return "?";
  return sa->sa_family == AF_INET6 ? fmt::format("[{}]:{}", host, serv) : fmt::format("{}:{}", host, serv);
}

std::string local_name(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  return numeric_name(reinterpret_cast<sockaddr*>(&ss), len);
}

int remaining_ms(CommandLink::Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - CommandLink::Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

// Connects `fd` to `addr` within the timeout; returns 0 or an errno value.
int connect_within(int fd, const addrinfo& addr, std::chrono::milliseconds timeout) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return errno;
  if (connect(fd, addr.ai_addr, addr.ai_addrlen) == 0) return 0;
  if (errno != EINPROGRESS) return errno;
  const auto deadline = CommandLink::Clock::now() + timeout;
  pollfd p{fd, POLLOUT, 0};
  for (;;) {
    const int n = poll(&p, 1, remaining_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ETIMEDOUT;
    break;
  }
  int error = 0;
  socklen_t len = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) return errno;
  return error;
}

}  // namespace

CommandLink::CommandLink(const HostPort& where, Transport transport, std::chrono::milliseconds connect_timeout)
    : transport_(transport),
      where_(where.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", where.host, where.port)
                                                       : fmt::format("{}:{}", where.host, where.port)) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = transport == Transport::udp ? SOCK_DGRAM : SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(where.host.c_str(), where.port.c_str(), &hints, &found); rc != 0)
    throw std::runtime_error(fmt::format("cannot resolve {}: {}", where_, gai_strerror(rc)));
  const std::unique_ptr<addrinfo, AddrinfoFree> addresses(found);
  int last_error = 0;
  std::string tried;
  for (const addrinfo* a = addresses.get(); a; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_error = errno;
      continue;
    }
    tried = numeric_name(a->ai_addr, a->ai_addrlen);
    // For UDP, connect() only fixes the peer: replies from elsewhere are not ours, and an ICMP
    // "port unreachable" comes back as ECONNREFUSED on the next receive.
    const int error = connect_within(fd, *a, connect_timeout);
    if (error == 0) {
      fd_ = fd;
      peer_ = tried;
      local_ = local_name(fd);
      return;
    }
    last_error = error;
    close(fd);
  }
  throw std::runtime_error(fmt::format("cannot connect to {} over {}{}: {}", where_, to_string(transport),
                                       tried.empty() || tried == where_ ? "" : fmt::format(" ({})", tried),
                                       std::strerror(last_error)));
}

CommandLink::~CommandLink() {
  if (fd_ >= 0) close(fd_);
}

void CommandLink::fail(std::string_view what, int error) const {
  throw std::runtime_error(fmt::format("{} {} over {}: {}", what, where_, to_string(transport_), std::strerror(error)));
}

void CommandLink::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      poll(&p, 1, 1000);
      continue;
    }
    if (n < 0) fail("cannot send to", errno);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

ReceiveEnd CommandLink::receive_until(Clock::time_point deadline, const std::function<void(std::string_view)>& on_data) {
  std::string buffer(64 * 1024, '\0');
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = poll(&p, 1, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) fail("cannot wait for", errno);
    if (ready == 0) return ReceiveEnd::deadline;
    const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0 && errno == ECONNREFUSED) fail("nothing listens at", errno);
    if (n < 0) fail("cannot receive from", errno);
    if (n == 0 && transport_ == Transport::tcp) return ReceiveEnd::peer_closed;
    on_data(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
}

}  // namespace vt106::client
