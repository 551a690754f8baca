// The replayer's per-connection message queue: order, due times, the bytes of the messages held
// back to back from the front's first, and the room it keeps (bounded while messages go through,
// given back once emptied).
#include <doctest/doctest.h>

#include <cstdint>
#include <deque>
#include <random>
#include <string>

#include "vt106/live/message_queue.hpp"

using vt106::live::MessageQueue;

namespace {

struct Model {
  std::deque<std::pair<std::int64_t, std::string>> items;
  std::string joined() const {
    std::string all;
    for (const auto& [due, bytes] : items) all += bytes;
    return all;
  }
};

void check_same(const MessageQueue& q, const Model& m) {
  REQUIRE(q.size() == m.items.size());
  CHECK(q.empty() == m.items.empty());
  const std::string all = m.joined();
  REQUIRE(q.bytes() == all.size());
  if (!all.empty()) CHECK(std::string(q.data(), q.bytes()) == all);
  for (std::size_t i = 0; i < m.items.size(); ++i) {
    CHECK(q.due(i) == m.items[i].first);
    CHECK(q.length(i) == m.items[i].second.size());
  }
  if (!m.items.empty()) CHECK(q.front() == m.items.front().second);
}

std::string frame(std::mt19937& rng, std::size_t n) {
  std::string s = "#867648040000018,";
  while (s.size() + 1 < n) s.push_back(static_cast<char>('0' + rng() % 10));
  s.push_back('#');
  return s;
}

}  // namespace

TEST_SUITE("replay.message_queue") {
  TEST_CASE("messages come out in order, their bytes back to back from the front's first") {
    std::mt19937 rng(7);
    MessageQueue q;
    Model m;
    std::int64_t due = 0;
    for (int step = 0; step < 20000; ++step) {
      // Bursts of pushes and pops, a queue that empties now and then and one that runs long.
      const bool push = m.items.empty() || rng() % 100 < (step % 4000 < 2000 ? 60u : 40u);
      if (push) {
        std::string bytes = frame(rng, 18 + rng() % 300);
        due += static_cast<std::int64_t>(rng() % 1000);
        q.push_back(due, bytes);
        m.items.emplace_back(due, std::move(bytes));
      } else {
        q.pop_front();
        m.items.pop_front();
      }
      check_same(q, m);
    }
  }

  TEST_CASE("a queue that always holds a few messages while thousands go through does not grow") {
    std::mt19937 rng(11);
    MessageQueue q;
    Model m;
    std::size_t most_held = 0, most_room = 0;
    for (int i = 0; i < 50000; ++i) {
      std::string bytes = frame(rng, 100 + rng() % 60);
      q.push_back(i, bytes);
      m.items.emplace_back(i, std::move(bytes));
      if (m.items.size() > 5) {
        q.pop_front();
        m.items.pop_front();
      }
      most_held = std::max(most_held, q.bytes());
      most_room = std::max(most_room, q.capacity());
    }
    check_same(q, m);
    // Five or six messages of at most 160 bytes are held; the room follows them, not the
    // 50,000 that went through (within a quarter and a little more, after a move forward).
    CHECK(most_held <= 6 * 160);
    CHECK(most_room <= 2 * (6 * 160) + 256);
  }

  TEST_CASE("an emptied queue gives its room back, beyond a little") {
    MessageQueue q;
    std::mt19937 rng(3);
    for (int i = 0; i < 100; ++i) q.push_back(i, frame(rng, 200));
    CHECK(q.capacity() >= 100 * 200);
    while (!q.empty()) q.pop_front();
    CHECK(q.capacity() == 0);
    CHECK(q.bytes() == 0);
    q.push_back(1, "#1#");
    q.pop_front();
    CHECK(q.capacity() <= MessageQueue::keep_bytes);  // small room is kept for the next round
    q.push_back(2, "#867648040000018,CMD-X#");
    CHECK(q.front() == "#867648040000018,CMD-X#");
    CHECK(q.due(0) == 2);
  }
}
