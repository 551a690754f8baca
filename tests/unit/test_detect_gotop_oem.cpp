// GOTOP frames with OEM fields before the type (Sorry Not Support, VIN + engine summary) are
// still GOTOP to the detector, and a GPS103 login that begins with '#' is not.
#include <doctest/doctest.h>

#include <string>

#include "vt106/detect/detect.hpp"

namespace {
vt106::detect::Verdict judge(const std::string& s) {
  vt106::detect::Hints hints;
  hints.transport = vt106::detect::Transport::tcp;
  hints.server_port = 8888;
  return vt106::detect::detect({reinterpret_cast<const std::byte*>(s.data()), s.size()}, {}, hints);
}
}  // namespace

TEST_SUITE("detect.gotop") {
  TEST_CASE("OEM prefixes before the type") {
    for (const std::string frame :
         {"#867273021510909,Sorry Not Support,,CMD-T,A,DATE:160301,TIME:155102,LAT:55.8110733N,LOT:037.7410283E,"
          "Speed:000.0,1-0-0-0-59-31,000,25002-1E64-705E,8,1.28,0,15,30,-4,-64,-96,54#",
          "#867273021510339,Z6FMXXESWMDK75664,16% 78^C 847rpm 0km 0km/h 14V 0 6 2L/h 0L/100Km,CMD-T,A,DATE:160304,"
          "TIME:123859,LAT:55.7759783N,LOT:037.5831400E,Speed:000.0,1-0-0-0-72-24,000,25002-1E3F-3422,8,1.25,0,-33,"
          "-3,0,-28,134,-40#"}) {
      CAPTURE(frame);
      const auto v = judge(frame);
      CHECK(v.protocol == "gotop");
      CHECK(v.confidence >= vt106::detect::confident);
      REQUIRE(v.device_id);
      CHECK(v.device_id->value == frame.substr(1, 15));
    }
  }
  TEST_CASE("a '#' that opens another protocol's frame is not GOTOP") {
    CHECK(judge("##,imei:359586015829802,A;").protocol == "gps103");
    CHECK(judge("#867273021510909,NOTATYPE,1,2,3,4,5#").protocol != "gotop");
  }
}
