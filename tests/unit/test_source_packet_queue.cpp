// The queue between the live capture thread and the decoder: order, the byte bound (the
// producer waits, it never grows past it), a stop while waiting, and nothing lost at close.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "vt106/source/packet_queue.hpp"

using namespace vt106::source;
using namespace std::chrono_literals;

namespace {
std::vector<std::byte> bytes_of(std::size_t n, unsigned char fill) { return std::vector<std::byte>(n, std::byte{fill}); }
}  // namespace

TEST_SUITE("source.packet_queue") {
  TEST_CASE("batches come out in order, with their packets and drops") {
    PacketQueue q(1 << 20);
    PacketBatch b;
    const auto one = bytes_of(60, 1), two = bytes_of(70, 2);
    b.add(10, 60, one, 1);
    b.add(20, 80, two, 2);
    REQUIRE(q.push(b, [] { return false; }));
    CHECK(b.empty());  // taken
    b.dropped = 5;
    b.seen_ns = 30;
    REQUIRE(q.push(b, [] { return false; }));
    q.close();
    PacketBatch out;
    REQUIRE(q.pop(out, 10ms) == PacketQueue::Pop::batch);
    REQUIRE(out.entries.size() == 2);
    CHECK(out.entries[0].ts_ns == 10);
    CHECK(out.entries[1].orig_len == 80);
    CHECK(out.data(out.entries[1]).size() == 70);
    CHECK(out.data(out.entries[1])[0] == std::byte{2});
    CHECK(out.dropped == 0);
    REQUIRE(q.pop(out, 10ms) == PacketQueue::Pop::batch);
    CHECK(out.entries.empty());
    CHECK(out.dropped == 5);
    CHECK(out.seen_ns == 30);
    CHECK(q.pop(out, 10ms) == PacketQueue::Pop::closed);
  }

  TEST_CASE("an empty queue times out; a closed one says so") {
    PacketQueue q(1 << 20);
    PacketBatch out;
    CHECK(q.pop(out, 1ms) == PacketQueue::Pop::timeout);
    q.close();
    CHECK(q.pop(out, 1ms) == PacketQueue::Pop::closed);
  }

  TEST_CASE("the producer waits at the bound, and the queue never holds more") {
    const std::size_t bound = 64 * 1024;
    PacketQueue q(bound);
    const auto packet = bytes_of(1000, 7);
    std::atomic<std::uint64_t> pushed{0};
    std::atomic<bool> refused{false};
    std::thread producer([&] {
      for (std::uint64_t i = 0; i < 2000; ++i) {
        PacketBatch b;
        b.add(static_cast<std::int64_t>(i), 1000, packet, i + 1);
        if (!q.push(b, [] { return false; })) refused = true;
        ++pushed;
      }
      q.close();
    });
    // The consumer starts late: the producer must have stopped at the bound meanwhile.
    std::this_thread::sleep_for(50ms);
    CHECK(pushed.load() < 2000);
    CHECK(q.peak_bytes() <= bound);
    std::uint64_t next = 1;
    PacketBatch out;
    while (q.pop(out, 1000ms) != PacketQueue::Pop::closed)
      for (const auto& e : out.entries) CHECK(e.number == next++);
    producer.join();
    CHECK_FALSE(refused.load());
    CHECK(next == 2001);  // every packet, in order
    CHECK(q.peak_bytes() <= bound);
  }

  TEST_CASE("a waiting producer gives up when asked (a stop), keeping its batch") {
    PacketQueue q(2000);
    const auto packet = bytes_of(1500, 3);
    PacketBatch first, second;
    first.add(1, 1500, packet, 1);
    REQUIRE(q.push(first, [] { return false; }));
    second.add(2, 1500, packet, 2);
    const auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(q.push(second, [&] { return std::chrono::steady_clock::now() - started > 30ms; }));
    CHECK(second.entries.size() == 1);  // not taken
  }
}
