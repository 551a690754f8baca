// vt106 decode: frames, hex dumps, SMS texts and captures in, one NDJSON record per message out.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "vt106/decode/flow_decoder.hpp"
#include "vt106/decode/text_decode.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/output/ndjson_sink.hpp"
#include "vt106/util/time.hpp"

namespace vt106::cli {

namespace {

struct DecodeOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> texts, hexes, smses;
  std::string input_format = "auto";
  std::string device_tz;
  std::size_t max_frame = gotop::default_max_frame;
  bool pretty = false;
  std::vector<std::string> imeis, events;
  bool no_errors = false;
  // captures
  std::string filter;
  bool flows = false;
  std::vector<std::uint16_t> server_ports{8888, 5050};
  net::FlowLimits limits;
  double idle_timeout_s = 300;
};

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f && f != stdin) std::fclose(f);
  }
};

int run_decode(const DecodeOptions& o) {
  gotop::ParseOptions popts;
  if (!o.device_tz.empty()) {
    auto tz = util::parse_utc_offset(o.device_tz);
    if (!tz) {
      std::fprintf(stderr, "vt106 decode: --device-tz '%s' is not an offset like +08, -07:30 or 0\n", o.device_tz.c_str());
      return exit_usage;
    }
    popts.device_tz_seconds = *tz;
  }
  output::RecordFilter filter;
  filter.imeis.insert(o.imeis.begin(), o.imeis.end());
  filter.events.insert(o.events.begin(), o.events.end());
  filter.errors = !o.no_errors;
  output::NdjsonSink sink(stdout, filter, o.pretty);
  gotop::Parser parser(popts);
  decode::TextDecoder text(parser, sink, o.max_frame);
  std::unique_ptr<source::BpfFilter> bpf;
  if (!o.filter.empty()) {
    try {
      bpf = std::make_unique<source::BpfFilter>(o.filter);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vt106 decode: --filter '%s': %s\n", o.filter.c_str(), e.what());
      return exit_usage;
    }
  }
  net::CaptureOptions copts;
  copts.flows = o.limits;
  copts.flows.server_ports = o.server_ports;
  copts.flows.idle_timeout_ns = static_cast<std::int64_t>(o.idle_timeout_s * 1e9);
  copts.filter = bpf.get();
  int status = exit_ok;
  auto report = [&](const decode::InputStatus& s) {
    if (!s.usable) {
      sink.flush();
      std::fprintf(stderr, "vt106 decode: %s\n", s.problem.c_str());
      status = exit_input;
    }
  };

  for (const auto& t : o.texts) {
    auto in = decode::string_reader(t);
    report(text.text(in, "--text"));
  }
  for (const auto& h : o.hexes) {
    auto in = decode::string_reader(h);
    report(text.hex(in, "--hex"));
  }
  for (const auto& s : o.smses) {
    auto in = decode::string_reader(s);
    report(text.sms(in, "--sms"));
  }
  std::vector<std::string> inputs = o.inputs;
  if (inputs.empty() && o.texts.empty() && o.hexes.empty() && o.smses.empty()) inputs.push_back("-");
  for (const auto& name : inputs) {
    std::unique_ptr<std::FILE, FileCloser> file(name == "-" ? stdin : std::fopen(name.c_str(), "rb"));
    if (!file) {
      sink.flush();
      std::fprintf(stderr, "vt106 decode: %s: cannot open: %s\n", name.c_str(), std::strerror(errno));
      status = exit_input;
      continue;
    }
    std::string head(512, '\0');
    head.resize(std::fread(head.data(), 1, head.size(), file.get()));
    source::InputKind kind = source::sniff_input(head);
    // A file named as a capture is read as one, so that a damaged header is reported as such.
    for (const char* ext : {".pcap", ".pcapng", ".cap"})
      if (name.size() > std::strlen(ext) && name.compare(name.size() - std::strlen(ext), std::string::npos, ext) == 0)
        kind = source::InputKind::capture;
    if (o.input_format != "auto") {
      if (o.input_format == "hex") kind = source::InputKind::hex;
      else if (o.input_format == "text") kind = source::InputKind::text;
      else if (o.input_format == "sms") kind = source::InputKind::sms;
      else kind = source::InputKind::capture;
    }
    decode::ChunkReader in(file.get(), std::move(head));
    switch (kind) {
      case source::InputKind::capture: {
        decode::FlowDecoderOptions fopts;
        fopts.max_frame = o.max_frame;
        fopts.flow_summaries = o.flows;
        decode::FlowDecoder flows(parser, sink, name, fopts);
        net::CaptureDecoder capture(flows, copts);
        const auto stats = capture.run(file.get(), in.head());
        if (stats.stopped_by_problem) {
          sink.flush();
          if (stats.packets == 0)
            std::fprintf(stderr, "vt106 decode: %s: not a readable capture (see the error record)\n", name.c_str());
          else
            std::fprintf(stderr, "vt106 decode: %s: the capture is damaged after packet %llu (see the error record); "
                         "everything before the damage was decoded\n", name.c_str(),
                         static_cast<unsigned long long>(stats.packets));
          status = exit_input;
        }
        break;
      }
      case source::InputKind::hex: report(text.hex(in, name)); break;
      case source::InputKind::text: report(text.text(in, name)); break;
      case source::InputKind::sms: report(text.sms(in, name)); break;
    }
  }
  sink.flush();
  return status;
}

Runner setup_decode(CLI::App& app) {
  auto opts = std::make_shared<DecodeOptions>();
  auto* cmd = app.add_subcommand("decode", "Decode GOTOP frames, hex dumps, SMS texts and captures to NDJSON");
  cmd->footer(R"(Examples:
  vt106 decode --text '#353327020412763,CMD-X#'
  vt106 decode --hex '23 33 35 33 33 32 37 30 32 30 34 31 32 37 36 33 2c 43 4d 44 2d 58 23'
  vt106 decode --sms $'HELP ME!\nDATE:24/08/13\nTIME:23:59:37\nSPEED:0.0\nBAT:95\nCSQ:20 \nhttp://maps.google.com/maps?f=q&hl=en&q=2.9930825,101.5746188'
  vt106 decode server.log | jq 'select(.event == "position") | [.imei, .lat, .lon]')");
  cmd->add_option("inputs", opts->inputs, "Files to decode ('-' for standard input; the default when nothing else is given)");
  cmd->add_option("--text", opts->texts, "Frames as text, e.g. '#IMEI,CMD-X#' or a bare body")->type_name("FRAMES");
  cmd->add_option("--hex", opts->hexes, "Bytes as hex; spaces, ':' and 0x prefixes are ignored")->type_name("HEX");
  cmd->add_option("--sms", opts->smses, "An SMS text sent by or to the device ('\\n' escapes allowed)")->type_name("TEXT");
  cmd->add_option("--input-format", opts->input_format, "What the input files hold (default: detect)")
      ->check(CLI::IsMember({"auto", "capture", "hex", "text", "sms"}))
      ->type_name("auto|capture|hex|text|sms");
  cmd->add_option("--device-tz", opts->device_tz,
                  "The device reports local time at this UTC offset (e.g. +08 for a TL402 at factory settings); "
                  "fix times are converted to UTC")
      ->type_name("+HH[:MM]");
  cmd->add_option("--max-frame", opts->max_frame, "Longest frame body in bytes; longer ones become frame_too_long errors")
      ->check(CLI::Range(16, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--imei", opts->imeis, "Only records of this device (repeatable)");
  cmd->add_option("--event", opts->events, "Only messages with this event (repeatable; 'error' selects error records)");
  cmd->add_flag("--no-errors", opts->no_errors, "Leave error records out of the output");
  cmd->add_option("-f,--filter", opts->filter, "Capture files: only packets matching this BPF expression (pcap-filter(7))")
      ->type_name("BPF");
  cmd->add_flag("--flows", opts->flows, "Capture files: a summary record per flow when it ends");
  cmd->add_option("--server-port", opts->server_ports,
                  "Capture files: platform ports; without a handshake the other side is the device (default 8888 5050)")
      ->type_name("PORT");
  cmd->add_option("--max-flows", opts->limits.max_flows, "Capture files: flows tracked at once; the least recently active is evicted beyond")
      ->check(CLI::Range(1, 1 << 24))
      ->capture_default_str();
  cmd->add_option("--max-buffer", opts->limits.max_buffered_bytes,
                  "Capture files: out-of-order bytes held per flow direction before the hole is declared a gap")
      ->check(CLI::Range(1024, 1 << 30))
      ->capture_default_str();
  cmd->add_option("--max-ooo", opts->limits.max_ooo_segments,
                  "Capture files: out-of-order segments held per flow direction before the hole is declared a gap")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--idle-timeout", opts->idle_timeout_s, "Capture files: seconds of capture time without a packet that end a flow")
      ->check(CLI::Range(1.0, 1e7))
      ->capture_default_str();
  cmd->add_flag("--pretty", opts->pretty, "Indent each record (no longer one line per record)");
  // Repeatable options take one value per occurrence, so they never swallow the input files.
  for (const char* name : {"--text", "--hex", "--sms", "--imei", "--event", "--server-port"})
    cmd->get_option(name)->allow_extra_args(false);
  return [opts] { return run_decode(*opts); };
}

}  // namespace

const Subcommand registration{"decode", 10, setup_decode};

}  // namespace vt106::cli
