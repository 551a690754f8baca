// The replay engine: streams waiting to open, connections in flight, a timer heap, one epoll loop.
#include "vt106/replay/replayer.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "vt106/decode/stream_decoder.hpp"
#include "vt106/replay/event_loop.hpp"

namespace vt106::replay {

namespace {

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
constexpr int max_reads_per_event = 16;  // then other sockets get their turn
// Untimed TCP streams write the messages that are due together in one call, up to these.
constexpr std::size_t max_batch_messages = 64;
constexpr std::size_t max_batch_bytes = 256 * 1024;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
std::int64_t unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Timed replays wake often and briefly: ask the scheduler for short slices (a custom slice of
// the fair scheduler, Linux 6.12 and later, no privilege needed) so that a wake-up preempts
// longer-running work sooner, and for timer wake-ups without slack. Older kernels ignore or
// refuse the slice; nothing else changes.
void ask_for_prompt_wakeups() {
  ::prctl(PR_SET_TIMERSLACK, 1UL);
  struct {  // struct sched_attr of sched_setattr(2), first version (glibc has no wrapper)
    std::uint32_t size, sched_policy;
    std::uint64_t sched_flags;
    std::int32_t sched_nice;
    std::uint32_t sched_priority;
    std::uint64_t sched_runtime, sched_deadline, sched_period;
  } attr{};
  attr.size = sizeof attr;
  attr.sched_policy = SCHED_OTHER;
  attr.sched_runtime = 100'000;  // ns: the shortest slice the kernel grants
  ::syscall(SYS_sched_setattr, 0, &attr, 0U);
}

std::string_view classify(int err) {
  switch (err) {
    case ECONNREFUSED: return replay_code::connection_refused;
    case ECONNRESET:
    case EPIPE: return replay_code::connection_reset;
    case ETIMEDOUT: return replay_code::connect_timeout;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN: return replay_code::unreachable;
    default: return replay_code::socket_error;
  }
}

struct Timer {
  std::int64_t at;
  std::uint64_t stream;
  bool operator>(const Timer& o) const { return at > o.at; }
};

}  // namespace

std::uint64_t ReplayStats::error_count() const {
  std::uint64_t n = 0;
  for (const auto& [code, count] : errors) n += count;
  return n;
}

struct Replayer::Stream {
  enum class State { connecting, open, draining, backoff };
  ScheduledStream plan;
  State state = State::connecting;
  int fd = -1;
  std::size_t next = 0;     // first message not completely written
  std::size_t written = 0;  // bytes of plan.messages[next] the kernel has taken
  bool want_write = false;
  bool ever_connected = false;
  std::int64_t deadline = never;  // connect timeout, end of linger, end of backoff
  std::int64_t wake_at = never;   // the timer that counts (older heap entries are stale)
  unsigned failures = 0;          // consecutive, reset by a delivered message
  std::string local, remote;
  std::unique_ptr<decode::StreamDecoder> replies;

  bool tcp() const { return plan.transport == net::Transport::tcp; }
  std::size_t remaining() const { return plan.messages.size() - next; }
};

struct Replayer::Engine {
  Engine(const Schedule& s, ReplayOptions o, gotop::Parser& p, output::RecordSink& r, SendObserver* obs)
      : schedule(s),
        options(std::move(o)),
        parser(p),
        records(r),
        sent(obs),
        remote_text(options.target.to_string()),
        coalesce(!s.timed()) {}

  const Schedule& schedule;
  ReplayOptions options;
  gotop::Parser& parser;
  output::RecordSink& records;
  SendObserver* sent;
  const std::string remote_text;
  // Untimed: several messages of a TCP stream may leave in one write. Timed: one send each.
  const bool coalesce;
  // Before the clock starts: connections due at the start are being opened, nothing is sent.
  bool preparing = false;
  EventLoop loop;
  ReplayStats stats;
  std::deque<ScheduledStream> pending;  // of the current pass, in opening order
  std::uint64_t next_pass = 0;
  std::unordered_map<std::uint64_t, std::unique_ptr<Stream>> active;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
  std::unordered_set<std::string> devices;
  std::int64_t start = 0, start_unix = 0;
  std::array<char, 65536> buffer{};

  std::int64_t to_unix(std::int64_t steady) const { return start_unix + (steady - start); }

  void arm(Stream& s, std::int64_t at) {
    s.wake_at = at;
    timers.push({at, s.plan.id});
  }

  output::RecordContext context(const Stream& s, bool from_server) const {
    output::RecordContext ctx;
    ctx.input = options.target_name;
    ctx.ts_ns = unix_ns();
    ctx.transport = net::to_string(s.plan.transport);
    ctx.src = from_server ? std::string_view(s.remote) : std::string_view(s.local);
    ctx.dst = from_server ? std::string_view(s.local) : std::string_view(s.remote);
    ctx.flow = static_cast<std::uint32_t>(s.plan.id);
    return ctx;
  }

  bool load_pass() {
    if (!schedule.has_pass(next_pass)) return false;
    auto streams = schedule.pass(next_pass, start_unix);
    ++next_pass;
    if (streams.empty()) return false;
    ++stats.passes;
    for (auto& st : streams) pending.push_back(std::move(st));
    return true;
  }

  void launch_due(std::int64_t now) {
    while (active.size() < options.max_connections) {
      if (pending.empty() && !load_pass()) return;
      if (start + pending.front().open_ns > now) return;
      auto s = std::make_unique<Stream>();
      s->plan = std::move(pending.front());
      pending.pop_front();
      s->remote = remote_text;
      ++stats.streams;
      stats.restamped += s->plan.restamped;
      devices.insert(s->plan.imei.empty() ? fmt::format("#{}", s->plan.id) : s->plan.imei);
      Stream& ref = *s;
      active.emplace(ref.plan.id, std::move(s));
      open_socket(ref, now);
    }
  }

  // ---- connection life ----

  void open_socket(Stream& s, std::int64_t now) {
    const int type = s.tcp() ? SOCK_STREAM : SOCK_DGRAM;
    s.fd = ::socket(options.target.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd < 0) {
      fail(s, errno, now);
      return;
    }
    if (s.tcp()) {
      const int one = 1;
      ::setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // one segment per message, as devices send
    }
    s.state = Stream::State::connecting;
    if (::connect(s.fd, options.target.get(), options.target.length) == 0) {
      loop.add(s.fd, s.plan.id, true, false);
      established(s, now);
      return;
    }
    if (errno != EINPROGRESS) {
      fail(s, errno, now);
      return;
    }
    loop.add(s.fd, s.plan.id, false, true);
    s.want_write = true;
    s.deadline = now + options.connect_timeout_ns;
    arm(s, s.deadline);
  }

  void established(Stream& s, std::int64_t now) {
    s.state = Stream::State::open;
    ++stats.connections;
    if (s.ever_connected) ++stats.reconnects;
    s.ever_connected = true;
    s.local = local_address(s.fd).to_string();
    s.replies = std::make_unique<decode::StreamDecoder>(parser, records, options.max_frame, gotop::Direction::down);
    set_write_interest(s, false);
    if (!preparing) advance(s, now);
  }

  void set_write_interest(Stream& s, bool want) {
    if (s.want_write == want) return;
    s.want_write = want;
    loop.modify(s.fd, s.plan.id, true, want);
  }

  void close_socket(Stream& s) {
    if (s.fd < 0) return;
    if (s.replies) {
      auto ctx = context(s, true);
      count_replies(s, [&] { s.replies->finish(ctx); });
      s.replies.reset();
    }
    loop.remove(s.fd);
    ::close(s.fd);
    s.fd = -1;
    s.want_write = false;
  }

  void finish(Stream& s) {
    close_socket(s);
    active.erase(s.plan.id);  // s is gone
  }

  std::string describe(const Stream& s, std::string_view code, int err) const {
    const std::string device = s.plan.imei.empty() ? fmt::format("stream {}", s.plan.id) : "device " + s.plan.imei;
    const std::string where = fmt::format("{} ({} connection {}, {} of {} messages sent)", device,
                                          net::to_string(s.plan.transport), s.plan.id, s.next, s.plan.messages.size());
    if (code == replay_code::connection_refused)
      return s.tcp() ? fmt::format("{}: connection refused: nothing listens on {}", where, remote_text)
                     : fmt::format("{}: port unreachable: nothing listens on {} (ICMP)", where, remote_text);
    if (code == replay_code::connection_reset) return fmt::format("{}: the server reset the connection", where);
    if (code == replay_code::closed_by_server)
      return fmt::format("{}: the server closed the connection before every message was sent", where);
    if (code == replay_code::connect_timeout)
      return fmt::format("{}: {} did not accept the connection in time", where, remote_text);
    return fmt::format("{}: {}", where, std::strerror(err));
  }

  // A connection problem: reported, then the stream retries after a backoff or gives up.
  void fail(Stream& s, int err, std::int64_t now, std::string_view code = {}) {
    if (code.empty()) code = classify(err);
    output::ErrorRecord e;
    e.protocol = {};
    e.code = code;
    e.message = fmt::format("{}: {}", options.target_name, describe(s, code, err));
    e.imei = s.plan.imei;
    const auto ctx = context(s, false);
    records.error(ctx, e);
    auto it = stats.errors.find(code);
    if (it == stats.errors.end()) it = stats.errors.emplace(std::string(code), 0).first;
    ++it->second;
    close_socket(s);
    s.written = 0;  // a message cut short is sent again whole on the next connection
    if (s.remaining() > 0 && options.reconnect && s.failures < options.max_retries) {
      const std::int64_t delay =
          std::min(options.backoff_max_ns, options.backoff_first_ns << std::min<unsigned>(s.failures, 30));
      ++s.failures;
      s.state = Stream::State::backoff;
      s.deadline = now + delay;
      arm(s, s.deadline);
      return;
    }
    stats.unsent += s.remaining();
    active.erase(s.plan.id);  // s is gone
  }

  // Sends what is due, then closes once the stream's close time has come. May end the stream.
  void advance(Stream& s, std::int64_t now) {
    while (s.next < s.plan.messages.size()) {
      const ScheduledMessage& m = s.plan.messages[s.next];
      if (start + m.due_ns > now && s.written == 0) {
        arm(s, start + m.due_ns);
        return;
      }
      if (!write_current(s, now)) return;
    }
    const std::int64_t close_at = start + s.plan.close_ns;
    if (close_at > now) {
      arm(s, close_at);
      return;
    }
    begin_drain(s, now);
  }

  // Writes the current message, and when untimed the TCP messages due after it too, in one call;
  // false when the socket is full or the stream failed (and may be gone).
  bool write_current(Stream& s, std::int64_t now) {
    std::array<iovec, max_batch_messages> iov{};
    std::size_t count = 0, total = 0;
    const bool batch = coalesce && s.tcp();
    for (std::size_t i = s.next; i < s.plan.messages.size() && count < iov.size(); ++i) {
      const ScheduledMessage& m = s.plan.messages[i];
      if (i > s.next && (!batch || total >= max_batch_bytes || start + m.due_ns > now)) break;
      const std::size_t from = i == s.next ? s.written : 0;
      iov[count].iov_base = const_cast<char*>(m.bytes.data() + from);
      iov[count].iov_len = m.bytes.size() - from;
      total += iov[count].iov_len;
      ++count;
    }
    ssize_t n = 0;
    for (;;) {
      if (count == 1) {
        n = ::send(s.fd, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL);
      } else {
        msghdr msg{};
        msg.msg_iov = iov.data();
        msg.msg_iovlen = count;
        n = ::sendmsg(s.fd, &msg, MSG_NOSIGNAL);
      }
      if (n >= 0 || errno != EINTR) break;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        set_write_interest(s, true);
        return false;
      }
      fail(s, errno, now);
      return false;
    }
    const std::int64_t done = steady_ns();
    auto left = static_cast<std::size_t>(n);
    while (left > 0) {
      const std::size_t rest = s.plan.messages[s.next].bytes.size() - s.written;
      if (left < rest) {
        s.written += left;
        break;
      }
      left -= rest;
      message_out(s, done);
    }
    if (static_cast<std::size_t>(n) < total) {  // the kernel took part of it: the socket is full
      set_write_interest(s, true);
      return false;
    }
    set_write_interest(s, false);
    return true;
  }

  // The current message has left whole at `done`.
  void message_out(Stream& s, std::int64_t done) {
    const ScheduledMessage& m = s.plan.messages[s.next];
    ++stats.messages;
    stats.bytes += m.bytes.size();
    if (stats.timed) stats.lateness.add(done - (start + m.due_ns));
    stats.last_sent_ns = done - start;
    if (sent) {
      SentMessage msg;
      msg.stream = &s.plan;
      msg.index = s.next;
      msg.local = s.local;
      msg.remote = s.remote;
      msg.due_unix_ns = to_unix(start + m.due_ns);
      msg.sent_unix_ns = to_unix(done);
      msg.timed = stats.timed;
      sent->on_sent(msg);
    }
    ++s.next;
    s.written = 0;
    s.failures = 0;
  }

  void begin_drain(Stream& s, std::int64_t now) {
    if (s.tcp()) ::shutdown(s.fd, SHUT_WR);
    s.state = Stream::State::draining;
    if (options.linger_ns <= 0) {
      finish(s);
      return;
    }
    s.deadline = now + options.linger_ns;
    arm(s, s.deadline);
  }

  template <class Work>
  void count_replies(Stream& s, Work&& work) {
    const auto before = s.replies->counters();
    work();
    const auto after = s.replies->counters();
    stats.replies += after.messages - before.messages;
    stats.reply_errors += after.errors - before.errors;
  }

  // Reads what the server sent; false when the stream is gone.
  bool read_replies(Stream& s, std::int64_t now) {
    for (int i = 0; i < max_reads_per_event; ++i) {
      const ssize_t n = ::recv(s.fd, buffer.data(), buffer.size(), 0);
      if (n > 0) {
        const std::string_view bytes(buffer.data(), static_cast<std::size_t>(n));
        stats.reply_bytes += bytes.size();
        auto ctx = context(s, true);
        count_replies(s, [&] {
          s.replies->feed(bytes, ctx);
          if (!s.tcp()) s.replies->finish(ctx);  // a datagram is a whole unit
        });
        continue;
      }
      if (n == 0 && s.tcp()) {
        if (s.remaining() > 0) {
          fail(s, 0, now, replay_code::closed_by_server);
        } else {
          finish(s);  // closed by the server after everything was sent, or answering our close
        }
        return false;
      }
      if (n == 0) continue;  // an empty datagram
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      fail(s, errno, now);
      return false;
    }
    return true;
  }

  void on_timer(Stream& s, std::int64_t now) {
    switch (s.state) {
      case Stream::State::connecting:
        if (now >= s.deadline) fail(s, ETIMEDOUT, now, replay_code::connect_timeout);
        else arm(s, s.deadline);
        return;
      case Stream::State::open:
        if (!preparing) advance(s, now);
        return;
      case Stream::State::draining:
        if (now >= s.deadline) finish(s);
        else arm(s, s.deadline);
        return;
      case Stream::State::backoff:
        if (now >= s.deadline) open_socket(s, now);
        else arm(s, s.deadline);
        return;
    }
  }

  void run_timers(std::int64_t now) {
    while (!timers.empty() && timers.top().at <= now) {
      const Timer t = timers.top();
      timers.pop();
      auto it = active.find(t.stream);
      if (it == active.end() || it->second->wake_at != t.at) continue;  // stale
      it->second->wake_at = never;
      on_timer(*it->second, now);
    }
  }

  void on_io(Stream& s, const ReadyEvent& ev, std::int64_t now) {
    if (s.state == Stream::State::connecting) {
      if (!ev.writable && !ev.error) return;
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        fail(s, err, now);
        return;
      }
      established(s, now);
      return;
    }
    if (ev.readable && !read_replies(s, now)) return;
    if (ev.writable && s.state == Stream::State::open && !preparing) advance(s, now);
  }

  std::int64_t next_wake(std::int64_t now) const {
    std::int64_t at = never;
    if (!timers.empty()) at = timers.top().at;
    if (!pending.empty() && active.size() < options.max_connections)
      at = std::min(at, start + pending.front().open_ns);
    if (options.duration_ns > 0) at = std::min(at, start + options.duration_ns);
    return at == never ? -1 : std::max<std::int64_t>(0, at - now);
  }

  void stop_everything() {
    for (auto& [id, s] : active) {
      stats.unsent += s->remaining();
      close_socket(*s);
    }
    active.clear();
    for (const auto& st : pending) stats.unsent += st.messages.size();
    pending.clear();
  }

  // Before the clock starts: the first pass is built and the connections due at its start are
  // opened (up to --max-connections), so that neither counts as sending time or lateness. With
  // --restamp the pass depends on the start time, so it is built once the clock runs.
  void prepare(const std::atomic<bool>& stop_requested) {
    start = steady_ns();
    start_unix = unix_ns();
    if (schedule.options().restamp || !load_pass()) return;
    preparing = true;
    launch_due(start);
    for (;;) {
      const std::int64_t now = steady_ns();
      run_timers(now);
      const bool connecting = std::any_of(active.begin(), active.end(), [](const auto& entry) {
        return entry.second->state == Stream::State::connecting;
      });
      if (!connecting || stop_requested.load()) break;
      const std::int64_t wake = timers.empty() ? -1 : std::max<std::int64_t>(0, timers.top().at - steady_ns());
      const auto events = loop.wait(wake);
      const std::int64_t after = steady_ns();
      for (const auto& ev : events) {
        auto it = active.find(ev.key);
        if (it != active.end()) on_io(*it->second, ev, after);
      }
    }
    preparing = false;
    stats.connect_ns = steady_ns() - start;
    stats.preconnected = stats.connections;
  }

  ReplayStats run(const std::atomic<bool>& stop_requested) {
    stats.timed = schedule.timed();
    if (stats.timed) ask_for_prompt_wakeups();
    prepare(stop_requested);
    start = steady_ns();
    start_unix = unix_ns();
    // The connections opened beforehand begin sending now.
    std::vector<std::uint64_t> ready;
    for (const auto& [id, s] : active)
      if (s->state == Stream::State::open) ready.push_back(id);
    std::sort(ready.begin(), ready.end());
    for (const std::uint64_t id : ready) {
      auto it = active.find(id);
      if (it != active.end()) advance(*it->second, start);
    }
    for (;;) {
      std::int64_t now = steady_ns();
      if (stop_requested.load()) {
        stats.stopped = "signal";
        break;
      }
      if (options.duration_ns > 0 && now - start >= options.duration_ns) {
        stats.stopped = "duration";
        break;
      }
      launch_due(now);
      run_timers(now);
      if (active.empty() && pending.empty() && !load_pass()) break;
      // The time left to the next due time, from the clock as it is now: opening connections
      // and sending take time, and a wait counted from the top of the loop would oversleep.
      const auto events = loop.wait(next_wake(steady_ns()));
      now = steady_ns();
      for (const auto& ev : events) {
        auto it = active.find(ev.key);
        if (it != active.end()) on_io(*it->second, ev, now);
      }
    }
    stop_everything();
    stats.devices = devices.size();
    stats.elapsed_ns = steady_ns() - start;
    return stats;
  }
};

Replayer::Replayer(const Schedule& schedule, ReplayOptions options, gotop::Parser& parser,
                   output::RecordSink& records, SendObserver* sent)
    : engine_(std::make_unique<Engine>(schedule, std::move(options), parser, records, sent)) {}

Replayer::~Replayer() = default;

ReplayStats Replayer::run() { return engine_->run(stop_requested_); }

void Replayer::stop() {
  stop_requested_.store(true);
  engine_->loop.wake();
}

void Replayer::report_dns_failure(output::RecordSink& records, ReplayStats& stats, std::string_view target,
                                  std::string_view problem) {
  output::RecordContext ctx;
  ctx.input = target;
  ctx.ts_ns = unix_ns();
  output::ErrorRecord e;
  e.protocol = {};
  e.code = replay_code::dns_failure;
  e.message = fmt::format("{}: the name does not resolve: {}", target, problem);
  records.error(ctx, e);
  ++stats.errors[std::string(replay_code::dns_failure)];
}

}  // namespace vt106::replay
