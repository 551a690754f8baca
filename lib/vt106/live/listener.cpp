// The listener: a TCP and a UDP socket on one port, one decoder pair per connection or UDP peer,
// all on one epoll loop.
#include "vt106/live/listener.hpp"

#include "vt106/detect/detect.hpp"
#include "vt106/gotop/framer.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>

#include "vt106/decode/stream_decoder.hpp"
#include "vt106/live/address.hpp"
#include "vt106/live/event_loop.hpp"
#include "vt106/live/socket.hpp"
#include "vt106/util/text.hpp"

namespace vt106::live {

namespace {

constexpr std::uint64_t key_tcp_listener = 1;
constexpr std::uint64_t key_udp = 2;
constexpr std::uint64_t key_watched = 3;
constexpr std::uint64_t first_connection_key = 16;  // connection keys: flow id + this
constexpr int max_reads_per_event = 16;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
std::int64_t unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}



}  // namespace

FirstBytes looks_like_gotop(std::string_view first_bytes) {
  switch (gotop::classify_stream_start(first_bytes)) {
    case gotop::StreamStart::gotop: return FirstBytes::gotop;
    case gotop::StreamStart::other: return FirstBytes::foreign;
    case gotop::StreamStart::undecided: break;
  }
  // A connection is judged on its first chunk: a lone '#' or ':' there is taken as GOTOP.
  return util::trim(first_bytes).empty() ? FirstBytes::undecided : FirstBytes::gotop;
}

std::optional<std::pair<std::string, std::string>> parse_device_command(std::string_view text, char separator) {
  text = util::trim(text);
  std::size_t cut = separator == ' ' ? text.find_first_of(" \t") : text.find(separator);
  if (cut == std::string_view::npos) return std::nullopt;
  const std::string_view imei = util::trim(text.substr(0, cut)), frame = util::trim(text.substr(cut + 1));
  if (!util::all_digits(imei) || frame.empty()) return std::nullopt;
  return std::make_pair(std::string(imei), std::string(frame));
}

struct Listener::Impl {
  struct Connection {
    Connection(gotop::Parser& parser, output::RecordSink& sink, std::size_t max_frame)
        : up(parser, sink, max_frame, gotop::Direction::up), down(parser, sink, max_frame, gotop::Direction::down) {
      // Commands carry no identifier: their records name the device they went to, as decode's do.
      down.set_device_imei(&up.last_imei());
    }
    std::uint64_t flow = 0;
    bool tcp = true;
    live::Connection socket;  // TCP only; UDP peers share the UDP socket
    SocketAddress peer_address;
    std::string peer, local, name;
    decode::StreamDecoder up;    // what the device sends
    decode::StreamDecoder down;  // commands sent to it
    FirstBytes verdict = FirstBytes::undecided;
    std::string imei;
    bool want_write = false;
    std::int64_t last_rx = 0;
  };

  Impl(ListenOptions o, gotop::Parser& p, output::RecordSink& r) : options(std::move(o)), parser(p), records(r) {
    for (const auto& [imei, frame] : options.commands) commands.emplace(imei, frame);
    sweep_every_ns = std::clamp<std::int64_t>(options.idle_timeout_ns / 10, 10'000'000, 1'000'000'000);
  }
  ~Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  ListenOptions options;
  gotop::Parser& parser;
  output::RecordSink& records;
  std::multimap<std::string, std::string, std::less<>> commands;
  std::multimap<std::string, std::string, std::less<>> held;  // sent once, when the device connects
  EventLoop loop;
  Fd tcp_listener, udp_socket;
  SocketAddress tcp_bound, udp_bound;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections;  // by flow id
  std::unordered_map<std::string, std::uint64_t> udp_peers;                    // peer text → flow id
  std::unordered_map<std::string, std::uint64_t> device_connection;            // IMEI → flow id
  std::uint64_t next_flow = 1;
  std::function<void()> on_watched;
  int watched_fd = -1;
  bool limit_reported = false;  // UDP peers over the limit: one record until under it again
  bool accepting = true;        // false while out of file descriptors
  std::int64_t next_sweep = 0;
  std::int64_t sweep_every_ns = 1'000'000'000;
  ListenStats stats;
  std::array<char, 65536> buffer{};

  // ---- setup ----

  void bind_all() {
    BoundPair pair = bind_tcp_udp(options.bind_address, options.port);
    tcp_bound = pair.tcp_address;
    udp_bound = pair.udp_address;
    loop.add(pair.tcp.get(), key_tcp_listener, true, false);
    loop.add(pair.udp.get(), key_udp, true, false);
    tcp_listener = std::move(pair.tcp);
    udp_socket = std::move(pair.udp);
  }

  // ---- records ----

  output::RecordContext context(const Connection& c, bool from_device) const {
    output::RecordContext ctx;
    ctx.input = c.name;
    ctx.ts_ns = unix_ns();
    ctx.transport = c.tcp ? "tcp" : "udp";
    ctx.src = from_device ? std::string_view(c.peer) : std::string_view(c.local);
    ctx.dst = from_device ? std::string_view(c.local) : std::string_view(c.peer);
    ctx.flow = static_cast<std::uint32_t>(c.flow);
    return ctx;
  }

  void report(const output::RecordContext& ctx, std::string_view code, std::string message, std::string_view raw = {},
              std::string_view imei = {}) {
    output::ErrorRecord e;
    e.protocol = {};
    e.code = code;
    e.message = std::move(message);
    e.raw = raw;
    e.imei = imei;
    ++stats.errors;
    records.error(ctx, e);
  }

  template <class Work>
  void counted(decode::StreamDecoder& d, Work&& work) {
    const auto before = d.counters();
    work();
    const auto after = d.counters();
    stats.messages += after.messages - before.messages;
    stats.errors += after.errors - before.errors;
  }

  // ---- connections ----

  Connection& add_connection(bool tcp, const SocketAddress& peer, std::string local) {
    auto c = std::make_unique<Connection>(parser, records, options.max_frame);
    c->flow = next_flow++;
    c->tcp = tcp;
    c->peer_address = peer;
    c->peer = peer.to_string();
    c->local = std::move(local);
    c->name = fmt::format("listen: {} flow {} from {}", tcp ? "tcp" : "udp", c->flow, c->peer);
    c->last_rx = steady_ns();
    Connection& ref = *c;
    connections.emplace(ref.flow, std::move(c));
    return ref;
  }

  void close_connection(Connection& c, bool by_device = false) {
    if (options.wire && c.tcp) options.wire->closed(c.flow, by_device, unix_ns());
    auto up_ctx = context(c, true);
    counted(c.up, [&] { c.up.finish(up_ctx); });
    auto down_ctx = context(c, false);
    counted(c.down, [&] { c.down.finish(down_ctx); });
    if (auto it = device_connection.find(c.imei); it != device_connection.end() && it->second == c.flow)
      device_connection.erase(it);
    if (c.tcp) {
      loop.remove(c.socket.fd());
      c.socket.close();
      if (!accepting) {
        accepting = true;
        loop.modify(tcp_listener.get(), key_tcp_listener, true, false);
      }
    } else {
      udp_peers.erase(c.peer);
      limit_reported = false;  // room again: the next peer refused is reported
    }
    connections.erase(c.flow);  // c is gone
  }

  bool over_limit(const output::RecordContext& ctx, bool report_it) {
    if (connections.size() < options.max_connections) return false;
    ++stats.over_limit;
    if (report_it)
      report(ctx, listen_code::connection_limit,
             fmt::format("listen: {} {} from {} refused: {} connections are open (--max-connections)", ctx.transport,
                         ctx.transport == "tcp" ? "connection" : "datagram", ctx.src, connections.size()));
    return true;
  }

  void accept_all() {
    for (int i = 0; i < 64; ++i) {
      Accepted a = accept_connection(tcp_listener.get());
      if (a.status == Accepted::Status::out_of_descriptors) {
        output::RecordContext ctx;
        ctx.input = "listen";
        ctx.ts_ns = unix_ns();
        ctx.transport = "tcp";
        report(ctx, listen_code::connection_limit,
               fmt::format("listen: no file descriptor left for a new connection ({} open): accepting paused until "
                           "one closes", connections.size()));
        ++stats.over_limit;
        accepting = false;
        loop.modify(tcp_listener.get(), key_tcp_listener, false, false);
        return;
      }
      if (a.status == Accepted::Status::none) return;
      const std::string local = a.local.to_string();
      const std::string peer_text = a.peer.to_string();
      output::RecordContext ctx;
      ctx.input = "listen";
      ctx.ts_ns = unix_ns();
      ctx.transport = "tcp";
      ctx.src = peer_text;
      ctx.dst = local;
      if (over_limit(ctx, true)) continue;  // a.fd closes it
      Connection& c = add_connection(true, a.peer, local);
      const int fd = a.fd.get();
      c.socket.adopt(a.fd.release());
      if (options.wire) options.wire->opened(c.flow, true, a.peer.endpoint(), a.local.endpoint(), unix_ns());
      ++stats.tcp_connections;
      loop.add(fd, c.flow + first_connection_key, true, false);
    }
  }

  // The bytes a device sent; false when the connection was closed.
  bool received(Connection& c, std::string_view bytes, bool datagram) {
    stats.bytes += bytes.size();
    c.last_rx = steady_ns();
    if (stats.first_rx_ns == 0) stats.first_rx_ns = c.last_rx;
    auto ctx = context(c, true);
    if (c.verdict == FirstBytes::foreign) return true;  // UDP peers: ignored after the report
    if (c.verdict == FirstBytes::undecided) {
      c.verdict = looks_like_gotop(bytes);
      if (c.verdict == FirstBytes::foreign) {
        ++stats.foreign;
        // Named as decode names a flow in another protocol: one foreign record, with what the
        // detector of vt106 detect makes of the first bytes.
        detect::Hints hints;
        hints.transport = c.tcp ? detect::Transport::tcp : detect::Transport::udp;
        hints.server_port = util::parse_int<std::uint16_t>(std::string_view(c.local).substr(c.local.rfind(':') + 1)).value_or(0);
        const auto v = detect::detect({reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()}, {}, hints);
        ++stats.errors;
        records.foreign(ctx, v);
        if (c.tcp) {
          close_connection(c);
          return false;
        }
        return true;
      }
    }
    const std::uint64_t before = stats.messages;
    counted(c.up, [&] {
      c.up.feed(bytes, ctx);
      if (datagram) c.up.finish(ctx);
    });
    if (stats.messages != before) stats.last_message_ns = steady_ns();
    if (c.imei.empty() && !c.up.first_imei().empty()) device_identified(c);
    return true;
  }

  void device_identified(Connection& c) {
    c.imei = c.up.first_imei();
    stats.devices.insert(c.imei);
    device_connection[c.imei] = c.flow;
    const auto [from, to] = commands.equal_range(c.imei);
    for (auto it = from; it != to; ++it) queue_command(c, it->second);
    const auto [first, last] = held.equal_range(c.imei);
    for (auto it = first; it != last; ++it) queue_command(c, it->second);
    held.erase(first, last);
  }

  bool queue_command(Connection& c, std::string_view frame) {
    auto ctx = context(c, false);
    if (c.tcp) {
      if (c.socket.queued() + frame.size() > options.max_buffer) {
        ++stats.commands_not_sent;
        report(ctx, listen_code::buffer_limit,
               fmt::format("{}: the device has not read {} bytes of commands; '{}' not sent (--max-buffer {})", c.name,
                           c.socket.queued(), frame, options.max_buffer),
               frame, c.imei);
        return false;
      }
      c.socket.queue(frame);
      if (options.wire) options.wire->data(c.flow, false, frame, unix_ns());
      counted(c.down, [&] { c.down.feed(frame, ctx); });
      ++stats.commands_sent;
      flush_out(c);
      return true;
    }
    const ssize_t n = ::sendto(udp_socket.get(), frame.data(), frame.size(), MSG_NOSIGNAL, c.peer_address.get(),
                               c.peer_address.length);
    if (n != static_cast<ssize_t>(frame.size())) {
      ++stats.commands_not_sent;
      report(ctx, listen_code::buffer_limit,
             fmt::format("{}: '{}' not sent: {}", c.name, frame, n < 0 ? std::strerror(errno) : "datagram cut short"),
             frame, c.imei);
      return false;
    }
    if (options.wire) options.wire->data(c.flow, false, frame, unix_ns());
    counted(c.down, [&] {
      c.down.feed(frame, ctx);
      c.down.finish(ctx);
    });
    ++stats.commands_sent;
    return true;
  }

  // Writes queued commands. A connection that fails here is closed by its read side, which
  // sees the same error or the end of the stream: callers may go on using `c`.
  void flush_out(Connection& c) {
    c.socket.flush();  // a device gone away is seen by the read side
    const bool want = c.socket.queued() > 0;
    if (want != c.want_write) {
      c.want_write = want;
      loop.modify(c.socket.fd(), c.flow + first_connection_key, true, want);
    }
  }

  void read_tcp(Connection& c) {
    for (int i = 0; i < max_reads_per_event; ++i) {
      const ssize_t n = ::recv(c.socket.fd(), buffer.data(), buffer.size(), 0);
      if (n > 0) {
        if (options.wire) options.wire->data(c.flow, true, {buffer.data(), static_cast<std::size_t>(n)}, unix_ns());
        if (!received(c, std::string_view(buffer.data(), static_cast<std::size_t>(n)), false)) return;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      close_connection(c, true);  // end of stream or reset: open frames are reported as truncated
      return;
    }
  }

  void read_udp() {
    for (int i = 0; i < 64; ++i) {
      const auto d = receive_datagram(udp_socket.get(), buffer, udp_bound, stats.udp_dropped);
      if (!d) return;
      const std::string local = d->local.to_string();
      const std::string peer_text = d->peer.to_string();
      Connection* c = nullptr;
      if (auto it = udp_peers.find(peer_text); it != udp_peers.end()) {
        c = connections.at(it->second).get();
      } else {
        output::RecordContext ctx;
        ctx.input = "listen";
        ctx.ts_ns = unix_ns();
        ctx.transport = "udp";
        ctx.src = peer_text;
        ctx.dst = local;
        if (over_limit(ctx, !limit_reported)) {
          limit_reported = true;
          continue;
        }
        c = &add_connection(false, d->peer, local);
        udp_peers.emplace(peer_text, c->flow);
        ++stats.udp_peers;
        if (options.wire) options.wire->opened(c->flow, false, d->peer.endpoint(), d->local.endpoint(), unix_ns());
      }
      const std::string_view bytes(buffer.data(), d->size);
      if (options.wire) options.wire->data(c->flow, true, bytes, unix_ns());
      received(*c, bytes, true);
    }
  }

  void sweep_idle(std::int64_t now) {
    if (now < next_sweep) return;
    next_sweep = now + sweep_every_ns;
    std::vector<std::uint64_t> idle;
    for (const auto& [flow, c] : connections)
      if (now - c->last_rx >= options.idle_timeout_ns) idle.push_back(flow);
    for (const std::uint64_t flow : idle) {
      Connection& c = *connections.at(flow);
      if (c.tcp) {
        ++stats.idle_closed;
        report(context(c, true), listen_code::idle_timeout,
               fmt::format("{}: nothing received for {} s (--idle-timeout): connection closed", c.name,
                           static_cast<double>(options.idle_timeout_ns) / 1e9),
               {}, c.imei);
      }
      close_connection(c);  // a UDP peer is forgotten silently: there is no connection to close
    }
  }

  void poll(std::int64_t timeout_ns) {
    const std::int64_t now = steady_ns();
    const std::int64_t until_sweep = std::max<std::int64_t>(0, next_sweep - now);
    const std::int64_t wait = timeout_ns < 0 ? until_sweep : std::min(timeout_ns, until_sweep);
    for (const auto& ev : loop.wait(wait)) {
      if (ev.key == key_tcp_listener) {
        accept_all();
      } else if (ev.key == key_udp) {
        read_udp();
      } else if (ev.key == key_watched) {
        if (on_watched) on_watched();
      } else if (auto it = connections.find(ev.key - first_connection_key); it != connections.end()) {
        Connection& c = *it->second;
        if (ev.writable) flush_out(c);
        if (ev.readable) read_tcp(c);
      }
    }
    sweep_idle(steady_ns());
  }

  void finish() {
    std::vector<std::uint64_t> flows;
    for (const auto& [flow, c] : connections) flows.push_back(flow);
    std::sort(flows.begin(), flows.end());
    for (const auto flow : flows) close_connection(*connections.at(flow));
    // Commands held for devices that never connected: not sent, and said so.
    for (const auto& [imei, frame] : held) {
      ++stats.commands_not_sent;
      output::RecordContext ctx;
      ctx.input = "listen";
      ctx.ts_ns = unix_ns();
      report(ctx, listen_code::device_not_connected,
             fmt::format("listen: device {} did not connect; '{}' not sent", imei, frame), frame, imei);
    }
    held.clear();
  }
};

Listener::Listener(ListenOptions options, gotop::Parser& parser, output::RecordSink& records)
    : impl_(std::make_unique<Impl>(std::move(options), parser, records)) {
  impl_->bind_all();
  impl_->next_sweep = steady_ns() + impl_->sweep_every_ns;
}

Listener::~Listener() = default;

std::string Listener::tcp_address() const { return impl_->tcp_bound.to_string(); }
std::string Listener::udp_address() const { return impl_->udp_bound.to_string(); }
std::uint16_t Listener::port() const { return impl_->tcp_bound.endpoint().port; }

bool Listener::watch(int fd, std::function<void()> on_readable) {
  if (!impl_->loop.add(fd, key_watched, true, false)) return false;
  impl_->watched_fd = fd;
  impl_->on_watched = std::move(on_readable);
  return true;
}

void Listener::unwatch() {
  if (impl_->watched_fd < 0) return;
  impl_->loop.remove(impl_->watched_fd);
  impl_->watched_fd = -1;
  impl_->on_watched = nullptr;
}

void Listener::poll(std::int64_t timeout_ns) { impl_->poll(timeout_ns); }

bool Listener::send_command(std::string_view imei, std::string_view frame) {
  auto it = impl_->device_connection.find(std::string(imei));
  if (it == impl_->device_connection.end()) {
    ++impl_->stats.commands_not_sent;
    output::RecordContext ctx;
    ctx.input = "listen";
    ctx.ts_ns = unix_ns();
    impl_->report(ctx, listen_code::device_not_connected,
                  fmt::format("listen: device {} has no open connection; '{}' not sent", imei, frame), frame, imei);
    return false;
  }
  return impl_->queue_command(*impl_->connections.at(it->second), frame);
}

bool Listener::send_or_hold(std::string_view imei, std::string_view frame) {
  auto it = impl_->device_connection.find(std::string(imei));
  if (it != impl_->device_connection.end()) {
    impl_->queue_command(*impl_->connections.at(it->second), frame);
    return true;
  }
  impl_->held.emplace(std::string(imei), std::string(frame));
  return false;
}

void Listener::finish() { impl_->finish(); }
void Listener::wake() { impl_->loop.wake(); }
std::size_t Listener::open_connections() const { return impl_->connections.size(); }
const ListenStats& Listener::stats() const { return impl_->stats; }

}  // namespace vt106::live
