// Server log lines and Traccar's tracker-server.log: times (ISO 8601, syslog, epoch, zones and the
// configured offset), Traccar's handler lines, addresses, direction words and arrows, and where
// the frame starts (never inside the prefix).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "vt106/source/log_line.hpp"
#include "vt106/util/time.hpp"

using namespace vt106::source;

namespace {

constexpr std::int64_t s_ns = 1'000'000'000;
// 2026-12-01T10:00:00Z, worked out with `date -u -d 2026-12-01T10:00:00Z +%s`.
constexpr std::int64_t dec1_10h = 1796119200;
// 2025-12-01T10:00:00Z.
constexpr std::int64_t dec1_2025_10h = 1764583200;

LogLine parse(std::string_view line, LogOptions options = {}) {
  LogLine out;
  parse_log_line(line, options, out);
  return out;
}

std::optional<std::int64_t> time_of(std::string_view text, LogOptions options = {}, int year = 1970) {
  std::size_t used = 0;
  return parse_log_time(text, options, used, year);
}

std::size_t used_by(std::string_view text, int year = 1970) {
  std::size_t used = 0;
  parse_log_time(text, {}, used, year);
  return used;
}

LogOptions at_offset(std::int64_t seconds) {
  LogOptions o;
  o.tz_offset_s = seconds;
  return o;
}

}  // namespace

TEST_SUITE("source.log_line") {
  TEST_CASE("the reference epoch value agrees with the calendar helpers") {
    CHECK(vt106::util::utc_seconds(2026, 12, 1, 10, 0, 0) == dec1_10h);
    CHECK(vt106::util::utc_seconds(2025, 12, 1, 10, 0, 0) == dec1_2025_10h);
  }

  TEST_CASE("ISO 8601 times: separators, fractions, zones") {
    CHECK(time_of("2026-12-01T10:00:00Z") == dec1_10h * s_ns);
    CHECK(used_by("2026-12-01T10:00:00Z rest") == 20);
    CHECK(time_of("2026-12-01T10:00:00.123+08:00") == (dec1_10h - 8 * 3600) * s_ns + 123'000'000);
    CHECK(time_of("2026-12-01T10:00:00-0530") == (dec1_10h + 5 * 3600 + 30 * 60) * s_ns);
    CHECK(time_of("2026-12-01T10:00:00+02 x") == (dec1_10h - 2 * 3600) * s_ns);
    CHECK(time_of("2026-12-01 10:00:00,123") == dec1_10h * s_ns + 123'000'000);
    CHECK(used_by("2026-12-01 10:00:00,123 INFO") == 23);
    CHECK(time_of("2026-12-01 10:00:00.123456") == dec1_10h * s_ns + 123'456'000);
    CHECK(time_of("2026-12-01 10:00:00.123456789") == dec1_10h * s_ns + 123'456'789);
    CHECK(time_of("2026/12/01 10:00:00") == dec1_10h * s_ns);
    CHECK(time_of("[2026-12-01 10:00:00] x") == dec1_10h * s_ns);
    CHECK(used_by("[2026-12-01 10:00:00] x") == 21);
    CHECK(used_by("  2026-12-01 10:00:00 x") == 21);
    // A comma followed by a long digit run is a field, not milliseconds.
    CHECK(time_of("2026-12-01 10:00:00,353327020412763,CMD-X") == dec1_10h * s_ns);
    CHECK(used_by("2026-12-01 10:00:00,353327020412763,CMD-X") == 19);
  }

  TEST_CASE("no zone: the configured offset; a zone in the text wins") {
    CHECK(time_of("2026-12-01 10:00:00", at_offset(3600)) == (dec1_10h - 3600) * s_ns);
    CHECK(time_of("2026-12-01 10:00:00", at_offset(-5 * 3600)) == (dec1_10h + 5 * 3600) * s_ns);
    CHECK(time_of("2026-12-01T10:00:00Z", at_offset(3600)) == dec1_10h * s_ns);
    CHECK(time_of("2026-12-01T10:00:00+01:00", at_offset(-7200)) == (dec1_10h - 3600) * s_ns);
    CHECK(time_of("Dec  1 10:00:00 host", at_offset(3600), 2026) == (dec1_10h - 3600) * s_ns);
    CHECK(time_of("1764583200", at_offset(3600)) == dec1_2025_10h * s_ns);  // epoch is UTC
  }

  TEST_CASE("syslog times take the year given") {
    CHECK(time_of("Dec  1 10:00:00 host prog[1]: x", {}, 2026) == dec1_10h * s_ns);
    CHECK(time_of("Dec 01 10:00:00 host", {}, 2026) == dec1_10h * s_ns);
    CHECK(time_of("Dec 1 10:00:00 host", {}, 2026) == dec1_10h * s_ns);
    CHECK(time_of("Dec  1 10:00:00.250 host", {}, 2026) == dec1_10h * s_ns + 250'000'000);
    CHECK(used_by("Dec  1 10:00:00 host", 2026) == 15);
    CHECK(time_of("<13>Dec  1 10:00:00 host", {}, 2026) == dec1_10h * s_ns);
    CHECK(time_of("Dec  1 10:00:00", {}, 1970) == (vt106::util::utc_seconds(1970, 12, 1, 10, 0, 0).value()) * s_ns);
    CHECK_FALSE(time_of("Feb 29 10:00:00", {}, 2026));
    CHECK(time_of("Feb 29 10:00:00", {}, 2028));
    CHECK_FALSE(time_of("dec  1 10:00:00", {}, 2026));
    CHECK_FALSE(time_of("Dec  01 10:00:00", {}, 2026));
  }

  TEST_CASE("epoch seconds: ten digits only") {
    CHECK(time_of("1764583200") == dec1_2025_10h * s_ns);
    CHECK(time_of("1764583200.123 rx") == dec1_2025_10h * s_ns + 123'000'000);
    CHECK(used_by("1764583200.123 rx") == 14);
    CHECK_FALSE(time_of("353327020412763,CMD-X"));  // an IMEI
    CHECK_FALSE(time_of("17645832001"));
    CHECK_FALSE(time_of("176458320"));
    CHECK_FALSE(time_of("0764583200"));
    CHECK_FALSE(time_of("9999999999"));  // past what nanoseconds hold (2262)
  }

  TEST_CASE("not times") {
    CHECK_FALSE(time_of(""));
    CHECK_FALSE(time_of("10:00:00 rx"));
    CHECK_FALSE(time_of("2026-13-01 10:00:00"));
    CHECK_FALSE(time_of("2026-02-30 10:00:00"));
    CHECK_FALSE(time_of("2026-12-01 24:00:00"));
    CHECK_FALSE(time_of("2026-12-01 10:00"));
    CHECK_FALSE(time_of("2026-12-01 10:00:001"));
    CHECK_FALSE(time_of("#353327020412763,CMD-X#"));
    CHECK(time_of("2026-12-01T10:00:00Z", at_offset(INT64_MAX)) == dec1_10h * s_ns);  // the zone wins
    CHECK_FALSE(time_of("2026-12-01 10:00:00", at_offset(INT64_MIN)));                   // overflows
    std::size_t used = 99;
    CHECK_FALSE(parse_log_time("nothing", {}, used));
    CHECK(used == 0);
  }

  TEST_CASE("Traccar data line, hex, from the device") {
    const std::string line =
        "2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop < 1.2.3.4] 23333533333237303230343132373633";
    LogLine l;
    REQUIRE(parse_log_line(line, at_offset(3600), l));
    CHECK(l.ts_ns == (dec1_10h - 3600) * s_ns);
    CHECK(l.level == "INFO");
    REQUIRE(l.traccar);
    const TraccarLine& t = *l.traccar;
    CHECK(t.kind == TraccarLine::Kind::data);
    CHECK(t.transport == 'T');
    CHECK(t.session == "T7c2d1e3f");
    CHECK(t.protocol == "gotop");
    CHECK(t.dir == LogDir::from_device);
    CHECK(t.remote == "1.2.3.4");
    CHECK(t.data == "23333533333237303230343132373633");
    CHECK(t.data_is_hex);
    CHECK(t.rest.empty());
    CHECK(hex_text_to_bytes(t.data) == "#353327020412763");
    CHECK(l.remote == "1.2.3.4");
    CHECK(l.dir == LogDir::from_device);
    CHECK(l.frame_at == std::string_view::npos);
  }

  TEST_CASE("Traccar: UDP session, IPv6 and unknown hosts, data to the device, other levels") {
    LogLine l = parse("2026-12-01 10:00:00  INFO: [U0a1b2c3d: gotop > 0:0:0:0:0:0:0:1] 3a31323334353646");
    REQUIRE(l.traccar);
    CHECK(l.traccar->transport == 'U');
    CHECK(l.traccar->session == "U0a1b2c3d");
    CHECK(l.traccar->dir == LogDir::to_device);
    CHECK(l.traccar->remote == "0:0:0:0:0:0:0:1");
    CHECK(l.traccar->data_is_hex);
    CHECK(hex_text_to_bytes(l.traccar->data) == ":123456F");
    CHECK(l.dir == LogDir::to_device);

    l = parse("2026-12-01 10:00:00  WARN: [T1: gt06 < unknown] 78780d01");
    REQUIRE(l.traccar);
    CHECK(l.level == "WARN");
    CHECK(l.traccar->session == "T1");
    CHECK(l.traccar->protocol == "gt06");
    CHECK(l.traccar->remote == "unknown");
    CHECK(l.remote == "unknown");

    l = parse("2026-12-01 10:00:00 ERROR: [Tdeadbeef] error - Connection reset - SocketException (...)");
    REQUIRE(l.traccar);
    CHECK(l.level == "ERROR");
    CHECK(l.traccar->kind == TraccarLine::Kind::other);
    CHECK(l.traccar->rest == "error - Connection reset - SocketException (...)");
    CHECK(l.frame_at == std::string_view::npos);

    l = parse("2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop < 1.2.3.4] 2338");  // a short data line
    REQUIRE(l.traccar);
    CHECK(l.traccar->data_is_hex);
    l = parse("2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop < 1.2.3.4] 233");  // odd length: not hex
    REQUIRE(l.traccar);
    CHECK_FALSE(l.traccar->data_is_hex);
    l = parse("2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop < 1.2.3.4]");  // nothing logged
    REQUIRE(l.traccar);
    CHECK(l.traccar->kind == TraccarLine::Kind::data);
    CHECK(l.traccar->data.empty());
    CHECK_FALSE(l.traccar->data_is_hex);
  }

  TEST_CASE("Traccar: connected, disconnected, decoded positions and commands") {
    LogLine l = parse("2026-12-01 10:00:00  INFO: [T7c2d1e3f] connected");
    REQUIRE(l.traccar);
    CHECK(l.traccar->kind == TraccarLine::Kind::connected);
    CHECK(l.traccar->session == "T7c2d1e3f");
    CHECK(l.ts_ns == dec1_10h * s_ns);

    l = parse("2026-12-01 10:00:00  INFO: [T7c2d1e3f] disconnected");
    REQUIRE(l.traccar);
    CHECK(l.traccar->kind == TraccarLine::Kind::disconnected);

    l = parse("2026-12-01 10:00:00  INFO: [T7c2d1e3f] id: 353327020412763, time: 2026-12-01 10:00:00, lat: 1.0");
    REQUIRE(l.traccar);
    CHECK(l.traccar->kind == TraccarLine::Kind::other);
    CHECK(l.traccar->rest == "id: 353327020412763, time: 2026-12-01 10:00:00, lat: 1.0");
    CHECK(l.frame_at == std::string_view::npos);

    l = parse("2026-12-01 10:00:00  INFO: [T7c2d1e3f] id: 353327020412763, command type: positionPeriodic sent");
    REQUIRE(l.traccar);
    CHECK(l.traccar->kind == TraccarLine::Kind::other);
  }

  TEST_CASE("Traccar text data: escapes, and the frame found inside it") {
    const std::string line =
        R"(2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop < 1.2.3.4] #353327020412763,CMD-X#\r\n)";
    LogLine l = parse(line);
    REQUIRE(l.traccar);
    CHECK(l.traccar->kind == TraccarLine::Kind::data);
    CHECK_FALSE(l.traccar->data_is_hex);
    CHECK(l.traccar->data == R"(#353327020412763,CMD-X#\r\n)");
    CHECK(traccar_unescape(l.traccar->data) == "#353327020412763,CMD-X#\r\n");
    CHECK(l.frame_at == line.find('#'));

    l = parse("2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop > 1.2.3.4] :123456M1,030S#");
    REQUIRE(l.traccar);
    CHECK(l.frame_at == std::string_view("2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop > 1.2.3.4] ").size());
  }

  TEST_CASE("Traccar: older releases name the channel alone and the server's port") {
    const auto l = parse("2019-06-01 12:00:00  INFO: [5EBA4B9B: 5005 < 10.0.0.1] 2338363736");
    REQUIRE(l.traccar);
    CHECK(l.traccar->kind == TraccarLine::Kind::data);
    CHECK(l.traccar->transport == 'T');
    CHECK(l.traccar->session == "5EBA4B9B");
    CHECK(l.traccar->protocol.empty());
    CHECK(l.traccar->remote == "10.0.0.1");
    CHECK(l.traccar->data_is_hex);
    const auto c = parse("2019-06-01 12:00:00  INFO: [5EBA4B9B] disconnected");
    REQUIRE(c.traccar);
    CHECK(c.traccar->kind == TraccarLine::Kind::disconnected);
    // The layouts of older releases: arrows, a HEX label, no channel id at all.
    const auto a = parse("2015-06-26 10:35:53 DEBUG: [3A374472: 5074 <- 181.116.148.253] - HEX: 3e3030");
    REQUIRE(a.traccar);
    CHECK(a.traccar->kind == TraccarLine::Kind::data);
    CHECK(a.traccar->session == "3A374472");
    CHECK(a.traccar->dir == LogDir::from_device);
    CHECK(a.traccar->data == "3e3030");
    CHECK(a.level == "DEBUG");
    const auto b = parse("2015-06-26 10:36:21 DEBUG: [77BFB6D5: 5005 -> 186.108.179.19] - HEX: 4f4b310d0a");
    REQUIRE(b.traccar);
    CHECK(b.traccar->dir == LogDir::to_device);
    CHECK(b.traccar->data == "4f4b310d0a");
    const auto h = parse("2015-10-01 18:08:38 DEBUG: [745A4535: 5002 < 154.73.22.59] HEX: 2830");
    REQUIRE(h.traccar);
    CHECK(h.traccar->data == "2830");
    CHECK_FALSE(h.traccar->per_remote);
    const auto o = parse("2014-12-18 14:32:34 DEBUG: [5005 <- 166.148.88.35] - HEX: 3539");
    REQUIRE(o.traccar);
    CHECK(o.traccar->kind == TraccarLine::Kind::data);
    CHECK(o.traccar->session == "5005");
    CHECK(o.traccar->per_remote);
    CHECK(o.traccar->protocol.empty());
    CHECK(o.traccar->remote == "166.148.88.35");
    CHECK(o.traccar->data == "3539");
    // Seven or nine hex digits are no channel id; nor is a thread name.
    CHECK_FALSE(parse("2019-06-01 12:00:00  INFO: [5EBA4B9: 5005 < 10.0.0.1] 23").traccar);
    CHECK_FALSE(parse("2019-06-01 12:00:00  INFO: [main] started").traccar);
  }

  TEST_CASE("Traccar lines that are not from a handler") {
    LogLine l;
    CHECK(parse_log_line("2026-12-01 10:00:00  INFO: Operating system name: Linux", {}, l));
    CHECK_FALSE(l.traccar);
    CHECK(l.ts_ns == dec1_10h * s_ns);
    CHECK(l.level == "INFO");
    CHECK(l.frame_at == std::string_view::npos);
    CHECK_FALSE(parse_log_line("\tat org.traccar.protocol.GotopProtocolDecoder.decode(GotopProtocolDecoder.java:53)", {}, l));
    CHECK_FALSE(l.traccar);
    CHECK(l.frame_at == std::string_view::npos);
    CHECK_FALSE(parse_log_line("[Thread-1] starting", {}, l));
    CHECK_FALSE(l.traccar);
  }

  TEST_CASE("generic lines: time, level, address, direction, frame") {
    const std::string line =
        "2026-12-01T10:00:00Z INFO [conn-1] recv from 1.2.3.4:5050: #353327020412763,CMD-T,A,DATE:240813#";
    LogLine l;
    REQUIRE(parse_log_line(line, at_offset(3600), l));
    CHECK(l.ts_ns == dec1_10h * s_ns);
    CHECK(l.level == "INFO");
    CHECK(l.remote == "1.2.3.4:5050");
    CHECK(l.local.empty());
    CHECK(l.dir == LogDir::from_device);
    CHECK(l.frame_at == line.find('#'));
    CHECK_FALSE(l.traccar);

    const std::string down = "2026-12-01 10:00:00,123 [pool-1] send to [::1]:5050 :123456M1,030S#";
    l = parse(down, at_offset(3600));
    CHECK(l.ts_ns == (dec1_10h - 3600) * s_ns + 123'000'000);
    CHECK(l.remote == "[::1]:5050");
    CHECK(l.dir == LogDir::to_device);
    CHECK(l.frame_at == down.find(":123456"));

    const std::string v6 = "2026-12-01 10:00:00.123456 rx [2001:db8::1]:40000 #353327020412763,CMD-X#";
    l = parse(v6);
    CHECK(l.ts_ns == dec1_10h * s_ns + 123'456'000);
    CHECK(l.remote == "[2001:db8::1]:40000");
    CHECK(l.frame_at == v6.find('#'));

    const std::string sys = "Dec  1 10:00:00 gw gotopd[1234]: 1.2.3.4 RX #353327020412763,CMD-X#";
    LogOptions o;
    o.syslog_year = 2026;
    l = parse(sys, o);
    CHECK(l.ts_ns == dec1_10h * s_ns);
    CHECK(l.remote == "1.2.3.4");
    CHECK(l.dir == LogDir::from_device);
    CHECK(l.frame_at == sys.find('#'));

    const std::string epoch = "1764583200.123 tx /1.2.3.4:5050 :123456F#";
    l = parse(epoch);
    CHECK(l.ts_ns == dec1_2025_10h * s_ns + 123'000'000);
    CHECK(l.remote == "1.2.3.4:5050");
    CHECK(l.dir == LogDir::to_device);
    CHECK(l.frame_at == epoch.find(":123456"));

    const std::string zoned = "[2026-12-01T10:00:00.5+08:00] [WARN] in: #353327020412763,CMD-X#";
    l = parse(zoned, at_offset(-3600));
    CHECK(l.ts_ns == (dec1_10h - 8 * 3600) * s_ns + 500'000'000);
    CHECK(l.level == "WARN");
    CHECK(l.dir == LogDir::from_device);
  }

  TEST_CASE("direction words and arrows, whole words, any case") {
    struct Case {
      const char* word;
      LogDir dir;
    };
    const Case cases[] = {
        {"<", LogDir::from_device},       {"<-", LogDir::from_device},   {"<<", LogDir::from_device},
        {"rx", LogDir::from_device},      {"RX", LogDir::from_device},   {"recv", LogDir::from_device},
        {"Received", LogDir::from_device}, {"in", LogDir::from_device},  {"from", LogDir::from_device},
        {"READ", LogDir::from_device},    {">", LogDir::to_device},      {"->", LogDir::to_device},
        {">>", LogDir::to_device},        {"tx", LogDir::to_device},     {"send", LogDir::to_device},
        {"SENT", LogDir::to_device},      {"out", LogDir::to_device},    {"to", LogDir::to_device},
        {"write", LogDir::to_device},     {"Sending", LogDir::to_device}, {"incoming", LogDir::from_device},
    };
    for (const Case& c : cases) {
      CAPTURE(c.word);
      const std::string line = std::string("2026-12-01 10:00:00 ") + c.word + " #353327020412763,CMD-X#";
      const LogLine l = parse(line);
      CHECK(l.dir == c.dir);
      CHECK(l.frame_at == line.find('#'));
    }
    for (const char* not_a_word : {"inbound", "login", "tcp_in", "rx2", "into", "<init>", "a-b", "==", "--", "=>", "<="}) {
      CAPTURE(not_a_word);
      const LogLine l = parse(std::string("2026-12-01 10:00:00 ") + not_a_word + " #353327020412763,CMD-X#");
      CHECK_FALSE(l.dir);
    }
    // The first direction on the line counts.
    CHECK(parse("2026-12-01 10:00:00 recv ... and then sent #353327020412763,CMD-X#").dir == LogDir::from_device);
    // After the frame nothing counts.
    CHECK_FALSE(parse("2026-12-01 10:00:00 #353327020412763,CMD-X# sent").dir);
  }

  TEST_CASE("two addresses: the device side is remote") {
    std::string line = "2026-12-01 10:00:00 1.2.3.4:40000 -> 10.0.0.1:8888 #353327020412763,CMD-X#";
    LogLine l = parse(line);
    CHECK(l.remote == "1.2.3.4:40000");
    CHECK(l.local == "10.0.0.1:8888");
    CHECK(l.dir == LogDir::from_device);
    CHECK(l.frame_at == line.find('#'));

    l = parse("2026-12-01 10:00:00 10.0.0.1:5050 -> 1.2.3.4:40000 :123456F#");
    CHECK(l.remote == "1.2.3.4:40000");
    CHECK(l.local == "10.0.0.1:5050");
    CHECK(l.dir == LogDir::to_device);

    l = parse("2026-12-01 10:00:00 1.2.3.4:40000 <- 10.0.0.1:5050 :123456F#");
    CHECK(l.remote == "1.2.3.4:40000");
    CHECK(l.local == "10.0.0.1:5050");
    CHECK(l.dir == LogDir::to_device);

    l = parse("2026-12-01 10:00:00 10.0.0.1:8888<-1.2.3.4:40000 #353327020412763,CMD-X#");
    CHECK(l.remote == "1.2.3.4:40000");
    CHECK(l.dir == LogDir::from_device);

    l = parse("2026-12-01 10:00:00 data from [2001:db8::1]:40000 to [2001:db8::2]:5050 #353327020412763,CMD-X#");
    CHECK(l.remote == "[2001:db8::1]:40000");
    CHECK(l.local == "[2001:db8::2]:5050");
    CHECK(l.dir == LogDir::from_device);

    // No known server port: the first address is remote, the arrow gives the direction.
    l = parse("2026-12-01 10:00:00 1.2.3.4:1000 -> 5.6.7.8:2000 #353327020412763,CMD-X#");
    CHECK(l.remote == "1.2.3.4:1000");
    CHECK(l.local == "5.6.7.8:2000");
    CHECK(l.dir == LogDir::from_device);
    l = parse("2026-12-01 10:00:00 1.2.3.4:1000 > 5.6.7.8:2000 :123456F#");
    CHECK(l.dir == LogDir::from_device);
    l = parse("2026-12-01 10:00:00 1.2.3.4:1000 <- 5.6.7.8:2000 :123456F#");
    CHECK(l.remote == "1.2.3.4:1000");
    CHECK(l.dir == LogDir::to_device);

    // The configured server port.
    LogOptions o;
    o.server_port = 2000;
    l = parse("2026-12-01 10:00:00 5.6.7.8:2000 -> 1.2.3.4:1000 :123456F#", o);
    CHECK(l.remote == "1.2.3.4:1000");
    CHECK(l.dir == LogDir::to_device);

    // No connector: the first is remote, the direction from a word.
    l = parse("2026-12-01 10:00:00 1.2.3.4:1000 5.6.7.8:5050 recv #353327020412763,CMD-X#");
    CHECK(l.remote == "1.2.3.4:1000");
    CHECK(l.local == "5.6.7.8:5050");
    CHECK(l.dir == LogDir::from_device);

    // Netty's channel text labels the sides.
    l = parse("2026-12-01 10:00:00 [id: 0x7c2d1e3f, L:/10.0.0.1:5050 - R:/1.2.3.4:40000] READ: #353327020412763,CMD-X#");
    CHECK(l.remote == "1.2.3.4:40000");
    CHECK(l.local == "10.0.0.1:5050");
    CHECK(l.dir == LogDir::from_device);
    l = parse("2026-12-01 10:00:00 [id: 0x7c2d1e3f, L:/10.0.0.1:5050 - R:/1.2.3.4:40000] WRITE: :123456F#");
    CHECK(l.remote == "1.2.3.4:40000");
    CHECK(l.dir == LogDir::to_device);
    // Older Netty: "remote => local", which says nothing of the data's direction.
    l = parse("2026-12-01 10:00:00 [id: 0x7c2d1e3f, /1.2.3.4:40000 => /10.0.0.1:5050] WRITE: :123456F#");
    CHECK(l.remote == "1.2.3.4:40000");
    CHECK(l.local == "10.0.0.1:5050");
    CHECK(l.dir == LogDir::to_device);
  }

  TEST_CASE("the frame never starts inside the prefix") {
    const std::string frame = "#353327020412763,CMD-X#";
    for (const char* prefix : {"2026-12-01 10:00:00 ", "10:00:00 12:34:56 ", "1.2.3.4:5050 ", "[::1]:5050 ",
                               "[2001:db8::1]:40000 ", "[fe80::1%eth0]:5050 ", "2001:db8::123:4567 ",
                               "port:12345 ", "t=10:00:00.123456 ", "#12345 ", "#1234567 ", "pid 1234567890 ",
                               "00:11:22:33:44:55 ", "Dec  1 10:00:00 host p[123456]: "}) {
      CAPTURE(prefix);
      const std::string line = std::string(prefix) + frame;
      const LogLine l = parse(line);
      CHECK(l.frame_at == std::string(prefix).size());
      CHECK(parse(std::string(prefix) + "nothing").frame_at == std::string_view::npos);
    }
    // Back-to-back '#': the run starts the frame.
    CHECK(parse("12:00:05 recv ##123456789012345,CMD-T,A#").frame_at == 14);
    // A downlink right after an address with a port.
    const std::string glued = "tx 1.2.3.4:5050:123456F#";
    CHECK(parse(glued).frame_at == glued.find(":123456"));
    CHECK(parse(glued).remote == "1.2.3.4:5050");
    // IMEI-like frames need at least six digits and a comma; downlinks six digits and a letter.
    CHECK(parse("x #12345,CMD-X#").frame_at == std::string_view::npos);
    CHECK(parse("x #123456,CMD-X#").frame_at == 2);
    CHECK(parse("x :1234567F#").frame_at == std::string_view::npos);
    CHECK(parse("x :123456f#").frame_at == std::string_view::npos);
    CHECK(parse("#:123456F#").frame_at == 1);
  }

  TEST_CASE("bare bodies after a prefix") {
    std::string line = "2026-12-01 10:00:00 recv 353327020412763,CMD-X";
    LogLine l = parse(line);
    CHECK(l.frame_at == line.find("3533"));
    CHECK(l.dir == LogDir::from_device);
    line = "353327020412763,ALM-E";
    CHECK(parse(line).frame_at == 0);
    line = "1.2.3.4:5050 imei=353327020412763,CMD-T,A,DATE:240813";
    CHECK(parse(line).frame_at == line.find("3533"));
    CHECK(parse("x 35332702041276,CMD-X").frame_at == std::string_view::npos);    // 14 digits
    CHECK(parse("x 3533270204127631,CMD-X").frame_at == std::string_view::npos);  // 16 digits
    CHECK(parse("x a353327020412763,CMD-X").frame_at == std::string_view::npos);  // inside a word
    CHECK(parse("x 353327020412763,CMDX").frame_at == std::string_view::npos);
  }

  TEST_CASE("lines with nothing for vt106") {
    LogLine l;
    CHECK_FALSE(parse_log_line("", {}, l));
    CHECK_FALSE(parse_log_line("   ", {}, l));
    CHECK_FALSE(parse_log_line("hello world", {}, l));
    CHECK_FALSE(parse_log_line("1.2.3.4:5050 connected", {}, l));
    CHECK(l.remote == "1.2.3.4:5050");  // still read, for what it is worth
    CHECK_FALSE(parse_log_line("\r", {}, l));
  }

  TEST_CASE("CRLF: the carriage return at the end is not part of the line") {
    const std::string line = "2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop < 1.2.3.4] 2338\r";
    LogLine l = parse(line);
    REQUIRE(l.traccar);
    CHECK(l.traccar->data == "2338");
    CHECK(l.traccar->data_is_hex);
    l = parse("2026-12-01 10:00:00  INFO: [T7c2d1e3f] connected\r");
    REQUIRE(l.traccar);
    CHECK(l.traccar->kind == TraccarLine::Kind::connected);
    l = parse("2026-12-01T10:00:00Z rx 1.2.3.4:5050\r");
    CHECK(l.remote == "1.2.3.4:5050");
  }

  TEST_CASE("hex and Traccar text to bytes") {
    CHECK(hex_text_to_bytes("") == "");
    CHECK(hex_text_to_bytes("2338FFff00") == std::string("#8\xff\xff\x00", 5));
    CHECK(hex_text_to_bytes("23z8") == "#");  // stops at the first pair that is not hex
    CHECK(hex_text_to_bytes("233") == "#");
    CHECK(traccar_unescape(R"(a\r\nb\t\\)") == "a\r\nb\\t\\\\");
    CHECK(traccar_unescape(R"(\)") == "\\");
  }

  TEST_CASE("megabyte lines finish in one pass") {
    const std::size_t big = 4u << 20;
    const char* junks[] = {"1.2.3.4.5:6#12345 [::: <-> rx 10:00:00 ", "#", "[", ":", "0", "#1", "[:::::1", ":12345",
                           "1.", "-", "a", "\\r", "[T", "<>"};
    for (const char* junk : junks) {
      CAPTURE(junk);
      std::string line;
      line.reserve(big + 64);
      while (line.size() < big) line += junk;
      LogLine l;
      CHECK_FALSE(parse_log_line(line, {}, l));
      CHECK(l.frame_at == std::string_view::npos);
      const std::size_t at = line.size() + 1;
      line += " #353327020412763,CMD-X#";
      CHECK(parse_log_line(line, {}, l));
      CHECK(l.frame_at == at);
    }
    std::string hex = "2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop < 1.2.3.4] ";
    const std::size_t data_at = hex.size();
    hex.append(big, 'a');
    LogLine l = parse(hex);
    REQUIRE(l.traccar);
    CHECK(l.traccar->data_is_hex);
    CHECK(l.traccar->data.size() == big);
    CHECK(l.traccar->data.data() == hex.data() + data_at);
    CHECK(hex_text_to_bytes(l.traccar->data).size() == big / 2);
    std::string digits(big, '7');
    CHECK_FALSE(parse_log_line(digits, {}, l));
  }
}
