// vt106 capture: decode GOTOP traffic live from an interface, one record per message as it
// arrives (--format), optionally saving the packets; the same flow and decode path as `vt106 decode`.
#include <csignal>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "record_options.hpp"
#include "vt106/decode/flow_decoder.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/source/live_capture.hpp"

namespace vt106::cli {

namespace {

struct CaptureOptions {
  std::string interface;
  std::string filter;
  std::vector<std::uint16_t> ports;
  std::string write_path;
  std::uint64_t count = 0;
  double duration_s = 0;
  int snaplen = 262144;
  std::size_t buffer_kib = source::LiveOptions::default_buffer_size / 1024;
  bool no_promisc = false;
  bool list = false;
  bool quiet = false;
  RecordOptions records;
};

volatile std::sig_atomic_t stop_requested = 0;
source::LiveCapture* active_capture = nullptr;

extern "C" void on_stop_signal(int) {
  stop_requested = 1;
  if (active_capture) active_capture->stop();  // pcap_breakloop only sets a flag
}

int list_interfaces() {
  for (const auto& i : source::LiveCapture::list_interfaces()) {
    std::string flags;
    if (i.up) flags += "up";
    if (i.running) flags += flags.empty() ? "running" : ",running";
    if (i.loopback) flags += flags.empty() ? "loopback" : ",loopback";
    std::string addrs;
    for (const auto& a : i.addresses) addrs += (addrs.empty() ? "" : " ") + a;
    std::printf("%s\t%s\t%s%s%s\n", i.name.c_str(), flags.c_str(), addrs.c_str(),
                i.description.empty() ? "" : "\t", i.description.c_str());
  }
  return exit_ok;
}

std::string port_filter(const std::vector<std::uint16_t>& ports) {
  std::string f;
  for (auto p : ports) f += (f.empty() ? "" : " or ") + fmt::format("port {}", p);
  return f;
}

int run_capture(CaptureOptions o) {
  if (o.list) return list_interfaces();
  if (o.interface.empty()) {
    std::fprintf(stderr, "vt106 capture: -i IFACE is required ('vt106 capture -D' lists interfaces)\n");
    return exit_usage;
  }
  const auto popts = o.records.parse_options("capture");
  if (!popts) return exit_usage;
  if (!o.ports.empty()) o.records.server_ports = o.ports;
  source::LiveOptions live_opts;
  live_opts.interface = o.interface;
  live_opts.filter = !o.filter.empty() ? o.filter : port_filter(o.records.server_ports);
  live_opts.write_path = o.write_path;
  live_opts.snaplen = o.snaplen;
  live_opts.promiscuous = !o.no_promisc;
  live_opts.buffer_size = o.buffer_kib * 1024;
  // Room between the capture thread and the decoder: as much again as the kernel's buffer.
  const std::size_t queue_bytes = std::max<std::size_t>(live_opts.buffer_size, 4u << 20);

  std::unique_ptr<source::LiveCapture> live;
  try {
    live = std::make_unique<source::LiveCapture>(live_opts);
  } catch (const source::LiveCaptureError& e) {
    std::fprintf(stderr, "vt106 capture: %s\n", e.what());
    return e.kind() == source::LiveCaptureError::Kind::bad_filter ? exit_usage : exit_input;
  }

  const auto sink_owner = o.records.make_sink(stdout, /*flush_each=*/false);
  output::FormatSink& sink = *sink_owner;
  if (o.count > 0) sink.limit_messages(o.count);
  gotop::Parser parser(*popts);
  decode::FlowDecoderOptions fopts;
  fopts.max_frame = o.records.max_frame;
  fopts.flow_summaries = o.records.flows;
  const std::string name = o.interface;
  decode::FlowDecoder flows(parser, sink, name, fopts);
  net::CaptureOptions copts = o.records.capture_options();
  copts.file_offsets = false;
  net::PacketPipeline pipeline(flows, copts);

  active_capture = live.get();
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  if (!o.quiet)
    std::fprintf(stderr, "vt106 capture: listening on %s (filter: %s)%s%s, Ctrl-C to stop\n", name.c_str(),
                 live_opts.filter.c_str(), o.write_path.empty() ? "" : ", saving to ", o.write_path.c_str());
  const auto started = std::chrono::steady_clock::now();
  const auto now_ns = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  // One thread takes packets from the kernel and does nothing else; this one decodes. The queue
  // between them holds up to queue_bytes; stdout is flushed whenever it runs empty.
  source::PacketQueue queue(queue_bytes);
  std::thread reader([&] { live->run(queue); });
  std::uint64_t dropped = 0;
  bool stopping = false;
  auto stop = [&] {
    if (!stopping) live->stop();
    stopping = true;
  };
  source::PacketBatch batch;
  for (;;) {
    const auto got = queue.pop(batch, std::chrono::milliseconds(100));
    if (got == source::PacketQueue::Pop::closed) break;
    if (got == source::PacketQueue::Pop::batch) {
      for (const auto& e : batch.entries) {
        if (sink.done()) break;  // -c reached: the rest is read and let go
        source::Packet p;
        p.ts_ns = e.ts_ns;
        p.linktype = live->linktype();
        p.orig_len = e.orig_len;
        p.data = batch.data(e);
        p.number = e.number;
        pipeline.add(p);
      }
      if (batch.dropped > 0) {
        // Reported where it was seen, between the packets read before and after.
        dropped += batch.dropped;
        output::RecordContext ctx;
        ctx.input = name;
        ctx.ts_ns = batch.seen_ns;
        output::ErrorRecord e;
        e.protocol = "";
        e.code = "packets_dropped";
        e.dropped = batch.dropped;
        e.message = fmt::format("{}: the kernel dropped {} packet{} ({} in all): its capture buffer was full; "
                                "a larger --buffer-size or a narrower --filter keeps them",
                                name, batch.dropped, batch.dropped == 1 ? "" : "s", dropped);
        sink.error(ctx, e);
      }
    }
    pipeline.expire(now_ns());
    if (queue.empty()) sink.flush();  // the input paused: what was decoded is out
    if (stop_requested || sink.done()) stop();
    if (o.duration_s > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >= o.duration_s)
      stop();
  }
  reader.join();
  active_capture = nullptr;
  // A stop asked for (a signal may have stopped the reader before this loop saw it) is no error.
  stopping = stopping || stop_requested || sink.done();
  int status = exit_ok;
  if (!stopping && !live->error().empty()) {
    std::fprintf(stderr, "vt106 capture: %s: capture ended: %s\n", name.c_str(), live->error().c_str());
    status = exit_input;
  } else if (!stopping) {
    std::fprintf(stderr, "vt106 capture: %s: capture ended: the interface went away\n", name.c_str());
    status = exit_input;
  }
  pipeline.finish();  // partial frames are reported as truncated
  live->close_save_file();
  sink.finish();
  status = std::max(status, o.records.report_unmatched("capture", sink));
  const auto ls = live->stats();
  const auto& c = sink.counters();
  if (!o.quiet)
    std::fprintf(stderr,
                 "vt106 capture: %llu packets, %llu messages from %s%zu devices, %llu errors, %llu flows; "
                 "kernel dropped %llu%s%s\n",
                 static_cast<unsigned long long>(ls.packets), static_cast<unsigned long long>(c.messages),
                 sink.device_count_capped() ? "at least " : "", sink.device_count(),
                 static_cast<unsigned long long>(c.errors),
                 static_cast<unsigned long long>(pipeline.stats().flows),
                 static_cast<unsigned long long>(ls.kernel_dropped), o.write_path.empty() ? "" : "; saved to ",
                 o.write_path.c_str());
  return status;
}

Runner setup_capture(CLI::App& app) {
  auto opts = std::make_shared<CaptureOptions>();
  auto* cmd = app.add_subcommand("capture", "Decode GOTOP traffic live from a network interface");
  cmd->footer(R"(Examples:
  sudo vt106 capture -i eth0 --imei 867648044456745 | jq .
  sudo vt106 capture -i any --port 5050 -w platform.pcapng
  sudo vt106 capture -i eth0 --format table
  sudo vt106 capture -i lo -c 10 --duration 60
  vt106 capture -D)");
  cmd->add_option("-i,--interface", opts->interface, "Interface to capture on ('any' for all)")->type_name("IFACE");
  cmd->add_option("-f,--filter", opts->filter, "BPF capture filter (default: the server ports, 'port 8888 or port 5050')")
      ->type_name("BPF");
  cmd->add_option("--port", opts->ports, "Platform port to capture and treat as the server side (repeatable)")
      ->type_name("PORT");
  cmd->add_option("-w,--write", opts->write_path, "Also save the captured packets to this pcapng file (the link type and the times of the interface)")->type_name("FILE");
  cmd->add_option("-c,--count", opts->count, "Stop after this many message records")->type_name("COUNT");
  cmd->add_option("--duration", opts->duration_s, "Stop after this many seconds")->type_name("SECONDS")->check(CLI::PositiveNumber);
  cmd->add_option("--snaplen", opts->snaplen, "Bytes captured per packet")->check(CLI::Range(64, 262144))->capture_default_str();
  cmd->add_option("-B,--buffer-size", opts->buffer_kib,
                  "The kernel's capture buffer in KiB, as tcpdump -B (packets beyond it while the decoder is busy are dropped and reported)")
      ->type_name("KIB")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 20))
      ->capture_default_str();
  cmd->add_flag("--no-promisc", opts->no_promisc, "Do not put the interface in promiscuous mode");
  cmd->add_flag("-D,--list-interfaces", opts->list, "List the interfaces that can be captured on, and exit");
  cmd->add_flag("-q,--quiet", opts->quiet, "No start and summary lines on stderr");
  opts->records.add_to(*cmd, "");
  one_value_each(*cmd, {"--port"});
  return [opts] { return run_capture(*opts); };
}

}  // namespace

const Subcommand capture_registration{"capture", 20, setup_capture};

}  // namespace vt106::cli
