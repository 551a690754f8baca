// Frame edits before sending: identifiers (map, synthetic with a Luhn digit) and fix times moved
// by a constant, labelled and unlabelled, leaving frames without a usable date untouched.
#include <doctest/doctest.h>

#include <string>

#include "vt106/live/rewrite.hpp"

using namespace vt106::live;

TEST_SUITE("replay.rewrite") {
  TEST_CASE("replace_imei changes only the leading identifier") {
    std::string f = "#867648040000018,CMD-X#";
    CHECK(replace_imei(f, "353327020412763"));
    CHECK(f == "#353327020412763,CMD-X#");
    std::string shorter = "#867648040000018,ALM-A,V,DATE:120903#";
    CHECK(replace_imei(shorter, "12345"));
    CHECK(shorter == "#12345,ALM-A,V,DATE:120903#");
    std::string command = ":123456F#";
    CHECK_FALSE(replace_imei(command, "1"));
    CHECK(command == ":123456F#");
  }

  TEST_CASE("Luhn check digits of real IMEIs") {
    CHECK(luhn_check_digit("86764804000001") == '8');  // 867648040000018 (captures/)
    CHECK(luhn_check_digit("35332702041276") == '3');  // 353327020412763 (GOTOP samples)
    CHECK(luhn_check_digit("86764804000014") == '1');  // 867648040000141
  }

  TEST_CASE("synthetic IMEIs: prefix, zero-padded serial, check digit; bounded by the prefix") {
    CHECK(synthetic_imei("86", 0) == "860000000000009");
    CHECK(synthetic_imei("86764804", 1) == "867648040000018");
    CHECK(synthetic_imei_capacity("8676480400000") == 10);
    CHECK(synthetic_imei("8676480400000", 9).has_value());
    CHECK_FALSE(synthetic_imei("8676480400000", 10).has_value());
    CHECK_FALSE(synthetic_imei("", 0).has_value());
    CHECK_FALSE(synthetic_imei("86a", 0).has_value());
    CHECK_FALSE(synthetic_imei("86764804000001", 0).has_value());  // 14 digits leave no room
    for (std::uint64_t serial : {0ULL, 7ULL, 123456ULL}) {
      const auto imei = synthetic_imei("3533", serial);
      REQUIRE(imei);
      CHECK(imei->size() == 15);
      CHECK(imei->back() == luhn_check_digit(std::string_view(*imei).substr(0, 14)));
    }
  }

  TEST_CASE("find_fix_time: labelled, unlabelled, prefixed frames; nothing to find elsewhere") {
    const std::string labelled = "#867648040000018,CMD-T,A,DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000#";
    auto f = find_fix_time(labelled);
    REQUIRE(f);
    CHECK(labelled.substr(f->date_at, 6) == "090329");
    CHECK(labelled.substr(f->time_at, 6) == "223252");
    CHECK(f->seconds == 1238365972);  // 2009-03-29T22:32:52Z
    const std::string bare = "#867648040000067,CMD-T,A,130104,175950,24.0234233S,029.4691133E,Speed:001.8,90-24#";
    f = find_fix_time(bare);
    REQUIRE(f);
    CHECK(bare.substr(f->date_at, 6) == "130104");
    CHECK(bare.substr(f->time_at, 6) == "175950");
    const std::string prefixed = "#867648040000042,Sorry Not Support,,CMD-T,A,DATE:160301,TIME:155102,LAT:55.8110733N#";
    CHECK(find_fix_time(prefixed).has_value());
    CHECK_FALSE(find_fix_time("#867648040000018,CMD-X#"));
    CHECK_FALSE(find_fix_time("#867648040000018,ERROR!#"));
    CHECK_FALSE(find_fix_time("#867648040000018,CMD-T,A,DATE:091329,TIME:223252,LAT:1N#"));  // month 13
    CHECK_FALSE(find_fix_time("#867648040000018,CMD-T,A,DATE:090329,TIME:246000,LAT:1N#"));
    CHECK_FALSE(find_fix_time("#867648040000018,CMD-Z,85 00 00 72 94#"));
    CHECK_FALSE(find_fix_time(":123456L1,240101,120000#"));
  }

  TEST_CASE("shift_fix_time moves date and time together, across days and years") {
    std::string f = "#867648040000018,CMD-T,A,DATE:091231,TIME:235959,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000#";
    const std::string before = f;
    CHECK(shift_fix_time(f, 2));
    CHECK(f == "#867648040000018,CMD-T,A,DATE:100101,TIME:000001,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000#");
    CHECK(f.size() == before.size());
    CHECK(shift_fix_time(f, -2));
    CHECK(f == before);
    std::string bare = "#867648040000067,CMD-T,A,130104,175950,24.0234233S,029.4691133E,Speed:001.8,90-24#";
    CHECK(shift_fix_time(bare, 86400 * 366));
    CHECK(bare == "#867648040000067,CMD-T,A,140105,175950,24.0234233S,029.4691133E,Speed:001.8,90-24#");
    std::string beyond = "#1,CMD-T,A,DATE:991231,TIME:235959,LAT:1N#";
    CHECK_FALSE(shift_fix_time(beyond, 1));  // 2100 cannot be written as yy
    CHECK(beyond == "#1,CMD-T,A,DATE:991231,TIME:235959,LAT:1N#");
    std::string heartbeat = "#867648040000018,CMD-X#";
    CHECK_FALSE(shift_fix_time(heartbeat, 100));
    CHECK(heartbeat == "#867648040000018,CMD-X#");
  }
}
