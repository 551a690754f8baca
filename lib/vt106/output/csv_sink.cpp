// --format csv: RFC 4180, a fixed header (its columns are a public interface, man vt106-decode)
// and one row per record; nested and list fields (cell, wifi, ble, flags, extra) stay in JSON.
#include <fmt/format.h>

#include "vt106/detect/detect.hpp"
#include <charconv>

#include "vt106/output/buffered_file.hpp"
#include "vt106/output/format_sinks.hpp"
#include "vt106/output/text_escape.hpp"
#include "vt106/util/time.hpp"

namespace vt106::output {

namespace {

constexpr std::string_view csv_header =
    "kind,ts,dir,transport,src,dst,flow,offset,imei,type,event,command,valid,fix_time,lat,lon,speed_kmh,course,"
    "altitude_m,hdop,satellites,battery,gsm,status,code,detail,raw,raw_hex";

// Writes one row field by field, in header order; every field must be written (empty or not).
class CsvRow {
 public:
  explicit CsvRow(std::string& out) : out_(out) {}
  ~CsvRow() { out_ += "\r\n"; }
  CsvRow(const CsvRow&) = delete;
  CsvRow& operator=(const CsvRow&) = delete;

  void text(std::string_view s) {
    separate();
    append_csv_field(out_, s);
  }
  bool text_checked(std::string_view s) {
    separate();
    return append_csv_field(out_, s);
  }
  void empty() { separate(); }
  void number(std::uint64_t v) {
    separate();
    char buf[24];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  }
  template <class T>
  void optional_number(const std::optional<T>& v) {
    separate();
    if (!v) return;
    if constexpr (std::is_floating_point_v<T>) {
      append_number(out_, *v);
    } else {
      char buf[24];
      out_.append(buf, std::to_chars(buf, buf + sizeof buf, *v).ptr);
    }
  }
  void time(std::optional<std::int64_t> seconds) {
    separate();
    if (seconds) util::append_iso8601(out_, *seconds);
  }
  void time_us(std::optional<std::int64_t> ns) {
    separate();
    if (ns) util::append_iso8601_us(out_, *ns);
  }
  // raw, then raw_hex when raw could not carry the exact bytes.
  void raw(std::string_view bytes) {
    const bool clean = text_checked(bytes);
    separate();
    if (clean) return;
    static constexpr char digits[] = "0123456789abcdef";
    for (char ch : bytes) {
      const auto c = static_cast<unsigned char>(ch);
      out_.push_back(digits[c >> 4]);
      out_.push_back(digits[c & 15]);
    }
  }

 private:
  void separate() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

// ts, dir, transport, src, dst, flow, offset
void write_context(CsvRow& row, const RecordContext& ctx, std::optional<gotop::Direction> dir) {
  row.time_us(ctx.ts_ns);
  row.text(dir ? gotop::to_string(*dir) : std::string_view());
  row.text(ctx.transport);
  row.text(ctx.src);
  row.text(ctx.dst);
  row.optional_number(ctx.flow);
  row.optional_number(ctx.offset);
}

class CsvSink final : public FormatSink {
 public:
  CsvSink(std::FILE* out, FormatOptions o) : FormatSink(std::move(o.filter)), file_(out, o.flush_each) {}
  ~CsvSink() override { finish(); }

  void message(const RecordContext& ctx, const gotop::Message& m) override {
    if (finished_ || !gate_.admit(ctx, m)) return;
    {
      CsvRow row(begin_row());
      row.text("message");
      write_context(row, ctx, m.dir);
      row.text(m.imei);
      row.text(m.type);
      row.text(gotop::to_string(m.event));
      row.text(m.command);
      row.text(!m.valid ? "" : *m.valid ? "true" : "false");
      row.time(m.fix_time);
      row.optional_number(m.lat);
      row.optional_number(m.lon);
      row.optional_number(m.speed_kmh);
      row.optional_number(m.course);
      row.optional_number(m.altitude_m);
      row.optional_number(m.hdop);
      row.optional_number(m.satellites);
      row.optional_number(m.battery);
      row.optional_number(m.gsm);
      row.text(m.status);
      row.empty();  // code
      row.text(m.summary);
      row.raw(m.raw);
    }
    file_.end_record();
  }
  void error(const RecordContext& ctx, const ErrorRecord& e) override {
    if (finished_ || !gate_.admit(ctx, e)) return;
    {
      CsvRow row(begin_row());
      row.text("error");
      write_context(row, ctx, e.dir);
      row.text(e.imei);
      row.text(e.type);
      for (int i = 0; i < 14; ++i) row.empty();  // event … status
      row.text(e.code);
      row.text(e.message);
      row.raw(e.raw);
    }
    file_.end_record();
  }
  void foreign(const RecordContext& ctx, const detect::Verdict& v) override {
    if (finished_ || !gate_.admit_foreign()) return;
    {
      CsvRow row(begin_row());
      row.text("foreign");
      write_context(row, ctx, std::nullopt);
      row.text(v.device_id ? std::string_view(v.device_id->value) : std::string_view());
      row.text(v.protocol);
      for (int i = 0; i < 14; ++i) row.empty();  // event … status
      row.text("foreign");
      const std::string what = fmt::format("speaks {} (confidence {:.2f})", v.protocol, v.confidence);
      row.text(what);
      row.raw(std::string_view());  // raw and raw_hex
    }
    file_.end_record();
  }
  void flow(const FlowSummary& f) override {
    if (finished_ || !gate_.admit(f)) return;
    {
      CsvRow row(begin_row());
      row.text("flow");
      row.time_us(f.last_ns);
      row.empty();  // dir
      row.text(f.transport);
      row.text(f.client);
      row.text(f.server);
      row.number(f.flow);
      for (int i = 0; i < 18; ++i) row.empty();  // offset … code
      row.text(describe_flow(f));
      row.empty();  // raw
      row.empty();  // raw_hex
    }
    file_.end_record();
  }
  void flush() override { file_.flush(); }
  void finish() override {
    if (finished_) return;
    begin_row();  // the header, even when no record came
    finished_ = true;
    file_.flush();
  }

 private:
  std::string& begin_row() {
    if (!header_written_) {
      file_.text() += csv_header;
      file_.text() += "\r\n";
      header_written_ = true;
    }
    return file_.text();
  }

  BufferedFile file_;
  bool header_written_ = false;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<FormatSink> make_csv_sink(std::FILE* out, FormatOptions options) {
  return std::make_unique<CsvSink>(out, std::move(options));
}

}  // namespace vt106::output
