// The replayer's per-connection queue of messages read and not yet sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace vt106::live {

// A stream's messages read and not yet sent, their bytes one after the other in one buffer (so
// that untimed, the messages due together leave from one place in one write). Taken from the
// front; the room of what was taken is reclaimed as the queue goes (ten thousand idle streams
// hold nothing, a stream always holding a few seconds of messages does not grow).
class MessageQueue {
 public:
  // Bytes allocated for the messages (what an emptied queue keeps is at most keep_bytes).
  std::size_t capacity() const { return data_capacity_; }
  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  std::int64_t due(std::size_t i) const { return items_[head_ + i].due_ns; }
  std::size_t length(std::size_t i) const { return items_[head_ + i].size; }
  std::string_view front() const { return {data_.get() + data_head_, items_[head_].size}; }
  // The bytes of every message held, from the front's first.
  const char* data() const { return data_.get() + data_head_; }
  std::size_t bytes() const { return data_size_ - data_head_; }
  void push_back(std::int64_t due_ns, std::string_view bytes) {
    if (data_size_ + bytes.size() > data_capacity_) make_room(bytes.size());
    if (!bytes.empty()) std::memcpy(data_.get() + data_size_, bytes.data(), bytes.size());
    data_size_ += bytes.size();
    items_.push_back({due_ns, static_cast<std::uint32_t>(bytes.size())});
  }
  void pop_front() {
    data_head_ += items_[head_].size;
    if (++head_ < items_.size()) return;
    head_ = data_head_ = data_size_ = 0;
    if (data_capacity_ > keep_bytes) {
      data_.reset();
      data_capacity_ = 0;
    }
    if (items_.capacity() > keep_items) std::vector<Item>().swap(items_);
    else items_.clear();
  }

  // Room kept by an emptied queue; the rest is given back.
  static constexpr std::size_t keep_bytes = 512, keep_items = 8;

 private:
  struct Item {
    std::int64_t due_ns;
    std::uint32_t size;
  };

  // What was taken is dropped first; the buffer grows by a quarter (not doubled), so that the
  // bytes held stay close to the bytes the read-ahead counts.
  void make_room(std::size_t more) {
    const std::size_t live = data_size_ - data_head_;
    if (data_head_ > 0) {
      std::memmove(data_.get(), data_.get() + data_head_, live);
      data_size_ = live;
      data_head_ = 0;
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
      if (live + more <= data_capacity_) return;
    }
    const std::size_t capacity = live + more + (live + more) / 4 + 128;
    auto grown = std::make_unique_for_overwrite<char[]>(capacity);
    if (live) std::memcpy(grown.get(), data_.get(), live);
    data_ = std::move(grown);
    data_capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  std::size_t data_capacity_ = 0, data_size_ = 0, data_head_ = 0;
  std::vector<Item> items_;
  std::size_t head_ = 0;
};

}  // namespace vt106::live
