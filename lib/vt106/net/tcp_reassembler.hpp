// Reassembles one direction of a TCP connection into an ordered byte stream (RFC 9293 sequence
// space, serial-number arithmetic of RFC 1982 for 32-bit wrap-around): retransmissions trimmed,
// out-of-order segments held within limits, unfillable holes skipped and reported as gaps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vt106::net {

struct ReassemblyLimits {
  std::size_t max_buffered_bytes = 256 * 1024;  // out-of-order bytes held
  std::size_t max_ooo_segments = 256;           // out-of-order segments held
};

class TcpReassembler {
 public:
  enum class Limit : std::uint8_t { buffer, reorder };

  // Receives what the reassembler produces, in stream order.
  class Output {
   public:
    virtual void data(std::string_view bytes) = 0;
    virtual void gap(std::uint64_t missing_bytes) = 0;
    // A limit forced the reassembler to give up waiting; gap() calls for the skipped holes follow.
    virtual void limit_hit(Limit which, std::size_t held_bytes, std::size_t held_segments) = 0;

   protected:
    ~Output() = default;
  };

  explicit TcpReassembler(ReassemblyLimits limits = {}) : limits_(limits) {}

  // Forgets the stream, keeping allocated capacity for reuse.
  void reset();

  // One segment sent in this direction. `missing_tail` payload bytes followed `payload` on the
  // wire but were not captured: they become a gap when the stream reaches them.
  void add(std::uint32_t seq, std::uint8_t flags, std::span<const std::byte> payload, std::uint32_t missing_tail,
           Output& out);

  // The direction is closing: every hole is skipped (reported as a gap) and everything held is
  // delivered; a hole before a FIN already seen is reported too.
  void flush(Output& out);

  bool started() const { return started_; }
  bool syn_seen() const { return syn_; }
  std::uint32_t initial_seq() const { return isn_; }  // the SYN's sequence number, or the first seen
  bool fin_seen() const { return fin_; }
  bool fin_delivered() const { return fin_done_; }
  bool has_data() const { return delivered_ > 0 || gap_bytes_ > 0 || !held_.empty(); }
  std::uint64_t delivered_bytes() const { return delivered_; }
  std::uint64_t gap_bytes() const { return gap_bytes_; }
  std::uint64_t retransmitted_bytes() const { return retransmitted_; }
  std::size_t held_bytes() const { return held_bytes_; }
  std::size_t held_segments() const { return held_.size(); }

 private:
  // A held range of sequence space [start, end): data, or bytes known to be missing.
  struct Held {
    std::int64_t start = 0;
    std::int64_t end = 0;
    std::string data;  // empty for a missing range
    bool missing = false;
  };

  std::int64_t unwrap(std::uint32_t seq) const {
    return next_ + static_cast<std::int32_t>(seq - static_cast<std::uint32_t>(next_));
  }
  void deliver(std::string_view bytes, Output& out);
  void skip(std::uint64_t missing, Output& out);
  void drain(Output& out);
  void hold(std::int64_t start, std::int64_t end, const std::byte* bytes);
  void enforce_limits(Output& out);
  void advance_fin();

  ReassemblyLimits limits_;
  bool started_ = false;
  bool syn_ = false;
  bool fin_ = false;
  bool fin_done_ = false;
  std::uint32_t isn_ = 0;
  std::int64_t next_ = 0;     // next expected byte, in unwrapped sequence space
  std::int64_t fin_pos_ = 0;  // sequence number of the FIN
  std::vector<Held> held_;    // sorted, non-overlapping
  std::size_t held_bytes_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t gap_bytes_ = 0;
  std::uint64_t retransmitted_ = 0;
};

}  // namespace vt106::net
