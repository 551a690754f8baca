// The protocol table: the built-in one parses without an error and names no protocol a code
// probe names too; the grammar's tokens match what they say, report what they lack, and a bad
// line is an error naming the line.
#include <doctest/doctest.h>

#include <set>

#include "detect_helpers.hpp"
#include "vt106/detect/table.hpp"

using namespace vt106;
using namespace vt106::detect::table;

namespace {
Result run(std::string_view rule_text, std::string_view bytes) {
  const std::string text = std::string("protocol t\n title T\n source test\n rule r ") + std::string(rule_text) + "\n";
  const Table t = parse(text, "test");
  REQUIRE_MESSAGE(t.errors.empty(), (t.errors.empty() ? "" : t.errors.front()));
  REQUIRE(t.entries.size() == 1);
  return match(t.entries.front().rules.front(), detect::Bytes(bytes));
}
}  // namespace

TEST_SUITE("detect.table") {
  TEST_CASE("the built-in table parses, and every name is in one place only") {
    const Table& t = builtin();
    for (const auto& e : t.errors) FAIL_CHECK(e);
    CHECK(!t.entries.empty());
    std::set<std::string_view> seen;
    for (const auto* p : detect::known_protocols()) {
      CAPTURE(p->name);
      CHECK(seen.insert(p->name).second);
    }
    for (const auto& e : t.entries) {
      CAPTURE(e.name);
      CHECK(!e.sources.empty());
      CHECK(!e.rules.empty());
    }
  }

  TEST_CASE("text tokens: literals, classes, lazy skips, the identifier") {
    auto r = run(R"("imei:" id:digits{15} "," skip{0-50} ";")", "imei:359586015829802,tracker,1;");
    CHECK(r.status == Result::full);
    CHECK(r.id == "359586015829802");
    CHECK(r.used == 31);
    CHECK(run(R"("imei:" id:digits{15} ";")", "imei:35958601582980").status == Result::need_more);
    CHECK(run(R"("imei:" id:digits{15} ";")", "imei:3595860158298x;").status == Result::fail);
    CHECK(run(R"("*" upper{2} "," field{1-20} "," field{1-5} "#")", "*HQ,123,V1#").status == Result::full);
    CHECK(run(R"("*" upper{2} "," field{1-20} "#")", "*HQ,123,V1#").status == Result::fail);  // a field holds no comma
    CHECK(run(R"("a\r\n\x01")", std::string_view("a\r\n\x01", 4)).status == Result::full);
  }

  TEST_CASE("binary tokens: length, end marker, values, BCD id, checksums") {
    // GT06 login: 78 78, length counts protocol..CRC (total = value + 5), BCD IMEI, CRC-16/X-25.
    const std::string login = testing::from_hex("78780d01035341903295400300018cdd0d0a");
    const std::string rule = R"(x:7878 len:u8+5 u8=0x01 id:bcd{8} u16 check:crc16x25:2:-4:-4 end:x:0d0a)";
    auto r = run(rule, login);
    CHECK(r.status == Result::full);
    CHECK(r.checks_failed == 1);  // that sample's CRC is the manual's example, wrong for this id
    CHECK(r.id == "0353419032954003");
    const std::string good = testing::from_hex("78780d01086764804889870200014b150d0a");
    r = run(rule, good);
    CHECK(r.status == Result::full);
    CHECK(r.checks_ok == 1);
    CHECK(run(rule, good.substr(0, 10)).status == Result::need_more);
    CHECK(run(rule, good.substr(0, 10)).wanted == 18);
    CHECK(run(R"(x:7878 len:u8+5 u8=0x13|0x23)", good).status == Result::fail);
    CHECK(run(R"(u8=0x70..0x80 u8)", good).status == Result::full);
  }

  TEST_CASE("a bad table line is an error that names the line, and its block is left out") {
    const Table t = parse("protocol a\n title A\n source s\n rule r \"x\" wobble{3}\nprotocol b\n title B\n source s\n rule r \"y\"\n",
                          "t.table");
    REQUIRE(t.errors.size() == 1);
    CHECK(t.errors[0].find("t.table:4:") == 0);
    CHECK(t.errors[0].find("wobble") != std::string::npos);
    REQUIRE(t.entries.size() == 1);
    CHECK(t.entries[0].name == "b");
    CHECK(parse("rule r \"x\"\n").errors.size() == 1);
    CHECK(parse("protocol a\n rule r \"x\"\n").errors.size() == 1);  // no title, no source
  }
}
