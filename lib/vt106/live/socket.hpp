// What the live endpoints (listen, proxy, replay) have in common on a socket: an owned
// descriptor, the TCP and UDP pair bound on one port, the address a datagram was sent to, and
// the one connection type: a non-blocking stream socket with the bytes it has not yet taken,
// flushed as the kernel takes them, half-closed or reset on request.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "vt106/live/address.hpp"

namespace vt106::live {

// An owned file descriptor, closed when it goes.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset();
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

// A TCP listening socket and a UDP socket on the same port. "::" (or "[::]") takes IPv6 and IPv4
// and falls back to 0.0.0.0 on a host without IPv6; port 0 picks a free port, the same for both.
// The UDP socket reports the address each datagram was sent to and the kernel's drop count.
struct BoundPair {
  Fd tcp, udp;
  SocketAddress tcp_address, udp_address;
};
// Throws std::system_error naming the address when binding fails.
BoundPair bind_tcp_udp(const std::string& address, std::uint16_t port);

// Reads one datagram's control messages: the address it was sent to (`bound` with the
// destination address of IP_PKTINFO / IPV6_PKTINFO) and, in `dropped`, the kernel's count of
// datagrams dropped on the socket so far (SO_RXQ_OVFL), when it says.
SocketAddress datagram_destination(msghdr& msg, const SocketAddress& bound, std::uint64_t& dropped);

// One connection taken from a listening socket (non-blocking, close-on-exec).
struct Accepted {
  enum class Status : std::uint8_t { taken, none, out_of_descriptors };
  Status status = Status::none;  // none: nothing pending (or it went away before it was taken)
  Fd fd;
  SocketAddress peer, local;
};
// Out of descriptors (EMFILE, ENFILE) the caller stops accepting until a connection closes: the
// pending connection would otherwise wake its loop forever.
Accepted accept_connection(int listener);

// One datagram from a UDP socket bound by bind_tcp_udp: its length in `buffer`, its sender, the
// address it was sent to; nullopt when none is waiting (or an error was queued instead). `dropped`
// as datagram_destination says.
struct Datagram {
  std::size_t size = 0;
  SocketAddress peer, local;
};
std::optional<Datagram> receive_datagram(int udp, std::span<char> buffer, const SocketAddress& bound,
                                         std::uint64_t& dropped);

// A stream socket's end as vt106 sees it: non-blocking, with a queue of bytes written to it
// that the kernel has not taken yet.
class Connection {
 public:
  enum class Flush : std::uint8_t { done, pending, failed };

  Connection() = default;
  explicit Connection(int fd) : fd_(fd) {}

  int fd() const { return fd_.get(); }
  bool open() const { return static_cast<bool>(fd_); }
  void adopt(int fd) { fd_ = Fd(fd); }

  // Bytes not yet taken by the kernel.
  std::size_t queued() const { return out_.size() - out_at_; }
  // Appends to the queue (nothing is sent before flush()).
  void queue(std::string_view bytes) { out_.append(bytes); }
  // Writes what the kernel takes now: done (queue empty), pending (the rest waits for the socket
  // to be writable) or failed (errno in error(): the peer is gone; the queue is dropped).
  Flush flush();
  int error() const { return error_; }

  // Sends FIN once the queue is empty (now, or at the flush that empties it).
  void shutdown_write_when_flushed();
  bool write_shut() const { return write_shut_; }
  // Ends the connection with a reset (RST) instead of FIN: what a peer's reset passes on.
  void reset_and_close();
  void close();

  // The socket's error after a non-blocking connect (0 when it connected).
  int connect_result() const;

 private:
  Fd fd_;
  std::string out_;
  std::size_t out_at_ = 0;
  int error_ = 0;
  bool shut_pending_ = false;
  bool write_shut_ = false;
};

// A short name for a connection error, as records write it: "refused", "reset", "timed out",
// "unreachable", or strerror's text.
std::string error_text(int err);

}  // namespace vt106::live
