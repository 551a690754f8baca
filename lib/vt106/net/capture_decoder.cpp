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

CaptureStats CaptureDecoder::run(source::CaptureReader& reader) {
  CaptureStats st;
  FlowTable table(options_.flows, observer_);
  FragmentReassembler fragments(options_.fragments);
  DecodedPacket decoded;
  std::vector<std::uint32_t> reported_link;    // link types already reported unsupported
  std::vector<std::uint32_t> reported_filter;  // link types the filter does not compile for
  std::int64_t last_ts = 0;

  const auto drain_reader = [&] {
    while (auto p = reader.take_problem()) {
      ++st.capture_problems;
      NetProblem np;
      np.code = p->code;
      np.message = std::move(p->message);
      np.packet_number = p->record;
      np.file_offset = p->file_offset;
      np.ts_ns = last_ts;
      observer_.on_problem(np);
    }
  };
  const auto drain_fragments = [&](const PacketRef* packet) {
    while (auto p = fragments.take_problem()) {
      ++st.bad_packets;
      NetProblem np;
      np.code = p->code;
      np.message = std::move(p->message);
      if (packet != nullptr) {
        np.packet_number = packet->number;
        np.file_offset = packet->file_offset;
      }
      np.ts_ns = last_ts;
      observer_.on_problem(np);
    }
  };
  const auto once = [](std::vector<std::uint32_t>& seen, std::uint32_t linktype) {
    if (std::find(seen.begin(), seen.end(), linktype) != seen.end()) return false;
    seen.push_back(linktype);
    return true;
  };

  while (auto pkt = reader.next()) {
    drain_reader();
    if (st.packets == 0) st.first_ts_ns = pkt->ts_ns;
    ++st.packets;
    st.bytes += pkt->data.size();
    last_ts = pkt->ts_ns;
    const PacketRef ref{pkt->ts_ns, pkt->number, pkt->file_offset};

    table.flush_idle(pkt->ts_ns);
    if (fragments.in_progress() > 0) {
      fragments.expire(pkt->ts_ns);
      drain_fragments(nullptr);
    }

    if (options_.filter != nullptr) {
      const auto verdict = options_.filter->test(pkt->linktype, pkt->data, pkt->orig_len);
      if (verdict != source::BpfFilter::Verdict::match) {
        ++st.filtered_out;
        if (verdict == source::BpfFilter::Verdict::error && once(reported_filter, pkt->linktype)) {
          NetProblem np;
          np.code = net_code::filter_error;
          np.message = fmt::format("filter '{}' does not apply to link type {}: {}; its packets are skipped",
                                   options_.filter->expression(), pkt->linktype,
                                   options_.filter->error(pkt->linktype));
          np.packet_number = pkt->number;
          np.file_offset = pkt->file_offset;
          np.ts_ns = pkt->ts_ns;
          observer_.on_problem(np);
        }
        continue;
      }
    }

    decode_packet(pkt->linktype, pkt->data, pkt->orig_len, &fragments, pkt->ts_ns, decoded);
    drain_fragments(&ref);
    switch (decoded.kind) {
      case PacketKind::segment:
        if (decoded.segment.transport == Transport::tcp) ++st.tcp_segments; else ++st.udp_datagrams;
        if (decoded.reassembled) ++st.reassembled;
        table.add(decoded.segment, ref);
        break;
      case PacketKind::port_unreachable:
        ++st.port_unreachable;
        table.add(decoded.unreachable, ref);
        break;
      case PacketKind::fragment_held:
        ++st.fragments_held;
        break;
      case PacketKind::other:
        ++st.other;
        break;
      case PacketKind::problem: {
        const bool link = decoded.problem.code == packet_code::unsupported_link_type;
        if (link) {
          ++st.unsupported_link_type;
          if (!once(reported_link, pkt->linktype)) break;
          decoded.problem.message += "; its packets are skipped";
        } else {
          ++st.bad_packets;
        }
        NetProblem np;
        np.code = decoded.problem.code;
        np.message = decoded.problem.message;
        np.packet_number = pkt->number;
        np.file_offset = pkt->file_offset;
        np.ts_ns = pkt->ts_ns;
        observer_.on_problem(np);
        break;
      }
    }
  }
  drain_reader();
  fragments.drop_all();
  drain_fragments(nullptr);
  table.finish();

  st.format = reader.format();
  st.flows = table.flows_seen();
  st.stopped_by_problem = reader.stopped_by_problem();
  st.last_ts_ns = last_ts;
  return st;
}

CaptureStats decode_capture(std::FILE* file, FlowObserver& observer, const CaptureOptions& options) {
  return CaptureDecoder(observer, options).run(file);
}

}  // namespace vt106::net
