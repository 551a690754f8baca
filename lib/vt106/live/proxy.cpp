// The proxy: one epoll loop, a session per device connection (two connections: the device's and
// ours to the platform) or per UDP device address (the shared UDP socket and a connected UDP
// socket to the platform). Every byte is relayed as it comes and told to the flow observers with
// the device as the client and this proxy's address as the server, as a capture of the device's
// side would show it.
#include "vt106/live/proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <queue>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>

#include "vt106/decode/flow_decoder.hpp"
#include "vt106/detect/detect.hpp"
#include "vt106/live/event_loop.hpp"
#include "vt106/live/socket.hpp"
#include "vt106/live/splice.hpp"

namespace vt106::live {

namespace {

constexpr std::uint64_t key_tcp_listener = 1;
constexpr std::uint64_t key_udp = 2;
constexpr std::uint64_t key_watched = 3;
constexpr std::uint64_t first_session_key = 16;  // session id * 2 + side + this
constexpr int max_reads_per_event = 16;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
std::int64_t unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

}  // namespace

std::string proxy_header(ProxyHeader version, const net::Endpoint& device, const net::Endpoint& proxy_address) {
  const bool same = device.address.v6 == proxy_address.address.v6;
  const bool v6 = device.address.v6;
  if (version == ProxyHeader::v1) {
    if (!same) return "PROXY UNKNOWN\r\n";
    return fmt::format("PROXY {} {} {} {} {}\r\n", v6 ? "TCP6" : "TCP4", device.address.to_string(),
                       proxy_address.address.to_string(), device.port, proxy_address.port);
  }
  if (version != ProxyHeader::v2) return {};
  static constexpr std::array<unsigned char, 12> signature{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                          0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  std::string out(reinterpret_cast<const char*>(signature.data()), signature.size());
  if (!same) {
    out.push_back(static_cast<char>(0x20));  // version 2, LOCAL: the platform uses the connection's own addresses
    out.push_back(static_cast<char>(0x00));
    put16(out, 0);
    return out;
  }
  out.push_back(static_cast<char>(0x21));              // version 2, PROXY
  out.push_back(static_cast<char>(v6 ? 0x21 : 0x11));  // AF_INET6 / AF_INET, STREAM
  const std::size_t n = v6 ? 16 : 4;
  put16(out, static_cast<std::uint16_t>(2 * n + 4));
  out.append(reinterpret_cast<const char*>(device.address.bytes.data()), n);
  out.append(reinterpret_cast<const char*>(proxy_address.address.bytes.data()), n);
  put16(out, device.port);
  put16(out, proxy_address.port);
  return out;
}

struct Proxy::Impl {
  struct Session {
    std::uint64_t id = 0;
    bool tcp = true;
    net::FlowInfo info;
    SocketAddress device_address;
    std::string device_text, local_text;
    Connection device, platform;  // UDP: `platform` is the connected socket, `device` unused
    bool connecting = false;
    std::size_t upstream_index = 0;
    std::int64_t deadline = 0;
    bool device_eof = false, platform_eof = false;
    bool device_read = false, device_write = false, platform_read = false, platform_write = false;  // registered interest
    bool device_paused = false, platform_paused = false;
    Splicer splice;
    std::string imei;
    std::uint64_t messages_up = 0, messages_down = 0, injected = 0;
    std::string protocol = "gotop";
    std::int64_t last_activity = 0;  // steady clock
    bool udp_refused_reported = false;
  };

  // Records pass through here: messages are counted, a device's IMEI names its session.
  class Tap final : public output::RecordSink {
   public:
    Tap(Impl& impl, output::RecordSink& next) : impl_(impl), next_(next) {}
    void message(const output::RecordContext& ctx, const gotop::Message& m) override {
      ++impl_.stats.messages;
      impl_.stats.last_message_ns = steady_ns();
      if (ctx.flow) impl_.on_message(*ctx.flow, m);
      next_.message(ctx, m);
    }
    void error(const output::RecordContext& ctx, const output::ErrorRecord& e) override {
      ++impl_.stats.errors;
      next_.error(ctx, e);
    }
    void flow(const output::FlowSummary& f) override { next_.flow(f); }
    void foreign(const output::RecordContext& ctx, const detect::Verdict& v) override {
      ++impl_.stats.foreign;
      if (ctx.flow) {
        if (auto it = impl_.sessions.find(*ctx.flow); it != impl_.sessions.end()) it->second->protocol = v.protocol;
      }
      next_.foreign(ctx, v);
    }
    void flow_closed(std::uint32_t flow) override { next_.flow_closed(flow); }

   private:
    Impl& impl_;
    output::RecordSink& next_;
  };

  Impl(ProxyOptions o, gotop::Parser& p, output::RecordSink& r)
      : options(std::move(o)),
        parser(p),
        tap(*this, r),
        decoder(p, tap, "proxy", decoder_options(options)) {
    observers.push_back(&decoder);
    for (auto* obs : options.observers) observers.push_back(obs);
  }

  static decode::FlowDecoderOptions decoder_options(const ProxyOptions& o) {
    decode::FlowDecoderOptions d;
    d.max_frame = o.max_frame;
    d.flow_summaries = o.flow_records;
    return d;
  }

  ProxyOptions options;
  gotop::Parser& parser;
  Tap tap;
  decode::FlowDecoder decoder;
  std::vector<net::FlowObserver*> observers;
  EventLoop loop;
  Fd tcp_listener, udp_socket;
  SocketAddress tcp_bound, udp_bound;
  std::unordered_map<std::uint64_t, std::unique_ptr<Session>> sessions;
  std::unordered_map<std::string, std::uint64_t> udp_devices;  // device address text → session id
  std::unordered_map<std::string, std::uint64_t> device_session;  // IMEI → latest session id
  std::multimap<std::string, std::string, std::less<>> held;      // commands for devices not connected
  struct Deferred {
    std::uint64_t session;
    std::string imei, frame;
  };
  std::vector<Deferred> deferred;  // held commands released for a device just identified
  std::priority_queue<std::pair<std::int64_t, std::uint64_t>, std::vector<std::pair<std::int64_t, std::uint64_t>>,
                      std::greater<>>
      deadlines;  // (steady ns, session): connects that may time out
  std::vector<std::uint32_t> free_slots;
  std::uint32_t next_slot = 0;
  std::uint64_t next_id = 1;
  bool accepting = true;
  bool limit_reported = false;
  std::int64_t next_sweep = 0;
  std::function<void()> on_watched;
  int watched_fd = -1;
  ProxyStats stats;
  std::vector<ProxyDevice> devices;
  std::unordered_map<std::string, std::size_t> device_index;  // name → devices[i]
  std::array<char, 65536> buffer{};

  // ---- records ----

  output::RecordContext context(const Session& s, bool from_device) const {
    output::RecordContext ctx;
    ctx.input = "proxy";
    ctx.ts_ns = unix_ns();
    ctx.transport = s.tcp ? "tcp" : "udp";
    ctx.src = from_device ? std::string_view(s.device_text) : std::string_view(s.local_text);
    ctx.dst = from_device ? std::string_view(s.local_text) : std::string_view(s.device_text);
    ctx.flow = static_cast<std::uint32_t>(s.id);
    return ctx;
  }

  void report(const output::RecordContext& ctx, std::string_view code, std::string message, std::string_view imei = {},
              std::string_view raw = {}) {
    output::ErrorRecord e;
    e.protocol = {};
    e.code = code;
    e.message = std::move(message);
    e.imei = imei;
    e.raw = raw;
    tap.error(ctx, e);
  }

  std::string name_of(const Session& s) const {
    return s.imei.empty() ? fmt::format("{} {}", s.tcp ? "tcp" : "udp", s.device_text) : s.imei;
  }

  // ---- devices ----

  ProxyDevice& device_entry(const std::string& name) {
    auto [it, fresh] = device_index.emplace(name, devices.size());
    if (fresh) {
      devices.emplace_back();
      devices.back().name = name;
    }
    return devices[it->second];
  }

  void on_message(std::uint32_t flow, const gotop::Message& m) {
    auto it = sessions.find(flow);
    if (it == sessions.end()) return;
    Session& s = *it->second;
    if (m.dir == gotop::Direction::up) ++s.messages_up;
    else ++s.messages_down;
    if (s.imei.empty() && m.dir == gotop::Direction::up && !m.imei.empty()) identified(s, std::string(m.imei));
  }

  void identified(Session& s, std::string imei) {
    s.imei = std::move(imei);
    device_session[s.imei] = s.id;
    ProxyDevice& d = device_entry(s.imei);
    ++d.connections;
    d.last_close = "open";
    const auto [first, last] = held.equal_range(s.imei);
    // Sent once the bytes being told are passed on (never inside the observers' turn).
    for (auto h = first; h != last; ++h) deferred.push_back({s.id, s.imei, h->second});
    held.erase(first, last);
  }

  void run_deferred() {
    while (!deferred.empty()) {
      Deferred d = std::move(deferred.front());
      deferred.erase(deferred.begin());
      if (auto it = sessions.find(d.session); it != sessions.end()) inject(*it->second, d.frame);
      else held.emplace(std::move(d.imei), std::move(d.frame));  // gone already: for its next connection
    }
  }

  // ---- flow events ----

  void open_flow(Session& s, net::Transport transport, const SocketAddress& local) {
    s.info.id = s.id;
    if (free_slots.empty()) s.info.slot = next_slot++;
    else {
      s.info.slot = free_slots.back();
      free_slots.pop_back();
    }
    s.info.transport = transport;
    s.info.client = s.device_address.endpoint();
    s.info.server = local.endpoint();
    s.info.client_rule = net::ClientRule::syn;
    s.info.syn_seen = s.info.syn_ack_seen = transport == net::Transport::tcp;
    s.info.first_ts_ns = s.info.last_ts_ns = unix_ns();
    stats.most_at_once = std::max<std::uint64_t>(stats.most_at_once, sessions.size());
    s.device_text = s.info.client.to_string();
    s.local_text = s.info.server.to_string();
    s.last_activity = steady_ns();
    for (auto* o : observers) o->on_flow_open(s.info);
  }

  void told(Session& s, net::Side from, std::string_view bytes) {
    const std::int64_t ts = unix_ns();
    auto& side = s.info.sides[static_cast<std::size_t>(from)];
    ++side.packets;
    side.payload_bytes += bytes.size();
    s.info.last_ts_ns = ts;
    s.last_activity = steady_ns();
    if (s.tcp) {
      for (auto* o : observers) o->on_stream_data(s.info, from, bytes, ts);
    } else {
      for (auto* o : observers) o->on_datagram(s.info, from, bytes, ts);
    }
  }

  // Ends a session: both connections closed (with a reset when `reset`), the flow closed for the
  // observers, the device's summary updated.
  void end(Session& s, net::CloseReason reason, std::string_view how, bool reset = false) {
    if (s.tcp) {
      for (Connection* c : {&s.device, &s.platform}) {
        if (!c->open()) continue;
        loop.remove(c->fd());
        if (reset) c->reset_and_close();
        else {
          c->flush();
          c->close();
        }
      }
    } else if (s.platform.open()) {
      loop.remove(s.platform.fd());
      s.platform.close();
      udp_devices.erase(s.device_text);
      limit_reported = false;
    }
    const std::int64_t ts = unix_ns();
    for (auto* o : observers) o->on_flow_close(s.info, reason, ts);
    // Commands that never went out.
    std::string frame;
    while (s.splice.take_unsent(frame)) {
      ++stats.commands_not_sent;
      report(context(s, false), proxy_code::command_not_sent,
             fmt::format("proxy: {}: the connection ended before '{}' could be put between the platform's frames",
                         name_of(s), frame),
             s.imei, frame);
    }
    ProxyDevice& d = device_entry(name_of(s));
    if (s.imei.empty()) ++d.connections;
    d.messages_up += s.messages_up;
    d.messages_down += s.messages_down;
    d.bytes_up += s.info.side(net::Side::client).payload_bytes;
    d.bytes_down += s.info.side(net::Side::server).payload_bytes;
    d.commands_injected += s.injected;
    d.last_close = std::string(how);
    d.protocol = s.protocol;
    if (auto it = device_session.find(s.imei); it != device_session.end() && it->second == s.id) device_session.erase(it);
    free_slots.push_back(s.info.slot);
    if (!accepting && s.tcp) {
      accepting = true;
      loop.modify(tcp_listener.get(), key_tcp_listener, true, false);
    }
    const std::uint64_t id = s.id;  // not a reference into the node being erased
    sessions.erase(id);  // s is gone
  }

  // ---- interest ----

  void interest(Session& s) {
    if (!s.tcp) return;
    const bool dr = !s.device_eof && s.platform.queued() < options.max_buffer;
    const bool dw = s.device.queued() > 0;
    if (!dr && !s.device_eof && !s.device_paused) {
      s.device_paused = true;
      ++stats.paused;
    }
    if (dr) s.device_paused = false;
    if (s.device.open() && (dr != s.device_read || dw != s.device_write)) {
      s.device_read = dr;
      s.device_write = dw;
      loop.modify(s.device.fd(), key(s, 0), dr, dw);
    }
    if (!s.platform.open()) return;
    const bool pr = !s.connecting && !s.platform_eof && s.device.queued() < options.max_buffer;
    const bool pw = s.connecting || s.platform.queued() > 0;
    if (!pr && !s.connecting && !s.platform_eof && !s.platform_paused) {
      s.platform_paused = true;
      ++stats.paused;
    }
    if (pr) s.platform_paused = false;
    if (pr != s.platform_read || pw != s.platform_write) {
      s.platform_read = pr;
      s.platform_write = pw;
      loop.modify(s.platform.fd(), key(s, 1), pr, pw);
    }
  }

  static std::uint64_t key(const Session& s, int side) { return s.id * 2 + static_cast<std::uint64_t>(side) + first_session_key; }

  // ---- TCP ----

  bool over_limit(const output::RecordContext& ctx, bool report_it) {
    if (sessions.size() < options.max_connections) return false;
    ++stats.over_limit;
    if (report_it)
      report(ctx, proxy_code::connection_limit,
             fmt::format("proxy: {} {} from {} refused: {} device{} relayed already (--max-connections {})",
                         ctx.transport, ctx.transport == "tcp" ? "connection" : "datagram", ctx.src, sessions.size(),
                         sessions.size() == 1 ? " is" : "s are", options.max_connections));
    return true;
  }

  void accept_all() {
    for (int i = 0; i < 64; ++i) {
      Accepted a = accept_connection(tcp_listener.get());
      if (a.status == Accepted::Status::out_of_descriptors) {
        output::RecordContext ctx;
        ctx.input = "proxy";
        ctx.ts_ns = unix_ns();
        ctx.transport = "tcp";
        report(ctx, proxy_code::connection_limit,
               fmt::format("proxy: no file descriptor left for a new connection ({} devices connected): accepting "
                           "paused until one closes (raise ulimit -n)", sessions.size()));
        ++stats.over_limit;
        accepting = false;
        loop.modify(tcp_listener.get(), key_tcp_listener, false, false);
        return;
      }
      if (a.status == Accepted::Status::none) return;
      output::RecordContext ctx;
      const std::string peer_text = a.peer.to_string(), local_text = a.local.to_string();
      ctx.input = "proxy";
      ctx.ts_ns = unix_ns();
      ctx.transport = "tcp";
      ctx.src = peer_text;
      ctx.dst = local_text;
      if (over_limit(ctx, true)) continue;  // a.fd closes it
      auto owned = std::make_unique<Session>();
      Session& s = *owned;
      s.id = next_id++;
      s.tcp = true;
      s.device_address = a.peer;
      const int fd = a.fd.get();
      s.device.adopt(a.fd.release());
      sessions.emplace(s.id, std::move(owned));
      ++stats.tcp_connections;
      open_flow(s, net::Transport::tcp, a.local);
      if (options.header != ProxyHeader::none) s.platform.queue(proxy_header(options.header, s.info.client, s.info.server));
      loop.add(fd, key(s, 0), false, false);
      start_connect(s);
    }
  }

  void start_connect(Session& s) {
    while (s.upstream_index < options.upstream.size()) {
      const SocketAddress& to = options.upstream[s.upstream_index];
      const int fd = ::socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        upstream_failed(s, errno);
        return;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      s.platform.adopt(fd);
      s.platform_read = s.platform_write = false;
      loop.add(fd, key(s, 1), false, false);
      if (::connect(fd, to.get(), to.length) == 0 || errno == EINPROGRESS) {
        s.connecting = true;
        s.deadline = steady_ns() + options.connect_timeout_ns;
        deadlines.emplace(s.deadline, s.id);
        interest(s);
        return;
      }
      const int err = errno;
      loop.remove(fd);
      s.platform.close();
      if (++s.upstream_index >= options.upstream.size()) {
        upstream_failed(s, err);
        return;
      }
    }
  }

  void connected(Session& s) {
    const int err = s.platform.connect_result();
    if (err != 0) {
      loop.remove(s.platform.fd());
      s.platform.close();
      if (++s.upstream_index < options.upstream.size()) {
        start_connect(s);
        return;
      }
      upstream_failed(s, err);
      return;
    }
    s.connecting = false;
    if (s.device_eof) s.platform.shutdown_write_when_flushed();
    flush(s, 1);
  }

  // The platform cannot be reached: the device's connection is reset, as a refused connection
  // would have been, and a record says why.
  void upstream_failed(Session& s, int err) {
    ++stats.upstream_failures;
    const std::string_view code = err == ECONNREFUSED ? proxy_code::upstream_refused
                                  : err == ETIMEDOUT  ? proxy_code::upstream_timeout
                                                      : proxy_code::upstream_failed;
    const std::uint64_t undelivered = s.info.side(net::Side::client).payload_bytes;
    report(context(s, true), code,
           fmt::format("proxy: {}: the platform {} {}{}; the device's connection was reset{}", name_of(s),
                       options.upstream_text,
                       err == ECONNREFUSED ? "refused the connection"
                       : err == ETIMEDOUT  ? fmt::format("did not answer within {} s (--connect-timeout)",
                                                         static_cast<double>(options.connect_timeout_ns) / 1e9)
                                           : fmt::format("could not be reached: {}", error_text(err)),
                       "", undelivered > 0 ? fmt::format(" ({} bytes it sent were not delivered)", undelivered) : ""),
           s.imei);
    s.info.sides[static_cast<std::size_t>(net::Side::server)].rst = true;
    end(s, net::CloseReason::rst, fmt::format("upstream {}", error_text(err)), true);
  }

  void check_deadlines(std::int64_t now) {
    while (!deadlines.empty() && deadlines.top().first <= now) {
      const auto [when, id] = deadlines.top();
      deadlines.pop();
      auto it = sessions.find(id);
      if (it == sessions.end() || !it->second->connecting || it->second->deadline != when) continue;
      Session& s = *it->second;
      loop.remove(s.platform.fd());
      s.platform.close();
      if (++s.upstream_index < options.upstream.size()) start_connect(s);
      else upstream_failed(s, ETIMEDOUT);
    }
  }

  // Writes what waits toward a side (0 device, 1 platform); false when the session ended.
  bool flush(Session& s, int side) {
    Connection& c = side == 0 ? s.device : s.platform;
    if (!c.open() || (side == 1 && s.connecting)) {
      interest(s);
      return true;
    }
    if (c.flush() == Connection::Flush::failed) {
      // The side we wrote to is gone: what it was sent is lost; the other side is told by a reset.
      peer_reset(s, side == 0, c.error());
      return false;
    }
    return settle(s);
  }

  // After any change: closes the session when both sides have ended and everything was passed on.
  bool settle(Session& s) {
    if (s.device_eof && s.platform_eof && s.device.queued() == 0 && s.platform.queued() == 0) {
      const bool device_first = s.info.side(net::Side::client).fin_ts_ns <= s.info.side(net::Side::server).fin_ts_ns;
      end(s, net::CloseReason::fin, device_first ? "closed by the device" : "closed by the platform");
      return false;
    }
    interest(s);
    return true;
  }

  void peer_reset(Session& s, bool device, int err) {
    ++stats.resets;
    auto& side = s.info.sides[static_cast<std::size_t>(device ? net::Side::client : net::Side::server)];
    side.rst = true;
    side.rst_ts_ns = unix_ns();
    report(context(s, device), device ? proxy_code::device_reset : proxy_code::platform_reset,
           fmt::format("proxy: {}: the {} {} the connection; the {}'s connection was reset too", name_of(s),
                       device ? "device" : "platform", err == ECONNRESET ? "reset" : "broke (" + error_text(err) + ")",
                       device ? "platform" : "device"),
           s.imei);
    end(s, net::CloseReason::rst, device ? "reset by the device" : "reset by the platform", true);
  }

  void half_closed(Session& s, bool device) {
    auto& side = s.info.sides[static_cast<std::size_t>(device ? net::Side::client : net::Side::server)];
    side.fin = true;
    side.fin_ts_ns = unix_ns();
    if (device) {
      s.device_eof = true;
      if (!s.connecting) s.platform.shutdown_write_when_flushed();
    } else {
      s.platform_eof = true;
      s.device.shutdown_write_when_flushed();
    }
  }

  void read_device(Session& s) {
    for (int i = 0; i < max_reads_per_event && !s.device_eof; ++i) {
      if (s.platform.queued() >= options.max_buffer) break;  // paused: the platform is not reading
      const ssize_t n = ::recv(s.device.fd(), buffer.data(), buffer.size(), 0);
      if (n > 0) {
        const std::string_view bytes(buffer.data(), static_cast<std::size_t>(n));
        stats.bytes_up += bytes.size();
        if (stats.first_rx_ns == 0) stats.first_rx_ns = steady_ns();
        s.platform.queue(bytes);
        const std::uint64_t id = s.id;
        told(s, net::Side::client, bytes);
        if (!sessions.contains(id)) return;
        if (!flush(s, 1)) return;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0) {
        peer_reset(s, true, errno);
        return;
      }
      half_closed(s, true);
    }
    settle(s);
  }

  void read_platform(Session& s) {
    for (int i = 0; i < max_reads_per_event && !s.platform_eof; ++i) {
      if (s.device.queued() >= options.max_buffer) break;  // paused: the device is not reading
      const ssize_t n = ::recv(s.platform.fd(), buffer.data(), buffer.size(), 0);
      if (n > 0) {
        const std::string_view bytes(buffer.data(), static_cast<std::size_t>(n));
        stats.bytes_down += bytes.size();
        const std::uint64_t id = s.id;
        toward_device(s, [&](auto&& emit) { s.splice.platform(bytes, emit); });
        if (!sessions.contains(id)) return;
        if (!flush(s, 0)) return;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0) {
        peer_reset(s, false, errno);
        return;
      }
      half_closed(s, false);
    }
    settle(s);
  }

  // Runs the splicer with an emitter that queues each piece for the device and tells it.
  template <class Work>
  void toward_device(Session& s, Work&& work) {
    auto emit = [&](std::string_view piece, bool injected) {
      s.device.queue(piece);
      if (injected) {
        ++s.injected;
        ++stats.commands_injected;
      }
      told(s, net::Side::server, piece);
    };
    work(emit);
  }

  // ---- commands ----

  bool inject(Session& s, std::string_view frame) {
    if (!s.tcp) {
      const ssize_t n = ::sendto(udp_socket.get(), frame.data(), frame.size(), MSG_NOSIGNAL, s.device_address.get(),
                                 s.device_address.length);
      if (n != static_cast<ssize_t>(frame.size())) {
        ++stats.commands_not_sent;
        report(context(s, false), proxy_code::command_not_sent,
               fmt::format("proxy: {}: '{}' not sent: {}", name_of(s), frame, n < 0 ? error_text(errno) : "cut short"),
               s.imei, frame);
        return false;
      }
      ++s.injected;
      ++stats.commands_injected;
      told(s, net::Side::server, frame);
      return true;
    }
    if (s.device.queued() + frame.size() > options.max_buffer || !s.splice.add(std::string(frame))) {
      ++stats.commands_not_sent;
      report(context(s, false), proxy_code::command_not_sent,
             fmt::format("proxy: {}: the device is not reading ({} bytes wait for it); '{}' not sent", name_of(s),
                         s.device.queued(), frame),
             s.imei, frame);
      return false;
    }
    toward_device(s, [&](auto&& emit) { s.splice.release(emit); });
    flush(s, 0);
    return true;
  }

  // ---- UDP ----

  void read_udp() {
    for (int i = 0; i < 64; ++i) {
      const auto d = receive_datagram(udp_socket.get(), buffer, udp_bound, stats.udp_dropped);
      if (!d) return;
      const std::string peer_text = d->peer.to_string();
      const std::string_view bytes(buffer.data(), d->size);
      Session* s = nullptr;
      if (auto it = udp_devices.find(peer_text); it != udp_devices.end()) {
        s = sessions.at(it->second).get();
      } else {
        output::RecordContext ctx;
        const std::string local_text = d->local.to_string();
        ctx.input = "proxy";
        ctx.ts_ns = unix_ns();
        ctx.transport = "udp";
        ctx.src = peer_text;
        ctx.dst = local_text;
        if (over_limit(ctx, !limit_reported)) {
          limit_reported = true;
          continue;
        }
        s = open_udp(d->peer, d->local);
        if (s == nullptr) continue;
      }
      stats.bytes_up += bytes.size();
      if (stats.first_rx_ns == 0) stats.first_rx_ns = steady_ns();
      const std::uint64_t id = s->id;
      told(*s, net::Side::client, bytes);
      if (!sessions.contains(id)) continue;
      if (::send(s->platform.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0 && errno != ECONNREFUSED) {
        ++stats.udp_dropped;
        report(context(*s, true), proxy_code::udp_send_failed,
               fmt::format("proxy: {}: a datagram of {} bytes could not be passed to the platform: {}", name_of(*s),
                           bytes.size(), error_text(errno)),
               s->imei);
      }
    }
  }

  Session* open_udp(const SocketAddress& peer, const SocketAddress& local) {
    auto owned = std::make_unique<Session>();
    Session& s = *owned;
    s.id = next_id++;
    s.tcp = false;
    s.device_address = peer;
    const SocketAddress* to = options.upstream.empty() ? nullptr : &options.upstream.front();
    const int fd = to ? ::socket(to->family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
    sessions.emplace(s.id, std::move(owned));
    ++stats.udp_devices;
    open_flow(s, net::Transport::udp, local);
    udp_devices.emplace(s.device_text, s.id);
    if (fd < 0 || ::connect(fd, to->get(), to->length) != 0) {
      const int err = errno;
      if (fd >= 0) ::close(fd);
      upstream_failed(s, err);
      return nullptr;
    }
    s.platform.adopt(fd);
    loop.add(fd, key(s, 1), true, false);
    return &s;
  }

  void read_udp_platform(Session& s) {
    for (int i = 0; i < max_reads_per_event; ++i) {
      const ssize_t n = ::recv(s.platform.fd(), buffer.data(), buffer.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == ECONNREFUSED) {
        // The platform's host said nothing listens there (ICMP port unreachable).
        if (!s.udp_refused_reported) {
          s.udp_refused_reported = true;
          ++stats.upstream_failures;
          report(context(s, true), proxy_code::upstream_refused,
                 fmt::format("proxy: {}: the platform {} refused a datagram (port unreachable): nothing listens there "
                             "for UDP", name_of(s), options.upstream_text),
                 s.imei);
        }
        continue;
      }
      if (n < 0) return;
      const std::string_view bytes(buffer.data(), static_cast<std::size_t>(n));
      stats.bytes_down += bytes.size();
      const std::uint64_t id = s.id;
      told(s, net::Side::server, bytes);
      if (!sessions.contains(id)) return;
      ::sendto(udp_socket.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL, s.device_address.get(),
               s.device_address.length);
    }
  }

  void sweep(std::int64_t now) {
    if (now < next_sweep) return;
    next_sweep = now + std::clamp<std::int64_t>(options.udp_idle_ns / 10, 10'000'000, 1'000'000'000);
    std::vector<std::uint64_t> idle;
    for (const auto& [id, s] : sessions)
      if (!s->tcp && now - s->last_activity >= options.udp_idle_ns) idle.push_back(id);
    for (const auto id : idle) end(*sessions.at(id), net::CloseReason::idle_timeout, "idle (--udp-idle)");
  }

  // ---- the loop ----

  void poll(std::int64_t timeout_ns) {
    std::int64_t now = steady_ns();
    std::int64_t wait = std::max<std::int64_t>(0, next_sweep - now);
    if (!deadlines.empty()) wait = std::min(wait, std::max<std::int64_t>(0, deadlines.top().first - now));
    if (timeout_ns >= 0) wait = std::min(wait, timeout_ns);
    for (const auto& ev : loop.wait(wait)) {
      if (ev.key == key_tcp_listener) {
        accept_all();
      } else if (ev.key == key_udp) {
        read_udp();
      } else if (ev.key == key_watched) {
        if (on_watched) on_watched();
      } else {
        const std::uint64_t id = (ev.key - first_session_key) / 2;
        const bool platform_side = ((ev.key - first_session_key) & 1) != 0;
        auto it = sessions.find(id);
        if (it == sessions.end()) continue;
        Session& s = *it->second;
        if (!s.tcp) {
          if (platform_side) read_udp_platform(s);
          continue;
        }
        if (platform_side) {
          if (s.connecting) {
            if (ev.writable || ev.error) connected(s);
            continue;
          }
          if (ev.writable && !flush(s, 1)) continue;
          if (ev.readable) read_platform(s);
        } else {
          if (ev.writable && !flush(s, 0)) continue;
          if (ev.readable) read_device(s);
        }
      }
    }
    run_deferred();
    now = steady_ns();
    check_deadlines(now);
    sweep(now);
  }

  void finish() {
    run_deferred();
    std::vector<std::uint64_t> ids;
    for (const auto& [id, s] : sessions) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (const auto id : ids) end(*sessions.at(id), net::CloseReason::end_of_input, "open when the proxy stopped");
    for (const auto& [imei, frame] : held) {
      ++stats.commands_not_sent;
      output::RecordContext ctx;
      ctx.input = "proxy";
      ctx.ts_ns = unix_ns();
      report(ctx, proxy_code::command_not_sent, fmt::format("proxy: device {} did not connect; '{}' not sent", imei, frame),
             imei, frame);
    }
    held.clear();
  }
};

Proxy::Proxy(ProxyOptions options, gotop::Parser& parser, output::RecordSink& records)
    : impl_(std::make_unique<Impl>(std::move(options), parser, records)) {
  BoundPair pair = bind_tcp_udp(impl_->options.bind_address, impl_->options.port);
  impl_->tcp_bound = pair.tcp_address;
  impl_->udp_bound = pair.udp_address;
  impl_->loop.add(pair.tcp.get(), key_tcp_listener, true, false);
  impl_->loop.add(pair.udp.get(), key_udp, true, false);
  impl_->tcp_listener = std::move(pair.tcp);
  impl_->udp_socket = std::move(pair.udp);
  impl_->next_sweep = steady_ns();
}

Proxy::~Proxy() = default;

std::string Proxy::tcp_address() const { return impl_->tcp_bound.to_string(); }
std::uint16_t Proxy::port() const { return impl_->tcp_bound.endpoint().port; }

bool Proxy::watch(int fd, std::function<void()> on_readable) {
  if (!impl_->loop.add(fd, key_watched, true, false)) return false;
  impl_->watched_fd = fd;
  impl_->on_watched = std::move(on_readable);
  return true;
}

void Proxy::unwatch() {
  if (impl_->watched_fd < 0) return;
  impl_->loop.remove(impl_->watched_fd);
  impl_->watched_fd = -1;
  impl_->on_watched = nullptr;
}

void Proxy::poll(std::int64_t timeout_ns) { impl_->poll(timeout_ns); }

bool Proxy::send_or_hold(std::string_view imei, std::string_view frame) {
  if (auto it = impl_->device_session.find(std::string(imei)); it != impl_->device_session.end()) {
    impl_->inject(*impl_->sessions.at(it->second), frame);
    return true;
  }
  impl_->held.emplace(std::string(imei), std::string(frame));
  return false;
}

void Proxy::finish() { impl_->finish(); }
void Proxy::wake() { impl_->loop.wake(); }
std::size_t Proxy::open_connections() const { return impl_->sessions.size(); }
const ProxyStats& Proxy::stats() const { return impl_->stats; }
std::vector<ProxyDevice> Proxy::devices() const { return impl_->devices; }

}  // namespace vt106::live
