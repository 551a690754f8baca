// Log-linear bucketing of send lateness and quantiles read back from it.
#include "vt106/live/lateness.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace vt106::live {

std::size_t LatenessHistogram::bucket_of(std::uint64_t us) {
  if (us < exact) return static_cast<std::size_t>(us);
  const int log2 = static_cast<int>(std::bit_width(us)) - 1;  // 6..63
  const std::uint64_t sub = (us >> (log2 - sub_bits)) & ((std::uint64_t{1} << sub_bits) - 1);
  return exact + static_cast<std::size_t>(log2 - 6) * (std::size_t{1} << sub_bits) + static_cast<std::size_t>(sub);
}

std::uint64_t LatenessHistogram::upper_edge(std::size_t bucket) {
  if (bucket < exact) return bucket;
  const std::size_t rel = bucket - exact;
  const int log2 = static_cast<int>(rel >> sub_bits) + 6;
  const std::uint64_t sub = rel & ((std::size_t{1} << sub_bits) - 1);
  const std::uint64_t first = ((std::uint64_t{1} << sub_bits) + sub) << (log2 - sub_bits);
  return first + (std::uint64_t{1} << (log2 - sub_bits)) - 1;
}

void LatenessHistogram::add(std::int64_t late_ns) {
  const std::uint64_t us = late_ns > 0 ? static_cast<std::uint64_t>(late_ns) / 1000 : 0;
  ++buckets_[bucket_of(us)];
  ++count_;
  max_us_ = std::max(max_us_, us);
}

std::uint64_t LatenessHistogram::quantile_us(double fraction) const {
  if (count_ == 0) return 0;
  const double wanted = std::ceil(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(count_));
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < bucket_count; ++b) {
    seen += buckets_[b];
    if (seen >= rank) return std::min(upper_edge(b), max_us_);
  }
  return max_us_;
}

}  // namespace vt106::live
