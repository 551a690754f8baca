// Splitting each device's side of a capture (or a text file) into the exact frames it sent.
#include "vt106/replay/recording.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include "vt106/util/text.hpp"

namespace vt106::replay {

std::int64_t Recording::first_ts_ns() const {
  if (connections.empty()) return 0;
  std::int64_t first = connections.front().open_ts_ns;
  for (const auto& c : connections) first = std::min(first, c.open_ts_ns);
  return first;
}

std::int64_t Recording::last_ts_ns() const {
  std::int64_t last = first_ts_ns();
  for (const auto& c : connections) last = std::max(last, c.close_ts_ns);
  return last;
}

std::string_view frame_imei(std::string_view frame) {
  if (frame.empty() || frame.front() != '#') return {};
  std::size_t n = 1;
  while (n < frame.size() && util::is_digit(frame[n])) ++n;
  if (n == 1 || n >= frame.size() || (frame[n] != ',' && frame[n] != '#')) return {};
  return frame.substr(1, n - 1);
}

struct RecordingBuilder::FlowState {
  explicit FlowState(std::size_t max_frame) : splitter(max_frame) {}
  gotop::FrameSplitter splitter;  // client → server only
  RecordedConnection connection;
  std::uint64_t id = 0;
};

RecordingBuilder::RecordingBuilder(std::size_t max_frame) : max_frame_(max_frame) {}
RecordingBuilder::~RecordingBuilder() = default;

RecordingBuilder::FlowState& RecordingBuilder::state(const net::FlowInfo& flow) {
  if (flow.slot >= open_.size()) open_.resize(flow.slot + 1);
  auto& s = open_[flow.slot];
  if (!s || s->id != flow.id) {
    s = std::make_unique<FlowState>(max_frame_);
    s->id = flow.id;
    s->connection.transport = flow.transport;
    s->connection.client = flow.client.to_string();
    s->connection.server = flow.server.to_string();
    s->connection.open_ts_ns = flow.first_ts_ns;
  }
  return *s;
}

void RecordingBuilder::keep_piece(FlowState& s, const gotop::Piece& piece, std::int64_t ts_ns) {
  if (piece.kind != gotop::Piece::Kind::frame || !piece.opened) {
    ++counters_.incomplete;
    return;
  }
  const std::string_view imei = frame_imei(piece.text);
  if (imei.empty()) {
    ++counters_.not_uplink;
    return;
  }
  if (s.connection.imei.empty()) s.connection.imei = imei;
  s.connection.frames.push_back({std::string(piece.text), ts_ns, sequence_++});
  ++counters_.frames;
}

void RecordingBuilder::on_flow_open(const net::FlowInfo& flow) { state(flow); }

void RecordingBuilder::on_stream_data(const net::FlowInfo& flow, net::Side from, std::string_view bytes,
                                      std::int64_t ts_ns) {
  if (from != net::Side::client) {
    counters_.server_bytes += bytes.size();
    return;
  }
  FlowState& s = state(flow);
  s.splitter.feed(bytes, [&](const gotop::Piece& p) { keep_piece(s, p, ts_ns); });
}

void RecordingBuilder::on_datagram(const net::FlowInfo& flow, net::Side from, std::string_view bytes,
                                   std::int64_t ts_ns) {
  if (from != net::Side::client) {
    counters_.server_bytes += bytes.size();
    return;
  }
  // A datagram is a whole unit: a frame never continues into the next one.
  FlowState& s = state(flow);
  auto keep = [&](const gotop::Piece& p) { keep_piece(s, p, ts_ns); };
  s.splitter.feed(bytes, keep);
  s.splitter.finish(keep);
}

void RecordingBuilder::on_gap(const net::FlowInfo& flow, net::Side from, std::uint64_t missing, std::int64_t ts_ns) {
  if (from != net::Side::client) return;
  FlowState& s = state(flow);
  s.splitter.gap(missing, [&](const gotop::Piece& p) { keep_piece(s, p, ts_ns); });
}

void RecordingBuilder::on_flow_close(const net::FlowInfo& flow, net::CloseReason, std::int64_t ts_ns) {
  FlowState& s = state(flow);
  s.splitter.finish([&](const gotop::Piece& p) { keep_piece(s, p, ts_ns); });
  s.connection.close_ts_ns = std::max(flow.last_ts_ns, s.connection.open_ts_ns);
  if (s.connection.frames.empty()) {
    ++counters_.flows_without_frames;
  } else {
    done_.push_back(std::move(s.connection));
    done_ids_.push_back(s.id);
  }
  open_[flow.slot].reset();
}

Recording RecordingBuilder::take() {
  std::vector<std::size_t> order(done_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return done_ids_[a] < done_ids_[b]; });
  Recording r;
  r.timed = true;
  r.counters = counters_;
  r.connections.reserve(done_.size());
  for (std::size_t i : order) r.connections.push_back(std::move(done_[i]));
  done_.clear();
  done_ids_.clear();
  return r;
}

Recording record_capture(std::FILE* file, std::string_view already_read, const net::CaptureOptions& options,
                         net::CaptureStats& stats, std::size_t max_frame) {
  RecordingBuilder builder(max_frame);
  net::CaptureDecoder decoder(builder, options);
  stats = decoder.run(file, already_read);
  return builder.take();
}

Recording record_text(decode::ChunkReader& in, net::Transport transport, std::size_t max_frame) {
  Recording r;
  r.timed = false;
  std::map<std::string, std::size_t, std::less<>> by_imei;  // IMEI → index in r.connections
  gotop::FrameSplitter splitter(max_frame);
  auto keep = [&](const gotop::Piece& p) {
    if (p.kind != gotop::Piece::Kind::frame || !p.opened) {
      ++r.counters.incomplete;
      return;
    }
    const std::string_view imei = frame_imei(p.text);
    if (imei.empty()) {
      ++r.counters.not_uplink;
      return;
    }
    auto it = by_imei.find(imei);
    if (it == by_imei.end()) {
      it = by_imei.emplace(std::string(imei), r.connections.size()).first;
      RecordedConnection c;
      c.imei = imei;
      c.transport = transport;
      r.connections.push_back(std::move(c));
    }
    r.connections[it->second].frames.push_back({std::string(p.text), 0, r.counters.frames});
    ++r.counters.frames;
  };
  for (std::string_view chunk = in.next(); !chunk.empty(); chunk = in.next()) splitter.feed(chunk, keep);
  splitter.finish(keep);
  return r;
}

}  // namespace vt106::replay
