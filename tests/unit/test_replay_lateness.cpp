// The lateness histogram: exact small values, bounded relative error, quantiles never above the
// largest sample.
#include <doctest/doctest.h>

#include "vt106/live/lateness.hpp"

using vt106::live::LatenessHistogram;

TEST_SUITE("replay.lateness") {
  TEST_CASE("empty, exact and negative samples") {
    LatenessHistogram h;
    CHECK(h.quantile_us(0.5) == 0);
    for (int us = 1; us <= 10; ++us) h.add(us * 1000);
    h.add(-5000);  // early counts as on time
    CHECK(h.count() == 11);
    CHECK(h.quantile_us(0.5) == 5);
    CHECK(h.quantile_us(1.0) == 10);
    CHECK(h.max_us() == 10);
  }

  TEST_CASE("large values within 1/32 of the truth, p99 of a long tail") {
    LatenessHistogram h;
    for (int i = 0; i < 990; ++i) h.add(100'000);        // 100 µs
    for (int i = 0; i < 10; ++i) h.add(50'000'000);      // 50 ms
    const auto p50 = h.quantile_us(0.5), p99 = h.quantile_us(0.99), p100 = h.quantile_us(1.0);
    CHECK(p50 >= 100);
    CHECK(p50 <= 100 + 100 / 32);
    CHECK(p99 == p50);
    CHECK(p100 == 50'000);
    CHECK(h.max_us() == 50'000);
    h.add(std::int64_t{1} << 62);  // no overflow at the top
    CHECK(h.max_us() == (std::uint64_t{1} << 62) / 1000);
  }
}
