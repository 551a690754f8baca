// A relay between devices and their platform: TCP and UDP on one port, every device connection
// (or UDP device address) given its own connection (socket) to the platform, every byte passed on
// unchanged both ways, and both directions told, as they pass, to flow observers: the same
// FlowDecoder as `vt106 decode` (records), doctor's fact collector, a capture writer. Commands
// for a device are put into the platform's stream between its frames. Each side's queue is
// bounded: when one side does not read, the other is not read either.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/gotop/framer.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/live/address.hpp"
#include "vt106/net/flow_table.hpp"
#include "vt106/output/record.hpp"

namespace vt106::live {

// Stable codes of the proxy's own records (errors without a protocol, as network problems are).
namespace proxy_code {
inline constexpr std::string_view upstream_refused = "upstream_refused";
inline constexpr std::string_view upstream_timeout = "upstream_timeout";
inline constexpr std::string_view upstream_failed = "upstream_failed";
inline constexpr std::string_view device_reset = "device_reset";
inline constexpr std::string_view platform_reset = "platform_reset";
inline constexpr std::string_view connection_limit = "connection_limit";
inline constexpr std::string_view command_not_sent = "command_not_sent";
inline constexpr std::string_view udp_send_failed = "udp_send_failed";
}  // namespace proxy_code

// The PROXY protocol header (HAProxy's, versions 1 and 2) that tells the platform the device's
// address: TCP over IPv4 or IPv6, "UNKNOWN" (v1) or LOCAL (v2) when the two addresses are not of
// one family.
enum class ProxyHeader : std::uint8_t { none, v1, v2 };
std::string proxy_header(ProxyHeader version, const net::Endpoint& device, const net::Endpoint& proxy_address);

struct ProxyOptions {
  std::string bind_address = "::";  // "::" takes IPv6 and IPv4
  std::uint16_t port = 8888;        // 0: any free port (the same for TCP and UDP)
  std::vector<SocketAddress> upstream;  // the platform's addresses, tried in order for each connection
  std::string upstream_text;            // as given ("platform.example:5013")
  std::int64_t connect_timeout_ns = 10'000'000'000;
  std::int64_t udp_idle_ns = 300'000'000'000;
  ProxyHeader header = ProxyHeader::none;  // TCP only
  std::size_t max_connections = 1024;      // TCP connections and UDP devices at once
  std::size_t max_buffer = 256 * 1024;     // bytes queued toward one side before the other is paused
  std::size_t max_frame = gotop::default_max_frame;
  bool flow_records = true;  // a `flow` record as each connection ends
  // Told every opening, byte and closing of the device side, as it passed (the capture, doctor).
  std::vector<net::FlowObserver*> observers;
};

// One device as the proxy saw it (the summary at the end).
struct ProxyDevice {
  std::string name;  // IMEI, or the device's address before it said one
  std::uint64_t connections = 0, messages_up = 0, messages_down = 0, bytes_up = 0, bytes_down = 0;
  std::uint64_t commands_injected = 0;
  std::string last_close;  // how its latest connection ended ("open" while it lasts)
  std::string protocol;    // "gotop" or the protocol detected
};

struct ProxyStats {
  std::uint64_t tcp_connections = 0, udp_devices = 0;
  std::uint64_t most_at_once = 0;  // TCP connections and UDP devices relayed at the same time
  std::uint64_t bytes_up = 0, bytes_down = 0;  // relayed device → platform, platform → device
  std::uint64_t messages = 0, errors = 0, foreign = 0;
  std::uint64_t upstream_failures = 0, resets = 0, over_limit = 0;
  std::uint64_t paused = 0;  // times a side was paused because the other did not read
  std::uint64_t commands_injected = 0, commands_not_sent = 0;
  std::uint64_t udp_dropped = 0;
  std::int64_t first_rx_ns = 0, last_message_ns = 0;  // steady clock
};

class Proxy {
 public:
  // Binds and listens; throws std::system_error naming the address when that fails.
  Proxy(ProxyOptions options, gotop::Parser& parser, output::RecordSink& records);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  std::string tcp_address() const;
  std::uint16_t port() const;

  // Also watches `fd` (standard input); false when it cannot be watched.
  bool watch(int fd, std::function<void()> on_readable);
  void unwatch();

  // Waits up to `timeout_ns` for traffic, relays and decodes what came.
  void poll(std::int64_t timeout_ns);
  // Puts a command frame into the device's connection between the platform's frames: at once
  // when the device is connected (true), otherwise when it next says its IMEI (false).
  bool send_or_hold(std::string_view imei, std::string_view frame);
  // Closes every connection (both sides, with FIN); frames left open become truncated records;
  // commands still held are reported not sent.
  void finish();
  void wake();  // async-signal-safe

  std::size_t open_connections() const;
  const ProxyStats& stats() const;
  // Every device seen, in the order they first appeared.
  std::vector<ProxyDevice> devices() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vt106::live
