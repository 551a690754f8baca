// The record filters: which --imei and --event values let nothing through, and what was seen
// closest to them.
#include <doctest/doctest.h>

#include "vt106/output/record_filter.hpp"

using vt106::output::RecordFilter;
using vt106::output::RecordGate;

TEST_SUITE("output.filter") {
  TEST_CASE("every value that matched something: nothing to say") {
    RecordFilter f;
    f.imeis = {"867648040000018"};
    f.events = {"position", "error"};
    RecordGate g(f);
    CHECK(g.admit_message(1, "867648040000018", "position"));
    CHECK_FALSE(g.admit_message(2, "867648040000026", "position"));
    CHECK(g.admit_error(1, ""));  // the flow's device, and --event error
    CHECK(g.unmatched_filters().empty());
    CHECK(RecordGate{}.unmatched_filters().empty());  // no filter at all
  }

  TEST_CASE("an identifier nobody sent: the closest ones seen are named") {
    RecordFilter f;
    f.imeis = {"867648040000019"};
    RecordGate g(f);
    g.count_devices(false);  // the summary is off: the identifiers are still kept for the note
    for (const char* imei : {"867648040000018", "353327020412763", "867648040000026"})
      CHECK_FALSE(g.admit_message(1, imei, "position"));
    const auto notes = g.unmatched_filters();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0] ==
          "--imei 867648040000019 matched no record; the identifiers seen closest to it: 867648040000018, "
          "867648040000026, 353327020412763");
  }

  TEST_CASE("an event that never came: the events seen are named; each matching apart is said too") {
    RecordFilter f;
    f.events = {"sos", "fall"};
    RecordGate g(f);
    CHECK(g.admit_message(1, "867648040000018", "sos"));
    CHECK_FALSE(g.admit_message(1, "867648040000018", "heartbeat"));
    const auto notes = g.unmatched_filters();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0] == "--event fall matched no record; the events seen: heartbeat, sos");

    RecordFilter both;
    both.imeis = {"867648040000018"};
    both.events = {"sos"};
    RecordGate h(both);
    CHECK_FALSE(h.admit_message(1, "867648040000018", "position"));
    CHECK_FALSE(h.admit_message(2, "867648040000026", "sos"));
    const auto together = h.unmatched_filters();
    REQUIRE(together.size() == 1);
    CHECK(together[0] == "--imei and --event each matched records, but never the same one");
  }

  TEST_CASE("no records at all") {
    RecordFilter f;
    f.imeis = {"867648040000018"};
    f.events = {"sos"};
    const auto notes = RecordGate(f).unmatched_filters();
    REQUIRE(notes.size() == 2);
    CHECK(notes[0] == "--imei 867648040000018 matched no record: no record carried an identifier");
    CHECK(notes[1] == "--event sos matched no record: there were no records");
  }
}
