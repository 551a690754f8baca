// The NDJSON record format: field names and order are a public interface (man vt106-decode).
#include "vt106/output/json.hpp"
#include "vt106/output/record.hpp"
#include "vt106/output/verdict_json.hpp"
#include "vt106/util/time.hpp"

namespace vt106::output {

namespace {

void write_context(JsonWriter& w, const RecordContext& ctx) {
  if (!ctx.input_label.empty()) w.key("input").string(ctx.input_label);
  if (ctx.ts_ns) w.key("ts").timestamp_us(*ctx.ts_ns);
  if (!ctx.endpoints_json.empty()) {
    w.key("transport").raw_value(ctx.endpoints_json);
  } else {
    if (!ctx.transport.empty()) w.key("transport").string(ctx.transport);
    if (!ctx.src.empty()) w.key("src").string(ctx.src);
    if (!ctx.dst.empty()) w.key("dst").string(ctx.dst);
    if (ctx.flow) w.key("flow").number(static_cast<std::uint64_t>(*ctx.flow));
  }
  if (ctx.offset) w.key("offset").number(*ctx.offset);
  if (ctx.line) w.key("line").number(*ctx.line);
}

void write_raw(JsonWriter& w, std::string_view raw) {
  w.key("raw");
  if (!w.string_checked(raw)) w.key("raw_hex").hex_string(raw);
}



void opt_string(JsonWriter& w, std::string_view name, std::string_view v) {
  if (!v.empty()) w.key(name).string(v);
}

}  // namespace

std::string endpoints_json(std::string_view transport, std::string_view src, std::string_view dst,
                           std::uint32_t flow) {
  // The value of "transport" and the keys after it, as write_context would write them.
  std::string out;
  {
    JsonWriter w(out);
    w.string(transport);
    if (!src.empty()) w.key("src").string(src);  // a log may not name the platform's address
    if (!dst.empty()) w.key("dst").string(dst);
    w.key("flow").number(static_cast<std::uint64_t>(flow));
  }
  return out;
}

void append_error_json(std::string& out, const RecordContext& ctx, const ErrorRecord& e) {
  JsonWriter w(out);
  w.begin_object();
  w.key("kind").string("error");
  opt_string(w, "protocol", e.protocol);
  if (e.dir) w.key("dir").string(gotop::to_string(*e.dir));
  write_context(w, ctx);
  if (ctx.column) w.key("column").number(*ctx.column);
  if (e.packet) w.key("packet").number(*e.packet);
  opt_string(w, "imei", e.imei);
  opt_string(w, "type", e.type);
  w.key("code").string(e.code);
  w.key("message").string(e.message);
  if (e.length) w.key("length").number(*e.length);
  if (e.dropped) w.key("dropped").number(*e.dropped);
  if (!e.raw.empty()) write_raw(w, e.raw);
  w.end_object();
}

void append_flow_json(std::string& out, const FlowSummary& f) {
  JsonWriter w(out);
  w.begin_object();
  w.key("kind").string("flow");
  opt_string(w, "input", f.input);
  w.key("flow").number(static_cast<std::uint64_t>(f.flow));
  w.key("transport").string(f.transport);
  w.key("client").string(f.client);
  opt_string(w, "server", f.server);  // a log may not name the platform's address
  opt_string(w, "client_rule", f.client_rule);
  w.key("first_ts").timestamp_us(f.first_ns);
  w.key("last_ts").timestamp_us(f.last_ns);
  w.key("packets_up").number(f.packets_up);
  w.key("packets_down").number(f.packets_down);
  w.key("bytes_up").number(f.bytes_up);
  w.key("bytes_down").number(f.bytes_down);
  w.key("messages").number(f.messages);
  w.key("errors").number(f.errors);
  w.key("gaps").number(f.gaps);
  w.key("bytes_missing").number(f.bytes_missing);
  opt_string(w, "protocol", f.protocol);
  opt_string(w, "imeis", f.imeis);
  opt_string(w, "close", f.close_reason);
  w.end_object();
}

}  // namespace vt106::output

namespace vt106::output {

void append_foreign_json(std::string& out, const RecordContext& ctx, const detect::Verdict& v) {
  JsonWriter w(out);
  w.begin_object();
  w.key("kind").raw_value("\"foreign\"");
  write_context(w, ctx);
  opt_string(w, "platform_protocol", ctx.platform_protocol);
  write_verdict_fields(w, v);
  w.end_object();
}

}  // namespace vt106::output
