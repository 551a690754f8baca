// Every first message of tests/data/detect-samples.tsv (55 tracker protocols and the non-tracker
// classes, from Traccar's tests, location.io and the protocols' specifications) is named as the
// reference says, with the device id; every truncation of it stays honest.
#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <set>

#include "detect_helpers.hpp"

using namespace vt106;
using testing::DetectSample;

namespace {

// The expected protocol is the verdict's, or ties with it (same confidence: the bytes cannot
// tell them apart, as GT06 clones without CRC and Topin).
enum class Outcome { first, tied, wrong };

Outcome judge(const detect::Verdict& v, const std::string& expected) {
  if (v.protocol == expected) return Outcome::first;
  for (const auto& a : v.alternatives)
    if (a.protocol == expected && a.confidence == v.confidence && v.status == detect::Status::match)
      return Outcome::tied;
  return Outcome::wrong;
}

}  // namespace

TEST_SUITE("detect.samples") {
  TEST_CASE("every sample is named as the reference says, with its device id") {
    const auto samples = testing::load_detect_samples();
    REQUIRE(samples.size() == 173);
    std::size_t first = 0, tied = 0;
    std::set<std::string> trackers;
    for (const auto& s : samples) {
      CAPTURE(s.line);
      CAPTURE(s.sample);
      const auto v = testing::detect_bytes(s.bytes(), s.hints());
      const Outcome o = judge(v, s.expected);
      CHECK_MESSAGE(o != Outcome::wrong, "got " << v.protocol << " " << v.confidence);
      first += o == Outcome::first;
      tied += o == Outcome::tied;
      if (o == Outcome::first) {
        if (s.device_id == "-") {
          CHECK_MESSAGE(!v.device_id, "unexpected device id " << v.device_id->value);
        } else {
          REQUIRE(v.device_id);
          CHECK(v.device_id->value == s.device_id);
        }
        CHECK(v.status != detect::Status::unknown);
        CHECK(v.bytes_used <= v.bytes_seen);
      }
      if (v.category == detect::Category::tracker && o == Outcome::first) trackers.insert(s.expected);
    }
    std::printf("detect samples: %zu of %zu named first, %zu tied with the expected protocol, %zu wrong "
                "(accuracy %.1f%%, %zu tracker protocols)\n",
                first, samples.size(), tied, samples.size() - first - tied, 100.0 * double(first) / double(samples.size()),
                trackers.size());
    CHECK(trackers.size() == 55);
  }

  TEST_CASE("a truncated first message never yields a confident wrong answer") {
    std::size_t prefixes = 0;
    for (const auto& s : testing::load_detect_samples()) {
      const std::string all = s.bytes();
      for (std::size_t n = 1; n < all.size(); ++n) {
        const auto v = testing::detect_bytes(all.substr(0, n), s.hints());
        ++prefixes;
        if (v.protocol == s.expected || v.status != detect::Status::match) continue;
        CAPTURE(s.line);
        CAPTURE(n);
        CHECK_MESSAGE(v.confidence < detect::confident, s.expected << " cut to " << n << " bytes reads as "
                                                                   << v.protocol << " " << v.confidence);
      }
    }
    CHECK(prefixes > 10000);
  }

  TEST_CASE("GOTOP is never mistaken for another protocol, nor another for GOTOP") {
    // Mistaken: a decided verdict (status match) with the wrong name. While a '#' and digits are
    // all there is, "need more bytes, maybe GOTOP" is the honest answer for either.
    for (const auto& s : testing::load_detect_samples()) {
      const std::string all = s.bytes();
      for (std::size_t n = 1; n <= all.size(); ++n) {
        const auto v = testing::detect_bytes(all.substr(0, n), s.hints());
        CAPTURE(s.line);
        CAPTURE(n);
        if (s.expected == "gotop") {
          if (v.status == detect::Status::match) CHECK(v.protocol == "gotop");
          if (n == all.size()) CHECK(v.protocol == "gotop");
        } else if (v.protocol == "gotop") {
          CHECK(v.status == detect::Status::need_more);
        }
      }
    }
  }

  TEST_CASE("a truncated length-framed first message asks for more bytes") {
    // Rows whose first message declares its length: cut in half, the verdict is need_more for
    // the right protocol (the honest answer) and says how many bytes the message needs.
    const std::map<std::string, std::string> cases = {
        {"gt06", "78780d010352887071911998000479d00d0a"},
        {"teltonika", "000f313233343536373839303132333435"},
        {"meiligao", "24240011671440258855405000b24d0d0a"},
        {"castel", "40401f00043130303131313235323939383700000000000000100303320d0a"},
        {"galileo", "011780011102e603383633353931303238393630323437043200801c"},
        {"t800x", "232301001500000880316890202968140197625020"},
        {"eelink", "676701000c007b03525440717505180104"},
        {"mqtt", "101000044d5154540402003c000474657374"},
    };
    for (const auto& [protocol, hex] : cases) {
      CAPTURE(protocol);
      const std::string all = testing::from_hex(hex);
      const auto v = testing::detect_bytes(all.substr(0, all.size() / 2 + 2));
      CHECK(v.protocol == protocol);
      CHECK(v.status == detect::Status::need_more);
      CHECK(v.confidence <= 0.5);
      CHECK(v.bytes_wanted == all.size());
    }
    const auto gotop = testing::detect_bytes("#353327020412763,CMD-T,A,DATE:0903");
    CHECK(gotop.protocol == "gotop");
    CHECK(gotop.status == detect::Status::need_more);
  }
}
