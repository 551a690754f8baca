// One capture file end to end: CaptureReader (pcap/pcapng drafts) -> optional BPF filter ->
// decode_packet (link/IP/TCP/UDP) with fragment reassembly -> FlowTable -> FlowObserver.
// Reader, packet and flow problems all arrive through FlowObserver::on_problem.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>
#include <string_view>

#include "vt106/net/flow_table.hpp"
#include "vt106/net/fragments.hpp"
#include "vt106/source/bpf.hpp"
#include "vt106/source/capture_file.hpp"

namespace vt106::net {

struct CaptureOptions {
  FlowLimits flows;
  FragmentLimits fragments;
  source::CaptureLimits capture;
  source::BpfFilter* filter = nullptr;  // packets it rejects are skipped before decoding
  bool file_offsets = true;             // packets come from a file: problems name their byte offset
};

struct CaptureStats {
  source::CaptureFormat format = source::CaptureFormat::unknown;
  std::uint64_t packets = 0;                // packet records read
  std::uint64_t bytes = 0;                  // their captured bytes
  std::uint64_t filtered_out = 0;           // rejected by the filter (or it does not compile for their link type)
  std::uint64_t tcp_segments = 0;
  std::uint64_t udp_datagrams = 0;
  std::uint64_t reassembled = 0;            // segments that came out of IP fragment reassembly
  std::uint64_t fragments_held = 0;         // IP fragments taken into reassembly
  std::uint64_t port_unreachable = 0;       // ICMP/ICMPv6 port unreachable errors
  std::uint64_t other = 0;                  // neither TCP nor UDP (ARP, ICMP echo, ESP...): not an error
  std::uint64_t unsupported_link_type = 0;  // packets skipped for their link type (reported once per type)
  std::uint64_t bad_packets = 0;            // bad_packet, truncated_packet and fragment problems
  std::uint64_t capture_problems = 0;       // problems of the reader
  std::uint64_t flows = 0;                  // flows opened
  bool stopped_by_problem = false;          // the reader stopped at damage
  std::int64_t first_ts_ns = 0;
  std::int64_t last_ts_ns = 0;
};

// Packets in, flow events out: the filter, packet decoding, IP fragment reassembly and the
// flow table for one input. Files (CaptureDecoder) and live interfaces feed it the same way.
class PacketPipeline {
 public:
  PacketPipeline(FlowObserver& observer, const CaptureOptions& options);
  ~PacketPipeline();
  PacketPipeline(const PacketPipeline&) = delete;
  PacketPipeline& operator=(const PacketPipeline&) = delete;

  void add(const source::Packet& packet);
  // A problem of the packet source (damaged file, read error).
  void source_problem(source::CaptureProblem problem);
  // Ends flows idle for longer than the timeout; `now_ns` is capture (or wall-clock) time.
  void expire(std::int64_t now_ns);
  // Ends every flow (end of input). Stats are final afterwards.
  void finish();
  const CaptureStats& stats() const { return stats_; }
  CaptureStats& stats() { return stats_; }

 private:
  void drain_fragments(const PacketRef* packet);
  void report(std::string_view code, std::string message, const source::Packet* packet);
  bool first_time(std::vector<std::uint32_t>& seen, std::uint32_t linktype);

  FlowObserver& observer_;
  const CaptureOptions& options_;
  std::unique_ptr<FlowTable> table_;
  std::unique_ptr<FragmentReassembler> fragments_;
  DecodedPacket decoded_;
  std::vector<std::uint32_t> reported_link_;    // link types already reported unsupported
  std::vector<std::uint32_t> reported_filter_;  // link types the filter does not compile for
  CaptureStats stats_;
};

// Feeds every packet of `reader` to `pipeline`, the reader's problems first, in order, and calls
// `after_packet` after each (it returns false to stop reading); then ends every flow and returns
// the pipeline's stats with the reader's format and whether it stopped on a problem. The one
// reading loop of CaptureDecoder, ThreadedCaptureDecoder and ParallelCaptureDecoder.
template <class AfterPacket>
CaptureStats read_all(source::CaptureReader& reader, PacketPipeline& pipeline, AfterPacket&& after_packet) {
  const auto drain_reader = [&] {
    if (!reader.has_problems()) return;
    while (auto p = reader.take_problem()) pipeline.source_problem(std::move(*p));
  };
  while (auto pkt = reader.next()) {
    drain_reader();
    pipeline.add(*pkt);
    if (!after_packet()) break;
  }
  drain_reader();
  pipeline.finish();
  CaptureStats st = pipeline.stats();
  st.format = reader.format();
  st.stopped_by_problem = reader.stopped_by_problem();
  return st;
}

class CaptureDecoder {
 public:
  explicit CaptureDecoder(FlowObserver& observer, CaptureOptions options = {});

  // Decodes a whole capture and closes every flow at its end. `already_read`: bytes the caller
  // consumed from the start of the input to sniff it. Throws only for a null FILE*/bad fd.
  CaptureStats run(std::FILE* file, std::string_view already_read = {});
  CaptureStats run(int fd, std::string_view already_read = {});
  CaptureStats run(source::CaptureReader& reader);

  const CaptureOptions& options() const { return options_; }

 private:
  FlowObserver& observer_;
  CaptureOptions options_;
};

// Shorthand for CaptureDecoder(observer, options).run(file).
CaptureStats decode_capture(std::FILE* file, FlowObserver& observer, const CaptureOptions& options = {});

}  // namespace vt106::net
