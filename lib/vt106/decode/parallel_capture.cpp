// Flow events to workers by flow, records back in event order.
#include "vt106/decode/parallel_capture.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "vt106/net/flow_events.hpp"
#include "vt106/output/deferred_ndjson.hpp"

namespace vt106::decode {

namespace {

// A worker's share of one batch: its events in, its records out.
struct Part {
  net::FlowEventBatch in;
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

struct ParallelCaptureDecoder::Impl final : net::FlowEventRecorder {
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
    net::FlowEventReplay replay;  // each flow of this worker as it opened
  };

  output::NdjsonSink& sink;
  const net::CaptureOptions& capture;
  ParallelOptions parallel;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  std::vector<Slot> slots;
  std::uint64_t filling = 0;  // the batch the reader adds events to
  std::uint64_t written = 0;  // the next batch to write
  std::mutex mutex;
  std::condition_variable work_cv, done_cv;
  bool stopping = false;
  std::function<void(std::uint64_t)> counted;

  Slot& current() { return slots[filling % slots.size()]; }
  unsigned owner(std::uint64_t flow_id) const { return static_cast<unsigned>(flow_id % parallel.workers); }

  // ---- the flow table's events (reader thread) ----
  net::FlowEventBatch& batch_for(std::uint64_t flow_id) override { return current().parts[owner(flow_id)].in; }
  void recorded(std::size_t payload_bytes) override {
    ++current().events;
    current().bytes += payload_bytes;
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
      for (const net::FlowEvent& e : part.in.events) {
        part.out.set_seq(e.seq);
        me.replay.replay(e, part.in.payload(e), *me.decoder);
      }
      {
        std::lock_guard lock(mutex);
        if (--slot->pending == 0) done_cv.notify_all();
      }
      ++next;
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
      part.in.clear();
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
    constexpr std::size_t batch_bytes = 4u << 20;
    const net::CaptureStats st = net::read_all(reader, pipeline, [&] {
      if (current().events >= parallel.batch_events || current().bytes >= batch_bytes) submit();
      return true;
    });
    submit();
    while (written < filling) write_oldest();
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
