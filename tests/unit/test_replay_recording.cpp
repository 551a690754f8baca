// What replay extracts from an input: every shipped capture gives, per device connection, exactly
// the uplink frames the recording script sent (captures/*.expected.tsv) with their packet times;
// text input gives one untimed connection per IMEI.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "pcap_builder.hpp"
#include "vt106/live/recording.hpp"

namespace fs = std::filesystem;
using namespace vt106;
using namespace vt106::testing;

namespace {

using Connection = std::tuple<std::string, std::string, std::string>;  // src, dst, transport

// The uplink frames each connection sent, LOST frames left out (they are not in the capture).
std::map<Connection, std::vector<std::string>> expected_uplink(const fs::path& tsv) {
  std::map<Connection, std::vector<std::string>> out;
  std::ifstream in(tsv);
  REQUIRE(in);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("src\t", 0) == 0) continue;
    std::istringstream row(line);
    std::string src, dst, transport, dir, frame;
    std::getline(row, src, '\t');
    std::getline(row, dst, '\t');
    std::getline(row, transport, '\t');
    std::getline(row, dir, '\t');
    std::getline(row, frame);
    if (dir == "up") out[{src, dst, transport}].push_back(frame);
  }
  return out;
}

live::Recording record_file(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f != nullptr);
  net::CaptureStats stats;
  auto r = live::record_capture(f, {}, net::CaptureOptions{}, stats);
  std::fclose(f);
  return r;
}

void check_capture(const std::string& name) {
  const fs::path dir = VT106_CAPTURES;
  fs::path file = dir / (name + ".pcap");
  if (!fs::exists(file)) file = dir / (name + ".pcapng");
  const auto recording = record_file(file);
  const auto want = expected_uplink(dir / (name + ".expected.tsv"));
  CHECK(recording.timed);
  std::map<Connection, std::vector<std::string>> got;
  for (const auto& c : recording.connections) {
    auto& frames = got[{c.client, c.server, std::string(net::to_string(c.transport))}];
    std::int64_t last_ts = 0;
    for (const auto& f : c.frames) {
      frames.push_back(f.bytes);
      CHECK(f.ts_ns >= last_ts);
      CHECK(f.ts_ns >= c.open_ts_ns);
      CHECK(f.ts_ns <= c.close_ts_ns);
      last_ts = f.ts_ns;
    }
    CHECK(c.imei == std::string(live::frame_imei(c.frames.front().bytes)));
  }
  CHECK(got == want);
  // Connections come in the order the capture opened them.
  for (std::size_t i = 1; i < recording.connections.size(); ++i)
    CHECK(recording.connections[i - 1].open_ts_ns <= recording.connections[i].open_ts_ns);
}

}  // namespace

TEST_SUITE("replay.recording") {
  TEST_CASE("frame_imei reads the identifier of uplink frames only") {
    CHECK(live::frame_imei("#867648040000018,CMD-X#") == "867648040000018");
    CHECK(live::frame_imei("#867648040000018#") == "867648040000018");
    CHECK(live::frame_imei(":123456F#").empty());
    CHECK(live::frame_imei("#GET / HTTP/1.1#").empty());
    CHECK(live::frame_imei("#12a,CMD-X#").empty());
    CHECK(live::frame_imei("#").empty());
  }

  TEST_CASE("every shipped capture: the uplink frames of each connection, in order") {
    for (const char* name : {"tcp-ipv4", "tcp-ipv6", "udp", "cooked-any", "cooked-any-sll2", "mixed",
                             "mixed-linktypes", "retransmit"}) {
      CAPTURE(name);
      check_capture(name);
    }
  }

  TEST_CASE("a reconnecting device is two connections with the same IMEI") {
    const auto r = record_file(fs::path(VT106_CAPTURES) / "tcp-ipv4.pcap");
    REQUIRE(r.connections.size() == 4);
    CHECK(r.connections[2].imei == "867648040000034");
    CHECK(r.connections[3].imei == "867648040000034");
    CHECK(r.connections[2].client != r.connections[3].client);
    CHECK(r.counters.server_bytes > 0);  // the commands the server sent are not replayed
  }

  TEST_CASE("frames keep the time of the packet that completed them; cut frames are not kept") {
    const std::string frame = "#353327020412763,CMD-T,A,DATE:240813,TIME:235937,LAT:02.9930825N,LON:101.5746188E,Speed:000.0,095-70#";
    std::vector<Bytes> packets = {
        ethernet(tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 100, 0, flag::syn)),
        ethernet(tcp4("10.0.0.2", 8888, "10.0.0.1", 40000, 500, 101, flag::syn | flag::ack)),
        ethernet(tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 101, 501, flag::ack | flag::psh, frame.substr(0, 30))),
        ethernet(tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 131, 501, flag::ack | flag::psh, frame.substr(30) + "#353327020412763,CMD-X#")),
        ethernet(tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 131 + static_cast<std::uint32_t>(frame.size()) - 30 + 23,
                      501, flag::ack | flag::psh, "#353327020412763,CMD-T,A,DA")),
        ethernet(tcp4("10.0.0.1", 40000, "10.0.0.2", 8888, 0, 501, flag::rst)),
    };
    MemFile f(pcap_file(records(packets)));
    net::CaptureStats stats;
    const auto r = live::record_capture(f.get(), {}, net::CaptureOptions{}, stats);
    REQUIRE(r.connections.size() == 1);
    const auto& c = r.connections[0];
    REQUIRE(c.frames.size() == 2);
    CHECK(c.frames[0].bytes == frame);
    CHECK(c.frames[1].bytes == "#353327020412763,CMD-X#");
    const std::int64_t t0 = 1'700'000'000'000'000'000;
    CHECK(c.frames[0].ts_ns == t0 + 3'000'000);  // the fourth packet completed both
    CHECK(c.frames[1].ts_ns == t0 + 3'000'000);
    CHECK(c.open_ts_ns == t0);
    CHECK(c.close_ts_ns == t0 + 5'000'000);
    CHECK(r.counters.incomplete == 1);  // the frame the reset cut short
  }

  TEST_CASE("text input: one untimed connection per IMEI, frames in input order") {
    auto in = decode::string_reader(
        "log line #867648040000018,CMD-X# more\n#867648040000026,CMD-X#\n"
        "{\"raw\":\"#867648040000018,CMD-T,A,DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000#\"}\n"
        ":123456F#\n");
    const auto r = live::record_text(in, net::Transport::udp);
    CHECK_FALSE(r.timed);
    REQUIRE(r.connections.size() == 2);
    CHECK(r.connections[0].imei == "867648040000018");
    CHECK(r.connections[0].transport == net::Transport::udp);
    REQUIRE(r.connections[0].frames.size() == 2);
    CHECK(r.connections[0].frames[0].bytes == "#867648040000018,CMD-X#");
    CHECK(r.connections[0].frames[1].bytes.rfind("#867648040000018,CMD-T,A,", 0) == 0);
    CHECK(r.connections[0].frames[1].sequence == 2);
    CHECK(r.connections[1].frames.size() == 1);
    CHECK(r.connections[1].frames[0].sequence == 1);
    CHECK(r.counters.frames == 3);
    CHECK(r.counters.not_uplink >= 1);  // the text between frames and the command
  }
}
