// Every uplink, downlink and SMS sample from public sources (tests/data/gotop-samples.tsv),
// checked against the values those sources assert (tests/data/gotop-expected.jsonl).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "record_collector.hpp"

using vt106::testing::As;
using vt106::testing::decode_string;
using nlohmann::json;

namespace {

struct Sample {
  std::string message, direction;
};

std::vector<Sample> load_samples() {
  std::ifstream in(std::string(VT106_TEST_DATA) + "/gotop-samples.tsv");
  REQUIRE(in);
  std::vector<Sample> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream row(line);
    Sample s;
    std::getline(row, s.message, '\t');
    std::getline(row, s.direction, '\t');
    out.push_back(s);
  }
  return out;
}

void check_field(const json& got, const std::string& key, const json& want) {
  INFO("field " << key << " of " << got.dump());
  if (key == "absent") {
    for (const auto& k : want) CHECK_MESSAGE(!got.contains(k.get<std::string>()), "unexpected field " << k);
  } else if (key == "wifi_count" || key == "ble_count") {
    const std::string list = key.substr(0, key.find('_'));
    REQUIRE(got.contains(list));
    CHECK(got[list].size() == want.get<std::size_t>());
  } else if (key == "wifi0" || key == "ble4") {
    const std::string list = key.substr(0, key.size() - 1);
    const std::size_t idx = static_cast<std::size_t>(key.back() - '0');
    REQUIRE(got.contains(list));
    CHECK(got[list][idx] == want);
  } else if (want.is_number_float()) {
    REQUIRE(got.contains(key));
    CHECK(got[key].get<double>() == doctest::Approx(want.get<double>()).epsilon(1e-12));
  } else {
    REQUIRE(got.contains(key));
    CHECK(got[key] == want);
  }
}

}  // namespace

TEST_SUITE("gotop.samples") {
  TEST_CASE("every public sample decodes to the values its source asserts") {
    const auto samples = load_samples();
    std::ifstream expected(std::string(VT106_TEST_DATA) + "/gotop-expected.jsonl");
    REQUIRE(expected);
    std::string line;
    std::size_t checked = 0;
    while (std::getline(expected, line)) {
      const json e = json::parse(line);
      const auto row = e["row"].get<std::size_t>();
      REQUIRE(row < samples.size());
      const Sample& s = samples[row];
      CAPTURE(row);
      CAPTURE(s.message);
      const auto records = decode_string(s.message, s.direction == "sms" ? As::sms : As::text);
      if (e["record"].is_null()) {
        CHECK(records.empty());
      } else {
        REQUIRE(records.size() == 1);
        for (const auto& [key, want] : e["record"].items()) check_field(records[0], key, want);
        // The frame comes back as it was received.
        CHECK(records[0]["raw"] == s.message);
      }
      ++checked;
    }
    CHECK(checked == samples.size());
  }
}
