// The replay engine: streams waiting to open, connections in flight, a timer heap, one epoll loop.
#include "vt106/live/replayer.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "vt106/decode/stream_decoder.hpp"
#include "vt106/live/event_loop.hpp"
#include "vt106/live/message_queue.hpp"
#include "vt106/live/socket.hpp"

namespace vt106::live {

namespace {

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
constexpr int max_reads_per_event = 16;  // then other sockets get their turn
// Untimed TCP streams write the messages that are due together in one call, up to these.
constexpr std::size_t max_batch_messages = 1024;
constexpr std::size_t max_batch_bytes = 256 * 1024;
// Timed, events applied between two looks at the clock and the sockets.
constexpr std::size_t apply_per_turn = 32;
// Untimed, messages read for an open connection wait at most this long for more to join them.
constexpr std::int64_t gather_ns = 10'000'000;

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
  // A connection closing goes after the sends due at the same time: ten thousand closes take a
  // while, and the message due when the capture's time ends must not wait for them.
  bool closing = false;
  bool operator>(const Timer& o) const { return at != o.at ? at > o.at : closing > o.closing; }
};

}  // namespace

std::uint64_t ReplayStats::error_count() const {
  std::uint64_t n = 0;
  for (const auto& [code, count] : errors) n += count;
  return n;
}

// An event as the reader hands it over: a message's bytes are in its batch's arena, so that a
// message costs the reader no allocation of its own and the engine no free of the reader's
// memory (two threads allocating and freeing each other's small blocks contend for the
// allocator's lock).
struct FedEvent {
  std::uint64_t stream = 0;
  std::int64_t due_ns = 0;
  std::uint32_t at = 0;    // message: offset of its bytes in the arena; open: index of its plan
  std::uint32_t size = 0;  // message: its length
  ScheduledEvent::Kind kind = ScheduledEvent::Kind::message;
  bool restamped = false;
};
static_assert(sizeof(FedEvent) <= 32, "the read-ahead charge counts 32 bytes an event");
struct FedBatch {
  std::string arena;
  std::vector<FedEvent> events;
  std::vector<std::shared_ptr<const StreamPlan>> plans;
  std::string_view bytes(const FedEvent& e) const { return {arena.data() + e.at, e.size}; }
  const StreamPlan& plan(const FedEvent& e) const { return *plans[e.at]; }
  void add(ScheduledEvent& e) {
    FedEvent f;
    f.kind = e.kind;
    f.restamped = e.restamped;
    f.stream = e.stream;
    f.due_ns = e.due_ns;
    if (e.kind == ScheduledEvent::Kind::message) {
      f.at = static_cast<std::uint32_t>(arena.size());
      f.size = static_cast<std::uint32_t>(e.bytes.size());
      arena += e.bytes;
    } else if (e.kind == ScheduledEvent::Kind::open) {
      f.at = static_cast<std::uint32_t>(plans.size());
      plans.push_back(std::move(e.plan));
    }
    events.push_back(f);
  }
  void clear() {
    arena.clear();
    events.clear();
    plans.clear();
  }
};

// The reader thread: pulls the schedule's events from the input into batches the engine takes,
// staying within the read-ahead budget (bytes of messages read and not yet sent) and, for timed
// replays, the read-ahead time. The engine wakes it when it has sent enough, or when every open
// connection has run out of messages (then the budget yields: the input must be read further
// for anything to move, as when connections wait for a free slot).
class Replayer::Feed {
 public:
  Feed(Scheduler& schedule, EventLoop& loop, const ReplayOptions& options)
      : schedule_(schedule), loop_(loop), budget_(std::max<std::size_t>(options.read_ahead_bytes, 64 * 1024)),
        horizon_ns_(options.read_ahead_ns) {}
  ~Feed() { stop(); }

  // Charged for a message held: its bytes and its bookkeeping.
  // (The engine holds a message's bytes and a 16-byte entry, in a buffer grown by a quarter; the
  // reader's batch, until the engine has copied it, its bytes and a 32-byte event.)
  static std::size_t charge(std::size_t bytes) { return bytes + 64; }

  // Before the clock starts, in the calling thread: the first batch, as the reader would read
  // it at the start. True when that was the whole input.
  bool prime(std::deque<FedBatch>& out) {
    const bool timed = schedule_.timed();
    std::size_t added = 0;
    ScheduledEvent e;
    FedBatch batch;
    for (;;) {
      const ScheduledEvent* next = schedule_.peek();
      if (!next) break;
      if (timed ? next->due_ns > horizon_ns_ + horizon_ns_ / 2 : added >= budget_ / 4) break;
      schedule_.next(e);
      if (e.kind == ScheduledEvent::Kind::message) added += charge(e.bytes.size());
      batch.add(e);
    }
    if (!batch.events.empty()) out.push_back(std::move(batch));
    held_.fetch_add(added, std::memory_order_relaxed);
    peak_ = std::max(peak_, added);
    return schedule_.peek() == nullptr;
  }

  void start(std::int64_t start_steady_ns) {
    start_ = start_steady_ns;
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // The events read so far (appended to `out`); true once the input is read to its end and
  // every event has been taken.
  // `spent`: batches the engine has applied, handed back so that their room is used again.
  bool take(std::deque<FedBatch>& out, std::vector<FedBatch>& spent) {
    std::lock_guard lock(mutex_);
    starving_ = false;  // until the engine says so again, after this take
    for (auto& batch : ready_) out.push_back(std::move(batch));
    ready_.clear();
    for (auto& batch : spent)
      if (spare_.size() < max_spare) spare_.push_back(std::move(batch));
    spent.clear();
    return finished_;
  }
  // Messages held by the engine left it (sent or dropped): `bytes` of charge freed.
  void released(std::size_t bytes) {
    const std::size_t held = held_.fetch_sub(bytes, std::memory_order_relaxed) - bytes;
    if (waiting_.load(std::memory_order_relaxed) && held < budget_ / 2) poke();
  }
  // Said after each take: true when nothing can move unless more is read.
  void starving(bool yes) {
    if (!yes && !said_starving_) return;  // nothing to take back: no lock on the sending path
    std::lock_guard lock(mutex_);
    said_starving_ = starving_ = yes;
    // The reader needs waking only when the budget holds it.
    if (yes && waiting_.load(std::memory_order_relaxed) && held_.load(std::memory_order_relaxed) >= budget_)
      cv_.notify_one();
  }
  std::size_t peak() const { return peak_; }
  std::size_t held() const { return held_.load(std::memory_order_relaxed); }
  std::size_t budget() const { return budget_; }

 private:
  // A batch ends at this many events or a sixteenth of the budget (batches given back keep
  // their room for the next ones).
  static constexpr std::size_t batch_events = 65536;

 public:
  static constexpr std::size_t max_spare = 2;  // applied batches kept for their room

 private:

  void poke() {
    std::lock_guard lock(mutex_);
    cv_.notify_one();
  }
  std::int64_t now_due() const { return steady_ns() - start_; }
  // Under mutex_: the engine said it is starving and has taken every batch since.
  bool stuck() const { return starving_ && ready_.empty(); }

  void run() {
    const bool timed = schedule_.timed();
    // Timed, the reader has seconds in hand: it runs only when a CPU has nothing else to do
    // (SCHED_IDLE), so that it never delays the thread that sends on time.
    if (timed) {
      sched_param none{};
      ::pthread_setschedparam(::pthread_self(), SCHED_IDLE, &none);
    }
    FedBatch batch;
    bool over = false;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        waiting_.store(true, std::memory_order_relaxed);
        cv_.wait(lock, [&] { return stopping_ || held_.load(std::memory_order_relaxed) < budget_ || stuck(); });
        waiting_.store(false, std::memory_order_relaxed);
        if (stopping_) break;
        // Over the budget, an engine that has taken everything and still cannot move gets one
        // batch for each time it says so.
        over = held_.load(std::memory_order_relaxed) >= budget_ && stuck();
        if (over) starving_ = false;
      }
      const ScheduledEvent* head = schedule_.peek();
      if (!head) break;
      if (timed && head->due_ns > now_due() + horizon_ns_) {
        // Not due for a while: sleep until it comes within reach (or the engine needs more).
        std::unique_lock lock(mutex_);
        const auto wait = std::chrono::nanoseconds(head->due_ns - horizon_ns_ - now_due());
        cv_.wait_for(lock, std::max(wait, std::chrono::nanoseconds(0)), [&] { return stopping_; });
        continue;
      }
      batch.clear();
      std::size_t added = 0;
      ScheduledEvent e;
      while (batch.events.size() < batch_events && added < budget_ / 16 &&
             (over || held_.load(std::memory_order_relaxed) + added < budget_)) {
        const ScheduledEvent* next = schedule_.peek();
        // Timed, a wake-up reads half the horizon further than it must, so that the reader
        // wakes about once a second rather than for every message coming within reach.
        if (!next || (timed && next->due_ns > now_due() + horizon_ns_ + horizon_ns_ / 2)) break;
        schedule_.next(e);
        if (e.kind == ScheduledEvent::Kind::message) added += charge(e.bytes.size());
        batch.add(e);
      }
      if (batch.events.empty()) continue;
      const std::size_t held = held_.fetch_add(added, std::memory_order_relaxed) + added;
      peak_ = std::max(peak_, held);
      {
        std::lock_guard lock(mutex_);
        ready_.push_back(std::move(batch));
        batch = FedBatch();
        if (!spare_.empty()) {  // the room of a batch the engine is done with
          batch = std::move(spare_.back());
          spare_.pop_back();
          batch.clear();
        }
      }
      loop_.wake();
    }
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
    }
    loop_.wake();
  }

  Scheduler& schedule_;
  EventLoop& loop_;
  const std::size_t budget_;
  const std::int64_t horizon_ns_;
  std::int64_t start_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<FedBatch> ready_;  // batches read, not yet taken
  std::vector<FedBatch> spare_;  // applied batches given back, their room kept
  bool finished_ = false, stopping_ = false;
  std::atomic<std::size_t> held_{0};
  std::atomic<bool> waiting_{false};
  bool starving_ = false;        // under mutex_
  bool said_starving_ = false;   // the engine's last word (engine thread)
  std::size_t peak_ = 0;  // reader thread only
};

struct Replayer::Stream {
  enum class State { waiting, connecting, open, draining, backoff };
  StreamPlan plan;
  State state = State::waiting;
  std::int64_t open_ns = 0;
  MessageQueue queue;                  // read, not yet sent
  std::size_t sent = 0;                // messages sent: the index of the front of the queue
  bool ended = false;                  // the input holds no more messages for it
  bool ripe = false;                   // in Engine::ripe
  bool corked = false;                 // written with MSG_MORE since its last push (Engine::corked)
  std::int64_t close_ns = 0;           // once ended: when to close, after the last message
  Connection socket;        // the one connection type of the live endpoints (its own queue unused:
                            // a stream writes its scheduled messages from `queue`)
  std::size_t written = 0;  // bytes of queue.front() the kernel has taken
  bool want_write = false;
  bool ever_connected = false;
  std::int64_t deadline = never;  // connect timeout, end of linger, end of backoff
  std::int64_t wake_at = never;   // the timer that counts (older heap entries are stale)
  unsigned failures = 0;          // consecutive, reset by a delivered message
  std::string local, remote;
  std::unique_ptr<decode::StreamDecoder> replies;

  bool tcp() const { return plan.transport == net::Transport::tcp; }
  bool launched() const { return state != State::waiting; }
};

struct Replayer::Engine {
  Engine(Scheduler& s, ReplayOptions o, gotop::Parser& p, output::RecordSink& r, SendObserver* obs)
      : schedule(s),
        options(std::move(o)),
        parser(p),
        records(r),
        sent(obs),
        remote_text(options.target.to_string()),
        coalesce(!s.timed()),
        feed(s, loop, options) {}

  Scheduler& schedule;
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
  Feed feed;
  bool input_done = false;
  ReplayStats stats;
  // Every stream read and not finished: waiting to open, or launched.
  std::unordered_map<std::uint64_t, std::unique_ptr<Stream>> streams;
  std::size_t launched = 0;
  // Streams waiting to open, earliest due first.
  struct Waiting {
    std::int64_t open_ns;
    std::uint64_t id;
    bool operator>(const Waiting& o) const { return open_ns != o.open_ns ? open_ns > o.open_ns : id > o.id; }
  };
  std::priority_queue<Waiting, std::vector<Waiting>, std::greater<>> waiting;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
  std::unordered_set<std::string> devices;
  std::int64_t start = 0, start_unix = 0;
  std::size_t active_held = 0;  // charge of the messages queued on launched streams
  std::uint64_t opened_ahead = 0;
  bool said_short = false;  // --connect-ahead: streams 1..this were made before the clock
  std::deque<FedBatch> batches;  // taken from the reader; the first `applied` events of the first are applied
  std::size_t applied = 0;
  std::vector<FedBatch> spent;   // applied, to give back to the reader
  bool reader_done = false;
  std::vector<std::uint64_t> stirred;  // streams given something to do by the events just taken
  std::vector<std::uint64_t> ripe;     // untimed: open streams gathering messages before a write
  std::vector<std::uint64_t> corked;   // untimed: streams whose last bytes the kernel may hold
  std::int64_t last_flush = 0;
  std::array<char, 65536> buffer{};

  std::int64_t to_unix(std::int64_t steady) const { return start_unix + (steady - start); }

  void arm(Stream& s, std::int64_t at, bool closing = false) {
    s.wake_at = at;
    timers.push({at, s.plan.id, closing});
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

  // ---- what the reader read ----

  void add_stream(std::uint64_t id, std::int64_t open_ns, const StreamPlan& plan) {
    if (id <= opened_ahead || streams.count(id)) return;  // opened ahead (--connect-ahead)
    auto s = std::make_unique<Stream>();
    s->plan = plan;
    s->open_ns = open_ns;
    s->remote = remote_text;
    if (s->plan.pass + 1 > stats.passes) stats.passes = s->plan.pass + 1;
    waiting.push({s->open_ns, s->plan.id});
    streams.emplace(id, std::move(s));
  }

  void apply(const FedEvent& e, const FedBatch& batch) {
    if (e.kind == ScheduledEvent::Kind::open) {
      add_stream(e.stream, e.due_ns, batch.plan(e));
      return;
    }
    const auto it = streams.find(e.stream);
    if (it == streams.end()) {  // it gave up
      if (e.kind == ScheduledEvent::Kind::message) {
        ++stats.unsent;
        feed.released(Feed::charge(e.size));
      }
      return;
    }
    Stream& s = *it->second;
    const bool idle = s.queue.empty() && s.state == Stream::State::open && !s.want_write && !preparing;
    if (idle) stirred.push_back(s.plan.id);
    if (e.kind == ScheduledEvent::Kind::message) {
      if (e.restamped) ++stats.restamped;
      if (s.launched()) active_held += Feed::charge(e.size);
      s.queue.push_back(e.due_ns, batch.bytes(e));
    } else {
      s.ended = true;
      s.close_ns = e.due_ns;
    }
  }

  // Applies up to `limit` events of the batches taken; the batches applied whole are given back.
  void apply_batches(std::size_t limit) {
    while (!batches.empty() && limit > 0) {
      FedBatch& b = batches.front();
      const std::size_t until = std::min(b.events.size(), applied + limit);
      limit -= until - applied;
      for (; applied < until; ++applied) apply(b.events[applied], b);
      if (applied < b.events.size()) break;
      // Its bytes are in the streams' queues now: its room goes back at once (a few batches are
      // kept for the reader to fill again), so that the read-ahead is not held twice.
      if (spent.size() < Feed::max_spare) spent.push_back(std::move(b));
      batches.pop_front();
      applied = 0;
    }
  }

  // Applies what the reader read; the open streams that had nothing to send and now have
  // move on once every event is in (a stream's messages then leave together).
  void take_events(std::int64_t now) {
    stirred.clear();
    const std::size_t before = batches.size();
    reader_done = feed.take(batches, spent);
    const bool fresh = batches.size() > before;
    // Timed, a few hundred events at a time, between the sends that are due: the reader hands
    // seconds of them at once, and applying them all would make the next sends late.
    apply_batches(coalesce ? std::numeric_limits<std::size_t>::max() : apply_per_turn);
    input_done = reader_done && batches.empty();
    for (const std::uint64_t id : stirred) {
      const auto it = streams.find(id);
      if (it == streams.end() || it->second->state != Stream::State::open) continue;
      Stream& s = *it->second;
      // Untimed, a device's messages are let gather while the reader has room, so that they
      // leave in one write; timed, each goes when due.
      if (!coalesce || s.ended || s.queue.size() >= max_batch_messages) {
        advance(s, now);
      } else if (!s.ripe) {
        s.ripe = true;
        ripe.push_back(id);
      }
    }
    // They leave when the reader has filled three quarters of its room, has finished, or has
    // nothing new (the input is slow: a pipe) after a short wait.
    const bool quiet = !fresh && now - last_flush >= gather_ns;
    if (!ripe.empty() && (input_done || feed.held() >= feed.budget() / 4 * 3 || quiet)) flush_ripe(now);
    // An input that pauses (a pipe) must not leave bytes in the kernel: they are pushed out.
    if (!corked.empty() && (input_done || quiet)) uncork();
    if (ripe.empty() && corked.empty()) last_flush = now;
  }

  // Sends whatever the kernel holds back for MSG_MORE: setting TCP_NODELAY pushes it.
  void uncork() {
    for (const std::uint64_t id : corked) {
      const auto it = streams.find(id);
      if (it == streams.end()) continue;
      Stream& s = *it->second;
      s.corked = false;
      if (!s.socket.open()) continue;
      const int one = 1;
      ::setsockopt(s.socket.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    corked.clear();
  }

  void flush_ripe(std::int64_t now) {
    last_flush = now;
    for (const std::uint64_t id : ripe) {
      const auto it = streams.find(id);
      if (it == streams.end()) continue;
      Stream& s = *it->second;
      s.ripe = false;
      if (s.state == Stream::State::open && !s.want_write) advance(s, now);
    }
    ripe.clear();
  }

  // The reader may go past its budget only when nothing else can move: no open connection holds
  // a message and no waiting device may connect.
  void tell_feed() {
    const bool may_launch = !waiting.empty() && launched < options.max_connections;
    feed.starving(active_held == 0 && !may_launch);
  }

  void launch_due(std::int64_t now) {
    while (!waiting.empty()) {
      const Waiting w = waiting.top();
      if (start + w.open_ns > now) return;
      if (launched >= options.max_connections) {
        if (options.on_connections_short && !said_short) {
          said_short = true;
          options.on_connections_short(opened_ahead);
        }
        return;
      }
      waiting.pop();
      const auto it = streams.find(w.id);
      if (it == streams.end() || it->second->launched()) continue;
      Stream& s = *it->second;
      s.state = Stream::State::connecting;
      ++launched;
      active_held += queue_charge(s.queue);
      ++stats.streams;
      devices.insert(s.plan.imei.empty() ? fmt::format("#{}", s.plan.id) : s.plan.imei);
      open_socket(s, now);
    }
  }

  // ---- connection life ----

  void open_socket(Stream& s, std::int64_t now) {
    const int type = s.tcp() ? SOCK_STREAM : SOCK_DGRAM;
    s.socket.adopt(::socket(options.target.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!s.socket.open()) {
      fail(s, errno, now);
      return;
    }
    if (s.tcp()) {
      const int one = 1;
      ::setsockopt(s.socket.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // one segment per message, as devices send
    }
    s.state = Stream::State::connecting;
    if (::connect(s.socket.fd(), options.target.get(), options.target.length) == 0) {
      loop.add(s.socket.fd(), s.plan.id, true, false);
      established(s, now);
      return;
    }
    if (errno != EINPROGRESS) {
      fail(s, errno, now);
      return;
    }
    loop.add(s.socket.fd(), s.plan.id, false, true);
    s.want_write = true;
    s.deadline = now + options.connect_timeout_ns;
    arm(s, s.deadline);
  }

  void established(Stream& s, std::int64_t now) {
    s.state = Stream::State::open;
    ++stats.connections;
    if (s.ever_connected) ++stats.reconnects;
    s.ever_connected = true;
    s.local = local_address(s.socket.fd()).to_string();
    set_write_interest(s, false);
    if (!preparing) advance(s, now);
  }

  void set_write_interest(Stream& s, bool want) {
    if (s.want_write == want) return;
    s.want_write = want;
    loop.modify(s.socket.fd(), s.plan.id, true, want);
  }

  void close_socket(Stream& s) {
    if (!s.socket.open()) return;
    if (s.replies) {
      auto ctx = context(s, true);
      count_replies(s, [&] { s.replies->finish(ctx); });
      s.replies.reset();
    }
    loop.remove(s.socket.fd());
    s.socket.close();
    s.want_write = false;
  }

  // The stream's messages not sent are dropped (counted unsent) and it is forgotten.
  void forget(Stream& s) {
    const std::size_t charge = queue_charge(s.queue);
    stats.unsent += s.queue.size();
    if (s.launched()) {
      active_held -= charge;
      --launched;
    }
    if (charge) feed.released(charge);
    streams.erase(s.plan.id);  // s is gone
  }

  void finish(Stream& s) {
    close_socket(s);
    forget(s);
  }

  std::string describe(const Stream& s, std::string_view code, int err) const {
    const std::string device = s.plan.imei.empty() ? fmt::format("stream {}", s.plan.id) : "device " + s.plan.imei;
    // The stream's total is known once the input has ended it.
    const std::string where =
        s.ended ? fmt::format("{} ({} connection {}, {} of {} messages sent)", device, net::to_string(s.plan.transport),
                              s.plan.id, s.sent, s.sent + s.queue.size())
                : fmt::format("{} ({} connection {}, {} messages sent, {} more read)", device,
                              net::to_string(s.plan.transport), s.plan.id, s.sent, s.queue.size());
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

  static std::size_t queue_charge(const MessageQueue& q) { return q.bytes() + Feed::charge(0) * q.size(); }

  bool more_to_send(const Stream& s) const { return !s.queue.empty() || !s.ended; }

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
    if (more_to_send(s) && options.reconnect && s.failures < options.max_retries) {
      const std::int64_t delay =
          std::min(options.backoff_max_ns, options.backoff_first_ns << std::min<unsigned>(s.failures, 30));
      ++s.failures;
      s.state = Stream::State::backoff;
      s.deadline = now + delay;
      arm(s, s.deadline);
      return;
    }
    forget(s);
  }

  // Sends what is due, then closes once the input ended it and its close time has come. May end
  // the stream.
  void advance(Stream& s, std::int64_t now) {
    while (!s.queue.empty()) {
      const std::int64_t due = s.queue.due(0);
      if (start + due > now && s.written == 0) {
        arm(s, start + due);
        return;
      }
      if (!write_current(s, now)) return;
    }
    if (!s.ended) return;  // more will be read
    const std::int64_t close_at = start + s.close_ns;
    if (close_at > now) {
      arm(s, close_at, true);
      return;
    }
    begin_drain(s, now);
  }

  // Writes the current message, and when untimed the TCP messages due after it too, in one call;
  // false when the socket is full or the stream failed (and may be gone).
  bool write_current(Stream& s, std::int64_t now) {
    // The queue holds its messages' bytes one after the other: those that leave together are
    // one range.
    std::size_t count = 0, total = 0;
    const bool batch = coalesce && s.tcp();
    for (std::size_t i = 0; i < s.queue.size() && count < max_batch_messages; ++i) {
      if (i > 0 && (!batch || total >= max_batch_bytes || start + s.queue.due(i) > now)) break;
      total += s.queue.length(i) - (i == 0 ? s.written : 0);
      ++count;
    }
    const char* from = s.queue.data() + s.written;
    // Untimed, while the input has more for this connection, the kernel may hold the bytes
    // back to fill a segment (MSG_MORE): a write is then a copy, not a trip through the
    // receiver's stack. The last write of a connection, and its close, send what is held.
    const bool more = batch && !s.ended;
    const int flags = MSG_NOSIGNAL | (more ? MSG_MORE : 0);
    if (more && !s.corked) {
      s.corked = true;
      corked.push_back(s.plan.id);
    }
    ssize_t n = 0;
    do n = ::send(s.socket.fd(), from, total, flags);
    while (n < 0 && errno == EINTR);
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
      const std::size_t rest = s.queue.length(0) - s.written;
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
    const std::string_view bytes = s.queue.front();
    const std::int64_t due = s.queue.due(0);
    ++stats.messages;
    stats.bytes += bytes.size();
    if (stats.timed) stats.lateness.add(done - (start + due));
    stats.last_sent_ns = done - start;
    if (sent) {
      SentMessage msg;
      msg.stream = &s.plan;
      msg.bytes = bytes;
      msg.index = s.sent;
      msg.local = s.local;
      msg.remote = s.remote;
      msg.due_unix_ns = to_unix(start + due);
      msg.sent_unix_ns = to_unix(done);
      msg.timed = stats.timed;
      sent->on_sent(msg);
    }
    const std::size_t charge = Feed::charge(bytes.size());
    active_held -= charge;
    feed.released(charge);
    s.queue.pop_front();
    ++s.sent;
    s.written = 0;
    s.failures = 0;
  }

  void begin_drain(Stream& s, std::int64_t now) {
    if (s.tcp()) ::shutdown(s.socket.fd(), SHUT_WR);
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
      const ssize_t n = ::recv(s.socket.fd(), buffer.data(), buffer.size(), 0);
      if (n > 0) {
        const std::string_view bytes(buffer.data(), static_cast<std::size_t>(n));
        stats.reply_bytes += bytes.size();
        // A reply decoder for the connections the server answers (most are not answered).
        if (!s.replies)
          s.replies = std::make_unique<decode::StreamDecoder>(parser, records, options.max_frame, gotop::Direction::down);
        auto ctx = context(s, true);
        count_replies(s, [&] {
          s.replies->feed(bytes, ctx);
          if (!s.tcp()) s.replies->finish(ctx);  // a datagram is a whole unit
        });
        continue;
      }
      if (n == 0 && s.tcp()) {
        if (more_to_send(s)) {
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
      case Stream::State::waiting: return;
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
      auto it = streams.find(t.stream);
      if (it == streams.end() || it->second->wake_at != t.at) continue;  // stale
      it->second->wake_at = never;
      on_timer(*it->second, now);
    }
  }

  void on_io(Stream& s, const ReadyEvent& ev, std::int64_t now) {
    if (s.state == Stream::State::connecting) {
      if (!ev.writable && !ev.error) return;
      const int err = s.socket.connect_result();
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

  void handle(std::span<const ReadyEvent> ready, std::int64_t now) {
    for (const auto& ev : ready) {
      auto it = streams.find(ev.key);
      if (it != streams.end() && it->second->socket.open()) on_io(*it->second, ev, now);
    }
  }

  // Timed, the loop wakes this long before a send or an opening is due and polls until then: a
  // wake-up from epoll can take tens of microseconds (on virtual machines above all), a poll
  // does not. It costs at most this much of a core per due time.
  static constexpr std::int64_t early_wake_ns = 100'000;

  std::int64_t next_wake(std::int64_t now) const {
    std::int64_t due = never;
    if (!timers.empty()) due = timers.top().at;
    if (!waiting.empty() && launched < options.max_connections) due = std::min(due, start + waiting.top().open_ns);
    std::int64_t at = due;
    if (stats.timed && due != never) at = due - now <= early_wake_ns ? now : due - early_wake_ns;
    if (options.duration_ns > 0) at = std::min(at, start + options.duration_ns);
    if (!ripe.empty() || !corked.empty()) at = std::min(at, last_flush + gather_ns);
    if (!batches.empty()) at = now;  // more events to apply
    return at == never ? -1 : std::max<std::int64_t>(0, at - now);
  }

  void stop_everything() {
    feed.stop();
    feed.take(batches, spent);
    for (const FedBatch& b : batches) {
      for (; applied < b.events.size(); ++applied)
        if (b.events[applied].kind == ScheduledEvent::Kind::message) ++stats.unsent;
      applied = 0;
    }
    batches.clear();
    for (auto& [id, s] : streams) {
      stats.unsent += s->queue.size();
      close_socket(*s);
    }
    streams.clear();
  }

  // Before the clock starts, so that neither counts as sending time or lateness: the first
  // events are read (up to the read-ahead) and the connections due at the start among them
  // opened; with --connect-ahead, every connection of the first pass (up to --max-connections),
  // the input read once for it. Not the reading with --restamp, whose fix times depend on the
  // start.
  void prepare(const std::atomic<bool>& stop_requested) {
    start = steady_ns();
    start_unix = unix_ns();
    preparing = true;
    if (options.connect_ahead) {
      if (auto opens = schedule.first_pass_opens()) {
        for (auto& e : *opens) add_stream(e.stream, 0, *e.plan);
        opened_ahead = opens->empty() ? 0 : opens->back().stream;
      }
    }
    if (!schedule.options().restamp) {
      reader_done = feed.prime(batches);
      apply_batches(std::numeric_limits<std::size_t>::max());
    }
    launch_due(start);
    for (;;) {
      const std::int64_t now = steady_ns();
      run_timers(now);
      const bool connecting = std::any_of(streams.begin(), streams.end(), [](const auto& entry) {
        return entry.second->state == Stream::State::connecting;
      });
      if (!connecting || stop_requested.load()) break;
      const std::int64_t wake = timers.empty() ? -1 : std::max<std::int64_t>(0, timers.top().at - steady_ns());
      const auto ready = loop.wait(wake);
      handle(ready, steady_ns());
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
    schedule.set_start(start_unix);
    // The connections opened beforehand begin sending now, in the order they were read.
    std::vector<std::uint64_t> opened;
    for (const auto& [id, st] : streams)
      if (st->state == Stream::State::open) opened.push_back(id);
    std::sort(opened.begin(), opened.end());
    for (const std::uint64_t id : opened)
      if (auto it = streams.find(id); it != streams.end()) advance(*it->second, start);
    feed.start(start);
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
      take_events(now);
      run_timers(now);
      launch_due(steady_ns());
      tell_feed();
      if (input_done && streams.empty()) break;
      // The time left to the next due time, from the clock as it is now: opening connections
      // and sending take time, and a wait counted from the top of the loop would oversleep.
      const auto ready = loop.wait(next_wake(steady_ns()));
      handle(ready, steady_ns());
    }
    stop_everything();
    stats.devices = devices.size();
    stats.elapsed_ns = steady_ns() - start;
    stats.read_ahead_peak = feed.peak();
    return stats;
  }
};

Replayer::Replayer(Scheduler& schedule, ReplayOptions options, gotop::Parser& parser,
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

}  // namespace vt106::live
