// vt106 doctor: the ordered list of reasons a device does not appear on the platform, from a
// capture (or a live interface), with the evidence and the fix for each.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "vt106/decode/input.hpp"
#include "vt106/decode/text_decode.hpp"
#include "vt106/source/capture_file.hpp"
#include "vt106/doctor/checks.hpp"
#include "vt106/doctor/facts.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/source/live_capture.hpp"
#include "vt106/util/text.hpp"
#include "vt106/util/time.hpp"

namespace vt106::cli {

namespace {

struct DoctorOptions {
  std::vector<std::string> inputs;
  std::string interface;
  double duration_s = 60;
  std::vector<std::string> imeis;
  std::string status_timeout = "10m";
  std::vector<std::uint16_t> server_ports{8888, 5050};
  std::string device_tz;
  bool json = false;
};

// "600", "600s", "10m", "2h" → seconds.
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

volatile std::sig_atomic_t doctor_stop = 0;
source::LiveCapture* doctor_capture = nullptr;
extern "C" void on_doctor_signal(int) {
  doctor_stop = 1;
  if (doctor_capture) doctor_capture->stop();
}

void print_text(const doctor::Report& r) {
  std::printf("%s\n\n", r.verdict.c_str());
  std::string device;
  for (const auto& f : r.findings) {
    if (f.device != device) {
      device = f.device;
      std::printf("%s\n", device == "*" ? "capture" : fmt::format("device {}", device).c_str());
    }
    std::string status(doctor::to_string(f.status));
    if (f.status == doctor::Status::fail) status = "FAIL";
    if (f.status == doctor::Status::warn) status = "WARN";
    std::printf("  %-4s  %-24s %s\n", status.c_str(), f.check.c_str(), f.summary.c_str());
    if (f.status == doctor::Status::fail || f.status == doctor::Status::warn) {
      for (const auto& [k, v] : f.evidence) std::printf("          %s: %s\n", k.c_str(), v.c_str());
      if (f.flow) std::printf("          flow: %llu\n", static_cast<unsigned long long>(*f.flow));
    }
  }
  std::vector<const doctor::Finding*> actions;
  for (const auto& f : r.findings)
    if ((f.status == doctor::Status::fail || f.status == doctor::Status::warn) && !f.fix.empty()) actions.push_back(&f);
  if (!actions.empty()) {
    std::printf("\nNext:\n");
    int n = 0;
    for (const auto* f : actions) {
      std::printf("  %d. %s (%s)\n", ++n, f->fix.c_str(), f->check.c_str());
      if (!f->command.empty()) std::printf("     %s\n", f->command.c_str());
    }
  }
}

void print_json(const doctor::Report& r) {
  for (const auto& f : r.findings) {
    nlohmann::ordered_json j;
    j["kind"] = "finding";
    j["check"] = f.check;
    j["status"] = doctor::to_string(f.status);
    j["device"] = f.device;
    if (f.flow) j["flow"] = *f.flow;
    j["summary"] = f.summary;
    nlohmann::ordered_json ev = nlohmann::ordered_json::object();
    for (const auto& [k, v] : f.evidence) {
      if (!ev.contains(k)) ev[k] = v;
      else if (ev[k].is_array()) ev[k].push_back(v);
      else ev[k] = nlohmann::ordered_json::array({ev[k], v});
    }
    j["evidence"] = ev;
    if (!f.fix.empty()) j["fix"] = f.fix;
    if (!f.command.empty()) j["command"] = f.command;
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  nlohmann::ordered_json v;
  v["kind"] = "verdict";
  v["verdict"] = r.verdict;
  v["failed"] = r.failed;
  std::printf("%s\n", v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

// Records of lines outside any flow (doctor reads flows only).
class DiscardSink final : public output::RecordSink {
 public:
  void message(const output::RecordContext&, const gotop::Message&) override {}
  void error(const output::RecordContext&, const output::ErrorRecord&) override {}
};

int run_doctor(const DoctorOptions& o) {
  doctor::Options dopts;
  dopts.imeis.insert(o.imeis.begin(), o.imeis.end());
  dopts.server_ports = o.server_ports;
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
      std::fprintf(stderr, "vt106 doctor: --device-tz '%s' is not an offset like +08 or -07:30\n", o.device_tz.c_str());
      return exit_usage;
    }
    popts.device_tz_seconds = *tz;
  }
  if (o.inputs.empty() == o.interface.empty()) {
    std::fprintf(stderr, "vt106 doctor: give one capture, Traccar log or tcpdump dump (or '-' for standard input), or a live interface with -i\n");
    return exit_usage;
  }
  gotop::Parser parser(popts);
  const std::string name = o.interface.empty() ? o.inputs.front() : o.interface;
  doctor::FactCollector collector(parser, name);
  net::CaptureOptions copts;
  copts.flows.server_ports = o.server_ports;
  if (o.interface.empty()) {
    // Any input decode reads: a capture, a Traccar log (its sessions are flows), a dump.
    decode::OpenedInput in(o.inputs.front());
    if (!in.error().empty()) {
      std::fprintf(stderr, "vt106 doctor: %s\n", in.error().c_str());
      return exit_input;
    }
    const decode::Sniffed kind = in.kind();
    if (kind == decode::Sniffed::capture) {
      source::CaptureReader reader(in.bytes(), copts.capture);
      net::CaptureDecoder decoder(collector, copts);
      const auto stats = decoder.run(reader);
      collector.facts().packets = stats.packets;
      if (stats.stopped_by_problem && stats.packets == 0) {
        std::fprintf(stderr, "vt106 doctor: %s: not a readable capture%s%s\n", name.c_str(),
                     collector.facts().capture_problems.empty() ? "" : ": ",
                     collector.facts().capture_problems.empty() ? "" : collector.facts().capture_problems.front().c_str());
        return exit_input;
      }
    } else {
      decode::TextOptions topts;
      topts.capture = copts;
      topts.observer = &collector;
      DiscardSink discard;
      decode::TextDecoder text(parser, discard, topts);
      const auto st = kind == decode::Sniffed::hex ? text.hex(in.bytes(), name) : text.text(in.bytes(), name);
      if (!st.usable) std::fprintf(stderr, "vt106 doctor: %s\n", st.problem.c_str());
      if (text.flows_seen() == 0) {
        std::fprintf(stderr, "vt106 doctor: %s: no connection in it: give a capture, a Traccar log "
                     "(tracker-server.log) or a tcpdump -X dump\n", name.c_str());
        return exit_input;
      }
    }
  } else {
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
    copts.file_offsets = false;
    net::PacketPipeline pipeline(collector, copts);
    doctor_capture = live.get();
    struct sigaction sa {};
    sa.sa_handler = on_doctor_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::fprintf(stderr, "vt106 doctor: watching %s for %.0f s (Ctrl-C to stop early)\n", name.c_str(), o.duration_s);
    const auto start = std::chrono::steady_clock::now();
    const std::function<void(const source::Packet&)> on_packet = [&](const source::Packet& p) { pipeline.add(p); };
    while (!doctor_stop && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < o.duration_s)
      if (!live->dispatch(on_packet)) break;
    doctor_capture = nullptr;
    pipeline.finish();
    collector.facts().packets = pipeline.stats().packets;
  }
  const doctor::Report report = doctor::diagnose(collector.facts(), dopts);
  if (o.json) print_json(report);
  else print_text(report);
  std::fflush(stdout);
  return report.failed ? exit_input : exit_ok;
}

Runner setup_doctor(CLI::App& app) {
  auto opts = std::make_shared<DoctorOptions>();
  auto* cmd = app.add_subcommand("doctor", "Why doesn't my device appear? The reasons, in order, with evidence and fixes");
  std::string checks;
  for (const auto& [code, what] : doctor::check_catalogue()) checks += fmt::format("\n  {:<24} {}", code, what);
  cmd->footer("Checks, in the order the data travels:" + checks + R"(

Exit status: 0 when no check fails (warnings allowed), 1 when one fails, 2 for usage errors.

Examples:
  vt106 doctor platform.pcap --imei 867648044456745
  vt106 doctor platform.pcap --json | jq -c 'select(.status == "fail")'
  sudo vt106 doctor -i any --duration 300 --status-timeout 30m)");
  cmd->add_option("capture", opts->inputs, "A capture of the platform's traffic (pcap or pcapng; '-' for standard input)");
  cmd->add_option("-i,--interface", opts->interface, "Watch a live interface instead of reading a capture")->type_name("IFACE");
  cmd->add_option("--duration", opts->duration_s, "With -i: seconds to watch")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--imei", opts->imeis, "The identifier the platform has registered for the device (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--status-timeout", opts->status_timeout,
                  "After how long without a message the platform shows a device offline (600, 10m, 1h)")
      ->capture_default_str();
  cmd->add_option("--server-port", opts->server_ports, "Platform ports (default 8888 5050)")->type_name("PORT")->allow_extra_args(false);
  cmd->add_option("--device-tz", opts->device_tz, "Read fix times as this UTC offset (e.g. +08) before judging them")
      ->type_name("+HH[:MM]");
  cmd->add_flag("--json", opts->json, "One JSON record per finding (check, status, device, flow, evidence, fix), then the verdict");
  return [opts] { return run_doctor(*opts); };
}

}  // namespace

const Subcommand registration{"doctor", 70, setup_doctor};

}  // namespace vt106::cli
