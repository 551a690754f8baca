// --format table: aligned columns for a person at a terminal, streamed with fixed widths so that
// live capture shows each record at once; text is escaped so that no record can drive the terminal.
#include "vt106/detect/detect.hpp"
#include <fmt/format.h>

#include "vt106/output/buffered_file.hpp"
#include "vt106/output/format_sinks.hpp"
#include "vt106/output/text_escape.hpp"
#include "vt106/util/time.hpp"

namespace vt106::output {

namespace {

struct Column {
  std::string_view title;
  std::size_t width;
  bool right;  // numbers align right
};
// TIME is the capture time of the packet, FIX TIME the device's time of the fix (both UTC).
constexpr Column columns[] = {
    {"TIME", 20, false}, {"DIR", 4, false},  {"IMEI", 15, false},    {"EVENT", 14, false},
    {"VALID", 5, false}, {"FIX TIME", 20, false}, {"LAT", 11, true}, {"LON", 12, true},
    {"KM/H", 6, true},   {"BAT", 3, true},   {"GSM", 3, true},       {"DETAIL", 0, false},
};
constexpr std::size_t column_count = std::size(columns);

namespace ansi {
constexpr std::string_view bold = "\033[1m", red = "\033[31m", yellow = "\033[33m", reset = "\033[0m";
}

// One row: cells in column order, each padded to its column; colours only when enabled.
class TableRow {
 public:
  TableRow(std::string& out, bool colour) : out_(out), colour_(colour) {}

  void cell(std::string_view text, std::string_view colour = {}) {
    const Column& c = columns[index_++];
    std::string escaped;
    append_terminal_text(escaped, text);
    const std::size_t width = terminal_width(escaped);
    const std::size_t pad = c.width > width ? c.width - width : 0;
    if (index_ > 1) out_ += "  ";
    if (c.right) out_.append(pad, ' ');
    if (colour_ && !colour.empty() && !escaped.empty()) {
      out_ += colour;
      out_ += escaped;
      out_ += ansi::reset;
    } else {
      out_ += escaped;
    }
    if (!c.right && index_ < column_count) out_.append(pad, ' ');
  }
  void empty_until(std::size_t column) {
    while (index_ < column) cell({});
  }
  void end() {
    empty_until(column_count);
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
    out_ += '\n';
  }

 private:
  std::string& out_;
  bool colour_;
  std::size_t index_ = 0;
};

std::string iso_time(std::optional<std::int64_t> seconds) {
  std::string s;
  if (seconds) util::append_iso8601(s, *seconds);
  return s;
}
std::optional<std::int64_t> seconds_of(std::optional<std::int64_t> ns) {
  if (!ns) return std::nullopt;
  return *ns >= 0 ? *ns / 1'000'000'000 : -((-*ns + 999'999'999) / 1'000'000'000);
}
template <class T>
std::string number_text(const std::optional<T>& v, fmt::format_string<const T&> spec) {
  if (!v) return {};
  return fmt::format(spec, *v);
}

class TableSink final : public FormatSink {
 public:
  TableSink(std::FILE* out, FormatOptions o)
      : FormatSink(std::move(o.filter)), file_(out, o.flush_each), colour_(o.colour) {}
  ~TableSink() override { finish(); }

  void message(const RecordContext& ctx, const gotop::Message& m) override {
    if (finished_ || !gate_.admit(ctx, m)) return;
    TableRow row(begin_row(), colour_);
    row.cell(iso_time(seconds_of(ctx.ts_ns)));
    row.cell(gotop::to_string(m.dir));
    row.cell(m.imei);
    row.cell(gotop::to_string(m.event));
    row.cell(!m.valid ? "" : *m.valid ? "yes" : "no", m.valid == false ? ansi::yellow : std::string_view());
    row.cell(iso_time(m.fix_time));
    row.cell(number_text(m.lat, "{:.7f}"));
    row.cell(number_text(m.lon, "{:.7f}"));
    row.cell(number_text(m.speed_kmh, "{:.1f}"));
    row.cell(number_text(m.battery, "{}"));
    row.cell(number_text(m.gsm, "{}"));
    std::string detail(m.type);
    if (!m.summary.empty()) detail += (detail.empty() ? "" : " ") + m.summary;
    row.cell(detail);
    row.end();
    file_.end_record();
  }
  void error(const RecordContext& ctx, const ErrorRecord& e) override {
    if (finished_ || !gate_.admit(ctx, e)) return;
    TableRow row(begin_row(), colour_);
    row.cell(iso_time(seconds_of(ctx.ts_ns)));
    row.cell(e.dir ? gotop::to_string(*e.dir) : std::string_view());
    row.cell(e.imei);
    row.cell("error", ansi::red);
    row.empty_until(column_count - 1);
    std::string detail = fmt::format("{}: {}", e.code, e.message);
    if (!e.raw.empty()) (detail += "  ") += e.raw;
    row.cell(detail, ansi::red);
    row.end();
    file_.end_record();
  }
  void foreign(const RecordContext& ctx, const detect::Verdict& v) override {
    if (finished_ || !gate_.admit_foreign()) return;
    TableRow row(begin_row(), colour_);
    row.cell(iso_time(seconds_of(ctx.ts_ns)));
    row.cell("up");
    row.cell(v.device_id ? std::string_view(v.device_id->value) : std::string_view());
    row.cell("foreign", ansi::red);
    row.empty_until(column_count - 1);
    row.cell(fmt::format("speaks {} (confidence {:.2f}), not GOTOP", v.protocol, v.confidence), ansi::red);
    row.end();
    file_.end_record();
  }
  void flow(const FlowSummary& f) override {
    if (finished_ || !gate_.admit(f)) return;
    TableRow row(begin_row(), colour_);
    row.cell(iso_time(seconds_of(f.last_ns)));
    row.cell({});
    row.cell({});
    row.cell("flow");
    row.empty_until(column_count - 1);
    row.cell(fmt::format("{} {} -> {} (flow {}): {}", f.transport, f.client, f.server, f.flow, describe_flow(f)));
    row.end();
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
      header_written_ = true;
      std::string header;
      TableRow row(header, false);
      for (const auto& c : columns) row.cell(c.title);
      row.end();
      if (colour_) file_.text() += ansi::bold;
      file_.text() += colour_ ? header.substr(0, header.size() - 1) : header;
      if (colour_) (file_.text() += ansi::reset) += '\n';
    }
    return file_.text();
  }

  BufferedFile file_;
  bool colour_;
  bool header_written_ = false;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<FormatSink> make_table_sink(std::FILE* out, FormatOptions options) {
  return std::make_unique<TableSink>(out, std::move(options));
}

}  // namespace vt106::output
