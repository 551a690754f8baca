// Golden tests over every shipped capture: the decoded messages equal the frames the recording
// script sent (captures/*.expected.tsv), per connection and direction, in order.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "record_collector.hpp"
#include "vt106/decode/flow_decoder.hpp"
#include "vt106/net/capture_decoder.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using Conversation = std::tuple<std::string, std::string, std::string>;  // src, dst, transport
struct Expected {
  std::map<Conversation, std::vector<std::pair<std::string, std::string>>> frames;  // (dir, frame)
  std::size_t lost = 0;
};

Expected load_expected(const fs::path& tsv) {
  Expected e;
  std::ifstream in(tsv);
  REQUIRE(in);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("src\t", 0) == 0) continue;  // the header
    if (line.rfind("# LOST", 0) == 0) {
      ++e.lost;
      continue;
    }
    if (line[0] == '#' && line.find('\t') == std::string::npos) continue;  // a comment
    std::istringstream row(line);
    std::string src, dst, transport, dir, frame;
    std::getline(row, src, '\t');
    std::getline(row, dst, '\t');
    std::getline(row, transport, '\t');
    std::getline(row, dir, '\t');
    std::getline(row, frame);
    e.frames[{src, dst, transport}].emplace_back(dir, frame);
  }
  return e;
}

struct Decoded {
  std::vector<json> records;
  vt106::net::CaptureStats stats;
};

Decoded decode_capture(const fs::path& file) {
  vt106::testing::RecordCollector sink;
  vt106::gotop::Parser parser;
  vt106::decode::FlowDecoder flows(parser, sink, file.filename().string());
  std::FILE* f = std::fopen(file.c_str(), "rb");
  REQUIRE(f != nullptr);
  vt106::net::CaptureDecoder capture(flows);
  Decoded d;
  d.stats = capture.run(f);
  std::fclose(f);
  d.records = sink.records;
  return d;
}

void check_capture(const std::string& name, bool lost_means_gap = false) {
  const fs::path dir = VT106_CAPTURES;
  fs::path file = dir / (name + ".pcap");
  if (!fs::exists(file)) file = dir / (name + ".pcapng");
  CAPTURE(file.string());
  const Expected want = load_expected(dir / (name + ".expected.tsv"));
  const Decoded got = decode_capture(file);
  std::map<Conversation, std::vector<std::pair<std::string, std::string>>> frames;
  std::size_t gaps = 0;
  for (const auto& r : got.records) {
    if (r["kind"] == "message") {
      frames[{r["src"], r["dst"], r["transport"]}].emplace_back(r["dir"], r["raw"]);
      CHECK(r.contains("ts"));
      CHECK(r.contains("flow"));
    } else if (r["code"] == "gap") {
      ++gaps;
    }
  }
  CHECK(frames == want.frames);
  if (lost_means_gap) CHECK(gaps == want.lost);
}

}  // namespace

TEST_SUITE("decode.captures") {
  TEST_CASE("TCP over IPv4: split, glued, reconnecting devices and server commands") { check_capture("tcp-ipv4"); }
  TEST_CASE("TCP over IPv6") { check_capture("tcp-ipv6"); }
  TEST_CASE("UDP datagrams") { check_capture("udp"); }
  TEST_CASE("Linux cooked v1 (tcpdump -i any)") { check_capture("cooked-any"); }
  TEST_CASE("Linux cooked v2") { check_capture("cooked-any-sll2"); }
  TEST_CASE("pcapng with two interfaces") { check_capture("mixed"); }
  TEST_CASE("pcapng with two link types") { check_capture("mixed-linktypes"); }
  TEST_CASE("retransmission, reordering and a missing segment") { check_capture("retransmit", true); }
  TEST_CASE("damaged captures keep every message before the damage") {
    for (const char* name : {"damaged-caplen-ffffffff", "damaged-truncated-record-header", "damaged-truncated-record",
                             "damaged-pcapng-bad-block-length"}) {
      check_capture(name);
    }
    for (const char* name : {"damaged-truncated-header", "damaged-bad-magic"}) {
      CAPTURE(name);
      const auto got = decode_capture(fs::path(VT106_CAPTURES) / (std::string(name) + ".pcap"));
      REQUIRE(got.records.size() == 1);
      CHECK(got.stats.stopped_by_problem);
      CHECK(got.records[0]["offset"] == 0);
    }
  }
}
