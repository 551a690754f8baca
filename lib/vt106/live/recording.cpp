// Splitting each device's side of a capture (or a text file) into the exact frames it sent.
#include "vt106/live/recording.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <numeric>

#include "vt106/util/text.hpp"

namespace vt106::live {

std::string_view frame_imei(std::string_view frame) {
  if (frame.empty() || frame.front() != '#') return {};
  std::size_t n = 1;
  while (n < frame.size() && util::is_digit(frame[n])) ++n;
  if (n == 1 || n >= frame.size() || (frame[n] != ',' && frame[n] != '#')) return {};
  return frame.substr(1, n - 1);
}

namespace {

// The identifier of a whole uplink frame; empty (and counted) for anything else.
std::string_view uplink_imei(const gotop::Piece& piece, RecordingCounters& counters) {
  if (piece.kind != gotop::Piece::Kind::frame || !piece.opened) {
    ++counters.incomplete;
    return {};
  }
  const std::string_view imei = frame_imei(piece.text);
  if (imei.empty()) ++counters.not_uplink;
  return imei;
}

// The flow events of a capture turned into record events, queued for the source to hand out.
class EventBuilder final : public net::FlowObserver {
 public:
  EventBuilder(std::size_t max_frame, std::deque<RecordEvent>& out, RecordingCounters& counters)
      : max_frame_(max_frame), out_(out), counters_(counters) {}

  void on_flow_open(const net::FlowInfo& flow) override { state(flow); }
  void on_stream_data(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override {
    if (from != net::Side::client) {
      counters_.server_bytes += bytes.size();
      return;
    }
    FlowState& s = state(flow);
    s.splitter.feed(bytes, [&](const gotop::Piece& p) { keep_piece(flow, s, p, ts_ns); });
  }
  void on_datagram(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override {
    if (from != net::Side::client) {
      counters_.server_bytes += bytes.size();
      return;
    }
    // A datagram is a whole unit: a frame never continues into the next one.
    FlowState& s = state(flow);
    auto keep = [&](const gotop::Piece& p) { keep_piece(flow, s, p, ts_ns); };
    s.splitter.feed(bytes, keep);
    s.splitter.finish(keep);
  }
  void on_gap(const net::FlowInfo& flow, net::Side from, std::uint64_t missing, std::int64_t ts_ns) override {
    if (from != net::Side::client) return;
    FlowState& s = state(flow);
    s.splitter.gap(missing, [&](const gotop::Piece& p) { keep_piece(flow, s, p, ts_ns); });
  }
  void on_flow_close(const net::FlowInfo& flow, net::CloseReason reason, std::int64_t ts_ns) override {
    FlowState& s = state(flow);
    s.splitter.finish([&](const gotop::Piece& p) { keep_piece(flow, s, p, ts_ns); });
    if (!s.announced) {
      ++counters_.flows_without_frames;
    } else {
      RecordEvent e;
      e.kind = RecordEvent::Kind::end;
      e.key = flow.id;
      e.close_ts_ns = std::max(flow.last_ts_ns, flow.first_ts_ns);
      e.open_at_end = reason == net::CloseReason::end_of_input;
      out_.push_back(std::move(e));
    }
    open_[flow.slot].reset();
  }

 private:
  struct FlowState {
    explicit FlowState(std::size_t max_frame) : splitter(max_frame) {}
    gotop::FrameSplitter splitter;  // client → server only
    std::uint64_t id = 0;
    bool announced = false;  // its connection event is out
  };

  FlowState& state(const net::FlowInfo& flow) {
    if (flow.slot >= open_.size()) open_.resize(flow.slot + 1);
    auto& s = open_[flow.slot];
    if (!s || s->id != flow.id) {
      s = std::make_unique<FlowState>(max_frame_);
      s->id = flow.id;
    }
    return *s;
  }

  void keep_piece(const net::FlowInfo& flow, FlowState& s, const gotop::Piece& piece, std::int64_t ts_ns) {
    const std::string_view imei = uplink_imei(piece, counters_);
    if (imei.empty()) return;
    if (!s.announced) {
      s.announced = true;
      RecordEvent c;
      c.kind = RecordEvent::Kind::connection;
      c.key = flow.id;
      c.imei = imei;
      c.transport = flow.transport;
      c.client = flow.client.to_string();
      c.server = flow.server.to_string();
      c.open_ts_ns = flow.first_ts_ns;
      out_.push_back(std::move(c));
    }
    RecordEvent f;
    f.kind = RecordEvent::Kind::frame;
    f.key = flow.id;
    f.frame = {std::string(piece.text), ts_ns, sequence_++};
    out_.push_back(std::move(f));
    ++counters_.frames;
  }

  std::size_t max_frame_;
  std::deque<RecordEvent>& out_;
  RecordingCounters& counters_;
  std::vector<std::unique_ptr<FlowState>> open_;  // indexed by FlowInfo::slot
  std::uint64_t sequence_ = 0;
};

}  // namespace

struct CaptureRecordingSource::State {
  State(std::FILE* file, std::string head, const net::CaptureOptions& options, std::size_t max_frame)
      : already_read(std::move(head)),
        reader(file, already_read, options.capture),
        builder(max_frame, queue, counters),
        pipeline(builder, options) {}
  std::string already_read;
  source::CaptureReader reader;
  std::deque<RecordEvent> queue;
  RecordingCounters counters;
  EventBuilder builder;
  net::PacketPipeline pipeline;
  bool finished = false;
};

CaptureRecordingSource::CaptureRecordingSource(std::FILE* file, std::string already_read, net::CaptureOptions options,
                                               std::size_t max_frame)
    : file_(file), options_(std::move(options)), max_frame_(max_frame) {
  restart(std::move(already_read));
}

CaptureRecordingSource::~CaptureRecordingSource() = default;

void CaptureRecordingSource::restart(std::string already_read) {
  state_.reset();
  state_ = std::make_unique<State>(file_, std::move(already_read), options_, max_frame_);
}

bool CaptureRecordingSource::next(RecordEvent& event) {
  State& s = *state_;
  while (s.queue.empty()) {
    if (s.finished) return false;
    auto pkt = s.reader.next();
    if (s.reader.has_problems())
      while (auto p = s.reader.take_problem()) s.pipeline.source_problem(std::move(*p));
    if (pkt) {
      s.pipeline.add(*pkt);
    } else {
      s.pipeline.finish();
      s.finished = true;
    }
  }
  event = std::move(s.queue.front());
  s.queue.pop_front();
  return true;
}

bool CaptureRecordingSource::rewind() {
  if (std::fseek(file_, 0, SEEK_SET) != 0) return false;
  restart({});
  return true;
}

const RecordingCounters& CaptureRecordingSource::counters() const { return state_->counters; }

net::CaptureStats CaptureRecordingSource::stats() const {
  net::CaptureStats st = state_->pipeline.stats();
  st.stopped_by_problem = state_->reader.stopped_by_problem();
  return st;
}

struct TextRecordingSource::State {
  State(std::FILE* file, std::string head, std::size_t max_frame) : in(file, std::move(head)), splitter(max_frame) {}
  State(source::ByteSource& bytes, std::size_t max_frame) : in(bytes), splitter(max_frame) {}
  decode::ChunkReader in;
  gotop::FrameSplitter splitter;
  std::map<std::string, std::uint64_t, std::less<>> by_imei;  // IMEI → its connection key
  std::vector<std::uint64_t> order;                           // keys in order of appearance
  std::deque<RecordEvent> queue;
  std::uint64_t sequence = 0;
  bool finished = false;
};

TextRecordingSource::TextRecordingSource(std::FILE* file, std::string already_read, net::Transport transport,
                                         std::size_t max_frame)
    : file_(file), transport_(transport), max_frame_(max_frame),
      state_(std::make_unique<State>(file, std::move(already_read), max_frame)) {}

TextRecordingSource::TextRecordingSource(source::ByteSource& bytes, net::Transport transport, std::size_t max_frame)
    : file_(nullptr), transport_(transport), max_frame_(max_frame), state_(std::make_unique<State>(bytes, max_frame)) {}

TextRecordingSource::~TextRecordingSource() = default;

bool TextRecordingSource::next(RecordEvent& event) {
  State& s = *state_;
  auto keep = [&](const gotop::Piece& p) {
    const std::string_view imei = uplink_imei(p, counters_);
    if (imei.empty()) return;
    auto it = s.by_imei.find(imei);
    if (it == s.by_imei.end()) {
      it = s.by_imei.emplace(std::string(imei), s.order.size()).first;
      s.order.push_back(it->second);
      RecordEvent c;
      c.kind = RecordEvent::Kind::connection;
      c.key = it->second;
      c.imei = imei;
      c.transport = transport_;
      s.queue.push_back(std::move(c));
    }
    RecordEvent f;
    f.kind = RecordEvent::Kind::frame;
    f.key = it->second;
    f.frame = {std::string(p.text), 0, s.sequence++};
    s.queue.push_back(std::move(f));
    ++counters_.frames;
  };
  while (s.queue.empty()) {
    if (s.finished) return false;
    const std::string_view chunk = s.in.next();
    if (!chunk.empty()) {
      s.splitter.feed(chunk, keep);
      continue;
    }
    s.splitter.finish(keep);
    s.finished = true;
    for (const std::uint64_t key : s.order) {  // every device's connection ends with the input
      RecordEvent e;
      e.kind = RecordEvent::Kind::end;
      e.key = key;
      s.queue.push_back(std::move(e));
    }
  }
  event = std::move(s.queue.front());
  s.queue.pop_front();
  return true;
}

bool TextRecordingSource::rewind() {
  if (!file_ || std::fseek(file_, 0, SEEK_SET) != 0) return false;
  state_ = std::make_unique<State>(file_, std::string(), max_frame_);
  counters_ = {};
  return true;
}

bool TextRecordingSource::failed() const { return state_->in.failed(); }

MemoryRecordingSource::MemoryRecordingSource(const Recording& recording) : recording_(recording) {
  struct Ref {
    std::uint64_t sequence;
    std::size_t connection, frame;
  };
  std::vector<Ref> refs;
  for (std::size_t c = 0; c < recording.connections.size(); ++c)
    for (std::size_t f = 0; f < recording.connections[c].frames.size(); ++f)
      refs.push_back({recording.connections[c].frames[f].sequence, c, f});
  std::stable_sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) { return a.sequence < b.sequence; });
  std::vector<std::size_t> left(recording.connections.size());
  for (std::size_t c = 0; c < left.size(); ++c) left[c] = recording.connections[c].frames.size();
  for (const Ref& r : refs) {
    const auto& c = recording.connections[r.connection];
    if (left[r.connection] == c.frames.size()) {  // its first frame
      RecordEvent e;
      e.kind = RecordEvent::Kind::connection;
      e.key = r.connection;
      e.imei = c.imei;
      e.transport = c.transport;
      e.client = c.client;
      e.server = c.server;
      e.open_ts_ns = c.open_ts_ns;
      events_.push_back(std::move(e));
    }
    RecordEvent f;
    f.kind = RecordEvent::Kind::frame;
    f.key = r.connection;
    f.frame = c.frames[r.frame];
    events_.push_back(std::move(f));
    if (--left[r.connection] == 0) {
      RecordEvent e;
      e.kind = RecordEvent::Kind::end;
      e.key = r.connection;
      e.close_ts_ns = c.close_ts_ns;
      events_.push_back(std::move(e));
    }
  }
}

bool MemoryRecordingSource::next(RecordEvent& event) {
  if (at_ >= events_.size()) return false;
  event = events_[at_++];
  return true;
}

bool MemoryRecordingSource::rewind() {
  at_ = 0;
  return true;
}

Recording collect(RecordingSource& source) {
  Recording r;
  r.timed = source.timed();
  std::map<std::uint64_t, std::size_t> at;  // key → index in r.connections, while open
  std::vector<std::uint64_t> keys;
  RecordEvent e;
  while (source.next(e)) {
    switch (e.kind) {
      case RecordEvent::Kind::connection: {
        RecordedConnection c;
        c.imei = std::move(e.imei);
        c.transport = e.transport;
        c.client = std::move(e.client);
        c.server = std::move(e.server);
        c.open_ts_ns = e.open_ts_ns;
        at[e.key] = r.connections.size();
        keys.push_back(e.key);
        r.connections.push_back(std::move(c));
        break;
      }
      case RecordEvent::Kind::frame:
        if (auto it = at.find(e.key); it != at.end()) r.connections[it->second].frames.push_back(std::move(e.frame));
        break;
      case RecordEvent::Kind::end:
        if (auto it = at.find(e.key); it != at.end()) {
          auto& c = r.connections[it->second];
          c.close_ts_ns = std::max(e.close_ts_ns, c.open_ts_ns);
          at.erase(it);
        }
        break;
    }
  }
  r.counters = source.counters();
  // In the order the connections opened (flow ids are given in that order).
  std::vector<std::size_t> order(r.connections.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  std::vector<RecordedConnection> sorted;
  sorted.reserve(order.size());
  for (std::size_t i : order) sorted.push_back(std::move(r.connections[i]));
  r.connections = std::move(sorted);
  return r;
}

Recording record_capture(std::FILE* file, std::string_view already_read, const net::CaptureOptions& options,
                         net::CaptureStats& stats, std::size_t max_frame) {
  CaptureRecordingSource source(file, std::string(already_read), options, max_frame);
  Recording r = collect(source);
  stats = source.stats();
  return r;
}

Recording record_text(decode::ChunkReader& in, net::Transport transport, std::size_t max_frame) {
  TextRecordingSource source(in, transport, max_frame);
  return collect(source);
}

}  // namespace vt106::live
