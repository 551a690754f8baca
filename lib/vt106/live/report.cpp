// JSON of replay's own records, through the same writer as every other record.
#include "vt106/live/report.hpp"

#include <cmath>

#include "vt106/output/json.hpp"
#include "vt106/util/time.hpp"

namespace vt106::live {

namespace {
void timestamp(output::JsonWriter& w, std::string_view key, std::int64_t ns) { w.key(key).timestamp_us(ns); }
}  // namespace

namespace {
void seconds(output::JsonWriter& w, const char* key, std::int64_t ns) {
  w.key(key).number(static_cast<double>(ns) / 1e9);
}
void device_fields(output::JsonWriter& w, const StreamPlan& st) {
  w.key("transport").string(net::to_string(st.transport));
  w.key("flow").number(st.id);
  if (!st.imei.empty()) w.key("imei").string(st.imei);
  if (st.imei != st.recorded_imei && !st.recorded_imei.empty()) w.key("recorded_imei").string(st.recorded_imei);
  if (!st.recorded_client.empty()) w.key("recorded_src").string(st.recorded_client);
  w.key("pass").number(st.pass);
}
}  // namespace

void append_plan_json(std::string& out, const ConnectionPlan& p, bool timed) {
  output::JsonWriter w(out);
  w.begin_object();
  w.key("kind").string("plan");
  device_fields(w, *p.stream);
  w.key("messages").number(p.messages);
  w.key("bytes").number(p.bytes);
  if (p.restamped) w.key("restamped").number(p.restamped);
  if (timed) {
    seconds(w, "connect_s", p.open_ns);
    if (p.first_ns >= 0) seconds(w, "first_s", p.first_ns);
    if (p.last_ns >= 0) seconds(w, "last_s", p.last_ns);
    if (p.close_ns >= 0) seconds(w, "close_s", p.close_ns);
  }
  w.end_object();
}

void append_would_send_json(std::string& out, const StreamPlan& st, std::uint64_t index, std::int64_t due_ns,
                            std::string_view bytes, bool timed) {
  output::JsonWriter w(out);
  w.begin_object();
  w.key("kind").string("would_send");
  w.key("dir").string("up");
  device_fields(w, st);
  w.key("index").number(index);
  if (timed) seconds(w, "due_s", due_ns);
  w.key("bytes").number(static_cast<std::uint64_t>(bytes.size()));
  w.key("raw");
  if (!w.string_checked(bytes)) w.key("raw_hex").hex_string(bytes);
  w.end_object();
}

void append_sent_json(std::string& out, const SentMessage& s) {
  output::JsonWriter w(out);
  const StreamPlan& st = *s.stream;
  const std::string_view bytes = s.bytes;
  w.begin_object();
  w.key("kind").string("sent");
  w.key("dir").string("up");
  timestamp(w, "ts", s.sent_unix_ns);
  w.key("transport").string(net::to_string(st.transport));
  w.key("src").string(s.local);
  w.key("dst").string(s.remote);
  w.key("flow").number(st.id);
  if (!st.imei.empty()) w.key("imei").string(st.imei);
  if (st.imei != st.recorded_imei && !st.recorded_imei.empty()) w.key("recorded_imei").string(st.recorded_imei);
  if (!st.recorded_client.empty()) w.key("recorded_src").string(st.recorded_client);
  w.key("pass").number(st.pass);
  w.key("index").number(static_cast<std::uint64_t>(s.index));
  if (s.timed) {
    timestamp(w, "due", s.due_unix_ns);
    const std::int64_t late = s.sent_unix_ns - s.due_unix_ns;
    w.key("late_us").number(late > 0 ? late / 1000 : std::int64_t{0});
  }
  w.key("bytes").number(static_cast<std::uint64_t>(bytes.size()));
  w.key("raw");
  if (!w.string_checked(bytes)) w.key("raw_hex").hex_string(bytes);
  w.end_object();
}

void append_summary_json(std::string& out, const SummaryHeader& h, const ReplayStats& s) {
  output::JsonWriter w(out);
  w.begin_object();
  w.key("kind").string("summary");
  w.key("command").string("replay");
  w.key("input").string(h.input);
  if (!h.target.empty()) w.key("target").string(h.target);
  if (!h.address.empty()) w.key("address").string(h.address);
  if (h.dry_run) w.key("dry_run").boolean(true);
  w.key("devices").number(s.devices);
  w.key("connections").number(s.connections);
  w.key("reconnects").number(s.reconnects);
  w.key("passes").number(s.passes);
  w.key("planned").number(h.planned);
  w.key("messages").number(s.messages);
  w.key("bytes").number(s.bytes);
  w.key("unsent").number(s.unsent);
  if (s.restamped > 0) w.key("restamped").number(s.restamped);
  w.key("replies").number(s.replies);
  w.key("reply_errors").number(s.reply_errors);
  w.key("reply_bytes").number(s.reply_bytes);
  w.key("errors").begin_object();
  for (const auto& [code, count] : s.errors) w.key(code).number(count);
  w.end_object();
  if (s.timed && s.lateness.count() > 0) {
    w.key("late_p50_us").number(s.lateness.quantile_us(0.5));
    w.key("late_p99_us").number(s.lateness.quantile_us(0.99));
    w.key("late_max_us").number(s.lateness.max_us());
  }
  if (s.preconnected > 0) {
    w.key("preconnected").number(s.preconnected);
    w.key("connect_s").number(std::round(static_cast<double>(s.connect_ns) / 1e6) / 1000);
  }
  if (s.read_ahead_peak > 0) w.key("read_ahead_peak_kib").number(static_cast<std::uint64_t>((s.read_ahead_peak + 1023) / 1024));
  const double seconds = static_cast<double>(s.elapsed_ns) / 1e9;
  w.key("elapsed_s").number(std::round(seconds * 1000) / 1000);
  const double sending = static_cast<double>(s.last_sent_ns) / 1e9;  // from the start to the last message out
  if (sending > 0 && s.messages > 0)
    w.key("messages_per_s").number(static_cast<std::uint64_t>(std::llround(static_cast<double>(s.messages) / sending)));
  w.key("stopped").string(s.stopped);
  w.end_object();
}

}  // namespace vt106::live
