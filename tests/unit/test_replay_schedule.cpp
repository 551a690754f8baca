// The replay schedule: due times from capture times and the pace options, passes, shards,
// identifier rewriting and restamping, computed without a clock or a socket.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "vt106/live/rewrite.hpp"
#include "vt106/live/schedule.hpp"

using namespace vt106;
using namespace vt106::live;

namespace {

constexpr std::int64_t s = 1'000'000'000;
constexpr std::int64_t t0 = 1'700'000'000 * s;

std::string position(const std::string& imei, const std::string& date, const std::string& time) {
  return "#" + imei + ",CMD-T,A,DATE:" + date + ",TIME:" + time + ",LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000#";
}

RecordedConnection connection(const std::string& imei, net::Transport t, std::int64_t open, std::int64_t close,
                              std::vector<std::pair<std::string, std::int64_t>> frames, std::uint64_t& sequence) {
  RecordedConnection c;
  c.imei = imei;
  c.transport = t;
  c.client = "10.0.0.1:" + std::to_string(40000 + sequence);
  c.server = "10.0.0.2:8888";
  c.open_ts_ns = open;
  c.close_ts_ns = close;
  for (auto& [bytes, ts] : frames) c.frames.push_back({bytes, ts, sequence++});
  return c;
}

// Two devices: A over TCP from t0 (frames at +1 s, +3 s, +10 s), B over UDP from t0+2 s (+2 s, +4 s).
Recording two_devices() {
  Recording r;
  r.timed = true;
  std::uint64_t seq = 0;
  const std::string a = "867648040000018", b = "867648040000026";
  r.connections.push_back(connection(a, net::Transport::tcp, t0, t0 + 11 * s,
                                     {{position(a, "090329", "223252"), t0 + 1 * s},
                                      {"#" + a + ",CMD-X#", t0 + 3 * s},
                                      {position(a, "090329", "223302"), t0 + 10 * s}},
                                     seq));
  r.connections.push_back(connection(b, net::Transport::udp, t0 + 2 * s, t0 + 4 * s,
                                     {{position(b, "120903", "160649"), t0 + 2 * s}, {"#" + b + ",CMD-X#", t0 + 4 * s}},
                                     seq));
  // The frames in the order the input holds them: A1 B1 A2 B2 A3.
  r.connections[0].frames[0].sequence = 0;
  r.connections[1].frames[0].sequence = 1;
  r.connections[0].frames[1].sequence = 2;
  r.connections[1].frames[1].sequence = 3;
  r.connections[0].frames[2].sequence = 4;
  return r;
}

// A message event of the schedule: when it is due and what is sent.
struct ScheduledMessage {
  std::int64_t due_ns = 0;
  std::string bytes;
};

// One stream of a pass, as the scheduler's events describe it.
struct Stream {
  StreamPlan plan;
  std::uint64_t id = 0, pass = 0;
  std::string imei, recorded_imei, recorded_client;
  net::Transport transport = net::Transport::tcp;
  std::int64_t open_ns = 0, close_ns = -1;
  std::vector<ScheduledMessage> messages;
  std::uint64_t restamped = 0;
};

// Every event of the schedule, as streams, pass by pass; streams in the order they open.
std::vector<std::vector<Stream>> drain(Scheduler& sched) {
  std::vector<std::vector<Stream>> passes;
  std::map<std::uint64_t, std::pair<std::size_t, std::size_t>> at;
  ScheduledEvent e;
  while (sched.next(e)) {
    if (e.kind == ScheduledEvent::Kind::open) {
      if (passes.size() <= e.plan->pass) passes.resize(e.plan->pass + 1);
      Stream st;
      st.id = e.stream;
      st.pass = e.plan->pass;
      st.imei = e.plan->imei;
      st.recorded_imei = e.plan->recorded_imei;
      st.recorded_client = e.plan->recorded_client;
      st.transport = e.plan->transport;
      st.open_ns = e.due_ns;
      at[e.stream] = {e.plan->pass, passes[e.plan->pass].size()};
      passes[e.plan->pass].push_back(std::move(st));
      continue;
    }
    REQUIRE(at.count(e.stream));
    auto& st = passes[at[e.stream].first][at[e.stream].second];
    if (e.kind == ScheduledEvent::Kind::message) {
      st.messages.push_back({e.due_ns, e.bytes});
      st.restamped += e.restamped;
    } else {
      CHECK(st.close_ns == -1);  // one end each
      st.close_ns = e.due_ns;
    }
  }
  for (auto& pass : passes) {
    std::stable_sort(pass.begin(), pass.end(), [](const Stream& a, const Stream& b) { return a.open_ns < b.open_ns; });
    for (const auto& st : pass) CHECK(st.close_ns >= 0);  // every stream ends
  }
  return passes;
}

// The first pass of a recording under these options.
std::vector<Stream> first_pass(const Recording& rec, ScheduleOptions o = {}, std::int64_t start = 0) {
  MemoryRecordingSource source(rec);
  Scheduler sched(source, std::move(o), start);
  auto passes = drain(sched);
  return passes.empty() ? std::vector<Stream>{} : passes[0];
}

std::vector<std::int64_t> dues(const Stream& st) {
  std::vector<std::int64_t> out;
  for (const auto& m : st.messages) out.push_back(m.due_ns);
  return out;
}

}  // namespace

TEST_SUITE("replay.schedule") {
  TEST_CASE("capture pace: due times are the capture's gaps from its first packet") {
    const auto rec = two_devices();
    MemoryRecordingSource source(rec);
    Scheduler sched(source, {});
    CHECK(sched.timed());
    const auto passes = drain(sched);
    CHECK(sched.first_pass_read());
    CHECK(sched.totals().connections == 2);
    CHECK(sched.totals().devices == 2);
    CHECK(sched.totals().messages == 5);
    CHECK(sched.totals().udp_connections == 1);
    REQUIRE(passes.size() == 1);
    const auto& pass = passes[0];
    REQUIRE(pass.size() == 2);
    CHECK(pass[0].id == 1);
    CHECK(pass[0].imei == "867648040000018");
    CHECK(pass[0].transport == net::Transport::tcp);
    CHECK(pass[0].open_ns == 0);
    CHECK(pass[0].close_ns == 11 * s);
    CHECK(dues(pass[0]) == std::vector<std::int64_t>{1 * s, 3 * s, 10 * s});
    CHECK(pass[1].id == 2);
    CHECK(pass[1].transport == net::Transport::udp);
    CHECK(pass[1].open_ns == 2 * s);
    CHECK(dues(pass[1]) == std::vector<std::int64_t>{2 * s, 4 * s});
    CHECK(pass[0].messages[1].bytes == "#867648040000018,CMD-X#");  // bytes untouched
  }

  TEST_CASE("events come in input order: a connection with its first frame, its end after its last") {
    const auto rec = two_devices();
    MemoryRecordingSource source(rec);
    Scheduler sched(source, {});
    std::string order;
    ScheduledEvent e;
    while (sched.next(e))
      order += fmt::format("{}{} ", e.kind == ScheduledEvent::Kind::open ? 'o' : e.kind == ScheduledEvent::Kind::message ? 'm' : 'e',
                           e.stream);
    // A1 B1 A2 B2 A3: B ends after its last frame, long before A does.
    CHECK(order == "o1 m1 o2 m2 m1 m2 e2 m1 e1 ");
  }

  TEST_CASE("a connection the input leaves open ends when the input's time ends, not at its last message") {
    // A scripted capture: A and B never close; the capture ends with B's last packet (an ACK
    // at +7 s, after every frame), and the reader then ends both flows as open at the end.
    struct Scripted final : RecordingSource {
      std::vector<RecordEvent> events;
      std::size_t at = 0;
      RecordingCounters none;
      bool next(RecordEvent& e) override {
        if (at == events.size()) return false;
        e = events[at++];
        return true;
      }
      bool rewind() override {
        at = 0;
        return true;
      }
      bool timed() const override { return true; }
      const RecordingCounters& counters() const override { return none; }
    } source;
    const std::string a = "867648040000018", b = "867648040000026";
    auto connection = [&](std::uint64_t key, const std::string& imei, std::int64_t open) {
      RecordEvent e;
      e.kind = RecordEvent::Kind::connection;
      e.key = key;
      e.imei = imei;
      e.client = fmt::format("10.0.0.{}:4000", key);
      e.open_ts_ns = open;
      source.events.push_back(e);
    };
    auto frame = [&](std::uint64_t key, const std::string& imei, std::int64_t ts) {
      RecordEvent e;
      e.kind = RecordEvent::Kind::frame;
      e.key = key;
      e.frame.bytes = "#" + imei + ",CMD-X#";
      e.frame.ts_ns = ts;
      source.events.push_back(e);
    };
    auto end = [&](std::uint64_t key, std::int64_t last_packet) {
      RecordEvent e;
      e.kind = RecordEvent::Kind::end;
      e.key = key;
      e.close_ts_ns = last_packet;
      e.open_at_end = true;
      source.events.push_back(e);
    };
    connection(1, a, t0);
    frame(1, a, t0 + 1 * s);
    connection(2, b, t0 + 2 * s);
    frame(2, b, t0 + 2 * s);
    frame(1, a, t0 + 5 * s);
    end(1, t0 + 5 * s);
    end(2, t0 + 7 * s);
    ScheduleOptions o;
    o.loops = 2;
    Scheduler sched(source, o);
    const auto passes = drain(sched);
    REQUIRE(passes.size() == 2);
    REQUIRE(passes[0].size() == 2);
    // Both stay open to +7 s, the capture's last packet (A's last message is at +5 s, B's at +2 s).
    CHECK(passes[0][0].close_ns == 7 * s);
    CHECK(passes[0][1].close_ns == 7 * s);
    // The second pass starts a pause after the first one's time (7 s + 1 s) and ends the same way.
    REQUIRE(passes[1].size() == 2);
    CHECK(dues(passes[1][0]) == std::vector<std::int64_t>{9 * s, 13 * s});
    CHECK(passes[1][0].close_ns == 15 * s);
    CHECK(passes[1][1].close_ns == 15 * s);

    // --rate: the connections left open end with the pass's last message.
    source.at = 0;
    o.pace = Pace::rate;
    o.rate = 1;
    o.loops = 1;
    Scheduler paced(source, o);
    const auto rated = drain(paced);
    REQUIRE(rated.size() == 1);
    CHECK(dues(rated[0][0]) == std::vector<std::int64_t>{0, 2 * s});
    CHECK(rated[0][0].close_ns == 2 * s);
    CHECK(rated[0][1].close_ns == 2 * s);  // its one message at 1 s; the pass's last at 2 s
  }

  TEST_CASE("--speed divides every gap") {
    const auto rec = two_devices();
    ScheduleOptions o;
    o.speed = 4;
    const auto pass = first_pass(rec, o);
    CHECK(dues(pass[0]) == std::vector<std::int64_t>{s / 4, 3 * s / 4, 10 * s / 4});
    CHECK(pass[1].open_ns == s / 2);
    CHECK(pass[0].close_ns == 11 * s / 4);
  }

  TEST_CASE("--rate: one message every 1/rate s in input order, whatever the capture's gaps") {
    const auto rec = two_devices();
    ScheduleOptions o;
    o.pace = Pace::rate;
    o.rate = 10;
    o.loops = 2;
    MemoryRecordingSource source(rec);
    Scheduler sched(source, o);
    CHECK(sched.timed());
    const auto passes = drain(sched);
    REQUIRE(passes.size() == 2);
    const auto& pass = passes[0];
    CHECK(dues(pass[0]) == std::vector<std::int64_t>{0, s / 5, 2 * s / 5});
    CHECK(dues(pass[1]) == std::vector<std::int64_t>{s / 10, 3 * s / 10});
    CHECK(pass[1].open_ns == 0);  // connections open up to a second before their first message
    CHECK(pass[0].close_ns == 2 * s / 5);
    const auto& second = passes[1];  // the next pass carries on at the same rate
    CHECK(dues(second[0]) == std::vector<std::int64_t>{s / 2, 7 * s / 10, 9 * s / 10});
    o.rate = 0.5;  // 2 s apart: B's first message (rank 1) is due at 2 s, its connection opens at 1 s
    o.loops = 1;
    const auto slow = first_pass(rec, o);
    CHECK(slow[1].open_ns == 1 * s);
    CHECK(slow[1].messages[0].due_ns == 2 * s);
  }

  TEST_CASE("--top-speed and text input: everything due at once, untimed") {
    const auto rec = two_devices();
    ScheduleOptions o;
    o.pace = Pace::top_speed;
    MemoryRecordingSource source(rec);
    Scheduler sched(source, o);
    CHECK_FALSE(sched.timed());
    const auto passes = drain(sched);
    for (const auto& st : passes[0]) {
      CHECK(st.open_ns == 0);
      CHECK(st.close_ns == 0);
      CHECK(dues(st) == std::vector<std::int64_t>(st.messages.size(), 0));
    }
    auto text = two_devices();
    text.timed = false;
    for (auto& c : text.connections)
      for (auto& f : c.frames) f.ts_ns = 0;
    MemoryRecordingSource text_source(text);
    CHECK_FALSE(Scheduler(text_source, {}).timed());
  }

  TEST_CASE("--loop: passes follow each other one capture length (plus a second) apart") {
    const auto rec = two_devices();
    ScheduleOptions o;
    o.loops = 3;
    o.speed = 2;
    MemoryRecordingSource source(rec);
    Scheduler sched(source, o);
    CHECK(sched.passes() == 3u);
    CHECK(sched.has_pass(2));
    CHECK_FALSE(sched.has_pass(3));
    const auto passes = drain(sched);
    CHECK(passes.size() == 3);
    CHECK(sched.pass_period_ns() == 12 * s);  // 11 s of capture + 1 s
    const auto& second = passes[1];
    CHECK(second[0].id == 3);
    CHECK(second[1].id == 4);
    CHECK(second[0].pass == 1);
    CHECK(dues(second[0]) == std::vector<std::int64_t>{13 * s / 2, 15 * s / 2, 22 * s / 2});
    CHECK(second[0].imei == "867648040000018");  // the same devices again
    CHECK(sched.totals().messages == 5);          // per pass
    o.loops = 0;
    MemoryRecordingSource endless(rec);
    Scheduler forever(endless, o);
    CHECK_FALSE(forever.passes().has_value());
    CHECK(forever.has_pass(1000000));
    ScheduledEvent e;
    for (int i = 0; i < 1000; ++i) REQUIRE(forever.next(e));  // 100 passes and on
    CHECK(forever.passes_begun() > 50);
  }

  TEST_CASE("--shard: deterministic, disjoint, complete; a device's connections stay together") {
    Recording rec;
    rec.timed = true;
    std::uint64_t seq = 0;
    for (int d = 0; d < 40; ++d) {
      const std::string imei = std::to_string(867648040000000 + d * 10);
      for (int c = 0; c < 2; ++c)
        rec.connections.push_back(connection(imei, net::Transport::tcp, t0 + c * s, t0 + c * s + s,
                                             {{"#" + imei + ",CMD-X#", t0 + c * s}}, seq));
    }
    std::multiset<std::string> all;
    for (std::uint32_t i = 1; i <= 3; ++i) {
      ScheduleOptions o;
      o.shard = *parse_shard(std::to_string(i) + "/3");
      const auto once = first_pass(rec, o);
      const auto again = first_pass(rec, o);
      REQUIRE(once.size() == again.size());
      CHECK(once.size() % 2 == 0);
      CHECK(once.size() > 0);
      for (std::size_t k = 0; k < once.size(); ++k) {
        CHECK(once[k].imei == again[k].imei);
        CHECK(shard_of(once[k].imei, 3) == i);
        all.insert(once[k].recorded_client);
      }
    }
    CHECK(all.size() == rec.connections.size());
    CHECK(std::set<std::string>(all.begin(), all.end()).size() == all.size());
    CHECK(shard_of("867648040000018", 8) == shard_of("867648040000018", 8));
  }

  TEST_CASE("parse_shard accepts I/N with 1 ≤ I ≤ N only") {
    CHECK(parse_shard("1/1").has_value());
    CHECK(parse_shard("3/8")->index == 3);
    CHECK(parse_shard("3/8")->count == 8);
    CHECK_FALSE(parse_shard("0/8"));
    CHECK_FALSE(parse_shard("9/8"));
    CHECK_FALSE(parse_shard("1/0"));
    CHECK_FALSE(parse_shard("1-8"));
    CHECK_FALSE(parse_shard("a/b"));
  }

  TEST_CASE("--imei-map replaces listed identifiers in every frame and leaves the others") {
    const auto rec = two_devices();
    ScheduleOptions o;
    REQUIRE(add_imei_pair("867648040000018=353327020412763", o.imei_map));
    const auto pass = first_pass(rec, o);
    CHECK(pass[0].imei == "353327020412763");
    CHECK(pass[0].recorded_imei == "867648040000018");
    for (const auto& m : pass[0].messages) CHECK(m.bytes.rfind("#353327020412763,", 0) == 0);
    CHECK(pass[1].imei == "867648040000026");
    CHECK(pass[1].messages[0].bytes.rfind("#867648040000026,", 0) == 0);
  }

  TEST_CASE("IMEI map files: OLD=NEW or OLD NEW per line, comments, the first bad line named") {
    std::size_t bad = 0;
    const auto map = parse_imei_map_file("# devices\n867648040000018=1\n\n867648040000026   2  # second\n", bad);
    REQUIRE(map);
    CHECK(map->size() == 2);
    CHECK(map->at("867648040000026") == "2");
    CHECK_FALSE(parse_imei_map_file("1=2\nnot a pair\n", bad));
    CHECK(bad == 2);
    ImeiMap m;
    CHECK_FALSE(add_imei_pair("12=ab", m));
    CHECK_FALSE(add_imei_pair("12", m));
  }

  TEST_CASE("--imei-prefix: valid, distinct identifiers per device and pass; passes end with the space") {
    const auto rec = two_devices();
    ScheduleOptions o;
    o.loops = 3;
    o.imei_prefix = "35";
    MemoryRecordingSource source(rec);
    Scheduler sched(source, o);
    std::set<std::string> seen;
    const auto passes = drain(sched);
    REQUIRE(passes.size() == 3);
    for (const auto& pass : passes) {
      for (const auto& st : pass) {
        CHECK(st.imei.size() == 15);
        CHECK(st.imei.rfind("35", 0) == 0);
        CHECK(st.imei.back() == luhn_check_digit(std::string_view(st.imei).substr(0, 14)));
        for (const auto& m : st.messages) CHECK(m.bytes.rfind("#" + st.imei + ",", 0) == 0);
        seen.insert(st.imei);
      }
    }
    CHECK(seen.size() == 6);
    o.imei_prefix = "8676480400000";  // room for 10 serials: 5 passes of 2 devices
    o.loops = 0;
    MemoryRecordingSource narrow_source(rec);
    Scheduler narrow(narrow_source, o);
    CHECK_FALSE(narrow.passes().has_value());  // not known before the first pass was read
    CHECK(drain(narrow).size() == 5);
    CHECK(narrow.passes() == 5u);
    CHECK(narrow.has_pass(4));
    CHECK_FALSE(narrow.has_pass(5));
  }

  TEST_CASE("--restamp: the first dated frame gets its send time, the others keep their intervals up to theirs") {
    const auto rec = two_devices();
    ScheduleOptions o;
    o.restamp = true;
    const std::int64_t start = 1'750'000'000 * s;  // 2025-06-15T15:06:40Z
    const auto pass = first_pass(rec, o, start);
    const auto& a = pass[0];
    CHECK(a.restamped == 2);
    const auto first = find_fix_time(a.messages[0].bytes);
    const auto last = find_fix_time(a.messages[2].bytes);
    REQUIRE(first);
    REQUIRE(last);
    CHECK(first->seconds == 1'750'000'001);  // due 1 s after the start
    // 22:32:52 → 22:33:02 in the capture, but the frames are 9 s apart: kept whole, the interval
    // would date the last fix a second after it is sent; it is held at the send time.
    CHECK(last->seconds - first->seconds == 9);
    CHECK(a.messages[1].bytes == "#867648040000018,CMD-X#");  // nothing to restamp
    CHECK(a.messages[0].bytes.size() == rec.connections[0].frames[0].bytes.size());
    const auto b = find_fix_time(pass[1].messages[0].bytes);
    REQUIRE(b);
    CHECK(b->seconds == 1'750'000'002);
    // Without --restamp the dates stay as recorded.
    CHECK(first_pass(rec, {}, start)[0].messages[0].bytes == rec.connections[0].frames[0].bytes);
  }

  TEST_CASE("--restamp never dates a fix after the moment its frame is sent, whatever the speed") {
    const auto rec = two_devices();
    const std::int64_t start = 1'750'000'000 * s;
    for (const double speed : {1.0, 10.0, 1000.0}) {
      CAPTURE(speed);
      ScheduleOptions o;
      o.restamp = true;
      o.speed = speed;
      std::size_t dated = 0;
      for (const auto& st : first_pass(rec, o, start))
        for (const auto& m : st.messages)
          if (const auto fix = find_fix_time(m.bytes)) {
            ++dated;
            CHECK(fix->seconds * s <= start + m.due_ns);  // not in the future when it leaves
          }
      CHECK(dated == 3);
    }
    // Ten times faster, the 10 s between the fixes of the first device would end 9 s after the
    // frame is sent: the fix is held at the send time instead.
    ScheduleOptions fast;
    fast.restamp = true;
    fast.speed = 10;
    const auto a = first_pass(rec, fast, start)[0];
    const auto first = find_fix_time(a.messages[0].bytes);
    const auto last = find_fix_time(a.messages[2].bytes);
    REQUIRE(first);
    REQUIRE(last);
    CHECK(last->seconds * s <= start + a.messages[2].due_ns);
    CHECK(last->seconds >= first->seconds);
  }

  TEST_CASE("--transport forces every connection onto one transport") {
    const auto rec = two_devices();
    ScheduleOptions o;
    o.transport = net::Transport::udp;
    for (const auto& st : first_pass(rec, o)) CHECK(st.transport == net::Transport::udp);
  }

  TEST_CASE("--connect-ahead: the first pass's connections, then the schedule from its start") {
    const auto rec = two_devices();
    ScheduleOptions o;
    o.loops = 2;
    MemoryRecordingSource source(rec);
    Scheduler sched(source, o);
    const auto opens = sched.first_pass_opens();
    REQUIRE(opens);
    REQUIRE(opens->size() == 2);
    CHECK((*opens)[0].stream == 1);
    CHECK((*opens)[1].plan->imei == "867648040000026");
    const auto passes = drain(sched);  // all of it again, the same ids
    REQUIRE(passes.size() == 2);
    CHECK(passes[0][0].id == 1);
    CHECK(passes[1][1].id == 4);
    CHECK(dues(passes[0][0]) == std::vector<std::int64_t>{1 * s, 3 * s, 10 * s});
  }

  TEST_CASE("a connection the input leaves open ends with the pass") {
    auto rec = two_devices();
    MemoryRecordingSource source(rec);
    // A source that stops before the ends: only connection and frame events.
    struct NoEnds final : RecordingSource {
      explicit NoEnds(RecordingSource& in) : in_(in) {}
      bool next(RecordEvent& e) override {
        while (in_.next(e))
          if (e.kind != RecordEvent::Kind::end) return true;
        return false;
      }
      bool rewind() override { return in_.rewind(); }
      bool timed() const override { return in_.timed(); }
      const RecordingCounters& counters() const override { return in_.counters(); }
      RecordingSource& in_;
    } cut(source);
    Scheduler sched(cut, {});
    const auto passes = drain(sched);
    REQUIRE(passes[0].size() == 2);
    // Both stay open to the input's last frame (+10 s), B too, whose last message is at +4 s.
    CHECK(passes[0][0].close_ns == 10 * s);
    CHECK(passes[0][1].close_ns == 10 * s);
  }
}
