// Uplink, downlink and SMS parsing beyond the public samples: variants the reference documents.
#include <doctest/doctest.h>

#include "record_collector.hpp"

using vt106::testing::As;
using vt106::testing::decode_string;

namespace {
nlohmann::json one(const std::string& input, As as = As::text, vt106::gotop::ParseOptions o = {}) {
  auto r = decode_string(input, as, o);
  REQUIRE(r.size() == 1);
  return r[0];
}
}  // namespace

TEST_SUITE("gotop.uplink") {
  TEST_CASE("TL402 layout: unpadded speed, six-value status, 8-digit cell id, satellites, HDOP, temperature") {
    auto r = one("#867273021518134,CMD-T,A,DATE:190611,TIME:101010,LAT:22.7613506N,LOT:114.3610382E,Speed:0.3,"
                 "1-1-1-0-99-31,123,310260-262D-0FF86A01,09,1.00,25.0,,,#");
    CHECK(r["speed_kmh"] == doctest::Approx(0.3));
    CHECK(r["flags"]["external_power"] == true);
    CHECK(r["flags"]["charging"] == true);
    CHECK(r["course"] == 123);
    CHECK(r["cell"]["mcc"] == 310);
    CHECK(r["cell"]["mnc"] == 260);
    CHECK(r["cell"]["cid"] == 0x0FF86A01);
    CHECK(r["satellites"] == 9);
    CHECK(r["hdop"] == doctest::Approx(1.0));
    CHECK(r["temperature_c"] == doctest::Approx(25.0));
    CHECK(r["extra"] == nlohmann::json::array({"", "", ""}));
  }
  TEST_CASE("notice shapes: CMD-D with an empty field, ALM-E and ERROR! without position") {
    auto d = one("#867273021518134,CMD-D,#");
    CHECK(d["event"] == "gprs_connected");
    CHECK(d["command"] == "D");
    CHECK(one("#867273021518134,ALM-E#")["event"] == "gps_lost");
    CHECK(one("#867273021518134,ERROR!#")["event"] == "error_reply");
  }
  TEST_CASE("ERROR! with and without the leading space carries a position") {
    auto a = one("#861785001515349, ERROR!,V,DATE:120903,TIME:160649,LAT:19.4265944N,LOT:098.8781135W,Speed:005.5,"
                 "X-X-X-X-82-10,000#");
    CHECK(a["type"] == "ERROR!");
    CHECK(a["event"] == "error_reply");
    CHECK(a["lat"] == doctest::Approx(19.4265944));
    auto b = one("#861785001515349,ERROR!,V,DATE:120903,TIME:160649,LAT:19.4265944N,LOT:098.8781135W#");
    CHECK(b["event"] == "error_reply");
    CHECK(b["valid"] == false);
  }
  TEST_CASE("version reply") {
    auto r = one("#867273021518134,Ver:H-TL402,S-0001-190611,#");
    CHECK(r["event"] == "version");
    CHECK(r["version"] == "H-TL402,S-0001-190611");
    CHECK(r["command"] == "B");
  }
  TEST_CASE("alarm catalogue and command replies") {
    const std::string pos = ",A,DATE:190611,TIME:101010,LAT:22.7613506N,LOT:114.3610382E,Speed:0.3,1-1-1-0-99-31#";
    const std::pair<const char*, const char*> cases[] = {
        {"ALM-A", "sos"},         {"ALM-B3", "geofence"}, {"ALM-C", "overspeed"}, {"ALM-D", "low_battery"},
        {"ALM-F", "battery_full"}, {"ALM-H", "movement"}, {"ALM-M", "fall"},      {"ALM-N", "shock"},
        {"ALM-U", "ota_ok"},      {"ALM-V", "ota_fail"},  {"ALM-Q", "unknown"},   {"CMD-M2", "command_reply"},
        {"CMD-KEY", "sos"}};
    for (auto [type, event] : cases) {
      CAPTURE(std::string(type));
      auto r = one(std::string("#867273021518134,") + type + pos);
      CHECK(r["event"] == event);
      CHECK(r["type"] == type);
    }
    CHECK(one("#867273021518134,ALM-B3" + pos)["fence"] == 3);
    CHECK(one("#867273021518134,CMD-M2" + pos)["command"] == "M2");
  }
  TEST_CASE("unknown type tokens are kept with the rest of the frame raw") {
    auto r = one("#867273021518134,FOO,1,2,3#");
    CHECK(r["event"] == "unknown");
    CHECK(r["type"] == "FOO");
    CHECK(r["extra"] == nlohmann::json::array({"1", "2", "3"}));
  }
  TEST_CASE("an unrecognised OEM prefix is kept") {
    auto r = one("#867273021510909,PWR saved,,CMD-T,A,DATE:160301,TIME:155102,LAT:55.8110733N,LOT:037.7410283E#");
    CHECK(r["notice"] == "PWR saved");
    CHECK(r["type"] == "CMD-T");
  }
  TEST_CASE("--device-tz converts local fix times to UTC") {
    vt106::gotop::ParseOptions o;
    o.device_tz_seconds = 8 * 3600;
    auto r = one("#867273021518134,CMD-T,A,DATE:160113,TIME:050709,LAT:22.7613506N,LOT:114.3610382E#", As::text, o);
    CHECK(r["fix_time"] == "2016-01-12T21:07:09Z");
  }
}

TEST_SUITE("gotop.downlink") {
  TEST_CASE("commands in plain words") {
    const std::pair<const char*, const char*> cases[] = {
        {":123456F#", "locate once"},
        {":123456M1,005S#", "tracking on, every 5 s"},
        {":123456M0,001H#", "tracking off"},
        {":123456M2,180#", "send a heartbeat every 180 s"},
        {":123456J0,080#", "speed alarm off"},
        {":123456L-07#", "set the time zone to UTC-07:00"},
        {":123456L+05:30#", "set the time zone to UTC+05:30"},
        {":123456N1,40#", "low-battery alarm on at 40 %"},
        {":123456A2,D#", "delete phone number 2"},
        {":123456T1#", "cut fuel / ACC (relay open)"},
        {":123456T0#", "restore fuel / ACC (relay closed)"},
        {":123456U1#", "incoming calls in listen-in mode"},
        {":123456CCMNET,119.122.101.91:7289#", "send to 119.122.101.91:7289 over TCP, APN 'CMNET'"},
        {":123456Cinternet,U,54.85.159.138:8888#", "send to 54.85.159.138:8888 over UDP, APN 'internet'"},
        {":123456Ointernet,internet123#", "set the APN user 'internet' and password 'internet123'"},
        {":123456I1,0#", "delete geofence 1"},
        {":123456L1,240101,120000#", "set the clock to 2024-01-01 12:00:00"},
        {":123456P1,25#", "movement alarm on, radius 250 m"},
        {"RESET!1#", "reboot the device"},
    };
    for (auto [frame, summary] : cases) {
      CAPTURE(std::string(frame));
      auto r = one(frame);
      CHECK(r["kind"] == "message");
      CHECK(r["dir"] == "down");
      CHECK(r["summary"] == summary);
    }
  }
  TEST_CASE("two commands glued in one read") {
    auto r = decode_string(":123456F#:123456M1,030S#");
    REQUIRE(r.size() == 2);
    CHECK(r[0]["raw"] == ":123456F#");
    CHECK(r[1]["raw"] == ":123456M1,030S#");
    CHECK(r[1]["offset"] == 9);
  }
}

TEST_SUITE("gotop.sms") {
  TEST_CASE("a device SMS with position, Before! and a device name") {
    auto r = one("Truck 7\nGPS NG!Before!\nDATE:16/01/13\nTIME:14:07:09\nSPEED:0.3\nBAT:100\nCSQ:26 \n"
                 "http://maps.google.com/maps?f=q&hl=en&q=22.7613506,-114.3610382",
                 As::sms);
    CHECK(r["device_name"] == "Truck 7");
    CHECK(r["type"] == "GPS NG!");
    CHECK(r["event"] == "position");
    CHECK(r["valid"] == false);
    CHECK(r["fix_time"] == "2016-01-13T14:07:09Z");
    CHECK(r["lat"] == doctest::Approx(22.7613506));
    CHECK(r["lon"] == doctest::Approx(-114.3610382));
    CHECK(r["battery"] == 100);
    CHECK(r["gsm"] == 26);
    CHECK(r["speed_kmh"] == doctest::Approx(0.3));
  }
  TEST_CASE("escaped newlines and several SMS separated by blank lines") {
    auto r = decode_string("HELP ME!\\nDATE:24/08/13\\nTIME:23:59:37\n\nLOW BAT!15%\n\n123456M1,030S#\n", As::sms);
    REQUIRE(r.size() == 3);
    CHECK(r[0]["event"] == "sos");
    CHECK(r[0]["fix_time"] == "2024-08-13T23:59:37Z");
    CHECK(r[1]["battery"] == 15);
    CHECK(r[2]["summary"] == "tracking on, every 30 s");
    CHECK(r[2]["dir"] == "sms");
  }
  TEST_CASE("the version reply by SMS names the IMEI") {
    auto r = one("IMEI:867273021518134,,Ver:H-TL402,S-0001-190611,", As::sms);
    CHECK(r["event"] == "version");
    CHECK(r["imei"] == "867273021518134");
    CHECK(r["version"] == "H-TL402,S-0001-190611");
  }
  TEST_CASE("phone-number confirmations") {
    auto r = one("1TEL OK!+8613145906426;", As::sms);
    CHECK(r["event"] == "command_reply");
    CHECK(r["command"] == "A");
  }
}

TEST_SUITE("gotop.status_group") {
  TEST_CASE("each value is X or one to three digits; the last two are battery and signal") {
    const std::string head = "#867273021518134,CMD-T,A,DATE:190611,TIME:101010,LAT:22.7613506N,LOT:114.3610382E,Speed:0.3,";
    auto status = [&](const std::string& group) { return one(head + group + ",123#"); };
    auto r = status("1-0-1-0-82-10");
    CHECK(r["battery"] == 82);
    CHECK(r["gsm"] == 10);
    CHECK(r["flags"]["external_power"] == true);
    CHECK(r["flags"]["gps_enabled"] == false);
    CHECK(r["flags"]["charging"] == true);
    r = status("X-X-X-X-82-X");
    CHECK(r["battery"] == 82);
    CHECK_FALSE(r.contains("gsm"));
    CHECK_FALSE(r.contains("flags"));
    r = status("1-2-3-4-5-6");  // flags only when the first three are 0 or 1
    CHECK_FALSE(r.contains("flags"));
    CHECK(r["gsm"] == 6);
    r = status("007-31");
    CHECK(r["battery"] == 7);
    CHECK(r["status"] == "007-31");
    for (const char* bad : {"1234-5", "X", "1--2", "1-2-", "-1-2", "XX-1", "1-X2", "1-2 -3"}) {
      CAPTURE(bad);
      CHECK(status(bad)["code"] == "bad_status");
    }
  }
}

TEST_SUITE("gotop.dates") {
  TEST_CASE("remembered day numbers give the same times, and bad dates and times stay errors") {
    // One text, one parser: the day numbers it remembers are reused from frame to frame.
    auto frame = [](const std::string& date, const std::string& time) {
      return "#867273021518134,CMD-T,A,DATE:" + date + ",TIME:" + time + ",LAT:22.7613506N,LOT:114.3610382E,Speed:0.3,82-10#";
    };
    const std::string text = frame("240229", "235959") + frame("240229", "000000") + frame("240230", "000000") +
                             frame("240229", "240000") + frame("000101", "000000") + frame("991231", "235959") +
                             frame("240229", "120000");
    const auto r = decode_string(text, As::text);
    REQUIRE(r.size() == 7);
    CHECK(r[0]["fix_time"] == "2024-02-29T23:59:59Z");
    CHECK(r[1]["fix_time"] == "2024-02-29T00:00:00Z");
    CHECK(r[2]["code"] == "bad_date");
    CHECK(r[3]["code"] == "bad_time");
    CHECK(r[4]["fix_time"] == "2000-01-01T00:00:00Z");
    CHECK(r[5]["fix_time"] == "2099-12-31T23:59:59Z");
    CHECK(r[6]["fix_time"] == "2024-02-29T12:00:00Z");
  }
}
