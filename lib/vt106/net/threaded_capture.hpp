// A capture decoded with its reading on a thread of its own: that thread reads packets and runs
// the flow table (defragmentation, reassembly), recording the flow events in batches; the calling
// thread replays them to the observer, in the order CaptureDecoder::run gives them, so that what
// the observer makes of them is the same byte for byte. Used where the observer is one (doctor's
// fact collector, decode's formats other than NDJSON): two cores, one reading, one decoding.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "vt106/net/capture_decoder.hpp"
#include "vt106/source/capture_file.hpp"

namespace vt106::net {

struct ThreadedOptions {
  std::size_t batch_events = 4096;     // events handed over at a time
  std::size_t batch_bytes = 4u << 20;  // or payload bytes
  std::size_t batches_in_flight = 4;   // read ahead of the observer: bounds memory
};

class ThreadedCaptureDecoder {
 public:
  ThreadedCaptureDecoder(FlowObserver& observer, const CaptureOptions& options, ThreadedOptions threaded = {});
  ~ThreadedCaptureDecoder();
  ThreadedCaptureDecoder(const ThreadedCaptureDecoder&) = delete;
  ThreadedCaptureDecoder& operator=(const ThreadedCaptureDecoder&) = delete;

  // Decodes the whole capture as CaptureDecoder::run does; the observer is called on this thread.
  CaptureStats run(source::CaptureReader& reader);
  // On the reading thread, when the input pauses (a pipe): what was read is handed over at once,
  // and `paused` (set with on_paused) runs on the observer's thread once it has been replayed.
  void pause();
  void on_paused(std::function<void()> paused);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vt106::net
