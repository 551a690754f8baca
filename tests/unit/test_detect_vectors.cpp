// The first messages of tests/data/detect/vectors-*.tsv (every protocol Traccar decodes, several
// message kinds each, in wire form, from Traccar's decoder tests) are named right, with their
// device id; nothing is ever named wrong with confidence, not even cut short; look-alike pairs
// (vectors that share their first two bytes) are told apart; a brief verdict is the full one without its sentences.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "detect_helpers.hpp"

using namespace vt106;

namespace {

struct Vector {
  std::string protocol, transport, encoding, sample, source, expected, device_id, file;
  int line = 0;
  std::string bytes() const { return encoding == "hex" ? testing::from_hex(sample) : source::unescape_bytes(sample); }
  detect::Hints hints() const {
    detect::Hints h;
    h.transport = transport == "udp" ? detect::Transport::udp : detect::Transport::tcp;
    return h;
  }
};

std::vector<Vector> load_vectors() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(VT106_TEST_DATA) + "/detect"))
    if (e.path().filename().string().starts_with("vectors-") && e.path().extension() == ".tsv") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<Vector> out;
  for (const auto& path : files) {
    std::ifstream in(path);
    REQUIRE(in);
    std::string line;
    std::getline(in, line);  // header
    int n = 1;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty()) continue;
      std::vector<std::string> f;
      std::size_t start = 0;
      for (;;) {
        const auto tab = line.find('\t', start);
        f.push_back(line.substr(start, tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
      }
      REQUIRE_MESSAGE(f.size() == 7, path.filename().string() << ":" << n << " has " << f.size() << " columns");
      out.push_back({f[0], f[1], f[2], f[3], f[4], f[5], f[6], path.filename().string(), n});
    }
  }
  return out;
}

const std::vector<Vector>& vectors() {
  static const std::vector<Vector> all = load_vectors();
  return all;
}

}  // namespace

TEST_SUITE("detect.vectors") {
  TEST_CASE("every vector is named right, with its device id, and none is named wrong with confidence") {
    const auto& all = vectors();
    REQUIRE(!all.empty());
    std::size_t right = 0, wrong_confident = 0, with_id = 0;
    std::vector<std::string> missing_ids;
    std::set<std::string> protocols, named;
    std::map<std::string, std::vector<std::string>> misses;
    for (const auto& v : all) {
      CAPTURE(v.file);
      CAPTURE(v.line);
      CAPTURE(v.sample);
      protocols.insert(v.expected);
      const auto d = testing::detect_bytes(v.bytes(), v.hints());
      if (d.protocol == v.expected && d.status == detect::Status::match) {
        ++right;
        named.insert(v.expected);
        if (!v.device_id.empty()) {
          ++with_id;
          if (!d.device_id) {
            // The grammar cannot say every encoding (six-bit AIS, varints, ids past the bytes
            // inspected): counted, listed, and held to a small share below.
            missing_ids.push_back(fmt::format("{}:{} {} (expected {})", v.file, v.line, v.expected, v.device_id));
          } else {
            CHECK_MESSAGE(d.device_id->value == v.device_id,
                          v.expected << " gives device id " << d.device_id->value << ", not " << v.device_id);
          }
        }
      } else {
        misses[v.expected].push_back(fmt::format("{}:{} → {} {:.2f}", v.file, v.line, d.protocol, d.confidence));
        if (d.status == detect::Status::match && d.confidence >= detect::confident) {
          ++wrong_confident;
          FAIL_CHECK(v.expected << " named " << d.protocol << " with confidence " << d.confidence);
        }
      }
    }
    for (const auto& [p, list] : misses)
      for (const auto& m : list) std::printf("detect vectors: missed %s: %s\n", p.c_str(), m.c_str());
    const double share = 100.0 * double(right) / double(all.size());
    std::printf("detect vectors: %zu of %zu named right (%.1f%%), %zu named wrong with confidence; %zu of %zu "
                "protocols named\n",
                right, all.size(), share, wrong_confident, named.size(), protocols.size());
    for (const auto& m : missing_ids) std::printf("detect vectors: no device id from %s\n", m.c_str());
    std::printf("detect vectors: device id given for %zu of %zu named vectors that carry one\n",
                with_id - missing_ids.size(), with_id);
    CHECK(wrong_confident == 0);
    CHECK(share >= 97.0);
    CHECK(missing_ids.size() * 20 <= with_id);  // at least 95 % of the identifiers are read
  }

  TEST_CASE("look-alike protocols (vectors that share their first two bytes) are told apart") {
    std::map<std::string, std::set<std::string>> by_start;
    for (const auto& v : vectors()) {
      const std::string b = v.bytes();
      if (b.size() >= 2) by_start[b.substr(0, 2)].insert(v.expected);
    }
    std::set<std::pair<std::string, std::string>> pairs;
    for (const auto& [start, names] : by_start)
      for (const auto& a : names)
        for (const auto& b : names)
          if (a < b) pairs.insert({a, b});
    std::size_t checked = 0;
    for (const auto& v : vectors()) {
      const std::string b = v.bytes();
      if (b.size() < 2) continue;
      const auto d = testing::detect_bytes(b, v.hints());
      for (const auto& other : by_start[b.substr(0, 2)]) {
        if (other == v.expected) continue;
        ++checked;
        CAPTURE(v.file);
        CAPTURE(v.line);
        CHECK_MESSAGE(!(d.protocol == other && d.confidence >= detect::confident),
                      v.expected << " named as its look-alike " << other << " " << d.confidence);
      }
    }
    std::printf("detect vectors: %zu look-alike pairs, %zu vector-against-look-alike checks\n", pairs.size(), checked);
    CHECK(!pairs.empty());
  }

  TEST_CASE("a vector cut short is never named wrong with confidence") {
    std::size_t prefixes = 0, carrier = 0;
    for (const auto& v : vectors()) {
      const std::string all = v.bytes();
      for (std::size_t n = 1; n < all.size(); n += 1 + n / 16) {
        const auto d = testing::detect_bytes(all.substr(0, n), v.hints());
        ++prefixes;
        if (d.protocol == v.expected || d.status != detect::Status::match) continue;
        // The start of a tracker's HTTP request or MQTT packet is an HTTP request or an MQTT
        // packet: naming the carrier is true, not a wrong tracker.
        if (d.category == detect::Category::other && (d.protocol == "http" || d.protocol == "mqtt")) {
          ++carrier;
          continue;
        }
        CAPTURE(v.file);
        CAPTURE(v.line);
        CAPTURE(n);
        CHECK_MESSAGE(d.confidence < detect::confident,
                      v.expected << " cut to " << n << " bytes reads as " << d.protocol << " " << d.confidence);
      }
    }
    std::printf("detect vectors: %zu prefixes, %zu named by their carrier (http, mqtt)\n", prefixes, carrier);
    CHECK(prefixes > 0);
  }

  TEST_CASE("a brief verdict is the full verdict without its sentences") {
    // Every vector, cut short at several places too, on its own port and another, with and
    // without a server answer and a PROXY header: everything but the evidence is the same.
    const std::string proxy = "PROXY TCP4 10.0.0.1 10.0.0.2 40000 5013\r\n";
    std::size_t compared = 0, with_evidence = 0;
    for (const auto& v : vectors()) {
      const std::string all = v.bytes();
      for (std::size_t n = 1; n <= all.size(); n += 1 + n / 4) {
        const bool whole = n + 1 + n / 4 > all.size();
        const std::string client = whole ? all : all.substr(0, n);
        for (int variant = 0; variant < 3; ++variant) {
          detect::Hints h = v.hints();
          if (variant == 1) h.server_port = 5013;
          const std::string c = variant == 2 ? proxy + client : client;
          const std::string server = variant == 1 ? std::string("\x78\x78\x05\x01\x00\x01\xd9\xdc\x0d\x0a", 10) : "";
          const auto full = detect::detect(testing::bytes_of(c), testing::bytes_of(server), h);
          const auto brief = detect::detect(testing::bytes_of(c), testing::bytes_of(server), h, detect::Detail::brief);
          CAPTURE(v.file);
          CAPTURE(v.line);
          CAPTURE(n);
          CAPTURE(variant);
          ++compared;
          with_evidence += !full.evidence.empty();
          CHECK(brief.evidence.empty());
          CHECK(brief.status == full.status);
          CHECK(brief.protocol == full.protocol);
          CHECK(brief.category == full.category);
          CHECK(brief.confidence == full.confidence);
          CHECK(brief.bytes_seen == full.bytes_seen);
          CHECK(brief.bytes_used == full.bytes_used);
          CHECK(brief.bytes_wanted == full.bytes_wanted);
          CHECK(brief.proxy.has_value() == full.proxy.has_value());
          REQUIRE(brief.device_id.has_value() == full.device_id.has_value());
          if (full.device_id) {
            CHECK(brief.device_id->value == full.device_id->value);
            CHECK(brief.device_id->imei == full.device_id->imei);
            CHECK(brief.device_id->variants == full.device_id->variants);
          }
          REQUIRE(brief.alternatives.size() == full.alternatives.size());
          for (std::size_t i = 0; i < full.alternatives.size(); ++i) {
            CHECK(brief.alternatives[i].protocol == full.alternatives[i].protocol);
            CHECK(brief.alternatives[i].confidence == full.alternatives[i].confidence);
            CHECK(brief.alternatives[i].need_more == full.alternatives[i].need_more);
            CHECK(brief.alternatives[i].evidence.empty());
          }
        }
        if (whole) break;
      }
    }
    std::printf("detect vectors: %zu brief verdicts compared with full ones\n", compared);
    CHECK(with_evidence == compared);
  }
}
