// vt106 listen: a stand-in platform on one port (TCP and UDP) that decodes what devices send,
// one NDJSON record per message as it arrives, and sends them commands.
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "live_commands.hpp"
#include "open_files.hpp"
#include "record_options.hpp"
#include "vt106/output/ndjson_sink.hpp"
#include "vt106/output/tee_sink.hpp"
#include "vt106/gotop/encoder.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/net/pcapng_writer.hpp"
#include "vt106/live/listener.hpp"
#include "vt106/util/text.hpp"

namespace vt106::cli {

namespace {

struct ListenOptions {
  std::uint16_t port = 8888;
  std::string bind = "::";
  std::size_t max_connections = 1024;
  std::size_t max_buffer = 256 * 1024;
  double idle_timeout_s = 300;
  std::vector<std::string> commands;
  std::string write_path;  // -w: a pcapng of what passed on the sockets
  std::string ndjson_path;  // --save-ndjson: every record
  std::uint64_t count = 0;
  double duration_s = 0;
  bool quiet = false;
  std::string password{gotop::default_password};  // commands typed on stdin
  RecordOptions records;
};

volatile std::sig_atomic_t listen_stop_requested = 0;
live::Listener* active_listener = nullptr;

extern "C" void on_listen_stop_signal(int) {
  listen_stop_requested = 1;
  if (active_listener) active_listener->wake();
}

// What passed on the sockets, as a capture: the listener's wire events into a pcapng file.
class PcapngWire final : public live::ListenWire {
 public:
  explicit PcapngWire(std::FILE* f) : writer_(f, "vt106 listen") {}
  void opened(std::uint64_t flow, bool tcp, const net::Endpoint& device, const net::Endpoint& local,
              std::int64_t unix_ns) override {
    flows_[flow] = {tcp, device, local};
    if (tcp) writer_.tcp_open(flow, device, local, unix_ns);
  }
  void data(std::uint64_t flow, bool from_device, std::string_view bytes, std::int64_t unix_ns) override {
    const auto it = flows_.find(flow);
    if (it == flows_.end()) return;
    const Flow& f = it->second;
    if (f.tcp) writer_.tcp_data(flow, from_device, bytes, unix_ns);
    else if (from_device) writer_.udp(f.device, f.local, bytes, unix_ns);
    else writer_.udp(f.local, f.device, bytes, unix_ns);
  }
  void closed(std::uint64_t flow, bool by_device, std::int64_t unix_ns) override {
    const auto it = flows_.find(flow);
    if (it == flows_.end()) return;
    if (it->second.tcp) writer_.tcp_close(flow, by_device, unix_ns);
    flows_.erase(it);
  }
  // Flushed after each turn of the loop, so that a reader of the file sees what came.
  void flush() { writer_.flush(); }
  bool finish() {
    writer_.flush();
    return writer_.ok();
  }

 private:
  struct Flow {
    bool tcp;
    net::Endpoint device, local;
  };
  net::PcapngWriter writer_;
  std::unordered_map<std::uint64_t, Flow> flows_;
};

int run_listen(const ListenOptions& o) {
  const auto popts = o.records.parse_options("listen");
  if (!popts) return exit_usage;
  live::ListenOptions lopts;
  lopts.bind_address = o.bind;
  lopts.port = o.port;
  lopts.max_connections = o.max_connections;
  lopts.max_frame = o.records.max_frame;
  lopts.max_buffer = o.max_buffer;
  lopts.idle_timeout_ns = static_cast<std::int64_t>(o.idle_timeout_s * 1e9);
  for (const auto& c : o.commands) {
    auto command = live::parse_device_command(c, '=');
    if (!command) {
      std::fprintf(stderr, "vt106 listen: --command '%s' is not IMEI=FRAME\n", c.c_str());
      return exit_usage;
    }
    lopts.commands.push_back(std::move(*command));
  }
  std::unique_ptr<std::FILE, FileCloser> saved;
  if (!o.ndjson_path.empty()) {
    saved.reset(std::fopen(o.ndjson_path.c_str(), "w"));
    if (!saved) {
      std::fprintf(stderr, "vt106 listen: --save-ndjson %s: cannot write: %s\n", o.ndjson_path.c_str(),
                   std::strerror(errno));
      return exit_input;
    }
  }
  std::unique_ptr<std::FILE, FileCloser> pcap_file;
  std::unique_ptr<PcapngWire> wire;
  if (!o.write_path.empty()) {
    pcap_file.reset(std::fopen(o.write_path.c_str(), "wb"));
    if (!pcap_file) {
      std::fprintf(stderr, "vt106 listen: -w %s: cannot write: %s\n", o.write_path.c_str(), std::strerror(errno));
      return exit_input;
    }
    wire = std::make_unique<PcapngWire>(pcap_file.get());
    lopts.wire = wire.get();
  }

  // Records are flushed after every turn of the loop: as they arrive, without a write per record.
  const auto out_owner = o.records.make_sink(stdout, /*flush_each=*/false);
  output::FormatSink& out = *out_owner;
  if (o.count > 0) out.limit_messages(o.count);
  std::unique_ptr<output::NdjsonSink> file_sink;
  std::unique_ptr<output::TeeSink> tee;
  output::RecordSink* sink = &out;
  if (saved) {
    file_sink = std::make_unique<output::NdjsonSink>(saved.get(), output::RecordFilter{}, false);
    tee = std::make_unique<output::TeeSink>(out, *file_sink);
    sink = tee.get();
  }
  gotop::Parser parser(*popts);
  const OpenFileLimit files = raise_open_file_limit();
  if (files.sockets() < o.max_connections)
    std::fprintf(stderr,
                 "vt106 listen: warning: the limit on open files is %zu (hard limit %zu): about %zu connections can "
                 "be accepted, not --max-connections %zu; later ones wait until one closes. Raise the limit "
                 "(ulimit -n, LimitNOFILE=) to accept them all\n",
                 files.soft, files.hard, files.sockets(), o.max_connections);
  ReplyTap tap(*sink);
  std::unique_ptr<live::Listener> listener;
  try {
    listener = std::make_unique<live::Listener>(lopts, parser, tap);
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "vt106 listen: %s\n", e.what());
    return exit_input;
  }

  active_listener = listener.get();
  struct sigaction sa {};
  sa.sa_handler = on_listen_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  CommandLines lines("vt106 listen", [&](std::string_view imei, std::string_view frame) { return listener->send_or_hold(imei, frame); },
                     [&] { listener->unwatch(); }, o.password);
  tap.attach(&lines);
  const bool reading_commands = stdin_usable() && listener->watch(STDIN_FILENO, [&] { lines.on_readable(); });
  if (!o.quiet)
    std::fprintf(stderr, "vt106 listen: listening on %s (tcp and udp)%s%s%s, Ctrl-C to stop\n",
                 listener->tcp_address().c_str(), reading_commands ? "; 'IMEI COMMAND' lines on stdin (as vt106 craft takes them) are sent" : "",
                 o.write_path.empty() ? "" : "; saving what passes to ", o.write_path.c_str());

  run_until_stopped(
      listen_stop_requested, o.duration_s, out, [&](std::int64_t timeout) { listener->poll(timeout); },
      [&] {
        out.flush();
        if (file_sink) file_sink->flush();
        if (wire) wire->flush();
      });
  active_listener = nullptr;
  listener->finish();
  out.finish();  // completes json arrays and maps
  if (file_sink) file_sink->flush();
  const int status = o.records.report_unmatched("listen", out);
  const auto& s = listener->stats();
  // How fast the traffic arrived and was decoded: from the first bytes to the last message.
  std::string pace;
  if (s.messages > 0 && s.last_message_ns > s.first_rx_ns) {
    const double seconds = static_cast<double>(s.last_message_ns - s.first_rx_ns) / 1e9;
    pace = fmt::format(" ({:.3f} s from the first byte to the last message, {:.0f} messages/s)", seconds,
                       static_cast<double>(s.messages) / seconds);
  }
  if (!o.quiet)
    std::fprintf(stderr,
                 "vt106 listen: %llu tcp connections, %llu udp peers, %llu messages from %zu devices%s, %llu errors "
                 "(%llu foreign, %llu idle, %llu over the limit), %llu commands sent, %llu not sent, "
                 "%llu datagrams dropped by the kernel%s%s\n",
                 static_cast<unsigned long long>(s.tcp_connections), static_cast<unsigned long long>(s.udp_peers),
                 static_cast<unsigned long long>(s.messages), s.devices.size(), pace.c_str(),
                 static_cast<unsigned long long>(s.errors), static_cast<unsigned long long>(s.foreign),
                 static_cast<unsigned long long>(s.idle_closed), static_cast<unsigned long long>(s.over_limit),
                 static_cast<unsigned long long>(s.commands_sent), static_cast<unsigned long long>(s.commands_not_sent),
                 static_cast<unsigned long long>(s.udp_dropped), o.write_path.empty() ? "" : "; saved to ", o.write_path.c_str());
  if (wire && !wire->finish())
    std::fprintf(stderr, "vt106 listen: -w %s: writing failed: %s\n", o.write_path.c_str(), std::strerror(errno));
  return status;
}

Runner setup_listen(CLI::App& app) {
  auto opts = std::make_shared<ListenOptions>();
  auto* cmd = app.add_subcommand("listen", "Receive and decode GOTOP traffic on a TCP and UDP port, like a platform");
  cmd->footer(R"(Examples:
  vt106 listen                                          # TCP and UDP on port 8888, IPv6 and IPv4
  vt106 listen --port 5050 --bind 127.0.0.1 -w received.ndjson
  vt106 listen --command 867648044456745=:123456F# | jq .
  echo '867648044456745 :123456M1,030S#' | vt106 listen   # lines on standard input go to a connected device)");
  cmd->add_option("-p,--port", opts->port, "Port for TCP and UDP (0: any free port, shown in the 'listening on' line)")
      ->capture_default_str()
      ->type_name("PORT");
  cmd->add_option("--bind", opts->bind, "Address to listen on; '::' takes IPv6 and IPv4, 0.0.0.0 IPv4 only")
      ->capture_default_str()
      ->type_name("ADDR");
  cmd->add_option("--max-connections", opts->max_connections, "TCP connections and UDP peers at once; more are refused")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str()
      ->type_name("N");
  cmd->add_option("--max-buffer", opts->max_buffer, "Command bytes queued for a device that does not read them")
      ->check(CLI::Range(64, 1 << 30))
      ->capture_default_str()
      ->type_name("BYTES");
  cmd->add_option("--idle-timeout", opts->idle_timeout_s, "Seconds without data after which a connection is closed")
      ->check(CLI::Range(0.01, 1e7))
      ->capture_default_str()
      ->type_name("SECONDS");
  cmd->add_option("--command", opts->commands, "Send FRAME to device IMEI when its first frame arrives (repeatable)")
      ->type_name("IMEI=FRAME");
  cmd->add_option("--password", opts->password, "The devices' 6-digit password, for the commands typed on standard input")
      ->capture_default_str();
  cmd->add_option("-w,--write", opts->write_path,
                  "Also save what passed on the sockets as a pcapng capture (real addresses, ports and times), "
                  "which decode, doctor and replay read like any capture")
      ->type_name("FILE");
  cmd->add_option("--save-ndjson", opts->ndjson_path, "Also save every record (unfiltered) to this NDJSON file")
      ->type_name("FILE");
  cmd->add_option("-c,--count", opts->count, "Stop after this many message records")->type_name("COUNT");
  cmd->add_option("--duration", opts->duration_s, "Stop after this many seconds")->check(CLI::PositiveNumber)->type_name("SECONDS");
  cmd->add_flag("-q,--quiet", opts->quiet, "No start and summary lines on stderr");
  opts->records.add_record_options_to(*cmd);
  one_value_each(*cmd, {"--command"});
  return [opts] { return run_listen(*opts); };
}

}  // namespace

const Subcommand listen_registration{"listen", 50, setup_listen};

}  // namespace vt106::cli
