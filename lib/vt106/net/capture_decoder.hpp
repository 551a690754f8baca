// One capture file end to end: CaptureReader (pcap/pcapng drafts) -> optional BPF filter ->
// decode_packet (link/IP/TCP/UDP) with fragment reassembly -> FlowTable -> FlowObserver.
// Reader, packet and flow problems all arrive through FlowObserver::on_problem.
#pragma once

#include <cstdint>
#include <cstdio>
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
