// JSON output: escaping keeps every line valid JSON whatever the bytes; hex keeps them exact.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "record_collector.hpp"
#include "vt106/output/json.hpp"
#include "vt106/output/text_escape.hpp"
#include "vt106/util/text.hpp"
#include "vt106/util/time.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <vector>

TEST_SUITE("output.json") {
  TEST_CASE("control characters, quotes and invalid UTF-8") {
    std::string out;
    const std::string in = std::string("a\"b\\c\n\x01 \xc3\xa9 \xff\xfe \xed\xa0\x80 \xf0\x9f\x98\x80");
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
    // Capture timestamps can be any int64 (pcapng offsets): the ends of the range stay defined.
    s.clear();
    vt106::util::append_iso8601_us(s, std::numeric_limits<std::int64_t>::min());
    CHECK(s == "1677-09-21T00:12:43.145224Z");
    s.clear();
    vt106::util::append_iso8601_us(s, std::numeric_limits<std::int64_t>::max());
    CHECK(s == "2262-04-11T23:47:16.854775Z");
    s.clear();
    vt106::util::append_iso8601_us(s, -1);
    CHECK(s == "1969-12-31T23:59:59.999999Z");
  }
  TEST_CASE("UTC offsets") {
    CHECK(vt106::util::parse_utc_offset("+08") == 8 * 3600);
    CHECK(vt106::util::parse_utc_offset("-07:30") == -(7 * 3600 + 1800));
    CHECK(vt106::util::parse_utc_offset("+0545") == 5 * 3600 + 45 * 60);
    CHECK(vt106::util::parse_utc_offset("0") == 0);
    // Every way people write one.
    for (const char* eight : {"8", "+8", "+08", "+08:00", "+0800", "UTC+8", "UTC+08:00", "GMT+8", "utc+8", " +8 "})
      CHECK_MESSAGE(vt106::util::parse_utc_offset(eight) == 8 * 3600, eight);
    for (const char* west : {"-0530", "-05:30", "-5:30", "-530", "UTC-05:30", "GMT-0530"})
      CHECK_MESSAGE(vt106::util::parse_utc_offset(west) == -(5 * 3600 + 1800), west);
    CHECK(vt106::util::parse_utc_offset("UTC") == 0);
    CHECK(vt106::util::parse_utc_offset("Z") == 0);
    CHECK(vt106::util::parse_utc_offset("14") == 14 * 3600);
    CHECK(vt106::util::parse_utc_offset("-12") == -12 * 3600);
    for (const char* bad : {"+25", "15", "+14:30", "+08:60", "UTC8", "UTC+", "+", "", "eight", "+08:0", "+123456",
                            "08:00:00", "--8", "UTC++8"})
      CHECK_FALSE_MESSAGE(vt106::util::parse_utc_offset(bad), bad);
  }
}

TEST_SUITE("output.numbers") {
  TEST_CASE("decimal parsing equals the correctly rounded value, and numbers print as the shortest text") {
    std::uint64_t seed = 12345;
    auto next = [&] {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      return seed >> 33;
    };
    std::vector<std::string> texts = {"0", "0.0", "000.0", "-0.0000001", "90.0000000", "180", "1e5x",
                                      "02.9930825", "114.3964783", "99999999.9999999", "0.00001",
                                      "12345678901234567890.5", "0.1234567890123456789"};
    for (int i = 0; i < 20000; ++i) {
      const auto whole = next() % 100000000;
      const auto frac = next() % 10000000;
      const int decimals = static_cast<int>(next() % 8);
      std::string t = std::to_string(whole);
      if (decimals > 0) {
        std::string f = std::to_string(frac);
        f.insert(0, 7 - f.size(), '0');
        t += "." + f.substr(0, static_cast<std::size_t>(decimals));
      }
      if (next() % 2) t.insert(0, "-");
      texts.push_back(t);
    }
    for (const auto& t : texts) {
      CAPTURE(t);
      const auto mine = vt106::util::parse_decimal(t);
      double want = 0;
      const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), want);
      if (ec != std::errc{} || p != t.data() + t.size()) {
        CHECK_FALSE(mine);
        continue;
      }
      REQUIRE(mine);
      CHECK(*mine == want);
      char buf[64];
      char* end = vt106::output::detail::write_double(buf, *mine);
      double back = 0;
      std::from_chars(buf, end, back);
      CHECK(back == *mine);  // reads back exactly
      char shortest[64];
      char* send = std::to_chars(shortest, shortest + 64, *mine, std::chars_format::fixed).ptr;
      if ((std::abs(*mine) >= 1e-5 && std::abs(*mine) < 1e15) || *mine == 0)
        CHECK(std::string(buf, end) == std::string(shortest, send));  // and is the shortest such text
    }
  }
}

namespace {
std::uint64_t lcg(std::uint64_t& seed) {
  seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  return seed >> 33;
}

// The plain byte-at-a-time splitter the vectorised one must agree with.
std::vector<std::string_view> reference_split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  int braces = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c == '{') ++braces;
    else if (c == '}') braces = braces > 0 ? braces - 1 : 0;
    else if (c == sep && braces == 0) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

// Byte-at-a-time JSON string escaping with the same rules.
std::string reference_escape(std::string_view s, bool& clean) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n') {
      out += "\\n", ++i;
    } else if (c == '\r') {
      out += "\\r", ++i;
    } else if (c == '\t') {
      out += "\\t", ++i;
    } else if (c < 0x20) {
      out += "\\u00", out += hex[c >> 4], out += hex[c & 15], ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c), ++i;
    } else if (const std::size_t n = vt106::output::utf8_length(s, i); n != 0) {
      out.append(s.substr(i, n)), i += n;
    } else {
      clean = false;
      out += "\\u00", out += hex[c >> 4], out += hex[c & 15], ++i;
    }
  }
  return out + "\"";
}
}  // namespace

TEST_SUITE("output.fast_paths") {
  TEST_CASE("the vectorised field splitter agrees with a byte-at-a-time one, at every length") {
    std::uint64_t seed = 7;
    static constexpr char alphabet[] = {',', ',', '-', '{', '}', '"', 'a', 'b', ' ', '9'};
    std::vector<std::string_view> store;
    for (int round = 0; round < 20000; ++round) {
      std::string s(lcg(seed) % 70, 'x');
      for (auto& c : s) c = alphabet[lcg(seed) % sizeof alphabet];
      const char sep = round % 3 == 0 ? '-' : ',';
      CAPTURE(s);
      const auto fast = vt106::util::split_fields_into(s, sep, store);
      const auto want = reference_split(s, sep);
      REQUIRE(fast.size() == want.size());
      for (std::size_t i = 0; i < want.size(); ++i) {
        CHECK(fast[i].data() == want[i].data());
        CHECK(fast[i].size() == want[i].size());
      }
      std::vector<std::string_view> vec;
      vt106::util::split_fields(s, sep, vec);
      CHECK(vec == want);
    }
  }

  TEST_CASE("vectorised JSON string escaping agrees with a byte-at-a-time escaper, at every length") {
    std::uint64_t seed = 11;
    static constexpr char alphabet[] = {'a', 'Z', ' ', '"', '\\', '\n', '\x01', '\x7f', '\xc3', '\xa9', '\xff', '#'};
    for (int round = 0; round < 20000; ++round) {
      std::string s(lcg(seed) % 50, 'x');
      for (auto& c : s)
        if (lcg(seed) % 3 == 0) c = alphabet[lcg(seed) % sizeof alphabet];
      CAPTURE(s);
      std::string fast;
      const bool fast_clean = vt106::output::append_json_string(fast, s);
      bool want_clean = true;
      CHECK(fast == reference_escape(s, want_clean));
      CHECK(fast_clean == want_clean);
    }
  }

  TEST_CASE("ISO 8601 dates agree with the C library's gmtime over a wide range") {
    std::uint64_t seed = 3;
    for (int round = 0; round < 20000; ++round) {
      // Seconds from about 1653 to 2286, and the same day twice in a row (the day memo).
      const auto seconds = static_cast<std::int64_t>(lcg(seed) % 20'000'000'000ULL) - 10'000'000'000LL;
      for (const std::int64_t t : {seconds, seconds + 1}) {
        const auto tt = static_cast<std::time_t>(t);
        std::tm tm{};
        REQUIRE(gmtime_r(&tt, &tm) != nullptr);
        char want[40];
        std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        std::string got;
        vt106::util::append_iso8601(got, t);
        CHECK(got == want);
      }
    }
  }

  TEST_CASE("integers print as std::to_chars prints them") {
    std::uint64_t seed = 5;
    for (int round = 0; round < 20000; ++round) {
      const std::uint64_t v = round < 200 ? static_cast<std::uint64_t>(round) : lcg(seed) << (lcg(seed) % 32);
      char fast[24], want[24];
      const char* fast_end = vt106::output::detail::write_uint(fast, v);
      const char* want_end = std::to_chars(want, want + sizeof want, v).ptr;
      CHECK(std::string_view(fast, static_cast<std::size_t>(fast_end - fast)) ==
            std::string_view(want, static_cast<std::size_t>(want_end - want)));
    }
  }
}
