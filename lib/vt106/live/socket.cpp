// Sockets shared by the live endpoints.
#include "vt106/live/socket.hpp"

#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>

#include <fmt/format.h>

namespace vt106::live {

namespace {

[[noreturn]] void fail_setup(int err, const std::string& what) { throw std::system_error(err, std::generic_category(), what); }

BoundPair bind_family(const SocketAddress& address, bool dual_stack) {
  const int one = 1, zero = 0;
  Fd tcp(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!tcp) fail_setup(errno, "cannot open a TCP socket");
  ::setsockopt(tcp.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (dual_stack) ::setsockopt(tcp.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  if (::bind(tcp.get(), address.get(), address.length) != 0)
    fail_setup(errno, fmt::format("cannot listen on {} (tcp)", address.to_string()));
  if (::listen(tcp.get(), SOMAXCONN) != 0) fail_setup(errno, fmt::format("cannot listen on {} (tcp)", address.to_string()));
  const SocketAddress tcp_local = local_address(tcp.get());
  SocketAddress udp_address = address;
  const std::uint16_t port = tcp_local.endpoint().port;
  if (udp_address.family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&udp_address.storage)->sin6_port = htons(port);
  else reinterpret_cast<sockaddr_in*>(&udp_address.storage)->sin_port = htons(port);
  Fd udp(::socket(address.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!udp) fail_setup(errno, "cannot open a UDP socket");
  if (dual_stack) ::setsockopt(udp.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  ::setsockopt(udp.get(), IPPROTO_IP, IP_PKTINFO, &one, sizeof one);  // the address each datagram was sent to
  // Bursts of datagrams need room; root may exceed net.core.rmem_max.
  const int receive_buffer = 8 << 20;
  if (::setsockopt(udp.get(), SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof receive_buffer) != 0)
    ::setsockopt(udp.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  ::setsockopt(udp.get(), SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);  // the kernel counts what it dropped
  if (address.family() == AF_INET6) ::setsockopt(udp.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
  if (::bind(udp.get(), udp_address.get(), udp_address.length) != 0)
    fail_setup(errno, fmt::format("cannot listen on {} (udp)", udp_address.to_string()));
  BoundPair pair;
  pair.tcp_address = tcp_local;
  pair.udp_address = local_address(udp.get());
  pair.tcp = std::move(tcp);
  pair.udp = std::move(udp);
  return pair;
}

BoundPair bind_any_family(const std::string& host, const SocketAddress& address, std::uint16_t port) {
  const bool any6 = address.family() == AF_INET6 && host.find_first_not_of(":0[]") == std::string::npos;
  try {
    return bind_family(address, any6);
  } catch (const std::system_error& e) {
    if (!any6 || e.code().value() != EAFNOSUPPORT) throw;
    return bind_family(*literal_address("0.0.0.0", port), false);  // no IPv6 on this host
  }
}

}  // namespace

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

BoundPair bind_tcp_udp(const std::string& address_text, std::uint16_t port) {
  std::string host = address_text;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::optional<SocketAddress> address = literal_address(host, port);
  if (!address)
    throw std::system_error(EINVAL, std::generic_category(), fmt::format("{}: not an IPv4 or IPv6 address", address_text));
  for (int attempt = 0;; ++attempt) {
    try {
      return bind_any_family(host, *address, port);
    } catch (const std::system_error& e) {
      // Port 0: the TCP port the kernel chose may be taken for UDP; choose again.
      if (port != 0 || e.code().value() != EADDRINUSE || attempt >= 20) throw;
    }
  }
}

SocketAddress datagram_destination(msghdr& msg, const SocketAddress& bound, std::uint64_t& dropped) {
  SocketAddress dst = bound;
  for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
      std::uint32_t count = 0;  // since the socket was opened
      std::memcpy(&count, CMSG_DATA(cm), sizeof count);
      dropped = std::max<std::uint64_t>(dropped, count);
    } else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
      in_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(cm), sizeof info);
      dst = *literal_address("0.0.0.0", bound.endpoint().port);
      std::memcpy(&reinterpret_cast<sockaddr_in*>(&dst.storage)->sin_addr, &info.ipi_addr, 4);
    } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(cm), sizeof info);
      reinterpret_cast<sockaddr_in6*>(&dst.storage)->sin6_addr = info.ipi6_addr;
    }
  }
  return dst;
}

Accepted accept_connection(int listener) {
  Accepted a;
  a.peer.length = sizeof a.peer.storage;
  const int fd = ::accept4(listener, a.peer.get(), &a.peer.length, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    a.status = errno == EMFILE || errno == ENFILE ? Accepted::Status::out_of_descriptors : Accepted::Status::none;
    return a;
  }
  a.fd = Fd(fd);
  a.local = local_address(fd);
  a.status = Accepted::Status::taken;
  return a;
}

std::optional<Datagram> receive_datagram(int udp, std::span<char> buffer, const SocketAddress& bound,
                                         std::uint64_t& dropped) {
  Datagram d;
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) std::array<char, 256> control{};
  msghdr msg{};
  msg.msg_name = d.peer.get();
  msg.msg_namelen = sizeof d.peer.storage;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  const ssize_t n = ::recvmsg(udp, &msg, 0);
  if (n < 0) return std::nullopt;  // EAGAIN (or an ICMP error for a datagram sent: nothing to read)
  d.peer.length = msg.msg_namelen;
  d.size = static_cast<std::size_t>(n);
  d.local = datagram_destination(msg, bound, dropped);
  return d;
}

Connection::Flush Connection::flush() {
  while (out_at_ < out_.size()) {
    const ssize_t n = ::send(fd_.get(), out_.data() + out_at_, out_.size() - out_at_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      error_ = errno;
      out_.clear();
      out_at_ = 0;
      return Flush::failed;
    }
    out_at_ += static_cast<std::size_t>(n);
  }
  if (out_at_ < out_.size()) {
    // Keep the queue from growing at the front: the sent part goes once it is half of it.
    if (out_at_ > 65536 && out_at_ * 2 > out_.size()) {
      out_.erase(0, out_at_);
      out_at_ = 0;
    }
    return Flush::pending;
  }
  out_.clear();
  out_at_ = 0;
  if (out_.capacity() > (1u << 20)) std::string().swap(out_);  // a burst's room given back
  if (shut_pending_ && !write_shut_) {
    ::shutdown(fd_.get(), SHUT_WR);
    write_shut_ = true;
  }
  return Flush::done;
}

void Connection::shutdown_write_when_flushed() {
  shut_pending_ = true;
  if (queued() == 0 && open() && !write_shut_) {
    ::shutdown(fd_.get(), SHUT_WR);
    write_shut_ = true;
  }
}

void Connection::reset_and_close() {
  if (!open()) return;
  linger l{1, 0};  // closing now sends RST
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close();
}

void Connection::close() {
  fd_.reset();
  std::string().swap(out_);
  out_at_ = 0;
}

int Connection::connect_result() const {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

std::string error_text(int err) {
  switch (err) {
    case ECONNREFUSED: return "refused";
    case ECONNRESET: return "reset";
    case EPIPE: return "reset";
    case ETIMEDOUT: return "timed out";
    case EHOSTUNREACH: return "host unreachable";
    case ENETUNREACH: return "network unreachable";
    default: return std::strerror(err);
  }
}

}  // namespace vt106::live
