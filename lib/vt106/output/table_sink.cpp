// --format table: aligned columns for a person at a terminal, streamed with fixed widths so that
// live capture shows each record at once; text is escaped so that no record can drive the terminal.
#include <array>

#include "vt106/detect/detect.hpp"
#include <fmt/format.h>

#include "vt106/output/buffered_file.hpp"
#include "vt106/output/format_sinks.hpp"
#include "vt106/output/text_escape.hpp"
#include "vt106/util/time.hpp"

namespace vt106::output {

namespace {

struct Column {
  std::string_view title, name;  // name: as --columns says it
  std::size_t width;
  bool right;  // numbers align right
};
// TIME is the capture time of the packet, FIX TIME the device's time of the fix (both UTC).
constexpr Column columns[] = {
    {"TIME", "time", 20, false},  {"DIR", "dir", 4, false},   {"IMEI", "imei", 15, false},
    {"EVENT", "event", 14, false}, {"VALID", "valid", 5, false}, {"FIX TIME", "fix_time", 20, false},
    {"LAT", "lat", 11, true},     {"LON", "lon", 12, true},   {"KM/H", "kmh", 6, true},
    {"BAT", "bat", 3, true},      {"GSM", "gsm", 3, true},    {"DETAIL", "detail", 0, false},
};
constexpr std::size_t column_count = std::size(columns);
constexpr std::size_t detail_column = column_count - 1;
// Which columns a narrow terminal keeps, most useful first, LAT and LON together (DETAIL always,
// last on the line); a group that does not fit is left out and the next ones are tried.
struct Group {
  std::size_t first, count;
};
constexpr Group keep_order[] = {{3, 1}, {2, 1}, {0, 1}, {6, 2}, {5, 1}, {4, 1}, {8, 1}, {1, 1}, {9, 1}, {10, 1}};
constexpr std::size_t detail_room = 16;  // what DETAIL is given at least before a column is added

namespace ansi {
constexpr std::string_view bold = "\033[1m", red = "\033[31m", yellow = "\033[33m", reset = "\033[0m";
}

// The columns shown and the width DETAIL may take.
struct Layout {
  std::array<bool, column_count> shown{};
  std::size_t detail_width = 0;  // 0: no limit
};

Layout layout_for(const FormatOptions& o) {
  Layout l;
  if (!o.columns.empty()) {
    for (const auto& name : o.columns)
      for (std::size_t i = 0; i < column_count; ++i)
        if (columns[i].name == name) l.shown[i] = true;
  } else if (o.width == 0) {
    l.shown.fill(true);
  } else {
    std::size_t used = 0;
    for (const Group& g : keep_order) {
      std::size_t need = 0;
      for (std::size_t i = g.first; i < g.first + g.count; ++i) need += columns[i].width + 2;
      if (used + need + detail_room > o.width) continue;
      for (std::size_t i = g.first; i < g.first + g.count; ++i) l.shown[i] = true;
      used += need;
    }
    l.shown[detail_column] = true;
  }
  if (o.width > 0 && l.shown[detail_column]) {
    std::size_t used = 0;
    for (std::size_t i = 0; i < detail_column; ++i)
      if (l.shown[i]) used += columns[i].width + 2;
    l.detail_width = o.width > used + 8 ? o.width - used : 8;
  }
  return l;
}

// One row: cells in column order, each padded to its column, the hidden ones left out, DETAIL cut
// to the width left (ending in ">"); colours only when enabled.
class TableRow {
 public:
  TableRow(std::string& out, const Layout& layout, bool colour) : out_(out), layout_(layout), colour_(colour) {}

  void cell(std::string_view text, std::string_view colour = {}) {
    const std::size_t index = index_++;
    if (!layout_.shown[index]) return;
    const Column& c = columns[index];
    std::string escaped;
    append_terminal_text(escaped, text);
    std::size_t width = terminal_width(escaped);
    if (index == detail_column && layout_.detail_width > 0 && width > layout_.detail_width) {
      escaped = cut_to_width(escaped, layout_.detail_width - 1) + ">";
      width = layout_.detail_width;
    }
    const std::size_t pad = c.width > width ? c.width - width : 0;
    if (written_++ > 0) out_ += "  ";
    if (c.right) out_.append(pad, ' ');
    if (colour_ && !colour.empty() && !escaped.empty()) {
      out_ += colour;
      out_ += escaped;
      out_ += ansi::reset;
    } else {
      out_ += escaped;
    }
    if (!c.right && index + 1 < column_count) out_.append(pad, ' ');
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
  // The longest start of an escaped text that takes at most `width` columns.
  static std::string cut_to_width(const std::string& s, std::size_t width) {
    std::size_t end = 0;
    while (end < s.size()) {
      std::size_t next = end + 1;
      while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xc0) == 0x80) ++next;  // UTF-8
      if (terminal_width(std::string_view(s).substr(0, next)) > width) break;
      end = next;
    }
    return s.substr(0, end);
  }

  std::string& out_;
  const Layout& layout_;
  bool colour_;
  std::size_t index_ = 0, written_ = 0;
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
      : FormatSink(std::move(o.filter)), file_(out, o.flush_each), colour_(o.colour), layout_(layout_for(o)) {}
  ~TableSink() override { finish(); }

  void message(const RecordContext& ctx, const gotop::Message& m) override {
    if (finished_ || !gate_.admit(ctx, m)) return;
    TableRow row(begin_row(), layout_, colour_);
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
    TableRow row(begin_row(), layout_, colour_);
    row.cell(iso_time(seconds_of(ctx.ts_ns)));
    row.cell(e.dir ? gotop::to_string(*e.dir) : std::string_view());
    row.cell(e.imei);
    row.cell("error", ansi::red);
    row.empty_until(detail_column);
    std::string detail = fmt::format("{}: {}", e.code, e.message);
    if (!e.raw.empty()) (detail += "  ") += e.raw;
    row.cell(detail, ansi::red);
    row.end();
    file_.end_record();
  }
  void foreign(const RecordContext& ctx, const detect::Verdict& v) override {
    if (finished_ || !gate_.admit_foreign()) return;
    TableRow row(begin_row(), layout_, colour_);
    row.cell(iso_time(seconds_of(ctx.ts_ns)));
    row.cell("up");
    row.cell(v.device_id ? std::string_view(v.device_id->value) : std::string_view());
    row.cell("foreign", ansi::red);
    row.empty_until(detail_column);
    row.cell(fmt::format("speaks {} (confidence {:.2f}), not GOTOP", v.protocol, v.confidence), ansi::red);
    row.end();
    file_.end_record();
  }
  void flow(const FlowSummary& f) override {
    if (finished_ || !gate_.admit(f)) return;
    TableRow row(begin_row(), layout_, colour_);
    row.cell(iso_time(seconds_of(f.last_ns)));
    row.cell({});
    row.cell({});
    row.cell("flow");
    row.empty_until(detail_column);
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
      TableRow row(header, layout_, false);
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
  Layout layout_;
  bool header_written_ = false;
  bool finished_ = false;
};

}  // namespace

std::vector<std::string> table_column_names() {
  std::vector<std::string> out;
  for (const auto& c : columns) out.emplace_back(c.name);
  return out;
}

std::unique_ptr<FormatSink> make_table_sink(std::FILE* out, FormatOptions options) {
  return std::make_unique<TableSink>(out, std::move(options));
}

}  // namespace vt106::output
