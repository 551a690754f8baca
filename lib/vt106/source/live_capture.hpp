// Packets from a live interface through libpcap (pcap_create/pcap_activate, pcap(3PCAP)),
// optionally saved to a pcap file as they arrive.
#pragma once

#include <atomic>
#include <csignal>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "vt106/source/capture_file.hpp"
#include "vt106/source/packet_queue.hpp"

namespace vt106::source {

struct LiveOptions {
  std::string interface;       // "any" captures on every interface (Linux cooked link type)
  std::string filter;          // BPF expression compiled by libpcap and run in the kernel
  std::string write_path;      // save every captured packet here as pcap ("" = do not save)
  int snaplen = 262144;
  bool promiscuous = true;
  int read_timeout_ms = 100;   // how long one read waits; bounds how late a stop request is seen
  int packet_delay_ms = 20;    // how long the kernel may hold a packet before handing it over
  std::size_t buffer_size = default_buffer_size;  // the kernel's capture buffer (tcpdump -B), bytes
  static constexpr std::size_t default_buffer_size = 32u << 20;  // 16× libpcap's default: bursts fit
};

// Why a live capture could not start; `kind` lets the caller say what to do.
class LiveCaptureError : public std::runtime_error {
 public:
  enum class Kind { permission, no_such_device, bad_filter, write_failed, other };
  LiveCaptureError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct InterfaceInfo {
  std::string name;
  std::string description;
  std::vector<std::string> addresses;
  bool up = false, running = false, loopback = false;
};

struct LiveStats {
  std::uint64_t packets = 0;          // handed to the caller
  std::uint64_t kernel_received = 0;  // pcap_stats: seen by the filter
  std::uint64_t kernel_dropped = 0;   // dropped for lack of buffer space
  std::uint64_t interface_dropped = 0;
};

class LiveCapture {
 public:
  // Opens and activates the interface, installs the filter, opens the save file; throws
  // LiveCaptureError naming the interface and what to do.
  explicit LiveCapture(const LiveOptions& options);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  static std::vector<InterfaceInfo> list_interfaces();

  // Waits up to the read timeout and hands every packet that arrived to `on_packet`
  // (saving it first when a save file is open). Returns false when the capture ended
  // (interface gone, or stop() was called).
  bool dispatch(const std::function<void(const Packet&)>& on_packet);
  // The capture thread's loop: reads from the kernel (saving each packet first when a save file
  // is open) into batches on `queue`, with the drops the kernel reported since the previous
  // batch, until stop() or the end of the capture; then closes the queue. Does nothing else,
  // so that the kernel's buffer is drained as fast as it fills.
  void run(PacketQueue& queue);
  // Safe from a signal handler: the current and every later dispatch() returns.
  void stop();
  // Flushes and closes the save file so that it is complete and readable.
  void close_save_file();

  std::uint32_t linktype() const { return linktype_; }
  LiveStats stats();
  const std::string& error() const { return error_; }

 private:
  struct Handle;
  Handle* handle_;
  std::uint32_t linktype_ = 0;
  std::uint64_t packets_ = 0;
  std::string error_;
  int read_timeout_ms_ = 100;
  std::atomic<bool> stopped_{false};  // set from a signal handler or another thread
};

}  // namespace vt106::source
