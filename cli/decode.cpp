// vt106 decode: captures, logs, hex dumps, frames and SMS texts in, one record per message out
// (--format). Every input is read as its bytes arrive; what it is, is told from its first bytes.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "record_options.hpp"
#include "terminal.hpp"
#include "vt106/decode/flow_decoder.hpp"
#include "vt106/decode/input.hpp"
#include "vt106/decode/parallel_capture.hpp"
#include "vt106/output/ndjson_sink.hpp"
#include "vt106/decode/text_decode.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/net/threaded_capture.hpp"
#include "vt106/source/byte_source.hpp"
#include "vt106/source/capture_file.hpp"
#include "vt106/util/time.hpp"

namespace vt106::cli {

namespace {

struct DecodeOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> texts, hexes, smses;
  std::string input_format = "auto";
  std::string filter;
  std::string log_tz;
  bool quiet = false;
  unsigned jobs = 0;  // 0: one per core
  RecordOptions records;
};

volatile std::sig_atomic_t decode_stop = 0;
extern "C" void on_decode_signal(int) { decode_stop = 1; }

int run_decode(const DecodeOptions& o) {
  const auto popts = o.records.parse_options("decode");
  if (!popts) return exit_usage;
  std::int64_t log_tz_s = 0;
  if (!o.log_tz.empty()) {
    const auto tz = util::parse_utc_offset(o.log_tz);
    if (!tz) {
      std::fprintf(stderr, "vt106 decode: --log-tz '%s' is not a UTC offset like 8, +08:00, -0530 or UTC+8\n", o.log_tz.c_str());
      return exit_usage;
    }
    log_tz_s = *tz;
  }
  const auto sink_owner = o.records.make_sink(stdout, /*flush_each=*/false);
  output::FormatSink& sink = *sink_owner;
  // A progress line when stderr is a terminal and the records go elsewhere (they would scroll it
  // away otherwise); it counts messages on their way to the sink.
  // Only where it cannot mix with the records: not when they go to the terminal, nor into a pipe
  // whose reader may print there (jq).
  const bool show_progress = !o.quiet && is_terminal(stderr) && !may_reach_terminal(stdout);
  const bool show_summary = !o.quiet && is_terminal(stderr);
  sink.count_devices(show_summary);  // the summary line is the only reader of the device count
  CountingSink counting(sink);
  output::RecordSink& records = show_progress ? static_cast<output::RecordSink&>(counting) : sink;
  std::optional<ProgressLine> progress;
  gotop::Parser parser(*popts);
  std::unique_ptr<source::BpfFilter> bpf;
  if (!o.filter.empty()) {
    try {
      bpf = std::make_unique<source::BpfFilter>(o.filter);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vt106 decode: --filter '%s': %s\n", o.filter.c_str(), e.what());
      return exit_usage;
    }
  }
  net::CaptureOptions copts = o.records.capture_options();
  copts.filter = bpf.get();
  // Captures in NDJSON are decoded on this many threads (-j), the reading on one more; in the
  // other formats, with -j 2 or more, the reading runs beside one decoding thread.
  const unsigned jobs = o.jobs != 0 ? o.jobs : std::max(1u, std::thread::hardware_concurrency());

  // Ctrl-C or SIGTERM ends the input at the next read: what was read is decoded and written,
  // then the summary, as at the end of the input.
  struct sigaction sa {};
  sa.sa_handler = on_decode_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  source::set_stop_flag(&decode_stop);

  int status = exit_ok;
  std::vector<std::string> problems;
  std::vector<std::string> inputs = decode::expand_inputs(o.inputs, problems);
  for (const auto& p : problems) {
    std::fprintf(stderr, "vt106 decode: %s\n", p.c_str());
    status = exit_input;
  }
  if (o.inputs.empty() && o.texts.empty() && o.hexes.empty() && o.smses.empty()) inputs.push_back("-");
  const bool several = inputs.size() + o.texts.size() + o.hexes.size() + o.smses.size() > 1;

  decode::TextOptions topts;
  topts.max_frame = o.records.max_frame;
  topts.log_tz_s = log_tz_s;
  topts.flow_summaries = o.records.flows;
  topts.name_input = several;
  topts.capture = copts;
  decode::TextDecoder text(parser, records, topts);
  std::uint64_t flow_base = 0;  // flow ids are unique across the inputs of the run

  auto report = [&](const decode::InputStatus& s) {
    if (!s.usable) {
      progress.reset();
      sink.flush();
      std::fprintf(stderr, "vt106 decode: %s\n", s.problem.c_str());
      status = exit_input;
    }
  };
  auto as_text = [&](source::ByteSource& in, std::string_view name, source::InputKind kind) {
    text.set_flow_id_base(flow_base);
    const std::uint64_t seen = text.flows_seen();
    if (kind == source::InputKind::hex) report(text.hex(in, name));
    else if (kind == source::InputKind::sms) report(text.sms(in, name));
    else report(text.text(in, name, /*frames_only=*/name == "--text"));
    flow_base += text.flows_seen() - seen;
  };

  for (const auto& t : o.texts) {
    source::MemorySource in(t);
    as_text(in, "--text", source::InputKind::text);
  }
  for (const auto& h : o.hexes) {
    source::MemorySource in(h);
    as_text(in, "--hex", source::InputKind::hex);
  }
  for (const auto& s : o.smses) {
    source::MemorySource in(s);
    as_text(in, "--sms", source::InputKind::sms);
  }
  for (const auto& name : inputs) {
    if (source::stop_requested()) break;
    decode::OpenedInput opened(name);
    if (!opened.error().empty()) {
      sink.flush();
      std::fprintf(stderr, "vt106 decode: %s\n", opened.error().c_str());
      status = exit_input;
      continue;
    }
    // When the input pauses (a pipe, a terminal), what was decoded reaches the reader.
    opened.on_pause([&sink] { sink.flush(); });
    if (show_progress) progress.emplace(name == "-" ? "standard input" : name, opened.fd(), counting);
    decode::Sniffed kind = opened.kind();
    if (o.input_format == "capture") kind = decode::Sniffed::capture;
    else if (o.input_format == "hex") kind = decode::Sniffed::hex;
    else if (o.input_format == "text") kind = decode::Sniffed::text;
    source::ByteSource* in = &opened.bytes();
    if (o.input_format == "sms") {
      as_text(*in, name, source::InputKind::sms);
    } else if (kind == decode::Sniffed::capture) {
      decode::FlowDecoderOptions fopts;
      fopts.max_frame = o.records.max_frame;
      fopts.flow_summaries = o.records.flows;
      fopts.flow_id_base = flow_base;
      fopts.name_input = several;
      source::CaptureReader reader(*in, copts.capture);
      net::CaptureStats stats;
      auto* ndjson = dynamic_cast<output::NdjsonSink*>(&sink);
      if (jobs > 1 && ndjson != nullptr) {
        // Flows decoded on every core; the records written in the order one thread gives them.
        decode::ParallelOptions par;
        par.workers = jobs;
        par.pretty = o.records.pretty;
        decode::ParallelCaptureDecoder parallel(*popts, *ndjson, name, fopts, copts, par);
        if (show_progress) parallel.on_messages([&counting](std::uint64_t n) { counting.add(n); });
        opened.on_pause([&parallel] { parallel.drain(); });
        stats = parallel.run(reader);
        opened.on_pause([&sink] { sink.flush(); });
      } else if (jobs > 1) {
        // Other formats: one thread decodes and writes, another reads and reassembles.
        decode::FlowDecoder flows(parser, records, name, fopts);
        net::ThreadedCaptureDecoder capture(flows, copts);
        capture.on_paused([&sink] { sink.flush(); });
        opened.on_pause([&capture] { capture.pause(); });
        stats = capture.run(reader);
        opened.on_pause([&sink] { sink.flush(); });
      } else {
        decode::FlowDecoder flows(parser, records, name, fopts);
        net::CaptureDecoder capture(flows, copts);
        stats = capture.run(reader);
      }
      flow_base += stats.flows;
      if (stats.stopped_by_problem) {
        progress.reset();
        sink.flush();
        if (stats.packets == 0)
          std::fprintf(stderr, "vt106 decode: %s: not a readable capture (see the error record)\n", name.c_str());
        else
          std::fprintf(stderr, "vt106 decode: %s: the capture is damaged after packet %llu (see the error record); "
                       "everything before the damage was decoded\n", name.c_str(),
                       static_cast<unsigned long long>(stats.packets));
        status = exit_input;
      }
    } else if (kind == decode::Sniffed::hex) {
      as_text(*in, name, source::InputKind::hex);
    } else {
      const auto before = text.counters();
      as_text(*in, name, source::InputKind::text);
      const auto after = text.counters();
      if (kind == decode::Sniffed::binary && after.messages == before.messages && !in->stopped()) {
        // Nothing in it was read: say so in the records too, for whoever reads only those.
        output::ErrorRecord e;
        e.protocol = {};
        e.code = "unknown_input";
        e.message = fmt::format("{}: binary data that is neither a capture (pcap, pcapng), gzip, a hex dump nor "
                                "text; no GOTOP frame in it", name);
        e.length = in->position();
        output::RecordContext ctx;
        ctx.input = name;
        if (several) ctx.input_label = name;
        ctx.offset = 0;
        records.error(ctx, e);
        report({false, e.message});
      }
    }
    if (opened.gzip_failed()) report({false, fmt::format("{}: {}", name, opened.gzip_error())});
    progress.reset();
  }
  sink.finish();
  status = std::max(status, o.records.report_unmatched("decode", sink));
  if (show_summary) {
    std::string line = summary_line("decode", sink, colour_allowed(stderr));
    if (source::stop_requested()) line += " (stopped)";
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  source::set_stop_flag(nullptr);
  return status;
}

Runner setup_decode(CLI::App& app) {
  auto opts = std::make_shared<DecodeOptions>();
  auto* cmd = app.add_subcommand("decode", "Decode captures, server logs, hex dumps, frames and SMS texts");
  cmd->footer(R"(Examples:
  vt106 decode platform.pcap
  tcpdump -U -w - port 8888 | vt106 decode -
  vt106 decode tracker-server.log                 # Traccar's log: sessions become flows
  tail -f server.log | vt106 decode -
  xxd frames.bin | vt106 decode -                 # xxd, hexdump -C, od, tcpdump -X, C arrays
  vt106 decode /var/log/traccar/                  # every file, in name order (.gz too)
  vt106 decode --text '#353327020412763,CMD-X#'
  vt106 decode --hex '23 33 35 33 33 32 37 30 32 30 34 31 32 37 36 33 2c 43 4d 44 2d 58 23'
  vt106 decode --sms $'HELP ME!\nDATE:24/08/13\nTIME:23:59:37\nSPEED:0.0\nBAT:95\nCSQ:20 \nhttp://maps.google.com/maps?f=q&hl=en&q=2.9930825,101.5746188'
  vt106 decode --format table platform.pcap
  vt106 decode --format geojson --imei 353327020412763 platform.pcap > track.geojson)");
  cmd->add_option("inputs", opts->inputs,
                  "Captures, logs, hex dumps or directories of them ('-' for standard input; the default "
                  "when nothing else is given)");
  cmd->add_option("--text", opts->texts, "Frames as text, e.g. '#IMEI,CMD-X#', a bare body or a log line")
      ->type_name("FRAMES");
  cmd->add_option("--hex", opts->hexes, "Bytes as hex, or a pasted hex dump (xxd, hexdump -C, od, tcpdump -X)")
      ->type_name("HEX");
  cmd->add_option("--sms", opts->smses, "An SMS text sent by or to the device ('\\n' escapes allowed)")->type_name("TEXT");
  cmd->add_option("--input-format", opts->input_format, "What the input files hold (default: told from their first bytes)")
      ->check(CLI::IsMember({"auto", "capture", "hex", "text", "sms"}))
      ->type_name("auto|capture|hex|text|sms");
  cmd->add_option("--log-tz", opts->log_tz,
                  "Logs and tcpdump dumps: their times are local at this UTC offset (e.g. +08; default: UTC)")
      ->type_name("OFFSET");
  cmd->add_option("-f,--filter", opts->filter, "Capture files: only packets matching this BPF expression (pcap-filter(7))")
      ->type_name("BPF");
  cmd->add_flag("-q,--quiet", opts->quiet, "No progress line and no summary line on a terminal");
  cmd->add_option("-j,--jobs", opts->jobs,
                  "Capture input: decode flows on N threads in NDJSON, or read on a thread of its own beside one "
                  "decoding thread in the other formats, when N is 2 or more (default: one per core; 1: one thread)")
      ->check(CLI::Range(1u, 256u))
      ->type_name("N");
  opts->records.add_to(*cmd, "Capture files: ");
  one_value_each(*cmd, {"--text", "--hex", "--sms"});
  return [opts] { return run_decode(*opts); };
}

}  // namespace

const Subcommand decode_registration{"decode", 10, setup_decode};

}  // namespace vt106::cli
