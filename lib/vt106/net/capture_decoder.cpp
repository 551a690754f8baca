// Capture file -> filter -> packet decoding -> flow table (pcap/pcapng drafts, tcpdump.org LINKTYPEs).
#include "vt106/net/capture_decoder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "vt106/net/packet.hpp"

namespace vt106::net {

CaptureDecoder::CaptureDecoder(FlowObserver& observer, CaptureOptions options)
    : observer_(observer), options_(std::move(options)) {}

CaptureStats CaptureDecoder::run(std::FILE* file, std::string_view already_read) {
  source::CaptureReader reader(file, already_read, options_.capture);
  return run(reader);
}

CaptureStats CaptureDecoder::run(int fd, std::string_view already_read) {
  source::CaptureReader reader(fd, already_read, options_.capture);
  return run(reader);
}

PacketPipeline::PacketPipeline(FlowObserver& observer, const CaptureOptions& options)
    : observer_(observer),
      options_(options),
      table_(std::make_unique<FlowTable>(options.flows, observer)),
      fragments_(std::make_unique<FragmentReassembler>(options.fragments)) {}

PacketPipeline::~PacketPipeline() = default;

bool PacketPipeline::first_time(std::vector<std::uint32_t>& seen, std::uint32_t linktype) {
  if (std::find(seen.begin(), seen.end(), linktype) != seen.end()) return false;
  seen.push_back(linktype);
  return true;
}

void PacketPipeline::report(std::string_view code, std::string message, const source::Packet* packet) {
  NetProblem np;
  np.code = code;
  np.message = std::move(message);
  if (packet != nullptr) {
    np.packet_number = packet->number;
    if (options_.file_offsets) np.file_offset = packet->file_offset;
    np.ts_ns = packet->ts_ns;
  } else {
    np.ts_ns = stats_.last_ts_ns;
  }
  observer_.on_problem(np);
}

void PacketPipeline::drain_fragments(const PacketRef* packet) {
  if (!fragments_->has_problems()) return;
  while (auto p = fragments_->take_problem()) {
    ++stats_.bad_packets;
    NetProblem np;
    np.code = p->code;
    np.message = std::move(p->message);
    if (packet != nullptr) {
      np.packet_number = packet->number;
      if (options_.file_offsets) np.file_offset = packet->file_offset;
    }
    np.ts_ns = stats_.last_ts_ns;
    observer_.on_problem(np);
  }
}

void PacketPipeline::source_problem(source::CaptureProblem p) {
  ++stats_.capture_problems;
  NetProblem np;
  np.code = p.code;
  np.message = std::move(p.message);
  np.packet_number = p.record;
  np.file_offset = p.file_offset;
  np.ts_ns = stats_.last_ts_ns;
  observer_.on_problem(np);
}

void PacketPipeline::expire(std::int64_t now_ns) {
  table_->flush_idle(now_ns);
  if (fragments_->in_progress() > 0) {
    fragments_->expire(now_ns);
    drain_fragments(nullptr);
  }
}

void PacketPipeline::add(const source::Packet& pkt) {
  CaptureStats& st = stats_;
  if (st.packets == 0) st.first_ts_ns = pkt.ts_ns;
  ++st.packets;
  st.bytes += pkt.data.size();
  st.last_ts_ns = pkt.ts_ns;
  const PacketRef ref{pkt.ts_ns, pkt.number, pkt.file_offset};
  expire(pkt.ts_ns);

  if (options_.filter != nullptr) {
    const auto verdict = options_.filter->test(pkt.linktype, pkt.data, pkt.orig_len);
    if (verdict != source::BpfFilter::Verdict::match) {
      ++st.filtered_out;
      if (verdict == source::BpfFilter::Verdict::error && first_time(reported_filter_, pkt.linktype))
        report(net_code::filter_error,
               fmt::format("filter '{}' does not apply to link type {}: {}; its packets are skipped",
                           options_.filter->expression(), pkt.linktype, options_.filter->error(pkt.linktype)),
               &pkt);
      return;
    }
  }

  decode_packet(pkt.linktype, pkt.data, pkt.orig_len, fragments_.get(), pkt.ts_ns, decoded_);
  drain_fragments(&ref);
  switch (decoded_.kind) {
    case PacketKind::segment:
      if (decoded_.segment.transport == Transport::tcp) ++st.tcp_segments; else ++st.udp_datagrams;
      if (decoded_.reassembled) ++st.reassembled;
      table_->add(decoded_.segment, ref);
      break;
    case PacketKind::port_unreachable:
      ++st.port_unreachable;
      table_->add(decoded_.unreachable, ref);
      break;
    case PacketKind::fragment_held:
      ++st.fragments_held;
      break;
    case PacketKind::other:
      ++st.other;
      break;
    case PacketKind::problem: {
      const bool link = decoded_.problem.code == packet_code::unsupported_link_type;
      if (link) {
        ++st.unsupported_link_type;
        if (!first_time(reported_link_, pkt.linktype)) break;
        decoded_.problem.message += "; its packets are skipped";
      } else {
        ++st.bad_packets;
      }
      report(decoded_.problem.code, decoded_.problem.message, &pkt);
      break;
    }
  }
}

void PacketPipeline::finish() {
  fragments_->drop_all();
  drain_fragments(nullptr);
  table_->finish();
  stats_.flows = table_->flows_seen();
}

CaptureStats CaptureDecoder::run(source::CaptureReader& reader) {
  PacketPipeline pipeline(observer_, options_);
  return read_all(reader, pipeline, [] { return true; });
}

CaptureStats decode_capture(std::FILE* file, FlowObserver& observer, const CaptureOptions& options) {
  return CaptureDecoder(observer, options).run(file);
}

}  // namespace vt106::net
