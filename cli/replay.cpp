// vt106 replay: send the uplink messages of a capture (or a file of frames) to a platform over
// real connections, one per device, with the capture's timing or a chosen pace.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
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
#include "vt106/live/recording.hpp"
#include "vt106/live/replayer.hpp"
#include "vt106/live/report.hpp"
#include "vt106/live/rewrite.hpp"
#include "vt106/live/schedule.hpp"
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
  bool connect_ahead = false;
  std::size_t read_ahead_kib = 8192;
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

live::Replayer* active_replayer = nullptr;

extern "C" void on_replay_stop_signal(int) {
  if (active_replayer) active_replayer->stop();
}

class SentWriter final : public live::SendObserver {
 public:
  explicit SentWriter(output::NdjsonSink& sink) : sink_(sink) {}
  void on_sent(const live::SentMessage& sent) override {
    line_.clear();
    live::append_sent_json(line_, sent);
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

// A file that can be read again from its start (a regular file, not a pipe or a terminal).
bool rereadable(std::FILE* f) {
  struct stat st {};
  return ::fstat(::fileno(f), &st) == 0 && S_ISREG(st.st_mode) && std::fseek(f, 0, SEEK_CUR) == 0;
}

// `head`, then the rest of `in`, into `out`, which is left at its start.
bool copy_all(std::string_view head, std::FILE* in, std::FILE* out) {
  if (std::fwrite(head.data(), 1, head.size(), out) != head.size()) return false;
  std::vector<char> buf(1 << 16);
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), in)) > 0;)
    if (std::fwrite(buf.data(), 1, n, out) != n) return false;
  return !std::ferror(in) && std::fflush(out) == 0 && std::fseek(out, 0, SEEK_SET) == 0;
}

std::int64_t unix_ns_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// --imei-map values: OLD=NEW pairs, or files of pairs.
bool load_imei_maps(const std::vector<std::string>& values, live::ImeiMap& map) {
  for (const auto& v : values) {
    if (v.find('=') != std::string::npos) {
      if (!live::add_imei_pair(v, map)) {
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
    const auto pairs = live::parse_imei_map_file(text.str(), bad);
    if (!pairs) {
      std::fprintf(stderr, "vt106 replay: --imei-map %s: line %zu is not 'OLD NEW' or 'OLD=NEW'\n", v.c_str(), bad);
      return false;
    }
    for (const auto& [from, to] : *pairs) map[from] = to;
  }
  return true;
}

std::string pace_text(const ReplayOptions& o, const live::Scheduler& s) {
  if (o.top_speed) return "at top speed";
  if (o.rate > 0) return fmt::format("at {} messages/s", o.rate);
  if (!s.timed()) return "back to back (the input has no times)";
  return o.speed == 1.0 ? "with the capture's timing" : fmt::format("with the capture's timing at speed {}", o.speed);
}

int run_replay(const ReplayOptions& o) {
  // Options first: nothing is read or sent with a bad command line.
  live::ScheduleOptions sopts;
  if (o.top_speed) sopts.pace = live::Pace::top_speed;
  else if (o.rate > 0) sopts.pace = live::Pace::rate;
  sopts.speed = o.speed;
  sopts.rate = o.rate;
  sopts.loops = o.loops;
  sopts.restamp = o.restamp;
  if (!o.transport.empty()) sopts.transport = o.transport == "udp" ? net::Transport::udp : net::Transport::tcp;
  if (!o.shard.empty()) {
    const auto shard = live::parse_shard(o.shard);
    if (!shard) {
      std::fprintf(stderr, "vt106 replay: --shard '%s' is not I/N with 1 <= I <= N\n", o.shard.c_str());
      return exit_usage;
    }
    sopts.shard = *shard;
  }
  if (!load_imei_maps(o.imei_maps, sopts.imei_map)) return exit_usage;
  if (!o.imei_prefix.empty()) {
    if (live::synthetic_imei_capacity(o.imei_prefix) == 0) {
      std::fprintf(stderr, "vt106 replay: --imei-prefix '%s' must be 1 to 13 digits\n", o.imei_prefix.c_str());
      return exit_usage;
    }
    sopts.imei_prefix = o.imei_prefix;
  }
  std::optional<live::HostPort> target;
  if (!o.to.empty()) {
    target = live::parse_host_port(o.to);
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

  // The input: what every device said, read as it is sent.
  std::unique_ptr<std::FILE, FileCloser> file(o.input == "-" ? stdin : std::fopen(o.input.c_str(), "rb"));
  if (!file) {
    std::fprintf(stderr, "vt106 replay: %s: cannot open: %s\n", o.input.c_str(), std::strerror(errno));
    return exit_input;
  }
  std::string head(512, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), file.get()));
  bool capture = source::has_capture_magic(head) || named_as_capture(o.input);
  if (o.input_format != "auto") capture = o.input_format == "capture";
  // Read more than once (--loop, --connect-ahead) and not a file: copied to a temporary file as
  // it arrives, so that it can be read again without being held in memory.
  std::unique_ptr<std::FILE, FileCloser> spool;
  std::FILE* in = file.get();
  if ((o.loops != 1 || o.connect_ahead) && !rereadable(in)) {
    spool.reset(std::tmpfile());
    if (!spool || !copy_all(head, in, spool.get())) {
      std::fprintf(stderr, "vt106 replay: %s: cannot keep the input in a temporary file to read it again: %s\n",
                   o.input.c_str(), std::strerror(errno));
      return exit_input;
    }
    in = spool.get();
    head.clear();
  }
  std::unique_ptr<live::RecordingSource> input;
  live::CaptureRecordingSource* capture_input = nullptr;
  live::TextRecordingSource* text_input = nullptr;
  if (capture) {
    net::CaptureOptions copts;
    copts.flows.server_ports = o.server_ports;
    copts.filter = bpf.get();
    auto c = std::make_unique<live::CaptureRecordingSource>(in, std::move(head), copts, o.max_frame);
    capture_input = c.get();
    input = std::move(c);
  } else {
    auto t = std::make_unique<live::TextRecordingSource>(in, std::move(head),
                                                          sopts.transport.value_or(net::Transport::tcp), o.max_frame);
    text_input = t.get();
    input = std::move(t);
  }
  live::Scheduler schedule(*input, sopts, unix_ns_now());
  // What went wrong with the input, once it has been read; nullopt when nothing did.
  auto input_problem = [&]() -> std::optional<int> {
    if (capture_input) {
      const auto st = capture_input->stats();
      if (st.stopped_by_problem) {
        std::fprintf(stderr, "vt106 replay: %s: the capture is damaged after packet %llu; what comes before is replayed\n",
                     o.input.c_str(), static_cast<unsigned long long>(st.packets));
        return exit_input;
      }
    }
    if (text_input && text_input->failed()) {
      std::fprintf(stderr, "vt106 replay: %s: read error\n", o.input.c_str());
      return exit_input;
    }
    return std::nullopt;
  };
  // Nothing to replay at all: said before anything is sent.
  if (!schedule.peek()) {
    if (capture_input && capture_input->stats().stopped_by_problem && capture_input->stats().packets == 0) {
      std::fprintf(stderr, "vt106 replay: %s: not a readable capture ('vt106 decode %s' says why)\n", o.input.c_str(),
                   o.input.c_str());
      return exit_input;
    }
    if (text_input && text_input->failed()) {
      std::fprintf(stderr, "vt106 replay: %s: read error\n", o.input.c_str());
      return exit_input;
    }
    const auto& c = input->counters();
    std::fprintf(stderr, "vt106 replay: %s: no uplink frames to replay (%llu pieces were not whole uplink frames)\n",
                 o.input.c_str(), static_cast<unsigned long long>(c.incomplete + c.not_uplink));
    return exit_input;
  }

  int status = exit_ok;
  output::NdjsonSink sink(stdout, {}, o.pretty, /*flush_each=*/!o.top_speed);
  live::ReplayStats stats;
  live::SummaryHeader header;
  header.input = o.input;
  header.target = o.to;
  auto plan_line = [&] {
    if (o.quiet) return;
    const auto& t = schedule.totals();
    const auto passes = schedule.passes();
    const std::string shard =
        o.shard.empty() ? std::string()
                        : fmt::format(" (shard {} of {} connections)", o.shard, t.connections_in_input);
    const std::string loops = !passes ? ", passes until stopped" : *passes == 1 ? "" : fmt::format(", {} passes", *passes);
    std::fprintf(stderr, "vt106 replay: %s: %llu devices, %llu connections (%llu tcp, %llu udp)%s, %llu messages, %llu bytes per pass%s%s\n",
                 o.input.c_str(), static_cast<unsigned long long>(t.devices),
                 static_cast<unsigned long long>(t.connections),
                 static_cast<unsigned long long>(t.connections - t.udp_connections),
                 static_cast<unsigned long long>(t.udp_connections), shard.c_str(),
                 static_cast<unsigned long long>(t.messages), static_cast<unsigned long long>(t.bytes), loops.c_str(),
                 schedule.first_pass_read() ? "" : " (as far as the input was read)");
  };
  auto finish = [&](int code) {
    header.planned = schedule.totals().messages;
    if (auto bad = input_problem()) code = *bad;
    std::string line;
    live::append_summary_json(line, header, stats);
    sink.write_json(line);
    sink.flush();
    return code;
  };

  if (!target) {
    // A dry run reads the whole input to say what would be sent.
    // Each connection of the first pass as a plan record when it ends (with -v, each message it
    // would send too), in the order they end, then the summary.
    header.dry_run = true;
    live::ScheduledEvent e;
    std::map<std::uint64_t, live::ConnectionPlan> open;
    std::string line;
    auto write_plan = [&](const live::ConnectionPlan& p) {
      line.clear();
      live::append_plan_json(line, p, schedule.timed());
      sink.write_json(line);
    };
    while (!schedule.first_pass_read() && schedule.next(e)) {
      if (e.kind == live::ScheduledEvent::Kind::open) {
        auto& p = open[e.stream];
        p.stream = e.plan;
        p.open_ns = e.due_ns;
        continue;
      }
      const auto it = open.find(e.stream);
      if (it == open.end()) continue;
      auto& p = it->second;
      if (e.kind == live::ScheduledEvent::Kind::message) {
        if (o.verbose) {
          line.clear();
          live::append_would_send_json(line, *p.stream, p.messages, e.due_ns, e.bytes, schedule.timed());
          sink.write_json(line);
        }
        if (p.first_ns < 0) p.first_ns = e.due_ns;
        p.last_ns = e.due_ns;
        ++p.messages;
        p.bytes += e.bytes.size();
        p.restamped += e.restamped;
        continue;
      }
      p.close_ns = e.due_ns;
      write_plan(p);
      open.erase(it);
    }
    for (const auto& [id, p] : open) write_plan(p);  // cut short (a damaged input)
    plan_line();
    if (!o.quiet) {
      if (schedule.totals().connections == 0)
        std::fprintf(stderr, "vt106 replay: no device falls in shard %s: nothing to send\n", o.shard.c_str());
      else
        std::fprintf(stderr, "vt106 replay: nothing sent: give --to HOST:PORT to replay\n");
    }
    return finish(status);
  }

  const auto resolved = live::resolve(*target, sopts.transport.value_or(net::Transport::tcp));
  if (resolved.addresses.empty()) {
    live::Replayer::report_dns_failure(sink, stats, o.to, resolved.error);
    if (!o.quiet) std::fprintf(stderr, "vt106 replay: %s: %s; nothing sent\n", target->host.c_str(), resolved.error.c_str());
    finish(exit_input);
    return exit_input;
  }
  live::ReplayOptions ropts;
  ropts.target = resolved.addresses.front();
  ropts.target_name = o.to;
  ropts.max_connections = o.max_connections;
  ropts.connect_ahead = o.connect_ahead;
  ropts.read_ahead_bytes = o.read_ahead_kib * 1024;
  // Every open connection is a descriptor: the limit decides how many can be open at once.
  const OpenFileLimit files = raise_open_file_limit();
  if (files.sockets() < o.max_connections) {
    ropts.max_connections = std::max<std::size_t>(1, files.sockets());
    ropts.on_connections_short = [files, &ropts](std::size_t wanted) {
      const std::string want = wanted ? fmt::format("not {}", wanted) : std::string("and more devices are talking");
      std::fprintf(stderr,
                   "vt106 replay: warning: the limit on open files is %zu (hard limit %zu): %zu connections at once, "
                   "%s; the other devices wait for a free one. Raise the limit (ulimit -n, LimitNOFILE=) "
                   "to open them all\n",
                   files.soft, files.hard, ropts.max_connections, want.c_str());
    };
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
    std::fprintf(stderr, "vt106 replay: sending %s to %s (%s) %s%s%s; Ctrl-C stops\n", o.input.c_str(), o.to.c_str(),
                 address.c_str(), pace_text(o, schedule).c_str(), o.restamp ? ", fix times moved to the send time" : "",
                 o.connect_ahead ? ", every connection opened first" : "");

  gotop::Parser parser;
  SentWriter sent_writer(sink);
  live::Replayer replayer(schedule, ropts, parser, sink, o.verbose ? &sent_writer : nullptr);
  active_replayer = &replayer;
  struct sigaction sa {};
  sa.sa_handler = on_replay_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  stats = replayer.run();
  active_replayer = nullptr;

  // Stopped by --duration or a signal, as asked: what was not sent then is not a failure.
  const bool asked_to_stop = stats.stopped == "duration" || stats.stopped == "signal";
  if (stats.error_count() > 0 || (stats.unsent > 0 && !asked_to_stop)) status = exit_input;
  if (!o.quiet) {
    plan_line();
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
  cmd->add_flag("--restamp", opts->restamp, "Move each device's fix dates and times to the send time, keeping their intervals but never "
                "dating a fix after its frame is sent");
  cmd->add_flag("--connect-ahead", opts->connect_ahead,
                "Open every device's connection before sending anything (the input is read once more for it)");
  cmd->add_option("--read-ahead", opts->read_ahead_kib,
                  "KiB of messages read from the input ahead of the sending (timed replays: at most 2 s ahead)")
      ->check(CLI::Range(64, 1 << 22))
      ->capture_default_str()
      ->type_name("KIB");
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
