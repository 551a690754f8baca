// vt106 decode: frames, hex dumps, SMS texts and captures in, one record per message out (--format).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "record_options.hpp"
#include "terminal.hpp"
#include "vt106/decode/flow_decoder.hpp"
#include "vt106/decode/text_decode.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/util/time.hpp"

namespace vt106::cli {

namespace {

struct DecodeOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> texts, hexes, smses;
  std::string input_format = "auto";
  std::string filter;
  bool quiet = false;
  RecordOptions records;
};

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f && f != stdin) std::fclose(f);
  }
};

int run_decode(const DecodeOptions& o) {
  const auto popts = o.records.parse_options("decode");
  if (!popts) return exit_usage;
  const auto sink_owner = o.records.make_sink(stdout, /*flush_each=*/false);
  output::FormatSink& sink = *sink_owner;
  // A progress line when stderr is a terminal and the records go elsewhere (they would scroll it
  // away otherwise); it counts messages on their way to the sink.
  const bool show_progress = !o.quiet && is_terminal(stderr) && !is_terminal(stdout);
  const bool show_summary = !o.quiet && is_terminal(stderr);
  sink.count_devices(show_summary);  // the summary line is the only reader of the device count
  CountingSink counting(sink);
  output::RecordSink& records = show_progress ? static_cast<output::RecordSink&>(counting) : sink;
  std::optional<ProgressLine> progress;
  gotop::Parser parser(*popts);
  decode::TextDecoder text(parser, records, o.records.max_frame);
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
  int status = exit_ok;
  auto report = [&](const decode::InputStatus& s) {
    if (!s.usable) {
      progress.reset();
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
    if (show_progress) progress.emplace(name == "-" ? "standard input" : name, file.get(), counting);
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
        fopts.max_frame = o.records.max_frame;
        fopts.flow_summaries = o.records.flows;
        decode::FlowDecoder flows(parser, records, name, fopts);
        net::CaptureDecoder capture(flows, copts);
        const auto stats = capture.run(file.get(), in.head());
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
        break;
      }
      case source::InputKind::hex: report(text.hex(in, name)); break;
      case source::InputKind::text: report(text.text(in, name)); break;
      case source::InputKind::sms: report(text.sms(in, name)); break;
    }
    progress.reset();
  }
  sink.finish();
  if (show_summary)
    std::fprintf(stderr, "%s\n", summary_line("decode", sink, colour_allowed(stderr)).c_str());
  return status;
}

Runner setup_decode(CLI::App& app) {
  auto opts = std::make_shared<DecodeOptions>();
  auto* cmd = app.add_subcommand("decode", "Decode GOTOP frames, hex dumps, SMS texts and captures");
  cmd->footer(R"(Examples:
  vt106 decode --text '#353327020412763,CMD-X#'
  vt106 decode --hex '23 33 35 33 33 32 37 30 32 30 34 31 32 37 36 33 2c 43 4d 44 2d 58 23'
  vt106 decode --sms $'HELP ME!\nDATE:24/08/13\nTIME:23:59:37\nSPEED:0.0\nBAT:95\nCSQ:20 \nhttp://maps.google.com/maps?f=q&hl=en&q=2.9930825,101.5746188'
  vt106 decode server.log | jq 'select(.event == "position") | [.imei, .lat, .lon]'
  vt106 decode --format table platform.pcap
  vt106 decode --format csv platform.pcap > messages.csv
  vt106 decode --format geojson --imei 353327020412763 platform.pcap > track.geojson)");
  cmd->add_option("inputs", opts->inputs, "Files to decode ('-' for standard input; the default when nothing else is given)");
  cmd->add_option("--text", opts->texts, "Frames as text, e.g. '#IMEI,CMD-X#' or a bare body")->type_name("FRAMES");
  cmd->add_option("--hex", opts->hexes, "Bytes as hex; spaces, ':' and 0x prefixes are ignored")->type_name("HEX");
  cmd->add_option("--sms", opts->smses, "An SMS text sent by or to the device ('\\n' escapes allowed)")->type_name("TEXT");
  cmd->add_option("--input-format", opts->input_format, "What the input files hold (default: detect)")
      ->check(CLI::IsMember({"auto", "capture", "hex", "text", "sms"}))
      ->type_name("auto|capture|hex|text|sms");
  cmd->add_option("-f,--filter", opts->filter, "Capture files: only packets matching this BPF expression (pcap-filter(7))")
      ->type_name("BPF");
  cmd->add_flag("-q,--quiet", opts->quiet, "No progress line and no summary line on a terminal");
  opts->records.add_to(*cmd, "Capture files: ");
  one_value_each(*cmd, {"--text", "--hex", "--sms"});
  return [opts] { return run_decode(*opts); };
}

}  // namespace

const Subcommand registration{"decode", 10, setup_decode};

}  // namespace vt106::cli
