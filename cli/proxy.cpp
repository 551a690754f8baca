// vt106 proxy: stands between devices and their platform, relays every byte both ways, decodes
// both directions as they pass and puts commands typed on standard input into a device's
// connection between the platform's own frames.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "live_commands.hpp"
#include "open_files.hpp"
#include "record_options.hpp"
#include "vt106/doctor/checks.hpp"
#include "vt106/doctor/facts.hpp"
#include "vt106/doctor/render.hpp"
#include "vt106/gotop/encoder.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/live/address.hpp"
#include "vt106/live/proxy.hpp"
#include "vt106/net/pcapng_writer.hpp"
#include "vt106/output/ndjson_sink.hpp"
#include "vt106/output/tee_sink.hpp"
#include "vt106/util/text.hpp"

namespace vt106::cli {

namespace {

struct ProxyCliOptions {
  std::string listen = "8888";
  std::string to;
  double connect_timeout_s = 10;
  double udp_idle_s = 300;
  std::string proxy_protocol;
  std::size_t max_connections = 1024;
  std::size_t max_buffer = 256 * 1024;
  std::vector<std::string> sends;
  std::string password{gotop::default_password};
  std::string write_path;
  std::string ndjson_path;
  std::uint64_t count = 0;
  double duration_s = 0;
  bool quiet = false;
  bool no_doctor = false;
  RecordOptions records;
};

volatile std::sig_atomic_t proxy_stop_requested = 0;
live::Proxy* active_proxy = nullptr;

extern "C" void on_proxy_stop_signal(int) {
  proxy_stop_requested = 1;
  if (active_proxy) active_proxy->wake();
}

// "8888", ":8888", "127.0.0.1:8888", "[::1]:8888": the address (default "::") and the port.
bool parse_listen(const std::string& text, std::string& address, std::uint16_t& port) {
  std::string_view t = util::trim(text);
  std::string_view port_text = t;
  address = "::";
  if (const auto colon = t.rfind(':'); colon != std::string_view::npos) {
    std::string_view host = t.substr(0, colon);
    port_text = t.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    else if (host.find(':') != std::string_view::npos) return false;  // an IPv6 address needs brackets
    if (!host.empty()) address = std::string(host);
  }
  const auto p = util::parse_int<std::uint16_t>(port_text);
  if (!p) return false;
  port = *p;
  return true;
}

std::string bytes_text(std::uint64_t n) {
  if (n < 10'000) return fmt::format("{} B", n);
  if (n < 10'000'000) return fmt::format("{:.1f} KB", static_cast<double>(n) / 1e3);
  return fmt::format("{:.1f} MB", static_cast<double>(n) / 1e6);
}

int run_proxy(const ProxyCliOptions& o) {
  const auto popts = o.records.parse_options("proxy");
  if (!popts) return exit_usage;
  live::ProxyOptions p;
  if (!parse_listen(o.listen, p.bind_address, p.port)) {
    std::fprintf(stderr, "vt106 proxy: --listen '%s' is not [ADDR:]PORT (8888, 0.0.0.0:8888, [::1]:8888)\n",
                 o.listen.c_str());
    return exit_usage;
  }
  const auto target = live::parse_host_port(o.to);
  if (!target) {
    std::fprintf(stderr, "vt106 proxy: --to '%s' is not HOST:PORT (platform.example.com:5013, 10.0.0.5:5013, [::1]:5013)\n",
                 o.to.c_str());
    return exit_usage;
  }
  const auto resolved = live::resolve(*target, net::Transport::tcp);
  if (resolved.addresses.empty()) {
    std::fprintf(stderr, "vt106 proxy: --to %s: cannot resolve %s: %s\n", o.to.c_str(), target->host.c_str(),
                 resolved.error.c_str());
    return exit_input;
  }
  p.upstream = resolved.addresses;
  p.upstream_text = o.to;
  p.connect_timeout_ns = static_cast<std::int64_t>(o.connect_timeout_s * 1e9);
  p.udp_idle_ns = static_cast<std::int64_t>(o.udp_idle_s * 1e9);
  p.header = o.proxy_protocol == "v1"   ? live::ProxyHeader::v1
             : o.proxy_protocol == "v2" ? live::ProxyHeader::v2
                                        : live::ProxyHeader::none;
  p.max_connections = o.max_connections;
  p.max_buffer = o.max_buffer;
  p.max_frame = o.records.max_frame;

  std::unique_ptr<std::FILE, FileCloser> saved;
  if (!o.ndjson_path.empty()) {
    saved.reset(std::fopen(o.ndjson_path.c_str(), "w"));
    if (!saved) {
      std::fprintf(stderr, "vt106 proxy: --save-ndjson %s: cannot write: %s\n", o.ndjson_path.c_str(), std::strerror(errno));
      return exit_input;
    }
  }
  std::unique_ptr<std::FILE, FileCloser> pcap_file;
  std::unique_ptr<net::PcapngFlowWriter> wire;
  if (!o.write_path.empty()) {
    pcap_file.reset(std::fopen(o.write_path.c_str(), "wb"));
    if (!pcap_file) {
      std::fprintf(stderr, "vt106 proxy: -w %s: cannot write: %s\n", o.write_path.c_str(), std::strerror(errno));
      return exit_input;
    }
    wire = std::make_unique<net::PcapngFlowWriter>(pcap_file.get(), "vt106 proxy");
    p.observers.push_back(wire.get());
  }
  gotop::Parser parser(*popts);
  std::unique_ptr<doctor::FactCollector> facts;
  if (!o.no_doctor) {
    facts = std::make_unique<doctor::FactCollector>(parser, o.records.max_frame);
    facts->begin_input("proxy", 0);
    p.observers.push_back(facts.get());
  }

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
  const OpenFileLimit files = raise_open_file_limit();
  if (files.sockets() / 2 < o.max_connections)
    std::fprintf(stderr,
                 "vt106 proxy: warning: the limit on open files is %zu (hard limit %zu): about %zu devices can be "
                 "relayed at once (two sockets each), not --max-connections %zu. Raise the limit (ulimit -n, "
                 "LimitNOFILE=) to relay them all\n",
                 files.soft, files.hard, files.sockets() / 2, o.max_connections);
  ReplyTap tap(*sink);
  std::unique_ptr<live::Proxy> proxy;
  try {
    proxy = std::make_unique<live::Proxy>(p, parser, tap);
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "vt106 proxy: %s\n", e.what());
    return exit_input;
  }

  active_proxy = proxy.get();
  struct sigaction sa {};
  sa.sa_handler = on_proxy_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  CommandLines lines("vt106 proxy", [&](std::string_view imei, std::string_view frame) { return proxy->send_or_hold(imei, frame); },
                     [&] { proxy->unwatch(); }, o.password);
  tap.attach(&lines);
  for (const auto& s : o.sends)
    if (!lines.submit(s, fmt::format("--send '{}'", s))) return exit_usage;
  const bool reading_commands = stdin_usable() && proxy->watch(STDIN_FILENO, [&] { lines.on_readable(); });
  if (!o.quiet)
    std::fprintf(stderr, "vt106 proxy: relaying %s (tcp and udp) to %s%s%s%s%s, Ctrl-C to stop\n",
                 proxy->tcp_address().c_str(), o.to.c_str(),
                 p.header == live::ProxyHeader::none ? "" : fmt::format(" with a PROXY {} header", o.proxy_protocol).c_str(),
                 reading_commands ? "; 'IMEI COMMAND' lines on stdin (as vt106 craft takes them) go to the device" : "",
                 o.write_path.empty() ? "" : "; saving what passes to ", o.write_path.c_str());

  run_until_stopped(
      proxy_stop_requested, o.duration_s, out, [&](std::int64_t timeout) { proxy->poll(timeout); },
      [&] {
        out.flush();
        if (file_sink) file_sink->flush();
        if (wire) wire->flush();
      });
  active_proxy = nullptr;
  proxy->finish();
  out.finish();
  if (file_sink) file_sink->flush();
  const int status = o.records.report_unmatched("proxy", out);
  if (wire) {
    wire->flush();
    if (!wire->ok()) std::fprintf(stderr, "vt106 proxy: -w %s: writing failed: %s\n", o.write_path.c_str(), std::strerror(errno));
  }
  if (o.quiet) return status;

  const auto& s = proxy->stats();
  std::string pace;
  if (s.messages > 0 && s.last_message_ns > s.first_rx_ns) {
    const double seconds = static_cast<double>(s.last_message_ns - s.first_rx_ns) / 1e9;
    pace = fmt::format(" ({:.0f} messages/s)", static_cast<double>(s.messages) / seconds);
  }
  std::string summary = fmt::format(
      "vt106 proxy: {} tcp connections, {} udp devices ({} at once at most); {} messages decoded{}, {} up and {} down relayed; {} errors "
      "({} foreign, {} upstream failures, {} resets, {} over the limit); a side paused {} times for the other; {} "
      "commands put in, {} not sent{}{}\n",
      s.tcp_connections, s.udp_devices, s.most_at_once, s.messages, pace, bytes_text(s.bytes_up), bytes_text(s.bytes_down), s.errors,
      s.foreign, s.upstream_failures, s.resets, s.over_limit, s.paused, s.commands_injected, s.commands_not_sent,
      o.write_path.empty() ? "" : "; saved to ", o.write_path);
  const auto devices = proxy->devices();
  for (const auto& d : devices)
    summary += fmt::format("  {:<22} {} connection{}, {} messages up, {} down, {} up, {} down{}{}; last: {}\n", d.name,
                           d.connections, d.connections == 1 ? "" : "s", d.messages_up, d.messages_down,
                           bytes_text(d.bytes_up), bytes_text(d.bytes_down),
                           d.commands_injected ? fmt::format(", {} commands put in", d.commands_injected) : "",
                           d.protocol != "gotop" ? fmt::format(", speaks {}", d.protocol) : "", d.last_close);
  std::fputs(summary.c_str(), stderr);
  if (facts && !devices.empty()) {
    doctor::Options dopts;
    dopts.inputs = {o.write_path.empty() ? std::string("proxy") : o.write_path};
    const doctor::Report report = doctor::diagnose(facts->facts(), dopts);
    doctor::RenderOptions ro;
    ro.inputs = dopts.inputs;
    ro.what = fmt::format("what passed through the proxy on {}", proxy->tcp_address());
    std::fputs(doctor::render_text(report, ro).c_str(), stderr);
  }
  return status;
}

Runner setup_proxy(CLI::App& app) {
  auto opts = std::make_shared<ProxyCliOptions>();
  auto* cmd = app.add_subcommand(
      "proxy", "Stand between devices and their platform: relay every byte both ways, decode both, send commands");
  cmd->footer(R"(Examples:
  vt106 proxy --listen 8888 --to platform.example.com:5013          # point a device at this host by SMS
  vt106 proxy --listen 8888 --to 10.0.0.5:5013 -w seen.pcapng --format table
  vt106 proxy --to 10.0.0.5:5013 --send '867648044456745 locate'    # sent when the device connects
  vt106 proxy --to 10.0.0.5:5013 --proxy-protocol v2                # the platform sees the device's address)");
  cmd->add_option("-l,--listen", opts->listen, "[ADDR:]PORT for devices, TCP and UDP ('::' takes IPv6 and IPv4; port 0: any)")
      ->capture_default_str()
      ->type_name("[ADDR:]PORT");
  cmd->add_option("--to", opts->to, "The platform: HOST:PORT, for TCP and UDP")->required()->type_name("HOST:PORT");
  cmd->add_option("--connect-timeout", opts->connect_timeout_s,
                  "Seconds to wait for the platform to accept; then the device's connection is reset")
      ->check(CLI::Range(0.001, 1e6))
      ->capture_default_str()
      ->type_name("SECONDS");
  cmd->add_option("--udp-idle", opts->udp_idle_s, "Seconds without a datagram after which a UDP device's socket to the platform is closed")
      ->check(CLI::Range(0.01, 1e7))
      ->capture_default_str()
      ->type_name("SECONDS");
  cmd->add_option("--proxy-protocol", opts->proxy_protocol,
                  "Begin each TCP connection to the platform with a PROXY protocol header (v1 text, v2 binary)")
      ->check(CLI::IsMember({"v1", "v2"}))
      ->type_name("{v1,v2}");
  cmd->add_option("--max-connections", opts->max_connections, "TCP connections and UDP devices at once; more are refused")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str()
      ->type_name("N");
  cmd->add_option("--max-buffer", opts->max_buffer,
                  "Bytes held for a side that does not read; beyond, the other side is not read (back-pressure)")
      ->check(CLI::Range(1024, 1 << 30))
      ->capture_default_str()
      ->type_name("BYTES");
  cmd->add_option("--send", opts->sends, "'IMEI COMMAND' (as vt106 craft takes it): put it in when the device connects (repeatable)")
      ->type_name("'IMEI COMMAND'");
  cmd->add_option("--password", opts->password, "The devices' 6-digit password, for --send and the commands on standard input")
      ->capture_default_str();
  cmd->add_option("-w,--write", opts->write_path,
                  "Also save the devices' side of what passed as a pcapng capture (real addresses, ports and times), "
                  "which decode, doctor and replay read like any capture")
      ->type_name("FILE");
  cmd->add_option("--save-ndjson", opts->ndjson_path, "Also save every record (unfiltered) to this NDJSON file")
      ->type_name("FILE");
  cmd->add_option("-c,--count", opts->count, "Stop after this many message records")->type_name("COUNT");
  cmd->add_option("--duration", opts->duration_s, "Stop after this many seconds")->check(CLI::PositiveNumber)->type_name("SECONDS");
  cmd->add_flag("--no-doctor", opts->no_doctor, "No doctor verdict per device at the end (and no facts kept for it)");
  cmd->add_flag("-q,--quiet", opts->quiet, "No start line, device summary or verdict on stderr");
  opts->records.add_record_options_to(*cmd);
  one_value_each(*cmd, {"--send"});
  return [opts] { return run_proxy(*opts); };
}

}  // namespace

const Subcommand proxy_registration{"proxy", 55, setup_proxy};

}  // namespace vt106::cli
