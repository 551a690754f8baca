// Detection on hostile input: random bytes never yield a confident answer, every length from 0 to
// past the inspection limit is handled, and the work does not allocate per byte.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <nlohmann/json.hpp>
#include <random>

#include "detect_helpers.hpp"
#include "vt106/output/verdict_json.hpp"

using namespace vt106;

namespace {
std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0};
}  // namespace

// Counts allocations while `counting` is set. The whole test binary shares this replacement, so
// every form of new and delete is replaced together (sanitizers check that they match); the
// aligned forms stay the library's, pair with each other and are not counted. GCC cannot see
// that this is a replacement, hence the pragma.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
void* counted_alloc(std::size_t n) noexcept {
  if (counting) ++allocations;
  return std::malloc(n ? n : 1);
}
}  // namespace
void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

std::string random_bytes(std::mt19937& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

std::size_t allocations_for(const std::string& input) {
  allocations = 0;
  counting = true;
  { const auto v = testing::detect_bytes(input); }
  counting = false;
  return allocations;
}

}  // namespace

TEST_SUITE("detect.robustness") {
  TEST_CASE("random bytes never yield a confident verdict") {
    std::mt19937 rng(20261124);
    std::size_t unknown = 0;
    const std::size_t runs = 20000;
    for (std::size_t i = 0; i < runs; ++i) {
      const std::size_t n = 1 + rng() % 300;
      const std::string in = random_bytes(rng, n);
      const auto v = testing::detect_bytes(in);
      if (v.confidence >= detect::confident) {
        std::string hex;
        for (unsigned char c : in) hex += "0123456789abcdef"[c >> 4], hex += "0123456789abcdef"[c & 15];
        FAIL_CHECK("random input read as " << v.protocol << " " << v.confidence << ": " << hex);
      }
      unknown += v.status == detect::Status::unknown;
    }
    MESSAGE("random inputs reported unknown: " << unknown << " of " << runs);
    CHECK(unknown > runs * 9 / 10);
  }

  TEST_CASE("random bytes behind real signatures stay below confident") {
    // The first bytes of every binary signature, then random bytes: structure checks must fail.
    std::mt19937 rng(7);
    for (const std::string head : {"7878", "7979", "6868", "2424", "4040", "000f", "00000000", "7e", "2323", "6767",
                             "545a", "fe02", "4050", "83", "f8", "c0", "0255", "ab", "ff22", "5b80", "faaf", "011780",
                             "0100000b", "4d434750", "404e5443", "30316364", "160301", "10"}) {
      for (int i = 0; i < 500; ++i) {
        const std::string in = testing::from_hex(head) + random_bytes(rng, 4 + rng() % 120);
        const auto v = testing::detect_bytes(in);
        CAPTURE(head);
        CHECK_MESSAGE(v.confidence < detect::confident, v.protocol);
      }
    }
  }

  TEST_CASE("every length from empty to past the inspection limit") {
    std::mt19937 rng(3);
    const std::string big = random_bytes(rng, detect::max_inspect + 100);
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{7}, detect::max_inspect - 1,
                          detect::max_inspect, detect::max_inspect + 1, detect::max_inspect + 100}) {
      const auto v = testing::detect_bytes(big.substr(0, n));
      CHECK(v.bytes_seen == std::min(n, detect::max_inspect));
      CHECK(v.bytes_used <= v.bytes_seen);
      std::string json;
      output::append_verdict_json(json, v);
      CHECK(nlohmann::json::accept(json));
    }
    const auto empty = testing::detect_bytes("");
    CHECK(empty.status == detect::Status::empty);
    CHECK(empty.protocol == "empty");
  }

  TEST_CASE("a first message longer than the inspection limit is judged on its start") {
    // A Teltonika AVL packet declaring 3000 bytes of data: the length is plausible, the CRC lies
    // beyond what detection reads, so the verdict rests on the structure and says so.
    std::string avl = testing::from_hex("00000000 00000bb8 08 01");
    avl.resize(3000 + 12, '\x01');
    const auto v = testing::detect_bytes(avl);
    CHECK(v.protocol == "teltonika");
    CHECK(v.status == detect::Status::match);
    CHECK(v.bytes_seen == detect::max_inspect);
    bool said = false;
    for (const auto& e : v.evidence) said = said || e.find("bytes inspected") != std::string::npos;
    CHECK(said);
  }

  TEST_CASE("detection does not allocate per byte") {
    std::mt19937 rng(11);
    const std::string text(detect::max_inspect, 'a');
    CHECK(allocations_for(text) <= allocations_for(text.substr(0, 64)) + 4);
    const std::string binary = random_bytes(rng, detect::max_inspect);
    CHECK(allocations_for(binary) <= allocations_for(binary.substr(0, 64)) + 4);
    // A long GOTOP frame costs what a short one does.
    const std::string frame = "#353327020412763,CMD-T,A,DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,"
                              "Speed:000.0,84-20,000#";
    std::string padded = frame.substr(0, frame.size() - 1) + std::string(800, '0') + "#";
    CHECK(allocations_for(padded) <= allocations_for(frame) + 2);
  }

  TEST_CASE("verdicts serialise to valid JSON with every field documented") {
    const auto v = testing::detect_hex("78780d010352887071911998000479d00d0a", {detect::Transport::tcp, 8888});
    std::string out;
    output::append_verdict_json(out, v);
    const auto j = nlohmann::json::parse(out);
    CHECK(j["status"] == "match");
    CHECK(j["protocol"] == "gt06");
    CHECK(j["category"] == "tracker");
    CHECK(j["confidence"].get<double>() >= 0.97);
    CHECK(j["device_id"]["value"] == "352887071911998");
    CHECK(j["device_id"]["encoding"] == "bcd");
    CHECK(j["device_id"]["raw"] == "0352887071911998");
    CHECK(j["device_id"]["luhn"] == "valid");
    CHECK(j["bytes_seen"] == 18);
    CHECK(j["bytes_used"] == 18);
    CHECK(j["alternatives"].is_array());
    CHECK(!j.contains("proxy"));
    CHECK(!j.contains("bytes_wanted"));
  }
}
