// One direction of TCP stream reassembly (RFC 9293 sequence numbers, RFC 1982 serial arithmetic).
#include "vt106/net/tcp_reassembler.hpp"

#include <algorithm>

#include "vt106/net/byte_reader.hpp"
#include "vt106/net/packet.hpp"

namespace vt106::net {

namespace {
// Unwrapped sequence numbers start one wrap above zero so that earlier bytes stay positive.
constexpr std::int64_t sequence_base = std::int64_t{1} << 32;
}  // namespace

void TcpReassembler::reset() {
  started_ = syn_ = fin_ = fin_done_ = false;
  isn_ = 0;
  next_ = fin_pos_ = 0;
  held_.clear();
  held_bytes_ = 0;
  delivered_ = gap_bytes_ = retransmitted_ = 0;
}

void TcpReassembler::deliver(std::string_view bytes, Output& out) {
  if (bytes.empty()) return;
  delivered_ += bytes.size();
  out.data(bytes);
}

void TcpReassembler::skip(std::uint64_t missing, Output& out) {
  if (missing == 0) return;
  gap_bytes_ += missing;
  out.gap(missing);
}

void TcpReassembler::add(std::uint32_t seq, std::uint8_t flags, std::span<const std::byte> payload,
                         std::uint32_t missing_tail, Output& out) {
  const bool syn = (flags & tcp_flag::syn) != 0;
  if (!started_ || (syn && !syn_ && !has_data())) {
    // The SYN, or the first segment of a capture that starts mid-stream, fixes the origin.
    started_ = true;
    syn_ = syn;
    isn_ = seq;
    next_ = sequence_base + seq + (syn ? 1 : 0);
  }
  const std::int64_t start = unwrap(seq) + (syn ? 1 : 0);
  const std::int64_t data_end = start + static_cast<std::int64_t>(payload.size());
  const std::int64_t end = data_end + missing_tail;
  if ((flags & tcp_flag::fin) != 0 && !fin_) {
    fin_ = true;
    fin_pos_ = end;
  }

  if (end <= next_) {
    retransmitted_ += static_cast<std::uint64_t>(end - start);
  } else if (start <= next_) {
    // In order, possibly repeating bytes already delivered.
    retransmitted_ += static_cast<std::uint64_t>(next_ - start);
    if (next_ < data_end) {
      deliver(as_chars(payload.subspan(static_cast<std::size_t>(next_ - start))), out);
    }
    skip(static_cast<std::uint64_t>(end - std::max(next_, data_end)), out);
    next_ = end;
    if (!held_.empty()) drain(out);
  } else {
    if (data_end > start) hold(start, data_end, payload.data());
    if (end > data_end) hold(data_end, end, nullptr);
    enforce_limits(out);
  }
  advance_fin();
}

void TcpReassembler::advance_fin() {
  if (fin_ && !fin_done_ && next_ >= fin_pos_) {
    fin_done_ = true;
    next_ = std::max(next_, fin_pos_ + 1);  // the FIN takes one sequence number
  }
}

void TcpReassembler::drain(Output& out) {
  std::size_t used = 0;
  for (; used < held_.size(); ++used) {
    Held& h = held_[used];
    if (h.start > next_) break;
    held_bytes_ -= h.data.size();
    if (h.end <= next_) {
      retransmitted_ += static_cast<std::uint64_t>(h.end - h.start);
      continue;
    }
    const auto from = static_cast<std::size_t>(next_ - h.start);
    retransmitted_ += from;
    if (h.missing) {
      skip(static_cast<std::uint64_t>(h.end - next_), out);
    } else {
      deliver(std::string_view(h.data).substr(from), out);
    }
    next_ = h.end;
  }
  held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(used));
}

// Inserts [start, end) where no held range covers it yet: bytes that arrived first win.
void TcpReassembler::hold(std::int64_t start, std::int64_t end, const std::byte* bytes) {
  std::size_t i = 0;
  while (i < held_.size() && held_[i].end <= start) ++i;
  std::int64_t cur = start;
  while (cur < end) {
    const std::int64_t stop = i < held_.size() ? std::min(end, held_[i].start) : end;
    if (stop > cur) {
      Held h;
      h.start = cur;
      h.end = stop;
      h.missing = bytes == nullptr;
      if (!h.missing) {
        h.data.assign(reinterpret_cast<const char*>(bytes + (cur - start)), static_cast<std::size_t>(stop - cur));
        held_bytes_ += h.data.size();
      }
      held_.insert(held_.begin() + static_cast<std::ptrdiff_t>(i), std::move(h));
      ++i;
      cur = stop;
    }
    if (i < held_.size() && cur < end) {
      // cur sits at or inside held_[i]: those bytes are already held.
      const std::int64_t covered_to = std::min(end, held_[i].end);
      if (covered_to > cur) retransmitted_ += static_cast<std::uint64_t>(covered_to - cur);
      cur = std::max(cur, held_[i].end);
      ++i;
    }
  }
}

void TcpReassembler::enforce_limits(Output& out) {
  bool reported = false;
  while (!held_.empty() &&
         (held_bytes_ > limits_.max_buffered_bytes || held_.size() > limits_.max_ooo_segments)) {
    if (!reported) {
      out.limit_hit(held_bytes_ > limits_.max_buffered_bytes ? Limit::buffer : Limit::reorder, held_bytes_,
                    held_.size());
      reported = true;
    }
    // Give up on the first hole: whatever would fill it is presumed lost.
    skip(static_cast<std::uint64_t>(held_.front().start - next_), out);
    next_ = held_.front().start;
    drain(out);
  }
}

void TcpReassembler::flush(Output& out) {
  while (!held_.empty()) {
    if (held_.front().start > next_) {
      skip(static_cast<std::uint64_t>(held_.front().start - next_), out);
      next_ = held_.front().start;
    }
    drain(out);
  }
  if (fin_ && !fin_done_ && fin_pos_ > next_) {
    skip(static_cast<std::uint64_t>(fin_pos_ - next_), out);
    next_ = fin_pos_;
  }
  advance_fin();
}

}  // namespace vt106::net
