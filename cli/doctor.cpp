// vt106 doctor: why a device does not appear on the platform. Every input given (captures,
// platform logs, hex dumps, a live interface) is read into one set of facts, then each device
// (or only those asked for with --imei) goes through the checks in data-path order.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "vt106/decode/input.hpp"
#include "vt106/decode/text_decode.hpp"
#include "vt106/doctor/checks.hpp"
#include "vt106/doctor/facts.hpp"
#include "vt106/doctor/identity.hpp"
#include "vt106/doctor/render.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/net/threaded_capture.hpp"
#include "vt106/source/byte_source.hpp"
#include "vt106/source/capture_file.hpp"
#include "vt106/source/live_capture.hpp"
#include "vt106/util/text.hpp"
#include "vt106/util/time.hpp"

namespace vt106::cli {

// doctor and report: "600", "600s", "10m", "2h" → seconds.
std::optional<std::int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1;
  const char last = text.back();
  if (last == 's' || last == 'm' || last == 'h') {
    unit = last == 'h' ? 3600 : last == 'm' ? 60 : 1;
    text.remove_suffix(1);
  }
  auto v = util::parse_int<std::int64_t>(text);
  if (!v || *v <= 0 || *v > 366LL * 86400) return std::nullopt;
  return *v * unit;
}

// Reads every input (captures, platform logs, hex dumps) into the collector's facts, as doctor
// and report do: problems named on stderr after `fi.program`; returns exit_input when an input
// could not be used (the others are still read), else exit_ok.
int read_fact_inputs(const FactInputs& fi, gotop::Parser& parser, doctor::FactCollector& collector,
                     std::vector<std::string>& inputs, std::size_t& usable, std::uint64_t& base) {
  int status = exit_ok;
  std::vector<std::string> problems;
  inputs = decode::expand_inputs(fi.inputs, problems);
  for (const auto& p : problems) {
    std::fprintf(stderr, "%s: %s\n", fi.program, p.c_str());
    status = exit_input;
  }
  for (const auto& name : inputs) {
    if (source::stop_requested()) break;
    decode::OpenedInput in(name);
    if (!in.error().empty()) {
      std::fprintf(stderr, "%s: %s\n", fi.program, in.error().c_str());
      status = exit_input;
      continue;
    }
    collector.begin_input(name, base);
    const decode::Sniffed kind = in.kind();
    if (kind == decode::Sniffed::capture) {
      source::CaptureReader reader(in.bytes(), fi.capture.capture);
      // With more than one core, the reading and reassembly run on a thread of their own.
      const auto stats = fi.jobs > 1 ? net::ThreadedCaptureDecoder(collector, fi.capture).run(reader)
                                  : net::CaptureDecoder(collector, fi.capture).run(reader);
      collector.facts().packets += stats.packets;
      base += stats.flows;
      if (stats.stopped_by_problem) {
        const auto& p = collector.facts().input_problems;
        std::fprintf(stderr, "%s: %s: %s%s%s\n", fi.program, name.c_str(),
                     stats.packets == 0 ? "not a readable capture" : "the capture is damaged; what came before was read",
                     p.empty() ? "" : ": ", p.empty() ? "" : p.back().c_str());
        status = exit_input;
        if (stats.packets == 0) continue;
      }
      ++usable;
    } else {
      decode::TextOptions topts;
      topts.capture = fi.capture;
      topts.observer = &collector;
      topts.log_tz_s = fi.log_tz_s;
      decode::TextDecoder text(parser, collector.records(), topts);
      const auto st = kind == decode::Sniffed::hex ? text.hex(in.bytes(), name) : text.text(in.bytes(), name);
      base += text.flows_seen();
      const auto counters = text.counters();
      if (!st.usable) {
        std::fprintf(stderr, "%s: %s\n", fi.program, st.problem.c_str());
        status = exit_input;
      } else if (text.flows_seen() == 0 && counters.messages == 0) {
        std::fprintf(stderr, "%s: %s: no connection and no GOTOP frame in it: give a capture, a platform log "
                     "(e.g. Traccar's tracker-server.log) or a hex dump\n", fi.program, name.c_str());
        status = exit_input;
      } else {
        ++usable;
      }
    }
    if (in.gzip_failed()) {
      std::fprintf(stderr, "%s: %s: %s\n", fi.program, name.c_str(), in.gzip_error().c_str());
      status = exit_input;
    }
  }
  return status;
}

namespace {

struct DoctorOptions {
  std::vector<std::string> inputs;
  std::string interface;
  double duration_s = 60;
  std::vector<std::string> imeis;
  std::string status_timeout = "10m";
  std::vector<std::uint16_t> server_ports{8888, 5050};
  std::string device_tz, log_tz;
  std::string format = "text";
  bool json = false;
  bool all = false;
  unsigned jobs = 0;  // 0: one per core
};

volatile std::sig_atomic_t doctor_stop = 0;
source::LiveCapture* doctor_capture = nullptr;
extern "C" void on_doctor_signal(int) {
  doctor_stop = 1;
  if (doctor_capture) doctor_capture->stop();
}

int run_doctor(const DoctorOptions& o) {
  if (o.json) {
    if (o.format != "text" && o.format != "ndjson") {
      std::fprintf(stderr, "vt106 doctor: --json is --format ndjson; it cannot go with --format %s\n", o.format.c_str());
      return exit_usage;
    }
  }
  const std::string format = o.json ? "ndjson" : o.format;
  doctor::Options dopts;
  for (const auto& raw : o.imeis) {
    const std::string imei(util::trim(raw));
    if (!doctor::looks_like_identifier(imei)) {
      std::fprintf(stderr, "vt106 doctor: --imei '%s' is not a device identifier: give the digits the device sends "
                   "(5 to 20, e.g. 867648044456745)\n", raw.c_str());
      return exit_usage;
    }
    if (std::find(dopts.imeis.begin(), dopts.imeis.end(), imei) == dopts.imeis.end()) dopts.imeis.push_back(imei);
  }
  const auto timeout = parse_duration(o.status_timeout);
  if (!timeout) {
    std::fprintf(stderr, "vt106 doctor: --status-timeout '%s' is not a duration like 600, 10m or 1h\n",
                 o.status_timeout.c_str());
    return exit_usage;
  }
  dopts.status_timeout_s = *timeout;
  gotop::ParseOptions popts;
  if (!o.device_tz.empty()) {
    auto tz = util::parse_utc_offset(o.device_tz);
    if (!tz) {
      std::fprintf(stderr, "vt106 doctor: --device-tz '%s' is not a UTC offset like 8, +08:00, -0530 or UTC+8\n", o.device_tz.c_str());
      return exit_usage;
    }
    popts.device_tz_seconds = *tz;
  }
  std::int64_t log_tz_s = 0;
  if (!o.log_tz.empty()) {
    auto tz = util::parse_utc_offset(o.log_tz);
    if (!tz) {
      std::fprintf(stderr, "vt106 doctor: --log-tz '%s' is not a UTC offset like 8, +08:00, -0530 or UTC+8\n", o.log_tz.c_str());
      return exit_usage;
    }
    log_tz_s = *tz;
  }
  if (o.inputs.empty() && o.interface.empty()) {
    std::fprintf(stderr, "vt106 doctor: give captures, platform logs or hex dumps ('-' for standard input), "
                 "a live interface with -i, or both\n");
    return exit_usage;
  }

  const unsigned jobs = o.jobs != 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  gotop::Parser parser(popts);
  doctor::FactCollector collector(parser);
  net::CaptureOptions copts;
  copts.flows.server_ports = o.server_ports;
  int status = exit_ok;
  std::size_t usable = 0;

  struct sigaction sa {};
  sa.sa_handler = on_doctor_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  source::set_stop_flag(&doctor_stop);

  FactInputs fi;
  fi.program = "vt106 doctor";
  fi.inputs = o.inputs;
  fi.jobs = jobs;
  fi.log_tz_s = log_tz_s;
  fi.capture = copts;
  std::vector<std::string> inputs;
  std::uint64_t base = 0;
  status = read_fact_inputs(fi, parser, collector, inputs, usable, base);
  if (!o.interface.empty() && !source::stop_requested()) {
    source::LiveOptions lo;
    lo.interface = o.interface;
    for (auto p : o.server_ports) lo.filter += (lo.filter.empty() ? "" : " or ") + fmt::format("port {}", p);
    lo.filter = "(" + lo.filter + ") or icmp or icmp6";
    std::unique_ptr<source::LiveCapture> live;
    try {
      live = std::make_unique<source::LiveCapture>(lo);
    } catch (const source::LiveCaptureError& e) {
      std::fprintf(stderr, "vt106 doctor: %s\n", e.what());
      return exit_input;
    }
    collector.begin_input(o.interface, base);
    copts.file_offsets = false;
    net::PacketPipeline pipeline(collector, copts);
    doctor_capture = live.get();
    std::fprintf(stderr, "vt106 doctor: watching %s for %.0f s (Ctrl-C to stop early)\n", o.interface.c_str(),
                 o.duration_s);
    const auto start = std::chrono::steady_clock::now();
    const std::function<void(const source::Packet&)> on_packet = [&](const source::Packet& p) { pipeline.add(p); };
    while (!doctor_stop && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < o.duration_s)
      if (!live->dispatch(on_packet)) break;
    doctor_capture = nullptr;
    pipeline.finish();
    collector.facts().packets += pipeline.stats().packets;
    ++usable;
  }
  if (usable == 0) return exit_input;

  dopts.inputs = o.inputs;
  if (!o.interface.empty()) {
    dopts.inputs.push_back("-i");
    dopts.inputs.push_back(o.interface);
  }
  const doctor::Report report = doctor::diagnose(collector.facts(), dopts);
  std::string out;
  if (format == "ndjson") {
    out = doctor::render_ndjson(report);
  } else if (format == "json") {
    out = doctor::render_json(report);
  } else {
    doctor::RenderOptions ro;
    ro.inputs = dopts.inputs;
    ro.all = o.all;
    ro.what = inputs.size() == 1 && o.interface.empty() ? inputs.front()
              : o.interface.empty()                      ? fmt::format("{} inputs", inputs.size())
              : inputs.empty()                           ? o.interface
                                                         : fmt::format("{} inputs and {}", inputs.size(), o.interface);
    out = doctor::render_text(report, ro);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return report.failed ? exit_input : status;
}

Runner setup_doctor(CLI::App& app) {
  auto opts = std::make_shared<DoctorOptions>();
  auto* cmd = app.add_subcommand("doctor", "Why doesn't my device appear? The reasons, in order, with evidence and fixes");
  std::string checks;
  for (const auto& [code, what] : doctor::check_catalogue()) checks += fmt::format("\n  {:<24} {}", code, what);
  cmd->footer("Checks, in the order the data travels:" + checks + R"(

Several inputs are one story: a device's connections in a capture and its lines in a platform log
are one device. With many devices the text report is a summary (a line per check, a line per fix);
--imei or --all print devices in full.

Exit status: 0 when no check fails (warnings allowed), 1 when one fails or an --imei is not in the
input, 2 for usage errors.

Examples:
  vt106 doctor platform.pcap
  vt106 doctor platform.pcap tracker-server.log --imei 867648044456745
  vt106 doctor platform.pcap --format ndjson | jq -c 'select(.status == "fail")'
  sudo vt106 doctor -i any --duration 300 --status-timeout 30m)");
  cmd->add_option("inputs", opts->inputs,
                  "Captures (pcap, pcapng), platform logs (Traccar's tracker-server.log, server logs), hex dumps, "
                  "directories of them, gzip'd or not; '-' for standard input")
      ->type_name("INPUT");
  cmd->add_option("-i,--interface", opts->interface, "Also watch a live interface (after the inputs)")->type_name("IFACE");
  cmd->add_option("--duration", opts->duration_s, "With -i: seconds to watch")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--imei", opts->imeis,
                  "Diagnose only the device that sends this identifier; when none does, name the devices it most "
                  "likely is (repeatable)")
      ->type_name("IMEI")
      ->allow_extra_args(false);
  cmd->add_flag("--all", opts->all, "Text: every device in full, however many there are");
  cmd->add_option("--status-timeout", opts->status_timeout,
                  "After how long without a message the platform shows a device offline (600, 10m, 1h)")
      ->capture_default_str();
  cmd->add_option("--server-port", opts->server_ports, "Platform ports (default 8888 5050)")->type_name("PORT")->allow_extra_args(false);
  cmd->add_option("--device-tz", opts->device_tz, "Read fix times as this UTC offset (e.g. +08) before judging them")
      ->type_name("+HH[:MM]");
  cmd->add_option("--log-tz", opts->log_tz, "Logs and dumps: their times are local at this UTC offset (default: UTC)")
      ->type_name("OFFSET");
  cmd->add_option("--format", opts->format,
                  "text: the report for a person; ndjson: one record per finding (check, status, device, flow, "
                  "evidence, fix, command), then the verdict; json: one document")
      ->check(CLI::IsMember({"text", "ndjson", "json"}))
      ->type_name("text|ndjson|json")
      ->capture_default_str();
  cmd->add_flag("--json", opts->json, "The same as --format ndjson");
  cmd->add_option("-j,--jobs", opts->jobs,
                  "Capture files: read and reassemble on a thread of their own when N is 2 or more (default: the "
                  "number of cores; 1: one thread); the report is the same")
      ->check(CLI::Range(1u, 256u))
      ->type_name("N");
  return [opts] { return run_doctor(*opts); };
}

}  // namespace

const Subcommand doctor_registration{"doctor", 70, setup_doctor};

}  // namespace vt106::cli
