// The report's data: records gathered per device (kinds, commands joined to the replies that
// answer them, fixes, errors), silences and jumps found, the page kept small at scale, and the
// JSON put into the page so that it cannot end its script element.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "vt106/gotop/parser.hpp"
#include "vt106/report/report.hpp"

using namespace vt106;

namespace {

constexpr std::string_view imei = "867648040000018";

void feed(report::Collector& c, gotop::Parser& parser, std::string_view frame, std::int64_t t_s, std::uint32_t flow = 1) {
  gotop::Message m;
  gotop::DecodeError err;
  // The body between the delimiters (a command keeps its leading colon).
  std::string_view body = frame.substr(0, frame.size() - 1);
  if (body.front() == '#') body.remove_prefix(1);
  const bool parsed = parser.parse_frame(body, m, err);
  INFO(frame, " ", err.message);
  REQUIRE(parsed);
  m.raw = frame;  // as the stream decoder sets it
  output::RecordContext ctx;
  ctx.ts_ns = t_s * 1'000'000'000;
  ctx.flow = flow;
  c.message(ctx, m);
}

doctor::Report one_device(std::string name) {
  doctor::Report r;
  doctor::Device d;
  d.name = std::move(name);
  d.protocol = "gotop";
  d.label = "GOTOP device " + d.name;
  doctor::Finding f;
  f.check = "content.time_future";
  f.status = doctor::Status::fail;
  f.summary = "a <b>summary</b>";
  f.evidence = {{"fix_time", "2030-01-01T00:00:00Z"}, {"received", "2024-01-01T12:00:05Z"}};
  d.findings.push_back(f);
  r.devices.push_back(d);
  return r;
}

std::string pos(std::string_view lat, std::string_view lon) {
  return "#" + std::string(imei) + ",CMD-T,A,DATE:240101,TIME:120000,LAT:" + std::string(lat) + "N,LOT:" + std::string(lon) +
         "E,Speed:000.0,X-X-X-X-81-5,000,460-0-0-0#";
}

}  // namespace

TEST_SUITE("report") {
  TEST_CASE("messages by kind, commands with their replies, silences, jumps, the finding's moment") {
    gotop::Parser parser;
    report::Collector c;
    const std::int64_t t0 = 1'704'110'400;  // 2024-01-01T12:00:00Z
    feed(c, parser, pos("22.5000000", "114.0000000"), t0);
    feed(c, parser, ":123456F#", t0 + 1);
    feed(c, parser, ":123456M1,030S#", t0 + 2);
    feed(c, parser, "#" + std::string(imei) + ",CMD-F,A,DATE:240101,TIME:120003,LAT:22.5000100N,LOT:114.0000000E,Speed:000.0,61-19,#", t0 + 3);
    feed(c, parser, "#" + std::string(imei) + ",ERROR!#", t0 + 4);
    feed(c, parser, "#" + std::string(imei) + ",CMD-X#", t0 + 5);
    feed(c, parser, pos("23.5000000", "114.0000000"), t0 + 1000);  // 111 km in 17 min: a jump, after a silence
    output::RecordContext ctx;
    ctx.ts_ns = (t0 + 1001) * 1'000'000'000;
    ctx.flow = 1;
    output::ErrorRecord e;
    e.code = "bad_checksum";
    e.message = "x";
    c.error(ctx, e);

    doctor::Facts facts;
    const auto doc = nlohmann::json::parse(report::build_json(c, facts, one_device(std::string(imei)), {}, {}));
    const auto& d = doc["devices"][0];
    CHECK(d["counts"]["position"] == 3);  // CMD-T, CMD-F (a position that answers F), CMD-T
    CHECK(d["counts"]["command"] == 2);
    CHECK(d["counts"]["reply"] == 1);  // ERROR!
    CHECK(d["counts"]["heartbeat"] == 1);
    CHECK(d["counts"]["error"] == 1);
    REQUIRE(d["commands"].size() == 2);
    CHECK(d["commands"][0]["name"] == "locate");
    CHECK(d["commands"][0]["reply"]["t"] == (t0 + 3) * 1000);
    CHECK(d["commands"][1]["reply"]["raw"] == "#" + std::string(imei) + ",ERROR!#");
    REQUIRE(d["silences"].size() == 1);
    CHECK(d["silences"][0]["from"] == (t0 + 5) * 1000);
    CHECK(d["silences"][0]["s"] == 995);
    REQUIRE(d["track"].size() == 3);
    CHECK(d["track"][1][4] == 0);
    CHECK(d["track"][2][4] == 1);  // the jump
    CHECK(d["errors"][0]["code"] == "bad_checksum");
    CHECK(d["findings"][0]["t"] == (t0 + 5) * 1000);  // "received", not the fix time the device claims
    CHECK(d["aggregated"] == false);
  }

  TEST_CASE("past the budget, a busy device is drawn per minute; alarms and commands stay listed") {
    gotop::Parser parser;
    report::Collector c;
    const std::int64_t t0 = 1'704'110'400;
    for (int i = 0; i < 600; ++i) feed(c, parser, "#" + std::string(imei) + ",CMD-X#", t0 + i);
    feed(c, parser, "#" + std::string(imei) + ",ALM-A,V,DATE:240101,TIME:120000,LAT:22.5000000N,LOT:114.0000000E,Speed:000.0,61-19,#", t0 + 700);
    report::Options o;
    o.event_budget = 100;
    doctor::Facts facts;
    const auto doc = nlohmann::json::parse(report::build_json(c, facts, one_device(std::string(imei)), o, {}));
    const auto& d = doc["devices"][0];
    CHECK(d["aggregated"] == true);
    REQUIRE(d["events"].size() == 1);
    CHECK(d["events"][0]["k"] == "alarm");
    std::uint64_t heartbeats = 0;
    for (const auto& m : d["per_minute"]) heartbeats += m.value("heartbeat", 0u);
    CHECK(heartbeats == 600);
  }

  TEST_CASE("the data cannot close the page's script element") {
    const std::string page = report::render_page(R"({"s":"</script><script>alert(1)</script>"})");
    CHECK(page.find("</script><script>alert") == std::string::npos);
    CHECK(page.find(R"(\u003c/script>\u003cscript>alert(1)\u003c/script>)") != std::string::npos);
    CHECK(page.find("/*VT106_DATA*/") == std::string::npos);
    CHECK(page.find("Content-Security-Policy") != std::string::npos);
  }
}
