// One test per error code: the code, the position, and the message naming the input.
#include <doctest/doctest.h>

#include "record_collector.hpp"

using vt106::testing::As;
using vt106::testing::decode_string;

namespace {
nlohmann::json one(const std::string& input, As as = As::text) {
  auto r = decode_string(input, as);
  REQUIRE(r.size() == 1);
  return r[0];
}
const std::string head = "#353327020115804,CMD-T,A,";
}  // namespace

TEST_SUITE("gotop.errors") {
  TEST_CASE("bad_imei") {
    auto r = one("#35332702O115804,CMD-X#");
    CHECK(r["code"] == "bad_imei");
    CHECK(r["column"] == 1);
  }
  TEST_CASE("missing_type") {
    auto r = one("#353327020115804#");
    CHECK(r["code"] == "missing_type");
    CHECK(r["imei"] == "353327020115804");
  }
  TEST_CASE("bad_validity") {
    auto r = one("#353327020115804,CMD-T,B,DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E#");
    CHECK(r["code"] == "bad_validity");
    CHECK(r["column"] == 23);
    CHECK(r["type"] == "CMD-T");
  }
  TEST_CASE("bad_date: not yymmdd, not a calendar date, frame ends early") {
    CHECK(one(head + "DATE:0903,TIME:223252,LAT:22.7634066N,LOT:114.3964783E#")["code"] == "bad_date");
    CHECK(one(head + "DATE:090230,TIME:223252,LAT:22.7634066N,LOT:114.3964783E#")["code"] == "bad_date");
    CHECK(one(head + "DATE:090329,TIME:223252#")["code"] == "bad_date");
  }
  TEST_CASE("bad_time") {
    auto r = one(head + "DATE:090329,TIME:253252,LAT:22.7634066N,LOT:114.3964783E#");
    CHECK(r["code"] == "bad_time");
    CHECK(r["column"] == head.size() + 12);
  }
  TEST_CASE("bad_latitude: missing hemisphere, out of range") {
    CHECK(one(head + "DATE:090329,TIME:223252,LAT:22.7634066,LOT:114.3964783E#")["code"] == "bad_latitude");
    CHECK(one(head + "DATE:090329,TIME:223252,LAT:92.7634066N,LOT:114.3964783E#")["code"] == "bad_latitude");
  }
  TEST_CASE("bad_longitude") {
    CHECK(one(head + "DATE:090329,TIME:223252,LAT:22.7634066N,LOT:194.3964783E#")["code"] == "bad_longitude");
    CHECK(one(head + "DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.39x4783E#")["code"] == "bad_longitude");
  }
  TEST_CASE("bad_speed") {
    CHECK(one(head + "DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:fast,84-20#")["code"] ==
          "bad_speed");
  }
  TEST_CASE("bad_status") {
    CHECK(one(head + "DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84,000#")["code"] ==
          "bad_status");
    CHECK(one(head + "DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,a-b,000#")["code"] ==
          "bad_status");
  }
  TEST_CASE("bad_password") {
    auto r = one(":12a456F#");
    CHECK(r["code"] == "bad_password");
    CHECK(r["dir"] == "down");
  }
  TEST_CASE("bad_command: data that the command does not take") {
    CHECK(one(":123456M1,30S#")["code"] == "bad_command");
    CHECK(one(":123456J1,80#")["code"] == "bad_command");
    CHECK(one(":123456L+8#")["code"] == "bad_command");
    CHECK(one(":123456H12345#")["code"] == "bad_command");
    CHECK(one(":123456C,1.2.3.4:99999#")["code"] == "bad_command");
    CHECK(one(":123456I1,1,0,5111352N009125670E50241115N011011173E#")["code"] == "bad_command");
    CHECK(one(":123456#")["code"] == "bad_command");
    // Numbers too large for the parser (found by fuzz_craft: these read an empty optional).
    for (const char* big : {":123456P1,99999999999#", ":123456M2,99999999999#", ":123456N1,99999999999#"}) {
      CAPTURE(big);
      CHECK(one(big)["code"] == "bad_command");
    }
    CHECK(one("123456P1,99999999999", As::sms)["code"] == "bad_command");
    CHECK(one(":123456P1,999999999#")["summary"] == "movement alarm on, radius 9999999990 m");
  }
  TEST_CASE("bad_sms") {
    CHECK(one("GPS OK!\nDATE:24/13/01\nTIME:10:00:00", As::sms)["code"] == "bad_sms");
    CHECK(one("GPS OK!\nDATE:24/01/01", As::sms)["code"] == "bad_sms");
    CHECK(one("GPS OK!\nhttp://maps.google.com/maps?f=q&hl=en&q=95.0,10.0", As::sms)["code"] == "bad_sms");
  }
  TEST_CASE("junk, truncated and frame_too_long name the input and the byte") {
    auto j = one("hello world#");
    CHECK(j["code"] == "junk");
    CHECK(j["message"].get<std::string>().find("test:") == 0);
    auto t = one("#353327020412763,CMD-");
    CHECK(t["code"] == "truncated");
    CHECK(t["length"] == 21);
    auto l = decode_string("#" + std::string(2000, '1') + "#", As::text);
    REQUIRE(l.size() == 1);
    CHECK(l[0]["code"] == "frame_too_long");
  }
  TEST_CASE("error records keep what the frame said about its sender") {
    auto r = one("#867648044456745,ALM-A,A,DATE:240813,TIME:235937,LAT:02.9930825X,LON:101.5746188E#");
    CHECK(r["code"] == "bad_latitude");
    CHECK(r["imei"] == "867648044456745");
    CHECK(r["type"] == "ALM-A");
    CHECK(r["dir"] == "up");
  }
}
