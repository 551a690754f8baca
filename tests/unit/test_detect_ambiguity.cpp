// The ambiguity groups of the reference (shared first bytes: "$$", "#", "*", "(", "[", "@",
// "78 78", length-first binary), each resolved by its second-stage checks, with negative cases.
#include <doctest/doctest.h>

#include "detect_helpers.hpp"
#include "vt106/detect/checks.hpp"

using namespace vt106;
using testing::detect_bytes;
using testing::detect_hex;

namespace {

void named(const detect::Verdict& v, std::string_view protocol, double at_least = detect::confident) {
  CHECK(v.protocol == protocol);
  CHECK(v.status == detect::Status::match);
  CHECK(v.confidence >= at_least);
}

void not_confident(const detect::Verdict& v) {
  CAPTURE(v.protocol);
  CHECK((v.status != detect::Status::match || v.confidence < detect::confident));
}

}  // namespace

TEST_SUITE("detect.ambiguity") {
  TEST_CASE("'$$': Meiligao, Meitrack, Totem, Xirgo, GT30, Castel CC830") {
    named(detect_hex("24240011671440258855405000b24d0d0a"), "meiligao", 0.95);
    named(detect_bytes("$$u28,864606044993987,D82,0*D6\r\n"), "meitrack", 0.95);
    named(detect_bytes("$$0494E2123456789012345|150425223945,113.925525,22.55814,1122334455|38"), "totem");
    named(detect_bytes("$$183900034,4002,03/30/2019,02:15:22,46.848577,-114.022213,978,0.0,172.3,16,1.2,13.291,20,"
                       "3,2,2,1##"),
          "xirgo");
    named(detect_bytes("$$005D3037811014    9955102834.000,A,3802.8629,N,02349.7163,E,0.00,,060117,,*13|1.3|"
                       "26225BD\r\n"),
          "gt30");
    // Castel's "$$" variant: little-endian length, version byte, CRC-16/X-25.
    std::string castel = testing::from_hex("40401f00043130303131313235323939383700000000000000100303320d0a");
    castel[0] = castel[1] = '$';
    const auto crc = detect::crc16_x25(detect::Bytes(std::string_view(castel).substr(0, castel.size() - 4)));
    castel[castel.size() - 4] = static_cast<char>(crc & 0xff);
    castel[castel.size() - 3] = static_cast<char>(crc >> 8);
    const auto cc830 = detect_bytes(castel);
    CHECK(cc830.protocol == "castel");
    // Meitrack with a wrong sum is weaker, not impossible.
    const auto bad_sum = detect_bytes("$$u28,864606044993987,D82,0*D7\r\n");
    CHECK(bad_sum.protocol == "meitrack");
    CHECK(bad_sum.confidence <= 0.6);
    // Negative: "$$" then text that fits none of them.
    not_confident(detect_bytes("$$hello world\r\n"));
    CHECK(detect_bytes("$$").status == detect::Status::need_more);
  }

  TEST_CASE("'#': GOTOP, TLT-2H, Wialon, GPS103 login, T800x") {
    named(detect_bytes("#353327020412763,CMD-X#"), "gotop");
    named(detect_bytes("#862255061752835#MT710#0000#AUTO#1\r\n#4106#$GPRMC,151410.00,A,3010.4103,N,08146.2728,W,,"
                       "214.90,010324,,,A*58\r\n##\r\n"),
          "tlt2h");
    named(detect_bytes("#SD#300924;154245;5554.350052;N;3644.670410;E;2.92;NA;NA;NA;7A01\r\n"), "wialon", 0.95);
    named(detect_bytes("##,imei:359586015829802,A;"), "gps103");
    named(detect_hex("232301001500000880316890202968140197625020"), "t800x");
    // The separator after the digits decides: ',' GOTOP, '#' TLT-2H.
    CHECK(detect_bytes("#353327020412763").status == detect::Status::need_more);
    CHECK(detect_bytes("#353327020412763#").protocol != "gotop");
    // Negative: '#' + 14 digits is not GOTOP; a GOTOP frame with a bad type is not either.
    CHECK(detect_bytes("#35332702041276,CMD-X#").protocol != "gotop");
    CHECK(detect_bytes("#353327020412763,XYZ#").protocol != "gotop");
    // A wrong Wialon CRC is reported and lowers the confidence.
    const auto bad_crc = detect_bytes("#SD#300924;154245;5554.350052;N;3644.670410;E;2.92;NA;NA;NA;7A02\r\n");
    CHECK(bad_crc.protocol == "wialon");
    CHECK(bad_crc.confidence <= 0.6);
    // Only one byte: every '#' protocol is still possible.
    const auto hash = detect_bytes("#");
    CHECK(hash.status == detect::Status::need_more);
    CHECK(hash.alternatives.size() >= 2);
  }

  TEST_CASE("'*': H02, UPRO, Redis") {
    named(detect_bytes("*HQ,4300256455,V1,111817,A,1935.5128,N,04656.3243,E,0.00,100,170913,FFE7FBFF#"), "h02");
    named(detect_bytes("*HQ200862407688000021,BA&A0925002234596911356066460008120225&B0100000000#"), "upro");
    named(detect_bytes("*1\r\n$4\r\nPING\r\n"), "redis");
    // H02 needs a comma right after the two letters and a closing '#'.
    CHECK(detect_bytes("*HQ,4300256455,V1,111817").status == detect::Status::need_more);
    not_confident(detect_bytes("*HQ,4300256455,V1,111817\r\n\x01\x02"));
    not_confident(detect_bytes("*hello*"));
  }

  TEST_CASE("'(': TK103, Topflytech, JT808 text") {
    named(detect_bytes("(035988863964BP05000035988863964110524A4241.7977N02318.7561E000.0123536356.5100000000L"
                       "000946BB)"),
          "tk103");
    named(detect_bytes("(880316890094910BP00XG00b600000000L00074b54S00000000R0C0F0014000100f0130531152205A0706."
                       "1395S11024.0965E000.0251.25)"),
          "topflytech");
    named(detect_bytes("(794104004140,1,001,BASE,2,TIME)"), "jt808");
    named(detect_bytes("(868822040452227,DW3B,150421,A,4154.51607N,45.78950E,0.050,103142,0.000,595.200,7,0)"),
          "tk103");
    // 15 digits then BP00 is Topflytech, 12 then BP00 is TK103: count before the first letter.
    CHECK(detect_bytes("(090411121854BP0000001234567890HSO)").protocol == "tk103");
    not_confident(detect_bytes("(hello world)"));
  }

  TEST_CASE("square bracket: watch, TK102, Arnavi parcels") {
    named(detect_bytes("[3G*9031853319*004E*UD2,220322,055105,A,22.761162,N,114.360192,E,0,0,47,14,100,64,0,0,"
                       "00000008,0,0]"),
          "watch");
    named(detect_hex("5b80303030303030303030300832313331353435325d"), "tk102");
    CHECK(detect_hex("5b01012800a3175f5903513934420447221c42055402781e0900f0c5215b4e0084005c00007c005d0000a300fa37"
                     "010000295d")
              .protocol == "arnavi");
    // Watch ids are 10 or 15 digits.
    not_confident(detect_bytes("[3G*123*0003*TKQ]"));
    not_confident(detect_bytes("[not a watch]"));
  }

  TEST_CASE("'@': Castel, ATrack, NavTelecom") {
    named(detect_hex("40401f00043130303131313235323939383700000000000000100303320d0a"), "castel", 0.95);
    named(detect_hex("4050b5ed004a2523000310c83713f8c05a88b43e5a88b43f5a88b43f021e0ad5fffdc0a800f3020003059100080000"
                     "000000000007d007d046554c533a463d3230393120743d3137204e3d3039303100"),
          "atrack", 0.95);
    named(detect_hex("404e5443010000007b000000130044342a3e533a383631373835303035323035303739"), "navis", 0.95);
    named(detect_bytes("@P,93D1,419,0,357766091026083,1557178589,1557178590,1557178590,-121899637,37406241,338,230,"
                       "2809,8,0,0,0,0,,2000,2000,\r\n"),
          "atrack");
    // A Castel frame with a broken CRC stays Castel, but no longer confident.
    auto broken = testing::from_hex("40401f00043130303131313235323939383700000000000000100303320d0a");
    broken[27] = '\x04';
    const auto v = detect_bytes(broken);
    CHECK(v.protocol == "castel");
    CHECK(v.confidence <= 0.6);
    not_confident(detect_bytes("@hello"));
  }

  TEST_CASE("78 78: GT06 with CRC, GT06 clones and Topin without") {
    named(detect_hex("78780d010352887071911998000479d00d0a"), "gt06", 0.97);
    named(detect_hex("78780d0103593390754169634d0d0a"), "topin", 0.6);
    // No CRC and 0D 0A off the length: GT06 clone and Topin tie; the port breaks the tie.
    const std::string clone = "78781510120b05030d2498038077200be2078f0034000102030d0a";
    const auto tie = detect_hex(clone);
    REQUIRE(!tie.alternatives.empty());
    CHECK(tie.alternatives.front().confidence == tie.confidence);
    CHECK(detect_hex(clone, {detect::Transport::tcp, 5199}).protocol == "topin");
    CHECK(detect_hex(clone, {detect::Transport::tcp, 5023}).protocol == "gt06");
    // A wrong CRC: GT06 still, confidence down.
    const auto bad = detect_hex("78780d010352887071911998000479d10d0a");
    CHECK(bad.protocol == "gt06");
    CHECK(bad.confidence <= 0.6);
    // Negative: 78 78 with a length that places nothing.
    not_confident(detect_hex("78780d0103528870719119980004"));
    CHECK(detect_hex("78780d0103528870719119980004").status == detect::Status::need_more);
    not_confident(detect_hex("7878ff01020304050607080910111213141516171819"));
  }

  TEST_CASE("length-first binary: Teltonika, Ruptela, Galileo, EGTS, ADM, SMB") {
    named(detect_hex("000f313233343536373839303132333435"), "teltonika");
    named(detect_hex("002e000316d53d58d6020f4573303430302e30332e36382e30340000c2b3090d0e950000827b000003e80000003c00"
                     "3c1681"),
          "ruptela", 0.95);
    named(detect_hex("011780011102e603383633353931303238393630323437043200801c"), "galileo", 0.95);
    named(detect_hex("0100000b000300704300db0500006c27"), "egts", 0.95);
    named(detect_hex("00000054fe534d4240000000000000000000"), "smb");
    // Teltonika AVL data at a connection's start is reported with that remark.
    const auto avl = detect_hex("00000000000000100c010600000008010300010015d5c5010000d988");
    CHECK(avl.protocol == "teltonika");
    bool remark = false;
    for (const auto& e : avl.evidence) remark = remark || e.find("mid-flow") != std::string::npos;
    CHECK(remark);
    // Negative: the Teltonika login needs 15 digits; a Ruptela frame with a bad CRC is weak.
    not_confident(detect_hex("000f3132333435363738393031323334ff"));
    not_confident(detect_hex("002e000316d53d58d6020f4573303430302e30332e36382e30340000c2b3090d0e950000827b000003e80000"
                             "003c003c1682"));
    not_confident(detect_hex("0000000000000000000000000000"));
  }

  TEST_CASE("a single ambiguous byte never decides") {
    for (const char* b : {"24", "23", "2a", "28", "5b", "40", "00", "01", "7e", "78"}) {
      CAPTURE(b);
      CHECK(detect_hex(b).status != detect::Status::match);
    }
    // The keep-alive bytes are whole messages, but not proof: named without confidence.
    CHECK(detect_hex("ff").protocol == "teltonika");
    CHECK(detect_hex("ff").confidence < 0.5);
    CHECK(detect_hex("7f").protocol == "navis");
    CHECK(detect_hex("7f").confidence < 0.5);
  }

  TEST_CASE("GOTOP downlink and other text never pass for a tracker") {
    not_confident(detect_bytes(":123456F#"));
    not_confident(detect_bytes("hello\r\n"));
    CHECK(detect_bytes("hello\r\n").protocol == "text_lines");
    named(detect_bytes("\r\n\r\n"), "text_lines", 0.6);
  }
}
