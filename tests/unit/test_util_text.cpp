// Text helpers: the edit distance and the "did you mean" choices of the command line's errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "vt106/util/text.hpp"

using vt106::util::closest_choices;
using vt106::util::edit_distance;

TEST_SUITE("util.text") {
  TEST_CASE("edit distance: inserts, deletes, substitutions, swapped neighbours, any case") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("decode", "decode") == 0);
    CHECK(edit_distance("decod", "decode") == 1);
    CHECK(edit_distance("decoode", "decode") == 1);
    CHECK(edit_distance("decxde", "decode") == 1);
    CHECK(edit_distance("dceode", "decode") == 1);  // a swap is one edit
    CHECK(edit_distance("cvs", "csv") == 1);
    CHECK(edit_distance("DECODE", "decode") == 0);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("replay", "listen") == 6);
  }

  TEST_CASE("closest choices: near ones first, beginnings count, nothing when nothing is near") {
    const std::vector<std::string> subs{"decode", "capture", "craft", "detect", "doctor", "replay", "listen"};
    CHECK(closest_choices("decod", subs) == std::vector<std::string>{"decode"});
    CHECK(closest_choices("dcotor", subs) == std::vector<std::string>{"doctor"});
    CHECK(closest_choices("replya", subs) == std::vector<std::string>{"replay"});
    CHECK(closest_choices("zzzzzz", subs).empty());
    CHECK(closest_choices("decode", subs).empty());  // the word itself is not a suggestion
    const std::vector<std::string> formats{"ndjson", "json", "csv", "table", "geojson", "gpx", "kml"};
    CHECK(closest_choices("cvs", formats) == std::vector<std::string>{"csv"});
    CHECK(closest_choices("tabel", formats) == std::vector<std::string>{"table"});
    const auto j = closest_choices("jsn", formats);
    REQUIRE(!j.empty());
    CHECK(j.front() == "json");
    const std::vector<std::string> options{"--format", "--filter", "--flows", "--imei"};
    CHECK(closest_choices("--formt", options).front() == "--format");
    CHECK(closest_choices("--form", options).front() == "--format");  // a beginning
    CHECK(closest_choices("--x", options).empty());
    // As near, the choice the word begins comes first.
    CHECK(closest_choices("of", {"on", "off"}).front() == "off");
    CHECK(closest_choices("o", {"on", "off"}).front() == "on");
    // The sentence the command line appends.
    CHECK(vt106::util::did_you_mean("of", {"on", "off"}, 1) == "; did you mean 'off'?");
    CHECK(vt106::util::did_you_mean("of", {"on", "off"}) == "; did you mean 'off' or 'on'?");
    CHECK(vt106::util::did_you_mean("zzzz", {"on", "off"}).empty());
    CHECK(closest_choices("fo", options, 2).size() <= 2);
  }
}
