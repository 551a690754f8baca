// One epoll instance: file descriptors registered under a caller's key, a wait with nanosecond
// timeouts (epoll_pwait2; milliseconds where the kernel lacks it), and a wake-up that signal
// handlers may call. It owns no sockets and calls no callbacks: the caller looks its keys up,
// so a descriptor closed while a batch of events is being handled is simply not found.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <span>
#include <vector>

namespace vt106::live {

struct ReadyEvent {
  std::uint64_t key = 0;
  bool readable = false;  // data, EOF or an error to read
  bool writable = false;
  bool error = false;     // EPOLLERR or EPOLLHUP
};

class EventLoop {
 public:
  EventLoop();  // throws std::system_error when the kernel refuses
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Registers `fd` (level-triggered). False when the descriptor cannot be polled (a regular
  // file, /dev/null); throws std::system_error for anything else.
  bool add(int fd, std::uint64_t key, bool want_read, bool want_write);
  void modify(int fd, std::uint64_t key, bool want_read, bool want_write);
  void remove(int fd);  // before closing fd

  // Waits until a descriptor is ready, wake() is called or `timeout_ns` passes (negative: no
  // limit). The events stay valid until the next call.
  std::span<const ReadyEvent> wait(std::int64_t timeout_ns);

  // Makes the current or next wait() return at once. Async-signal-safe.
  void wake();

 private:
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool have_pwait2_ = true;  // false once the kernel said ENOSYS
  std::vector<epoll_event> raw_;
  std::vector<ReadyEvent> ready_;
};

}  // namespace vt106::live
