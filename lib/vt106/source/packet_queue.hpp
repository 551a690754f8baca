// Packets handed from a capture thread to the decoding thread. The capture thread copies what
// each read from the kernel returns into one batch and queues it; the decoder takes whole
// batches. The queue is bounded in bytes: when the decoder falls behind, the capture thread
// waits and the kernel's buffer fills (its drops are counted by libpcap), so memory stays
// bounded whatever the load.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <vector>

namespace vt106::source {

struct PacketBatch {
  struct Entry {
    std::int64_t ts_ns = 0;
    std::uint32_t orig_len = 0;
    std::uint32_t caplen = 0;
    std::size_t offset = 0;  // into bytes
    std::uint64_t number = 0;
  };
  std::vector<std::byte> bytes;
  std::vector<Entry> entries;
  std::uint64_t dropped = 0;   // packets the kernel dropped since the previous batch
  std::int64_t seen_ns = 0;    // when the capture thread saw those drops

  void add(std::int64_t ts_ns, std::uint32_t orig_len, std::span<const std::byte> data, std::uint64_t number) {
    entries.push_back({ts_ns, orig_len, static_cast<std::uint32_t>(data.size()), bytes.size(), number});
    bytes.insert(bytes.end(), data.begin(), data.end());
  }
  std::span<const std::byte> data(const Entry& e) const { return {bytes.data() + e.offset, e.caplen}; }
  bool empty() const { return entries.empty() && dropped == 0; }
  std::size_t weight() const { return bytes.size() + entries.size() * sizeof(Entry); }
  void clear() {
    bytes.clear();
    entries.clear();
    dropped = 0;
    seen_ns = 0;
  }
};

class PacketQueue {
 public:
  explicit PacketQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Queues the batch (taking its contents), waiting while the queue is full unless `give_up`
  // becomes true; a batch larger than the whole bound goes in once the queue is empty.
  // Returns false when the queue was closed or the wait given up (the batch is kept).
  template <class GiveUp>
  bool push(PacketBatch& batch, GiveUp&& give_up) {
    std::unique_lock lock(mutex_);
    while (!closed_ && bytes_ > 0 && bytes_ + batch.weight() > max_bytes_) {
      if (give_up()) return false;
      not_full_.wait_for(lock, std::chrono::milliseconds(20));
    }
    if (closed_) return false;
    bytes_ += batch.weight();
    if (bytes_ > peak_) peak_ = bytes_;
    queue_.push_back(std::move(batch));
    batch = PacketBatch{};
    if (!spare_.empty()) {
      batch = std::move(spare_.back());  // a used batch's room, for the next read
      spare_.pop_back();
    }
    not_empty_.notify_one();
    return true;
  }

  // No more batches will come; the consumer takes what is queued, then sees `closed`.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  enum class Pop { batch, timeout, closed };
  // Takes the oldest batch into `out` (whose previous room is kept for reuse), waiting up to
  // `timeout`.
  Pop pop(PacketBatch& out, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (queue_.empty() && !closed_) not_empty_.wait_for(lock, timeout, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return closed_ ? Pop::closed : Pop::timeout;
    out.clear();
    if (spare_.size() < 4) spare_.push_back(std::move(out));
    out = std::move(queue_.front());
    queue_.pop_front();
    bytes_ -= out.weight();
    not_full_.notify_one();
    return Pop::batch;
  }

  bool empty() const {
    std::lock_guard lock(mutex_);
    return queue_.empty();
  }
  std::size_t peak_bytes() const {
    std::lock_guard lock(mutex_);
    return peak_;
  }

 private:
  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<PacketBatch> queue_;
  std::vector<PacketBatch> spare_;  // emptied batches whose room the producer reuses
  std::size_t bytes_ = 0, peak_ = 0;
  bool closed_ = false;
};

}  // namespace vt106::source
