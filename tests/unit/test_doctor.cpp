// The doctor's pieces: identifiers a user types (shape, IMEI check digit, the devices a wrong one
// most likely is), the report's words (plurals, shell quoting), and facts → checks on GOTOP
// frames read from log lines (repeats, stale and default dates, local time).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "vt106/decode/text_decode.hpp"
#include "vt106/doctor/checks.hpp"
#include "vt106/doctor/facts.hpp"
#include "vt106/doctor/identity.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/source/byte_source.hpp"

using namespace vt106;

namespace {

constexpr const char* imei = "867648044456745";  // valid check digit

// A log line as a platform writes it: time, the device's address, the frame.
std::string line(const std::string& ts, const std::string& frame) {
  return ts + " recv from 10.0.0.1:5000: " + frame + "\n";
}
std::string heartbeat(const std::string& id = imei) { return "#" + id + ",CMD-X#"; }
// A CMD-T position at a fixed place; `date` yymmdd, `time` hhmmss.
std::string position(const std::string& date, const std::string& time, char valid = 'A',
                     const std::string& id = imei) {
  return "#" + id + ",CMD-T," + valid + ",DATE:" + date + ",TIME:" + time +
         ",LAT:02.9930825N,LON:101.5746188E,Speed:000.0,095-70,59.5,00.90#";
}

// Facts from log lines (the path `vt106 doctor LOG` takes), then the checks.
doctor::Report diagnose_log(const std::string& log, doctor::Options options = {}) {
  gotop::Parser parser;
  doctor::FactCollector collector(parser);
  collector.begin_input("t", 0);
  decode::TextOptions topts;
  topts.observer = &collector;
  decode::TextDecoder text(parser, collector.records(), topts);
  source::MemorySource in(log);
  const auto status = text.text(in, "t");
  REQUIRE(status.usable);
  return doctor::diagnose(collector.facts(), options);
}

const doctor::Finding& finding(const doctor::Report& r, std::string_view check, const std::string& device = imei) {
  for (const auto& d : r.devices)
    if (d.name == device)
      for (const auto& f : d.findings)
        if (f.check == check) return f;
  const std::string what = "no finding " + std::string(check) + " for " + device;
  FAIL(what);
  static doctor::Finding none;
  return none;
}

std::string status_of(const doctor::Report& r, std::string_view check, const std::string& device = imei) {
  return std::string(doctor::to_string(finding(r, check, device).status));
}

std::vector<std::string> whys(const std::vector<doctor::Candidate>& cands) {
  std::vector<std::string> out;
  for (const auto& c : cands) out.emplace_back(doctor::to_string(c.why));
  return out;
}

}  // namespace

TEST_SUITE("doctor") {
  TEST_CASE("doctor: looks_like_identifier: 5 to 20 digits, nothing else") {
    CHECK(doctor::looks_like_identifier("867648044456745"));
    CHECK(doctor::looks_like_identifier("12345"));
    CHECK(doctor::looks_like_identifier("8049244039"));
    CHECK(doctor::looks_like_identifier(std::string(20, '7')));
    CHECK_FALSE(doctor::looks_like_identifier(std::string(21, '7')));
    CHECK_FALSE(doctor::looks_like_identifier("1234"));
    CHECK_FALSE(doctor::looks_like_identifier("12"));
    CHECK_FALSE(doctor::looks_like_identifier(""));
    CHECK_FALSE(doctor::looks_like_identifier("hello"));
    CHECK_FALSE(doctor::looks_like_identifier("8676-4804"));
    CHECK_FALSE(doctor::looks_like_identifier("86764804445674X"));
    CHECK_FALSE(doctor::looks_like_identifier(" 867648044456745"));
  }

  TEST_CASE("doctor: IMEI check digit (Luhn over the first 14 digits)") {
    CHECK(doctor::imei_check_digit("86764804445674") == '5');
    CHECK(doctor::imei_check_digit("49015420323751") == '8');
    CHECK(doctor::imei_check_digit("00000000000000") == '0');
    CHECK_FALSE(doctor::imei_check_digit("8676480444567").has_value());    // 13 digits
    CHECK_FALSE(doctor::imei_check_digit("867648044456745").has_value());  // 15 digits
    CHECK_FALSE(doctor::imei_check_digit("8676480444567X").has_value());
    CHECK(doctor::imei_check_digit_ok("867648044456745"));
    CHECK_FALSE(doctor::imei_check_digit_ok("867648044456746"));
    CHECK(doctor::imei_check_digit_ok("490154203237518"));
    CHECK_FALSE(doctor::imei_check_digit_ok("490154203237519"));
    CHECK_FALSE(doctor::imei_check_digit_ok("86764804445674"));
    CHECK_FALSE(doctor::imei_check_digit_ok("8676480444567450"));
    CHECK_FALSE(doctor::imei_check_digit_ok(""));
  }

  TEST_CASE("doctor: likely_devices: each kind of slip") {
    using doctor::Likeness;
    auto one = [](std::string_view wanted, const std::string& id, const std::string& protocol = "gotop") {
      return doctor::likely_devices(wanted, {{id, id, protocol}});
    };
    // the same 14 digits; the wanted one fails its check digit, the device's passes
    auto c = one("867648044456746", imei);
    REQUIRE(c.size() == 1);
    CHECK(c[0].why == Likeness::check_digit);
    CHECK(c[0].device == imei);
    CHECK(c[0].evidence.find("5") != std::string::npos);
    // two adjacent digits swapped (11th and 12th)
    c = one("867648044465745", imei);
    REQUIRE(c.size() == 1);
    CHECK(c[0].why == Likeness::transposed);
    // one middle digit different
    c = one("867648044956745", imei);
    REQUIRE(c.size() == 1);
    CHECK(c[0].why == Likeness::one_digit);
    // the last digit different, but the device's check digit fails too: only one digit off
    c = one("867648044456740", "867648044456741");
    REQUIRE(c.size() == 1);
    CHECK(c[0].why == Likeness::one_digit);
    // the device sends the last 10 digits, or the first 14 (no check digit)
    c = one(imei, "8044456745");
    REQUIRE(c.size() == 1);
    CHECK(c[0].why == Likeness::shorter_id);
    CHECK(c[0].device == "8044456745");
    c = one(imei, "86764804445674");
    REQUIRE(c.size() == 1);
    CHECK(c[0].why == Likeness::shorter_id);
    // the wanted id is the end (or the start) of what the device sends
    c = one("8044456745", imei);
    REQUIRE(c.size() == 1);
    CHECK(c[0].why == Likeness::longer_id);
    c = one("8676480444", imei);
    REQUIRE(c.size() == 1);
    CHECK(c[0].why == Likeness::longer_id);
    // the very id, sent in another protocol
    c = one(imei, imei, "gt06");
    REQUIRE(c.size() == 1);
    CHECK(c[0].why == Likeness::other_protocol);
    CHECK(c[0].protocol == "gt06");
    // the very id from a GOTOP device is the device itself, not a candidate
    CHECK(one(imei, imei).empty());
    // unrelated ids are no candidates: three digits off, a non-adjacent swap, a short suffix
    CHECK(one(imei, "867648044111745").empty());
    CHECK(one(imei, "867648044756445").empty());
    CHECK(one(imei, "6745").empty());
    CHECK(one("490154203237518", imei).empty());
  }

  TEST_CASE("doctor: likely_devices: best first, at most `limit`, one entry per device") {
    const std::string wanted = "867648044456746";  // check digit fails (it would be 5)
    const std::vector<doctor::SeenId> seen = {
        {"8044456746", "8044456746", "gotop"},            // shorter_id
        {"867648044956746", "867648044956746", "gotop"},  // one_digit
        {"867648044465746", "867648044465746", "gotop"},  // transposed
        {"867648044456745", "867648044456745", "gotop"},  // check_digit
        {"867648044456745", "867648044456745", "gotop"},  // the same device again
        {"867648099999999", "867648099999999", "gotop"},  // unrelated
    };
    auto c = doctor::likely_devices(wanted, seen);
    CHECK(whys(c) == std::vector<std::string>{"check_digit", "transposed", "one_digit", "shorter_id"});
    REQUIRE(c.size() == 4);
    CHECK(c[0].device == "867648044456745");
    CHECK(c[1].device == "867648044465746");
    CHECK(c[2].device == "867648044956746");
    CHECK(c[3].device == "8044456746");
    c = doctor::likely_devices(wanted, seen, 2);
    CHECK(whys(c) == std::vector<std::string>{"check_digit", "transposed"});
    c = doctor::likely_devices(wanted, seen, 0);
    CHECK(c.empty());
    // the same id in another protocol beats every slip
    auto with_gt06 = seen;
    with_gt06.push_back({wanted, "353419032954003", "gt06"});
    c = doctor::likely_devices(wanted, with_gt06);
    REQUIRE(!c.empty());
    CHECK(c[0].why == doctor::Likeness::other_protocol);
    CHECK(c[0].device == "353419032954003");
    CHECK(c.size() == 5);
    // the names of the likenesses are the NDJSON's
    CHECK(doctor::to_string(doctor::Likeness::other_protocol) == "other_protocol");
    CHECK(doctor::to_string(doctor::Likeness::longer_id) == "longer_id");
  }

  TEST_CASE("doctor: count_of: one and many") {
    CHECK(doctor::count_of(1, "device") == "1 device");
    CHECK(doctor::count_of(0, "device") == "0 devices");
    CHECK(doctor::count_of(2, "device") == "2 devices");
    CHECK(doctor::count_of(200, "connection") == "200 connections");
    CHECK(doctor::count_of(1, "connection attempt") == "1 connection attempt");
    CHECK(doctor::count_of(3, "connection attempt") == "3 connection attempts");
    CHECK(doctor::count_of(1, "byte") == "1 byte");
    CHECK(doctor::count_of(74219, "byte") == "74219 bytes");
    CHECK(doctor::count_of(2, "address") == "2 addresses");
    CHECK(doctor::count_of(1, "fix") == "1 fix");
    CHECK(doctor::count_of(3, "fix") == "3 fixes");  // the reports count fixes
  }

  TEST_CASE("doctor: shell_quote: plain words as they are, the rest in single quotes") {
    CHECK(doctor::shell_quote("captures/doctor/platform.pcap") == "captures/doctor/platform.pcap");
    CHECK(doctor::shell_quote("127.0.0.1:8888") == "127.0.0.1:8888");
    CHECK(doctor::shell_quote("--imei") == "--imei");
    CHECK(doctor::shell_quote("+0") == "+0");
    CHECK(doctor::shell_quote("") == "''");
    CHECK(doctor::shell_quote("my capture.pcap") == "'my capture.pcap'");
    CHECK(doctor::shell_quote("$HOME/x") == "'$HOME/x'");
    CHECK(doctor::shell_quote("a;rm -rf b") == "'a;rm -rf b'");
    CHECK(doctor::shell_quote("it's") == "'it'\\''s'");
    CHECK(doctor::shell_quote("*.pcap") == "'*.pcap'");
  }

  TEST_CASE("doctor: facts → checks: identical heartbeats are not duplicates") {
    std::string log;
    for (int s = 0; s < 4; ++s) log += line("2026-12-06T10:00:0" + std::to_string(s) + "Z", heartbeat());
    log += line("2026-12-06T10:00:10Z", position("261206", "100010"));
    log += line("2026-12-06T10:00:20Z", position("261206", "100020"));
    const auto r = diagnose_log(log);
    REQUIRE(r.devices.size() == 1);
    CHECK(r.devices[0].name == imei);
    CHECK(status_of(r, "content.duplicates") == "pass");
    CHECK(status_of(r, "content.positions") == "pass");
    CHECK(status_of(r, "content.time_past") == "pass");
    CHECK(status_of(r, "content.time_future") == "pass");
    CHECK(r.devices[0].worst == doctor::Status::pass);
    CHECK_FALSE(r.failed);
  }

  TEST_CASE("doctor: facts → checks: the same CMD-T sent twice is a duplicate") {
    const std::string frame = position("261206", "100000");
    std::string log = line("2026-12-06T10:00:00Z", frame) + line("2026-12-06T10:00:05Z", heartbeat()) +
                      line("2026-12-06T10:00:30Z", frame) + line("2026-12-06T10:01:00Z", position("261206", "100100"));
    const auto r = diagnose_log(log);
    const auto& f = finding(r, "content.duplicates");
    CHECK(doctor::to_string(f.status) == "warn");
    CHECK(f.summary.find("1 of 3 frames") != std::string::npos);
    CHECK(f.group == "content.duplicates");
    CHECK(r.devices[0].worst == doctor::Status::warn);
    CHECK_FALSE(r.failed);
  }

  TEST_CASE("doctor: facts → checks: a fix 3 days old fails when it is the newest, warns when newer are current") {
    {
      const auto r = diagnose_log(line("2026-12-06T10:00:00Z", position("261203", "100000")) +
                                  line("2026-12-06T10:00:30Z", position("261203", "100030")));
      const auto& f = finding(r, "content.time_past");
      CHECK(doctor::to_string(f.status) == "fail");
      CHECK(f.summary.find("more than a day") != std::string::npos);
      CHECK(f.summary.find("3 days") != std::string::npos);
      CHECK(status_of(r, "content.time_future") == "pass");
      CHECK(r.failed);
    }
    {
      // a backlog: one old fix first, then current ones
      const auto r = diagnose_log(line("2026-12-06T10:00:00Z", position("261203", "093000")) +
                                  line("2026-12-06T10:00:01Z", position("261206", "100000")) +
                                  line("2026-12-06T10:00:31Z", position("261206", "100030")));
      const auto& f = finding(r, "content.time_past");
      CHECK(doctor::to_string(f.status) == "warn");
      CHECK(f.summary.find("newer fixes are current") != std::string::npos);
      CHECK_FALSE(r.failed);
    }
    {
      // less than a day old is current enough
      const auto r = diagnose_log(line("2026-12-06T10:00:00Z", position("261205", "110000")));
      CHECK(status_of(r, "content.time_past") == "pass");
    }
  }

  TEST_CASE("doctor: facts → checks: a fix dated 2000-01-01 is a default date") {
    const auto r = diagnose_log(line("2026-12-06T10:00:00Z", position("000101", "000000", 'V')) +
                                line("2026-12-06T10:00:30Z", position("000101", "000000", 'V')));
    const auto& f = finding(r, "content.time_past");
    CHECK(doctor::to_string(f.status) == "fail");
    CHECK(f.summary.find("2000-01-01") != std::string::npos);
    CHECK(f.summary.find("default date") != std::string::npos);
    CHECK(f.summary.find("1024") == std::string::npos);  // not mistaken for a rollover
    CHECK(status_of(r, "content.fix_valid") == "fail");
    CHECK(r.failed);
  }

  TEST_CASE("doctor: facts → checks: fixes 8 h ahead are local time UTC+08:00") {
    const auto r = diagnose_log(line("2026-12-06T10:00:00Z", position("261206", "180000")) +
                                line("2026-12-06T10:00:30Z", position("261206", "180030")) +
                                line("2026-12-06T10:01:00Z", position("261206", "180100")));
    const auto& f = finding(r, "content.time_future");
    CHECK(doctor::to_string(f.status) == "fail");
    CHECK(f.summary.find("UTC+08:00") != std::string::npos);
    CHECK(f.command == "vt106 craft timezone +0");
    CHECK(f.group_many == "report local time (UTC+08:00)");
    CHECK(status_of(r, "content.time_past") == "pass");
    CHECK(r.failed);
    CHECK(r.verdict.find("UTC+08:00") != std::string::npos);
  }

  TEST_CASE("doctor: facts → checks: --imei not in the input names the likely device") {
    doctor::Options o;
    o.imeis = {"867648044456746"};
    const auto r = diagnose_log(line("2026-12-06T10:00:00Z", position("261206", "100000")), o);
    CHECK(r.devices.empty());
    REQUIRE(r.missing.size() == 1);
    CHECK(r.missing[0].check_digit_fails);
    CHECK(r.missing[0].right_check_digit == '5');
    REQUIRE(r.missing[0].candidates.size() == 1);
    CHECK(r.missing[0].candidates[0].device == imei);
    CHECK(r.missing[0].candidates[0].why == doctor::Likeness::check_digit);
    CHECK(r.failed);
    CHECK(r.verdict.rfind("867648044456746 is not in the input", 0) == 0);
  }
}
