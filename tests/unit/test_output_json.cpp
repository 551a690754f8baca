// JSON output: escaping keeps every line valid JSON whatever the bytes; hex keeps them exact.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "record_collector.hpp"
#include "vt106/output/json.hpp"
#include "vt106/util/time.hpp"

TEST_SUITE("output.json") {
  TEST_CASE("control characters, quotes and invalid UTF-8") {
    std::string out;
    const std::string in = "a\"b\\c\n\x01 \xc3\xa9 \xff\xfe \xed\xa0\x80 \xf0\x9f\x98\x80";  // 22 bytes, no NUL
    CHECK_FALSE(vt106::output::append_json_string(out, in));
    auto j = nlohmann::json::parse(out);
    CHECK(j.get<std::string>().find("\xc3\xa9") != std::string::npos);     // é kept
    CHECK(j.get<std::string>().find("\xf0\x9f\x98\x80") != std::string::npos);  // emoji kept
    std::string clean;
    CHECK(vt106::output::append_json_string(clean, "plain"));
  }
  TEST_CASE("every line stays valid JSON for arbitrary bytes") {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    const auto r = vt106::testing::decode_string(all + all, vt106::testing::As::text);
    CHECK_FALSE(r.empty());
    for (const auto& rec : r) CHECK(rec.contains("kind"));
  }
  TEST_CASE("pretty printing keeps the same value") {
    const std::string compact = R"({"a":[1,2,{"b":"x,y:{"}],"c":{},"d":[]})";
    const std::string pretty = vt106::output::pretty_json(compact);
    CHECK(nlohmann::json::parse(pretty) == nlohmann::json::parse(compact));
    CHECK(pretty.find('\n') != std::string::npos);
  }
}

TEST_SUITE("util.time") {
  TEST_CASE("ISO 8601 output") {
    std::string s;
    vt106::util::append_iso8601(s, 0);
    CHECK(s == "1970-01-01T00:00:00Z");
    s.clear();
    vt106::util::append_iso8601_us(s, 1'723'593'577'123'456'789LL);
    CHECK(s == "2024-08-13T23:59:37.123456Z");
    s.clear();
    vt106::util::append_iso8601(s, *vt106::util::utc_seconds(2000, 2, 29, 23, 59, 59));
    CHECK(s == "2000-02-29T23:59:59Z");
    CHECK_FALSE(vt106::util::utc_seconds(2100, 2, 29, 0, 0, 0));
  }
  TEST_CASE("UTC offsets") {
    CHECK(vt106::util::parse_utc_offset("+08") == 8 * 3600);
    CHECK(vt106::util::parse_utc_offset("-07:30") == -(7 * 3600 + 1800));
    CHECK(vt106::util::parse_utc_offset("+0545") == 5 * 3600 + 45 * 60);
    CHECK(vt106::util::parse_utc_offset("0") == 0);
    CHECK_FALSE(vt106::util::parse_utc_offset("8"));
    CHECK_FALSE(vt106::util::parse_utc_offset("+25"));
  }
}
