// A stand-in platform: TCP and UDP on one port, every connection (or UDP peer) decoded into the
// same records as `vt106 decode`, stamped with the receive time, the endpoints and a flow id.
// Connections that do not speak GOTOP are reported once and closed; limits are named; commands
// can be sent to a device when its first frame arrives or at any time while it is connected.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vt106/gotop/framer.hpp"
#include "vt106/net/endpoint.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/output/record.hpp"

namespace vt106::live {

// Stable codes of the listener's own error records.
namespace listen_code {
inline constexpr std::string_view idle_timeout = "idle_timeout";
inline constexpr std::string_view connection_limit = "connection_limit";
inline constexpr std::string_view buffer_limit = "buffer_limit";
inline constexpr std::string_view device_not_connected = "device_not_connected";
}  // namespace listen_code

// What the first bytes of a connection say. GOTOP traffic begins (after optional whitespace)
// with '#' (uplink), ':' (a command) or a digit (a body quoted without its '#'). This is the one
// place that decides; a fuller protocol detector can replace it.
enum class FirstBytes : std::uint8_t { gotop, foreign, undecided };
FirstBytes looks_like_gotop(std::string_view first_bytes);

// "IMEI=FRAME" (--command) and "IMEI FRAME" (a line on standard input): the IMEI and the frame,
// trimmed; nullopt when either is missing or the IMEI is not all digits.
std::optional<std::pair<std::string, std::string>> parse_device_command(std::string_view text, char separator);

// Told what passed on the listener's sockets, as it passed (vt106 listen -w writes it as a capture).
class ListenWire {
 public:
  virtual ~ListenWire() = default;
  virtual void opened(std::uint64_t flow, bool tcp, const net::Endpoint& device, const net::Endpoint& local,
                      std::int64_t unix_ns) = 0;
  virtual void data(std::uint64_t flow, bool from_device, std::string_view bytes, std::int64_t unix_ns) = 0;
  virtual void closed(std::uint64_t flow, bool by_device, std::int64_t unix_ns) = 0;
};

struct ListenOptions {
  std::string bind_address = "::";  // "::" listens on IPv6 and IPv4 (falls back to 0.0.0.0 without IPv6)
  std::uint16_t port = 8888;        // 0: any free port (the same for TCP and UDP)
  std::size_t max_connections = 1024;  // TCP connections and UDP peers at once
  std::size_t max_frame = gotop::default_max_frame;
  std::size_t max_buffer = 256 * 1024;  // commands queued per connection that does not read them
  std::int64_t idle_timeout_ns = 300'000'000'000;
  std::vector<std::pair<std::string, std::string>> commands;  // IMEI → frame, sent on its first frame
  ListenWire* wire = nullptr;  // told every byte in and out, and each opening and closing
};

struct ListenStats {
  std::uint64_t tcp_connections = 0;  // accepted and served
  std::uint64_t udp_peers = 0;
  std::uint64_t bytes = 0;            // received
  std::uint64_t messages = 0;         // message records of received frames
  std::uint64_t errors = 0;           // error records of any kind
  std::uint64_t foreign = 0;          // connections or peers that did not speak GOTOP
  std::uint64_t idle_closed = 0;
  std::uint64_t over_limit = 0;       // connections refused and datagrams dropped at --max-connections
  std::uint64_t udp_dropped = 0;      // datagrams the kernel dropped because the socket's buffer was full
  std::uint64_t commands_sent = 0;
  std::uint64_t commands_not_sent = 0;
  std::set<std::string, std::less<>> devices;
  // Steady-clock times (ns) of the first bytes received and of the last message decoded, 0
  // before there were any: how long the traffic took to arrive and be decoded.
  std::int64_t first_rx_ns = 0;
  std::int64_t last_message_ns = 0;
};

class Listener {
 public:
  // Binds and listens; throws std::system_error naming the address when that fails.
  Listener(ListenOptions options, gotop::Parser& parser, output::RecordSink& records);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  std::string tcp_address() const;  // "[::]:8888"
  std::string udp_address() const;
  std::uint16_t port() const;

  // Also watches `fd` (standard input): `on_readable` runs when it has data or reached its end.
  // False when the descriptor cannot be watched (a regular file, /dev/null).
  bool watch(int fd, std::function<void()> on_readable);
  void unwatch();

  // Waits up to `timeout_ns` for traffic and handles what came, then closes idle connections.
  void poll(std::int64_t timeout_ns);
  // Sends a frame to a device's open connection (the latest one it spoke on). Both outcomes are
  // records: the frame as a downlink message, or a device_not_connected / buffer_limit error.
  bool send_command(std::string_view imei, std::string_view frame);
  // Sends the frame now when the device has an open connection (true); otherwise keeps it and
  // sends it once, when the device's first frame arrives on its next connection (false).
  bool send_or_hold(std::string_view imei, std::string_view frame);
  // Closes every connection; frames left open become truncated records.
  void finish();
  // Makes poll() return at once. Async-signal-safe.
  void wake();

  std::size_t open_connections() const;
  const ListenStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vt106::live
