// vt106 replay: send the uplink messages of a capture (or a file of frames) to a platform over
// real connections, one per device, with the capture's timing or a chosen pace.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "open_files.hpp"
#include "record_options.hpp"
#include "vt106/decode/text_decode.hpp"
#include "vt106/output/ndjson_sink.hpp"
#include "vt106/replay/recording.hpp"
#include "vt106/replay/replayer.hpp"
#include "vt106/replay/report.hpp"
#include "vt106/replay/rewrite.hpp"
#include "vt106/replay/schedule.hpp"
#include "vt106/source/bpf.hpp"
#include "vt106/source/text_input.hpp"

namespace vt106::cli {

namespace {

struct ReplayOptions {
  std::string input;
  std::string to;
  std::string transport;
  double speed = 1.0;
  double rate = 0;
  bool top_speed = false;
  std::uint64_t loops = 1;
  double duration_s = 0;
  std::string shard;
  std::vector<std::string> imei_maps;
  std::string imei_prefix;
  bool restamp = false;
  bool reconnect = false;
  unsigned max_retries = 5;
  double connect_timeout_s = 10;
  double linger_s = 1;
  std::size_t max_connections = 4096;
  std::size_t max_frame = gotop::default_max_frame;
  std::string input_format = "auto";
  std::string filter;
  std::vector<std::uint16_t> server_ports{8888, 5050};
  bool verbose = false;
  bool quiet = false;
  bool pretty = false;
};

replay::Replayer* active_replayer = nullptr;

extern "C" void on_replay_stop_signal(int) {
  if (active_replayer) active_replayer->stop();
}

class SentWriter final : public replay::SendObserver {
 public:
  explicit SentWriter(output::NdjsonSink& sink) : sink_(sink) {}
  void on_sent(const replay::SentMessage& sent) override {
    line_.clear();
    replay::append_sent_json(line_, sent);
    sink_.write_json(line_);
  }

 private:
  output::NdjsonSink& sink_;
  std::string line_;
};

bool named_as_capture(const std::string& name) {
  for (const char* ext : {".pcap", ".pcapng", ".cap"}) {
    const std::size_t n = std::strlen(ext);
    if (name.size() > n && name.compare(name.size() - n, std::string::npos, ext) == 0) return true;
  }
  return false;
}

// --imei-map values: OLD=NEW pairs, or files of pairs.
bool load_imei_maps(const std::vector<std::string>& values, replay::ImeiMap& map) {
  for (const auto& v : values) {
    if (v.find('=') != std::string::npos) {
      if (!replay::add_imei_pair(v, map)) {
        std::fprintf(stderr, "vt106 replay: --imei-map '%s' is not OLD=NEW with two identifiers of digits\n", v.c_str());
        return false;
      }
      continue;
    }
    std::ifstream in(v);
    if (!in) {
      std::fprintf(stderr, "vt106 replay: --imei-map '%s': not OLD=NEW, and no such file\n", v.c_str());
      return false;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::size_t bad = 0;
    const auto pairs = replay::parse_imei_map_file(text.str(), bad);
    if (!pairs) {
      std::fprintf(stderr, "vt106 replay: --imei-map %s: line %zu is not 'OLD NEW' or 'OLD=NEW'\n", v.c_str(), bad);
      return false;
    }
    for (const auto& [from, to] : *pairs) map[from] = to;
  }
  return true;
}

std::string pace_text(const ReplayOptions& o, const replay::Schedule& s) {
  if (o.top_speed) return "at top speed";
  if (o.rate > 0) return fmt::format("at {} messages/s", o.rate);
  if (!s.timed()) return "back to back (the input has no times)";
  return o.speed == 1.0 ? "with the capture's timing" : fmt::format("with the capture's timing at speed {}", o.speed);
}

int run_replay(const ReplayOptions& o) {
  // Options first: nothing is read or sent with a bad command line.
  replay::ScheduleOptions sopts;
  if (o.top_speed) sopts.pace = replay::Pace::top_speed;
  else if (o.rate > 0) sopts.pace = replay::Pace::rate;
  sopts.speed = o.speed;
  sopts.rate = o.rate;
  sopts.loops = o.loops;
  sopts.restamp = o.restamp;
  if (!o.transport.empty()) sopts.transport = o.transport == "udp" ? net::Transport::udp : net::Transport::tcp;
  if (!o.shard.empty()) {
    const auto shard = replay::parse_shard(o.shard);
    if (!shard) {
      std::fprintf(stderr, "vt106 replay: --shard '%s' is not I/N with 1 <= I <= N\n", o.shard.c_str());
      return exit_usage;
    }
    sopts.shard = *shard;
  }
  if (!load_imei_maps(o.imei_maps, sopts.imei_map)) return exit_usage;
  if (!o.imei_prefix.empty()) {
    if (replay::synthetic_imei_capacity(o.imei_prefix) == 0) {
      std::fprintf(stderr, "vt106 replay: --imei-prefix '%s' must be 1 to 13 digits\n", o.imei_prefix.c_str());
      return exit_usage;
    }
    sopts.imei_prefix = o.imei_prefix;
  }
  std::optional<replay::HostPort> target;
  if (!o.to.empty()) {
    target = replay::parse_host_port(o.to);
    if (!target) {
      std::fprintf(stderr, "vt106 replay: --to '%s' is not HOST:PORT (IPv6 as [::1]:8888)\n", o.to.c_str());
      return exit_usage;
    }
  }
  std::unique_ptr<source::BpfFilter> bpf;
  if (!o.filter.empty()) {
    try {
      bpf = std::make_unique<source::BpfFilter>(o.filter);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vt106 replay: --filter '%s': %s\n", o.filter.c_str(), e.what());
      return exit_usage;
    }
  }

  // The input: what every device said.
  std::unique_ptr<std::FILE, FileCloser> file(o.input == "-" ? stdin : std::fopen(o.input.c_str(), "rb"));
  if (!file) {
    std::fprintf(stderr, "vt106 replay: %s: cannot open: %s\n", o.input.c_str(), std::strerror(errno));
    return exit_input;
  }
  std::string head(512, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), file.get()));
  bool capture = source::has_capture_magic(head) || named_as_capture(o.input);
  if (o.input_format != "auto") capture = o.input_format == "capture";
  int status = exit_ok;
  replay::Recording recording;
  if (capture) {
    net::CaptureOptions copts;
    copts.flows.server_ports = o.server_ports;
    copts.filter = bpf.get();
    net::CaptureStats cstats;
    recording = replay::record_capture(file.get(), head, copts, cstats, o.max_frame);
    if (cstats.stopped_by_problem) {
      if (cstats.packets == 0) {
        std::fprintf(stderr, "vt106 replay: %s: not a readable capture ('vt106 decode %s' says why)\n",
                     o.input.c_str(), o.input.c_str());
        return exit_input;
      }
      std::fprintf(stderr, "vt106 replay: %s: the capture is damaged after packet %llu; replaying what comes before\n",
                   o.input.c_str(), static_cast<unsigned long long>(cstats.packets));
      status = exit_input;
    }
  } else {
    decode::ChunkReader in(file.get(), std::move(head));
    recording = replay::record_text(in, sopts.transport.value_or(net::Transport::tcp), o.max_frame);
    if (in.failed()) {
      std::fprintf(stderr, "vt106 replay: %s: read error\n", o.input.c_str());
      return exit_input;
    }
  }
  file.reset();
  if (recording.connections.empty()) {
    std::fprintf(stderr, "vt106 replay: %s: no uplink frames to replay (%llu pieces were not whole uplink frames)\n",
                 o.input.c_str(),
                 static_cast<unsigned long long>(recording.counters.incomplete + recording.counters.not_uplink));
    return exit_input;
  }

  replay::Schedule schedule(recording, sopts);
  const std::size_t udp = schedule.udp_connections_per_pass(), tcp = schedule.connections_per_pass() - udp;
  const auto passes = schedule.passes();
  output::NdjsonSink sink(stdout, {}, o.pretty, /*flush_each=*/!o.top_speed);
  replay::ReplayStats stats;
  replay::SummaryHeader header;
  header.input = o.input;
  header.target = o.to;
  header.planned = schedule.messages_per_pass();
  auto finish = [&](int code) {
    std::string line;
    replay::append_summary_json(line, header, stats);
    sink.write_json(line);
    sink.flush();
    return code;
  };

  if (!o.quiet) {
    const std::string shard = o.shard.empty() ? std::string()
                                              : fmt::format(" (shard {} of {} connections)", o.shard,
                                                            schedule.connections_in_recording());
    const std::string loops = !passes ? ", passes until stopped" : *passes == 1 ? "" : fmt::format(", {} passes", *passes);
    std::fprintf(stderr, "vt106 replay: %s: %zu devices, %zu connections (%zu tcp, %zu udp)%s, %llu messages, %llu bytes per pass%s\n",
                 o.input.c_str(), schedule.devices_per_pass(), schedule.connections_per_pass(), tcp, udp, shard.c_str(),
                 static_cast<unsigned long long>(schedule.messages_per_pass()),
                 static_cast<unsigned long long>(schedule.bytes_per_pass()), loops.c_str());
  }
  if (schedule.connections_per_pass() == 0) {
    if (!o.quiet) std::fprintf(stderr, "vt106 replay: no device falls in shard %s: nothing to send\n", o.shard.c_str());
    return finish(status);
  }
  if (!target) {
    header.dry_run = true;
    if (!o.quiet) std::fprintf(stderr, "vt106 replay: nothing sent: give --to HOST:PORT to replay\n");
    return finish(status);
  }

  const auto transport_for_lookup = tcp > 0 ? net::Transport::tcp : net::Transport::udp;
  const auto resolved = replay::resolve(*target, transport_for_lookup);
  if (resolved.addresses.empty()) {
    replay::Replayer::report_dns_failure(sink, stats, o.to, resolved.error);
    if (!o.quiet) std::fprintf(stderr, "vt106 replay: %s: %s; nothing sent\n", target->host.c_str(), resolved.error.c_str());
    stats.unsent = schedule.messages_per_pass();
    finish(exit_input);
    return exit_input;
  }
  replay::ReplayOptions ropts;
  ropts.target = resolved.addresses.front();
  ropts.target_name = o.to;
  ropts.max_connections = o.max_connections;
  // Every open connection is a descriptor: the limit decides how many can be open at once.
  const OpenFileLimit files = raise_open_file_limit();
  const std::size_t wanted = std::min(o.max_connections, schedule.connections_per_pass());
  if (files.sockets() < wanted) {
    ropts.max_connections = std::max<std::size_t>(1, files.sockets());
    std::fprintf(stderr,
                 "vt106 replay: warning: the limit on open files is %zu (hard limit %zu): %zu connections at once, "
                 "not %zu; the other devices wait for a free one. Raise the limit (ulimit -n, LimitNOFILE=) "
                 "to open them all\n",
                 files.soft, files.hard, ropts.max_connections, wanted);
  }
  ropts.connect_timeout_ns = static_cast<std::int64_t>(o.connect_timeout_s * 1e9);
  ropts.linger_ns = static_cast<std::int64_t>(o.linger_s * 1e9);
  ropts.reconnect = o.reconnect;
  ropts.max_retries = o.max_retries;
  ropts.duration_ns = static_cast<std::int64_t>(o.duration_s * 1e9);
  ropts.max_frame = o.max_frame;
  const std::string address = ropts.target.to_string();
  header.address = address;
  if (!o.quiet)
    std::fprintf(stderr, "vt106 replay: sending to %s (%s) %s%s; Ctrl-C stops\n", o.to.c_str(), address.c_str(),
                 pace_text(o, schedule).c_str(), o.restamp ? ", fix times moved to the send time" : "");

  gotop::Parser parser;
  SentWriter sent_writer(sink);
  replay::Replayer replayer(schedule, ropts, parser, sink, o.verbose ? &sent_writer : nullptr);
  active_replayer = &replayer;
  struct sigaction sa {};
  sa.sa_handler = on_replay_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  stats = replayer.run();
  active_replayer = nullptr;

  if (stats.error_count() > 0 || stats.unsent > 0) status = exit_input;
  if (!o.quiet) {
    std::string errors;
    for (const auto& [code, count] : stats.errors) errors += fmt::format("{}{} {}", errors.empty() ? "" : ", ", code, count);
    std::fprintf(stderr, "vt106 replay: %llu messages (%llu bytes) sent on %llu connections in %.3f s, %llu unsent, "
                 "%llu replies, %llu errors%s%s%s\n",
                 static_cast<unsigned long long>(stats.messages), static_cast<unsigned long long>(stats.bytes),
                 static_cast<unsigned long long>(stats.connections), static_cast<double>(stats.elapsed_ns) / 1e9,
                 static_cast<unsigned long long>(stats.unsent), static_cast<unsigned long long>(stats.replies),
                 static_cast<unsigned long long>(stats.error_count()), errors.empty() ? "" : " (", errors.c_str(),
                 errors.empty() ? "" : ")");
  }
  return finish(status);
}

Runner setup_replay(CLI::App& app) {
  auto opts = std::make_shared<ReplayOptions>();
  auto* cmd = app.add_subcommand("replay", "Send the uplink messages of a capture or a file of frames to a server");
  cmd->footer(R"(Examples:
  vt106 replay platform.pcap                                   # what would be sent (nothing is, without --to)
  vt106 replay platform.pcap --to staging.example.com:8888     # each device as it spoke, in real time
  vt106 replay platform.pcap --to 127.0.0.1:8888 --top-speed
  vt106 replay platform.pcap --to [::1]:5050 --speed 10 --restamp
  vt106 replay platform.pcap --to lb:8888 --loop 100 --imei-prefix 35 --shard 2/4 --reconnect)");
  cmd->add_option("input", opts->input, "Capture (pcap, pcapng) or text holding '#...#' frames; '-' for standard input")
      ->required();
  cmd->add_option("--to", opts->to, "Server to send to, HOST:PORT (IPv6 as [::1]:8888); without it nothing is sent")
      ->type_name("HOST:PORT");
  cmd->add_option("--transport", opts->transport, "Send every device over this transport (default: as captured; text input: tcp)")
      ->check(CLI::IsMember({"tcp", "udp"}))
      ->type_name("tcp|udp");
  auto* speed = cmd->add_option("--speed", opts->speed, "Play the capture's gaps this many times faster")
                    ->check(CLI::Range(1e-6, 1e9))
                    ->capture_default_str()
                    ->type_name("FACTOR");
  auto* rate = cmd->add_option("--rate", opts->rate, "Send this many messages per second in input order, ignoring the capture's gaps")
                   ->check(CLI::Range(1e-6, 1e9))
                   ->type_name("MSGS_PER_S");
  auto* top = cmd->add_flag("--top-speed", opts->top_speed, "Send every message as soon as the one before it on its connection");
  speed->excludes(rate)->excludes(top);
  rate->excludes(top);
  cmd->add_option("--loop", opts->loops, "Replay the input this many times (0: until --duration or Ctrl-C)")
      ->capture_default_str()
      ->type_name("N");
  cmd->add_option("--duration", opts->duration_s, "Stop after this many seconds")->check(CLI::PositiveNumber)->type_name("SECONDS");
  cmd->add_option("--shard", opts->shard, "Replay only the devices of shard I of N (the same on every machine given the same input)")
      ->type_name("I/N");
  auto* map = cmd->add_option("--imei-map", opts->imei_maps, "Send IMEI OLD as NEW (repeatable), or a file of 'OLD NEW' lines")
                  ->type_name("OLD=NEW|FILE");
  auto* prefix = cmd->add_option("--imei-prefix", opts->imei_prefix,
                                 "Give every device of every pass its own IMEI: PREFIX, a serial number, a Luhn check digit")
                     ->type_name("DIGITS");
  map->excludes(prefix);
  cmd->add_flag("--restamp", opts->restamp, "Move each device's fix dates and times to the send time, keeping their intervals");
  cmd->add_flag("--reconnect", opts->reconnect, "Reconnect after a refused, reset or closed connection, with exponential backoff");
  cmd->add_option("--max-retries", opts->max_retries, "With --reconnect: failures in a row after which a device gives up")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str()
      ->type_name("N");
  cmd->add_option("--connect-timeout", opts->connect_timeout_s, "Seconds a connection may take to be accepted")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str()
      ->type_name("SECONDS");
  cmd->add_option("--linger", opts->linger_s, "Seconds to wait for replies and the server's close after a device's last message")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str()
      ->type_name("SECONDS");
  cmd->add_option("--max-connections", opts->max_connections, "Connections open at once; devices beyond wait for a free one")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str()
      ->type_name("N");
  cmd->add_option("--max-frame", opts->max_frame, "Longest frame body in bytes, in the input and in replies")
      ->check(CLI::Range(16, 1 << 20))
      ->capture_default_str()
      ->type_name("BYTES");
  cmd->add_option("--input-format", opts->input_format, "What the input holds (default: detect)")
      ->check(CLI::IsMember({"auto", "capture", "text"}))
      ->type_name("auto|capture|text");
  cmd->add_option("-f,--filter", opts->filter, "Capture input: only packets matching this BPF expression (pcap-filter(7))")
      ->type_name("BPF");
  cmd->add_option("--server-port", opts->server_ports,
                  "Capture input: platform ports; without a handshake the other side is the device (default 8888 5050)")
      ->type_name("PORT");
  cmd->add_flag("-v,--verbose", opts->verbose, "A 'sent' record for every message sent");
  cmd->add_flag("-q,--quiet", opts->quiet, "No plan and summary lines on standard error");
  cmd->add_flag("--pretty", opts->pretty, "Indent each record (no longer one line per record)");
  one_value_each(*cmd, {"--imei-map", "--server-port"});
  return [opts] { return run_replay(*opts); };
}

}  // namespace

const Subcommand replay_registration{"replay", 40, setup_replay};

}  // namespace vt106::cli
