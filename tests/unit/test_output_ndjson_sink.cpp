// NdjsonSink: what it keeps between records stays bounded however long the input runs.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "vt106/output/ndjson_sink.hpp"

using vt106::output::NdjsonSink;
using vt106::output::RecordContext;

namespace {

struct DevNull {
  std::FILE* f = std::fopen("/dev/null", "w");
  ~DevNull() { std::fclose(f); }
};

vt106::gotop::Message message_from(const std::string& imei) {
  vt106::gotop::Message m;
  m.imei = imei;
  m.event = vt106::gotop::Event::heartbeat;
  return m;
}

}  // namespace

TEST_SUITE("output.ndjson_sink") {
  TEST_CASE("the device of a flow is forgotten when the flow closes (--imei)") {
    DevNull out;
    vt106::output::RecordFilter filter;
    filter.imeis.insert("353327020412763");
    NdjsonSink sink(out.f, filter);
    for (std::uint32_t flow = 1; flow <= 5000; ++flow) {
      RecordContext ctx;
      ctx.flow = flow;
      const std::string imei = std::to_string(353327020000000ULL + flow);
      sink.message(ctx, message_from(imei));
      sink.flow_closed(flow);
    }
    CHECK(sink.flows_tracked() == 0);
    RecordContext open;
    open.flow = 9;
    sink.message(open, message_from("353327020412763"));
    CHECK(sink.flows_tracked() == 1);
    CHECK(sink.counters().messages_written == 1);
  }

  TEST_CASE("made-up identifiers stop growing the device count at its cap, which it says") {
    DevNull out;
    NdjsonSink sink(out.f);
    const std::size_t n = vt106::output::max_counted_devices + 10;
    for (std::size_t i = 0; i < n; ++i) sink.message(RecordContext{}, message_from(std::to_string(100000000000000ULL + i)));
    CHECK(sink.device_count() == vt106::output::max_counted_devices);
    CHECK(sink.device_count_capped());
    CHECK(sink.counters().messages == n);
  }
}
