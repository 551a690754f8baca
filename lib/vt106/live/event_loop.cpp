// epoll(7) with an eventfd(2) for wake-ups.
#include "vt106/live/event_loop.hpp"

#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <system_error>

namespace vt106::live {

namespace {
constexpr std::uint64_t wake_key = std::numeric_limits<std::uint64_t>::max();

epoll_event make_event(std::uint64_t key, bool want_read, bool want_write) {
  epoll_event ev{};
  ev.events = (want_read ? EPOLLIN | EPOLLRDHUP : 0u) | (want_write ? EPOLLOUT : 0u);
  ev.data.u64 = key;
  return ev;
}
}  // namespace

EventLoop::EventLoop() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    const int e = errno;
    ::close(epoll_fd_);
    throw std::system_error(e, std::generic_category(), "eventfd");
  }
  epoll_event ev = make_event(wake_key, true, false);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    const int e = errno;
    ::close(wake_fd_);
    ::close(epoll_fd_);
    throw std::system_error(e, std::generic_category(), "epoll_ctl");
  }
  raw_.resize(1024);
}

EventLoop::~EventLoop() {
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

bool EventLoop::add(int fd, std::uint64_t key, bool want_read, bool want_write) {
  epoll_event ev = make_event(key, want_read, want_write);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0) return true;
  if (errno == EPERM) return false;
  throw std::system_error(errno, std::generic_category(), "epoll_ctl add");
}

void EventLoop::modify(int fd, std::uint64_t key, bool want_read, bool want_write) {
  epoll_event ev = make_event(key, want_read, want_write);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0)
    throw std::system_error(errno, std::generic_category(), "epoll_ctl modify");
}

void EventLoop::remove(int fd) { ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

std::span<const ReadyEvent> EventLoop::wait(std::int64_t timeout_ns) {
  ready_.clear();
  timespec ts{};
  const timespec* limit = nullptr;
  if (timeout_ns >= 0) {
    ts.tv_sec = static_cast<time_t>(timeout_ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(timeout_ns % 1'000'000'000);
    limit = &ts;
  }
  int n = -1;
  if (have_pwait2_) {
    n = ::epoll_pwait2(epoll_fd_, raw_.data(), static_cast<int>(raw_.size()), limit, nullptr);
    if (n < 0 && errno == ENOSYS) have_pwait2_ = false;
  }
  if (!have_pwait2_) {
    // Kernels before 5.11 (and valgrind) lack epoll_pwait2: milliseconds, rounded up so that
    // a timer is never woken for early.
    const std::int64_t ms = timeout_ns < 0 ? -1 : (timeout_ns + 999'999) / 1'000'000;
    n = ::epoll_wait(epoll_fd_, raw_.data(), static_cast<int>(raw_.size()),
                     static_cast<int>(std::min<std::int64_t>(ms, std::numeric_limits<int>::max())));
  }
  if (n < 0) {
    if (errno == EINTR) return ready_;
    throw std::system_error(errno, std::generic_category(), "epoll_pwait2");
  }
  for (int i = 0; i < n; ++i) {
    const epoll_event& ev = raw_[static_cast<std::size_t>(i)];
    if (ev.data.u64 == wake_key) {
      std::uint64_t count = 0;
      while (::read(wake_fd_, &count, sizeof count) > 0) {
      }
      continue;
    }
    ReadyEvent r;
    r.key = ev.data.u64;
    r.readable = (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    r.writable = (ev.events & EPOLLOUT) != 0;
    r.error = (ev.events & (EPOLLERR | EPOLLHUP)) != 0;
    ready_.push_back(r);
  }
  return ready_;
}

void EventLoop::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
}

}  // namespace vt106::live
