// How late sends were against their schedule, in a histogram of bounded size: exact to the
// microsecond below 64 µs, then 32 buckets per power of two (at most about 3 % off), so that
// millions of sends cost a few kilobytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace vt106::live {

class LatenessHistogram {
 public:
  void add(std::int64_t late_ns);  // negative values (early) count as 0
  std::uint64_t count() const { return count_; }
  std::uint64_t max_us() const { return max_us_; }
  // The lateness (µs) that `fraction` (0..1] of the samples do not exceed, at bucket precision:
  // the upper edge of the bucket, never above the largest sample.
  std::uint64_t quantile_us(double fraction) const;

 private:
  static constexpr std::size_t exact = 64;   // 0..63 µs, one bucket each
  static constexpr int sub_bits = 5;         // then 32 buckets per power of two
  static constexpr std::size_t bucket_count = exact + (64 - 6) * (std::size_t{1} << sub_bits);
  static std::size_t bucket_of(std::uint64_t us);
  static std::uint64_t upper_edge(std::size_t bucket);

  std::array<std::uint64_t, bucket_count> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_us_ = 0;
};

}  // namespace vt106::live
