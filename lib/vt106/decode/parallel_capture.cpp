// Flow events to workers by flow, records back in event order.
#include "vt106/decode/parallel_capture.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "vt106/output/deferred_ndjson.hpp"

namespace vt106::decode {

namespace {

// What only some events carry: the flow as the table had it (open, close: the summary reads its
// counters), a problem, an ICMP error.
struct Extra {
  net::FlowInfo flow;
  bool has_flow = false;
  std::optional<net::NetProblem> problem;
  std::optional<net::PortUnreachable> unreachable;
};

// One flow event as the flow table gave it, with its place in the order of all events. Data
// events name their flow only: the worker keeps the flow as it opened.
struct Event {
  enum class Kind : std::uint8_t { open, stream, datagram, gap, close, problem, unreachable };
  Kind kind = Kind::stream;
  net::Side side = net::Side::client;
  net::CloseReason reason{};
  std::uint32_t slot = 0;
  std::uint64_t seq = 0;
  std::int64_t ts_ns = 0;
  std::uint64_t missing = 0;
  std::uint32_t at = 0, len = 0;  // payload, in the part's arena
  std::unique_ptr<Extra> extra;
};

// A worker's share of one batch: its events in, its records out.
struct Part {
  std::vector<Event> events;
  std::string arena;
  output::DeferredNdjson out;
  explicit Part(bool pretty) : out(pretty) {}
};

struct Slot {
  std::vector<Part> parts;
  std::uint64_t index = 0;    // the batch it holds
  bool submitted = false;     // handed to the workers, not yet written
  unsigned pending = 0;       // workers still at it
  std::size_t events = 0, bytes = 0;
};

// Passes every record to the part being worked on.
class SwitchSink final : public output::RecordSink {
 public:
  output::DeferredNdjson* to = nullptr;
  void message(const output::RecordContext& c, const gotop::Message& m) override { to->message(c, m); }
  void error(const output::RecordContext& c, const output::ErrorRecord& e) override { to->error(c, e); }
  void flow(const output::FlowSummary& f) override { to->flow(f); }
  void foreign(const output::RecordContext& c, const detect::Verdict& v) override { to->foreign(c, v); }
  void flow_closed(std::uint32_t flow) override { to->flow_closed(flow); }
};

}  // namespace

struct ParallelCaptureDecoder::Impl final : net::FlowObserver {
  Impl(const gotop::ParseOptions& parse, output::NdjsonSink& s, std::string name, FlowDecoderOptions options,
       const net::CaptureOptions& c, ParallelOptions p)
      : sink(s), capture(c), parallel(p) {
    parallel.workers = std::max(1u, parallel.workers);
    parallel.batches_in_flight = std::max<std::size_t>(2, parallel.batches_in_flight);
    slots.resize(parallel.batches_in_flight);
    for (auto& slot : slots)
      for (unsigned w = 0; w < parallel.workers; ++w) slot.parts.emplace_back(parallel.pretty);
    for (unsigned w = 0; w < parallel.workers; ++w) {
      auto worker = std::make_unique<Worker>(parse);
      worker->decoder = std::make_unique<FlowDecoder>(worker->parser, worker->to, name, options);
      workers.push_back(std::move(worker));
    }
    for (unsigned w = 0; w < parallel.workers; ++w) threads.emplace_back([this, w] { work(w); });
  }

  ~Impl() override {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    work_cv.notify_all();
    for (auto& t : threads) t.join();
  }

  struct Worker {
    explicit Worker(const gotop::ParseOptions& parse) : parser(parse) {}
    gotop::Parser parser;
    SwitchSink to;
    std::unique_ptr<FlowDecoder> decoder;
    std::vector<net::FlowInfo> flows;  // by slot: each flow of this worker as it opened
  };

  output::NdjsonSink& sink;
  const net::CaptureOptions& capture;
  ParallelOptions parallel;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  std::vector<Slot> slots;
  std::uint64_t filling = 0;  // the batch the reader adds events to
  std::uint64_t written = 0;  // the next batch to write
  std::uint64_t seq = 0;
  std::mutex mutex;
  std::condition_variable work_cv, done_cv;
  bool stopping = false;
  std::function<void(std::uint64_t)> counted;

  Slot& current() { return slots[filling % slots.size()]; }
  unsigned owner(std::uint64_t flow_id) const { return static_cast<unsigned>(flow_id % parallel.workers); }

  Event& add(Event::Kind kind, unsigned worker, std::string_view bytes = {}) {
    Slot& slot = current();
    Part& part = slot.parts[worker];
    Event& e = part.events.emplace_back();
    e.kind = kind;
    e.seq = seq++;
    e.at = static_cast<std::uint32_t>(part.arena.size());
    e.len = static_cast<std::uint32_t>(bytes.size());
    part.arena.append(bytes);
    ++slot.events;
    slot.bytes += bytes.size();
    return e;
  }
  Event& add_flow(Event::Kind kind, const net::FlowInfo& flow, std::string_view bytes = {}) {
    Event& e = add(kind, owner(flow.id), bytes);
    e.slot = flow.slot;
    return e;
  }
  Event& add_whole_flow(Event::Kind kind, const net::FlowInfo& flow) {
    Event& e = add_flow(kind, flow);
    e.extra = std::make_unique<Extra>();
    e.extra->flow = flow;
    e.extra->has_flow = true;
    return e;
  }

  // ---- the flow table's events (reader thread) ----
  void on_flow_open(const net::FlowInfo& flow) override { add_whole_flow(Event::Kind::open, flow); }
  void on_stream_data(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts) override {
    Event& e = add_flow(Event::Kind::stream, flow, bytes);
    e.side = from;
    e.ts_ns = ts;
  }
  void on_datagram(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts) override {
    Event& e = add_flow(Event::Kind::datagram, flow, bytes);
    e.side = from;
    e.ts_ns = ts;
  }
  void on_gap(const net::FlowInfo& flow, net::Side from, std::uint64_t missing, std::int64_t ts) override {
    Event& e = add_flow(Event::Kind::gap, flow);
    e.side = from;
    e.missing = missing;
    e.ts_ns = ts;
  }
  void on_flow_close(const net::FlowInfo& flow, net::CloseReason reason, std::int64_t ts) override {
    Event& e = add_whole_flow(Event::Kind::close, flow);
    e.reason = reason;
    e.ts_ns = ts;
  }
  void on_problem(const net::NetProblem& problem) override {
    Event& e = add(Event::Kind::problem, problem.flow_id ? owner(*problem.flow_id) : 0);
    e.extra = std::make_unique<Extra>();
    e.extra->problem = problem;
  }
  void on_port_unreachable(const net::PortUnreachable& event, const net::FlowInfo* flow, std::int64_t ts) override {
    Event& e = add(Event::Kind::unreachable, flow ? owner(flow->id) : 0);
    e.extra = std::make_unique<Extra>();
    if (flow) {
      e.extra->flow = *flow;
      e.extra->has_flow = true;
    }
    e.extra->unreachable = event;
    e.ts_ns = ts;
  }

  // ---- workers ----
  void work(unsigned w) {
    std::uint64_t next = 0;
    Worker& me = *workers[w];
    for (;;) {
      Slot* slot = nullptr;
      {
        std::unique_lock lock(mutex);
        work_cv.wait(lock, [&] {
          const Slot& s = slots[next % slots.size()];
          return stopping || (s.submitted && s.index == next);
        });
        const Slot& s = slots[next % slots.size()];
        if (!(s.submitted && s.index == next)) return;  // stopping, nothing left
        slot = &slots[next % slots.size()];
      }
      Part& part = slot->parts[w];
      me.to.to = &part.out;
      for (Event& e : part.events) run_event(me, part, e);
      {
        std::lock_guard lock(mutex);
        if (--slot->pending == 0) done_cv.notify_all();
      }
      ++next;
    }
  }

  static void run_event(Worker& me, Part& part, const Event& e) {
    part.out.set_seq(e.seq);
    FlowDecoder& d = *me.decoder;
    const std::string_view bytes = std::string_view(part.arena).substr(e.at, e.len);
    auto& flows = me.flows;
    if (e.kind == Event::Kind::open || e.kind == Event::Kind::close) {
      if (e.slot >= flows.size()) flows.resize(e.slot + 1);
      flows[e.slot] = e.extra->flow;
    }
    // The flow as it opened (the table announces every flow before its data).
    const net::FlowInfo* flow = e.slot < flows.size() ? &flows[e.slot] : nullptr;
    switch (e.kind) {
      case Event::Kind::open: d.on_flow_open(*flow); break;
      case Event::Kind::stream: if (flow) d.on_stream_data(*flow, e.side, bytes, e.ts_ns); break;
      case Event::Kind::datagram: if (flow) d.on_datagram(*flow, e.side, bytes, e.ts_ns); break;
      case Event::Kind::gap: if (flow) d.on_gap(*flow, e.side, e.missing, e.ts_ns); break;
      case Event::Kind::close: d.on_flow_close(*flow, e.reason, e.ts_ns); break;
      case Event::Kind::problem: d.on_problem(*e.extra->problem); break;
      case Event::Kind::unreachable:
        d.on_port_unreachable(*e.extra->unreachable, e.extra->has_flow ? &e.extra->flow : nullptr, e.ts_ns);
        break;
    }
  }

  // ---- handing out and writing (reader thread) ----
  void submit() {
    Slot& slot = current();
    if (slot.events == 0) return;
    {
      std::lock_guard lock(mutex);
      slot.index = filling;
      slot.submitted = true;
      slot.pending = parallel.workers;
    }
    work_cv.notify_all();
    ++filling;
    // The next slot must be free: the batch it held is written first.
    while (written + slots.size() <= filling) write_oldest();
  }

  void write_oldest() {
    Slot& slot = slots[written % slots.size()];
    {
      std::unique_lock lock(mutex);
      done_cv.wait(lock, [&] { return slot.pending == 0; });
    }
    // Every part's records are in event order: merged by it, they are the single thread's.
    std::vector<std::size_t> at(slot.parts.size(), 0);
    std::uint64_t messages = 0;
    for (;;) {
      std::size_t best = slot.parts.size();
      std::uint64_t best_seq = 0;
      for (std::size_t p = 0; p < slot.parts.size(); ++p) {
        const auto& recs = slot.parts[p].out.records();
        if (at[p] < recs.size() && (best == slot.parts.size() || recs[at[p]].seq < best_seq)) {
          best = p;
          best_seq = recs[at[p]].seq;
        }
      }
      if (best == slot.parts.size()) break;
      const output::DeferredNdjson& out = slot.parts[best].out;
      const output::DeferredRecord& r = out.records()[at[best]++];
      if (r.kind == output::DeferredRecord::Kind::message) ++messages;
      sink.write_deferred(r, out.imei(r), out.line(r));
    }
    if (counted && messages) counted(messages);
    for (Part& part : slot.parts) {
      part.events.clear();
      part.arena.clear();
      part.out.clear();
    }
    slot.events = slot.bytes = 0;
    {
      std::lock_guard lock(mutex);
      slot.submitted = false;
    }
    ++written;
  }

  void drain() {
    submit();
    while (written < filling) write_oldest();
    sink.flush();
  }

  net::CaptureStats run(source::CaptureReader& reader) {
    net::PacketPipeline pipeline(*this, capture);
    const auto drain_reader = [&] {
      if (!reader.has_problems()) return;
      while (auto p = reader.take_problem()) pipeline.source_problem(std::move(*p));
    };
    constexpr std::size_t batch_bytes = 4u << 20;
    while (auto pkt = reader.next()) {
      drain_reader();
      pipeline.add(*pkt);
      if (current().events >= parallel.batch_events || current().bytes >= batch_bytes) submit();
    }
    drain_reader();
    pipeline.finish();
    submit();
    while (written < filling) write_oldest();
    net::CaptureStats st = pipeline.stats();
    st.format = reader.format();
    st.stopped_by_problem = reader.stopped_by_problem();
    return st;
  }
};

ParallelCaptureDecoder::ParallelCaptureDecoder(const gotop::ParseOptions& parse, output::NdjsonSink& sink,
                                               std::string input, FlowDecoderOptions options,
                                               const net::CaptureOptions& capture, ParallelOptions parallel)
    : impl_(std::make_unique<Impl>(parse, sink, std::move(input), options, capture, parallel)) {}

ParallelCaptureDecoder::~ParallelCaptureDecoder() = default;

net::CaptureStats ParallelCaptureDecoder::run(source::CaptureReader& reader) { return impl_->run(reader); }
void ParallelCaptureDecoder::drain() { impl_->drain(); }
void ParallelCaptureDecoder::on_messages(std::function<void(std::uint64_t)> counted) {
  impl_->counted = std::move(counted);
}

}  // namespace vt106::decode
