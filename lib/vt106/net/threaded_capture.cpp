// Reading and reassembly on one thread, the observer on the calling one, joined by a bounded
// queue of event batches.
#include "vt106/net/threaded_capture.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "vt106/net/flow_events.hpp"

namespace vt106::net {

namespace {
struct Batch {
  FlowEventBatch events;
  std::size_t bytes = 0;
  bool paused = false;  // replay, then run the pause callback
};
}  // namespace

struct ThreadedCaptureDecoder::Impl final : FlowEventRecorder {
  Impl(FlowObserver& o, const CaptureOptions& c, ThreadedOptions t) : observer(o), capture(c), threaded(t) {
    threaded.batches_in_flight = std::max<std::size_t>(2, threaded.batches_in_flight);
  }

  FlowObserver& observer;
  const CaptureOptions& capture;
  ThreadedOptions threaded;
  std::function<void()> paused;

  std::mutex mutex;
  std::condition_variable ready_cv, room_cv;
  std::deque<std::unique_ptr<Batch>> ready;  // read, not yet replayed
  std::vector<std::unique_ptr<Batch>> spare;
  std::size_t in_flight = 0;                 // batches handed over and not given back
  bool reading_done = false;
  std::atomic<bool> abandoned{false};  // the observer failed: stop reading (set under the mutex)
  std::exception_ptr failure;
  std::unique_ptr<Batch> filling = std::make_unique<Batch>();  // the reading thread's
  CaptureStats stats;

  // ---- reading thread ----
  FlowEventBatch& batch_for(std::uint64_t) override { return filling->events; }
  void recorded(std::size_t payload_bytes) override { filling->bytes += payload_bytes; }

  // Hands the batch being filled to the observer's thread (waits while too many are in flight).
  void hand_over(bool pause) {
    filling->paused = pause;
    std::unique_lock lock(mutex);
    room_cv.wait(lock, [&] { return abandoned || in_flight < threaded.batches_in_flight; });
    if (abandoned) {
      filling->events.clear();
      filling->bytes = 0;
      return;
    }
    ++in_flight;
    ready.push_back(std::move(filling));
    if (!spare.empty()) {
      filling = std::move(spare.back());
      spare.pop_back();
    } else {
      filling = std::make_unique<Batch>();
    }
    lock.unlock();
    ready_cv.notify_one();
  }

  void read(source::CaptureReader& reader) {
    try {
      PacketPipeline pipeline(*this, capture);
      stats = read_all(reader, pipeline, [&] {
        if (filling->events.events.size() >= threaded.batch_events || filling->bytes >= threaded.batch_bytes)
          hand_over(false);
        return !abandoned.load(std::memory_order_relaxed);
      });
      if (!filling->events.events.empty()) hand_over(false);
    } catch (...) {
      std::lock_guard lock(mutex);
      failure = std::current_exception();
    }
    {
      std::lock_guard lock(mutex);
      reading_done = true;
    }
    ready_cv.notify_one();
  }

  // ---- observer's thread ----
  CaptureStats run(source::CaptureReader& reader) {
    std::thread reading([&] { read(reader); });
    FlowEventReplay replay;
    try {
      for (;;) {
        std::unique_ptr<Batch> batch;
        {
          std::unique_lock lock(mutex);
          ready_cv.wait(lock, [&] { return !ready.empty() || reading_done; });
          if (ready.empty()) break;  // the reading is done and everything was replayed
          batch = std::move(ready.front());
          ready.pop_front();
        }
        for (const FlowEvent& e : batch->events.events) replay.replay(e, batch->events.payload(e), observer);
        if (batch->paused && paused) paused();
        batch->events.clear();
        batch->bytes = 0;
        batch->paused = false;
        {
          std::lock_guard lock(mutex);
          spare.push_back(std::move(batch));
          --in_flight;
        }
        room_cv.notify_one();
      }
    } catch (...) {
      // The observer failed: the reading stops, and the failure goes on.
      {
        std::lock_guard lock(mutex);
        abandoned = true;
      }
      room_cv.notify_one();
      reading.join();
      throw;
    }
    reading.join();
    if (failure) std::rethrow_exception(failure);
    return stats;
  }
};

ThreadedCaptureDecoder::ThreadedCaptureDecoder(FlowObserver& observer, const CaptureOptions& options,
                                               ThreadedOptions threaded)
    : impl_(std::make_unique<Impl>(observer, options, threaded)) {}

ThreadedCaptureDecoder::~ThreadedCaptureDecoder() = default;

CaptureStats ThreadedCaptureDecoder::run(source::CaptureReader& reader) { return impl_->run(reader); }
void ThreadedCaptureDecoder::pause() { impl_->hand_over(true); }
void ThreadedCaptureDecoder::on_paused(std::function<void()> paused) { impl_->paused = std::move(paused); }

}  // namespace vt106::net
