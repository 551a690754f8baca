// vt106 report: one self-contained HTML page of what each device did (timeline, track, the
// doctor's findings), from any input decode reads, to attach to a ticket.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "record_options.hpp"
#include "vt106/doctor/checks.hpp"
#include "vt106/doctor/facts.hpp"
#include "vt106/doctor/identity.hpp"
#include "vt106/report/report.hpp"
#include "vt106/source/byte_source.hpp"
#include "vt106/util/text.hpp"
#include "vt106/util/time.hpp"
#include "vt106/version.hpp"

namespace vt106::cli {

namespace {

struct ReportOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::vector<std::string> imeis;
  std::string status_timeout = "10m";
  std::vector<std::uint16_t> server_ports{8888, 5050};
  std::string device_tz, log_tz;
  unsigned jobs = 0;
};

int run_report(const ReportOptions& o) {
  if (o.inputs.empty()) {
    std::fprintf(stderr, "vt106 report: give captures, platform logs or hex dumps ('-' for standard input), and -o FILE\n");
    return exit_usage;
  }
  doctor::Options dopts;
  report::Options ropts;
  for (const auto& raw : o.imeis) {
    const std::string imei(util::trim(raw));
    if (!doctor::looks_like_identifier(imei)) {
      std::fprintf(stderr, "vt106 report: --imei '%s' is not a device identifier: give the digits the device sends "
                   "(5 to 20, e.g. 867648044456745)\n", raw.c_str());
      return exit_usage;
    }
    dopts.imeis.push_back(imei);
  }
  const auto timeout = parse_duration(o.status_timeout);
  if (!timeout) {
    std::fprintf(stderr, "vt106 report: --status-timeout '%s' is not a duration like 600, 10m or 1h\n",
                 o.status_timeout.c_str());
    return exit_usage;
  }
  dopts.status_timeout_s = ropts.status_timeout_s = *timeout;
  gotop::ParseOptions popts;
  if (!o.device_tz.empty()) {
    const auto tz = util::parse_utc_offset(o.device_tz);
    if (!tz) {
      std::fprintf(stderr, "vt106 report: --device-tz '%s' is not a UTC offset like 8, +08:00, -0530 or UTC+8\n",
                   o.device_tz.c_str());
      return exit_usage;
    }
    popts.device_tz_seconds = *tz;
  }
  std::int64_t log_tz_s = 0;
  if (!o.log_tz.empty()) {
    const auto tz = util::parse_utc_offset(o.log_tz);
    if (!tz) {
      std::fprintf(stderr, "vt106 report: --log-tz '%s' is not a UTC offset like 8, +08:00, -0530 or UTC+8\n",
                   o.log_tz.c_str());
      return exit_usage;
    }
    log_tz_s = *tz;
  }
  // The page is written whole at the end; a file that cannot be created is said before reading.
  std::unique_ptr<std::FILE, FileCloser> out;
  if (o.output == "-") {
    out.reset(stdout);
  } else {
    out.reset(std::fopen(o.output.c_str(), "wb"));
    if (!out) {
      std::fprintf(stderr, "vt106 report: -o %s: cannot write: %s\n", o.output.c_str(), std::strerror(errno));
      return exit_input;
    }
  }

  gotop::Parser parser(popts);
  doctor::FactCollector collector(parser);
  report::Collector records;
  collector.also_tell(records);
  FactInputs fi;
  fi.program = "vt106 report";
  fi.inputs = o.inputs;
  fi.jobs = o.jobs != 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  fi.log_tz_s = log_tz_s;
  fi.capture.flows.server_ports = o.server_ports;
  std::vector<std::string> inputs;
  std::size_t usable = 0;
  std::uint64_t base = 0;
  int status = read_fact_inputs(fi, parser, collector, inputs, usable, base);
  if (usable == 0) {
    if (o.output != "-") std::remove(o.output.c_str());
    return exit_input;
  }
  dopts.inputs = o.inputs;
  const doctor::Report diagnosis = doctor::diagnose(collector.facts(), dopts);
  report::Meta meta;
  meta.generator = fmt::format("vt106 {} ({})", version, git_revision);
  meta.inputs = o.inputs;
  meta.generated_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string page = report::render_page(report::build_json(records, collector.facts(), diagnosis, ropts, meta));
  if (std::fwrite(page.data(), 1, page.size(), out.get()) != page.size() || std::fflush(out.get()) != 0) {
    std::fprintf(stderr, "vt106 report: -o %s: writing failed: %s\n", o.output.c_str(), std::strerror(errno));
    return exit_input;
  }
  if (o.output != "-")
    std::fprintf(stderr, "vt106 report: %s: %zu device%s, %llu messages, %.1f MB; open it in a browser (no network needed)\n",
                 o.output.c_str(), diagnosis.devices.size(), diagnosis.devices.size() == 1 ? "" : "s",
                 static_cast<unsigned long long>(records.messages()), static_cast<double>(page.size()) / 1e6);
  for (const auto& m : diagnosis.missing) {
    std::fprintf(stderr, "vt106 report: --imei %s: no device in the input sends it\n", m.imei.c_str());
    status = exit_input;
  }
  return status;
}

Runner setup_report(CLI::App& app) {
  auto opts = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand("report", "Write one self-contained HTML page of what each device did: timeline, track, findings");
  cmd->footer(R"(Examples:
  vt106 report platform.pcap -o report.html                 # every device; open report.html in a browser
  vt106 report tracker-server.log --imei 867648044456745 -o device.html
  vt106 report day.pcap.gz --status-timeout 30m -o day.html)");
  cmd->add_option("inputs", opts->inputs, "Captures, platform logs (e.g. tracker-server.log), hex dumps; '-' for standard input")
      ->type_name("INPUT");
  cmd->add_option("-o,--output", opts->output, "The HTML file to write ('-': standard output)")->required()->type_name("FILE");
  cmd->add_option("--imei", opts->imeis, "Only this device (repeatable)")->type_name("IMEI");
  cmd->add_option("--status-timeout", opts->status_timeout,
                  "Silences longer than this are shown (the platform's offline timeout: 600, 10m, 1h)")
      ->capture_default_str()
      ->type_name("DURATION");
  cmd->add_option("--server-port", opts->server_ports, "A port the platform listens on (repeatable; default 8888 and 5050)")
      ->type_name("PORT");
  cmd->add_option("--device-tz", opts->device_tz, "The devices report local time at this UTC offset (8, +08:00, -0530)")
      ->type_name("OFFSET");
  cmd->add_option("--log-tz", opts->log_tz, "A log's times are local time at this UTC offset")->type_name("OFFSET");
  cmd->add_option("-j,--jobs", opts->jobs, "Threads for reading captures (default: one per core)")->type_name("N");
  one_value_each(*cmd, {"--imei", "--server-port"});
  return [opts] { return run_report(*opts); };
}

}  // namespace

const Subcommand report_registration{"report", 65, setup_report};

}  // namespace vt106::cli
