// Identifier variants: IMEI check digit (Luhn), BCD nibbles, integers, padding and the
// shortened forms a platform may have registered.
#include <doctest/doctest.h>

#include <algorithm>

#include "detect_helpers.hpp"
#include "vt106/detect/checks.hpp"
#include "vt106/detect/identity.hpp"

using namespace vt106;
using namespace vt106::detect;

namespace {
// The variants of an identifier, as a verdict shows them.
bool has_variant(DeviceId id, std::string_view v) {
  add_variants(id);
  return std::find(id.variants.begin(), id.variants.end(), v) != id.variants.end();
}
}  // namespace

TEST_SUITE("detect.identity") {
  TEST_CASE("Luhn check digit of IMEIs") {
    CHECK(luhn_valid("352887071911998"));
    CHECK(luhn_valid("490154203237518"));  // the example of 3GPP TS 23.003
    CHECK_FALSE(luhn_valid("352887071911999"));
    CHECK_FALSE(luhn_valid("123456789012345"));
    CHECK(luhn_digit("49015420323751") == '8');
    CHECK(luhn_digit("00000000000000") == '0');
  }

  TEST_CASE("BCD nibbles: digits only, F padding where allowed") {
    const auto gt06 = testing::from_hex("0352887071911998");
    CHECK(bcd_digits(Bytes(gt06)) == "0352887071911998");
    CHECK_FALSE(bcd_digits(Bytes(testing::from_hex("03528a"))));
    CHECK(bcd_digits(Bytes(testing::from_hex("123456ffffffff")), true) == "123456");
    CHECK_FALSE(bcd_digits(Bytes(testing::from_hex("123456ffffffff")), false));
    CHECK_FALSE(bcd_digits(Bytes(testing::from_hex("12f456")), true));  // padding only at the end
    CHECK(bcd_digits(Bytes(testing::from_hex("1234f5")), true) == std::nullopt);
  }

  TEST_CASE("a 15-digit text IMEI") {
    const auto id = device_id_from_text("353327020412763");
    CHECK(id.value == "353327020412763");
    CHECK(id.encoding == IdEncoding::text);
    CHECK(id.luhn == LuhnCheck::valid);
    CHECK(id.imei == "353327020412763");
    CHECK(id.variants.empty());  // computed for the verdict's identifier only
    CHECK(has_variant(id, "7020412763"));  // last 10 digits (H02-style registrations)
    CHECK(has_variant(id, "327020412763"));
    const auto bad = device_id_from_text("123456789012345");
    CHECK(bad.luhn == LuhnCheck::invalid);
    CHECK(bad.imei.empty());
  }

  TEST_CASE("an 8-byte BCD IMEI with its leading zero (GT06)") {
    const auto id = device_id_from_bcd("0352887071911998");
    CHECK(id.value == "352887071911998");
    CHECK(id.raw == "0352887071911998");
    CHECK(id.encoding == IdEncoding::bcd);
    CHECK(id.luhn == LuhnCheck::valid);
    CHECK(has_variant(id, "0352887071911998"));
  }

  TEST_CASE("14 digits complete to an IMEI (Meiligao, JT808 integers)") {
    const auto id = device_id_from_bcd("67144025885540");
    CHECK(id.luhn == LuhnCheck::completed);
    CHECK(id.imei == std::string("67144025885540") + luhn_digit("67144025885540"));
    CHECK(has_variant(id, id.imei));
    const auto integer = device_id_from_integer(86893506000502ull);
    CHECK(integer.encoding == IdEncoding::integer);
    CHECK(integer.value == "86893506000502");
    CHECK(integer.raw == "0x4f07788ef676");
    CHECK(integer.luhn == LuhnCheck::completed);
  }

  TEST_CASE("a zero-padded terminal number holds the IMEI (JT808 2019 header)") {
    const auto id = device_id_from_bcd("00000866496077582164");
    CHECK(id.value == "00000866496077582164");
    CHECK(id.luhn == LuhnCheck::valid);
    CHECK(id.imei == "866496077582164");
    CHECK(has_variant(id, "866496077582164"));
  }

  TEST_CASE("ids that are not IMEIs keep their digits-only form") {
    const auto tk103 = device_id_from_text("035988863964");
    CHECK(tk103.luhn == LuhnCheck::not_imei);
    CHECK(has_variant(tk103, "35988863964"));  // without the leading zero
    const auto castel = device_id_from_text(std::string_view("213L2017001109\0\0\0", 17));
    CHECK(castel.value == "213L2017001109");
    CHECK(has_variant(castel, "2132017001109"));  // digits only
  }

  TEST_CASE("verdicts carry the identifier of the first message") {
    const auto h02 = testing::detect_bytes("*HQ,4300256455,V1,111817,A,1935.5128,N,04656.3243,E,0.00,100,170913,FFE7FBFF#");
    REQUIRE(h02.device_id);
    CHECK(h02.device_id->value == "4300256455");
    CHECK(h02.device_id->luhn == LuhnCheck::not_imei);
    const auto ruptela = testing::detect_hex("002e000316d53d58d6020f4573303430302e30332e36382e30340000c2b3090d0e95000082"
                                             "7b000003e80000003c003c1681");
    REQUIRE(ruptela.device_id);
    CHECK(ruptela.device_id->encoding == IdEncoding::integer);
    CHECK(ruptela.device_id->value == "869530043209218");
    CHECK(ruptela.device_id->variants == std::vector<std::string>{"530043209218", "30043209218", "0043209218"});
    CHECK(ruptela.device_id->luhn == LuhnCheck::valid);
  }
}

TEST_CASE("the CRC-16 variants give their catalogue check values on \"123456789\"") {
  // The check value of each parameter set (poly, init, reflection, xorout) in the CRC catalogue;
  // the empty input gives init ^ xorout.
  const Bytes nine(std::string_view("123456789"));
  CHECK(crc16_x25(nine) == 0x906e);
  CHECK(crc16_ccitt_false(nine) == 0x29b1);
  CHECK(crc16_modbus(nine) == 0x4b37);
  CHECK(crc16_kermit(nine) == 0x2189);
  CHECK(crc16_arc(nine) == 0xbb3d);
  CHECK(crc16_xmodem(nine) == 0x31c3);
  const Bytes none(std::string_view(""));
  CHECK(crc16_x25(none) == 0x0000);
  CHECK(crc16_ccitt_false(none) == 0xffff);
  CHECK(crc16_modbus(none) == 0xffff);
  CHECK(crc16_xmodem(none) == 0x0000);
}
