// --format json: the NDJSON records as one JSON array, one record per line, streamed.
#include "vt106/detect/detect.hpp"
#include "vt106/output/buffered_file.hpp"
#include "vt106/output/format_sinks.hpp"
#include "vt106/output/json.hpp"

namespace vt106::output {

namespace {

class JsonArraySink final : public FormatSink {
 public:
  JsonArraySink(std::FILE* out, FormatOptions o)
      : FormatSink(std::move(o.filter)), file_(out, o.flush_each), pretty_(o.pretty) {}
  ~JsonArraySink() override { finish(); }

  void message(const RecordContext& ctx, const gotop::Message& msg) override {
    if (finished_ || !gate_.admit(ctx, msg)) return;
    const std::size_t start = begin_record();
    append_message_json(file_.text(), ctx, msg);
    end_record(start);
  }
  void error(const RecordContext& ctx, const ErrorRecord& err) override {
    if (finished_ || !gate_.admit(ctx, err)) return;
    const std::size_t start = begin_record();
    append_error_json(file_.text(), ctx, err);
    end_record(start);
  }
  void foreign(const RecordContext& ctx, const detect::Verdict& v) override {
    if (finished_ || !gate_.admit_foreign()) return;
    const std::size_t start = begin_record();
    append_foreign_json(file_.text(), ctx, v);
    end_record(start);
  }
  void flow(const FlowSummary& f) override {
    if (finished_ || !gate_.admit(f)) return;
    const std::size_t start = begin_record();
    append_flow_json(file_.text(), f);
    end_record(start);
  }
  void flush() override { file_.flush(); }
  void finish() override {
    if (finished_) return;
    finished_ = true;
    file_.text() += any_ ? "\n]\n" : "[]\n";
    file_.flush();
  }

 private:
  std::size_t begin_record() {
    file_.text() += any_ ? ",\n" : "[\n";
    any_ = true;
    return file_.text().size();
  }
  void end_record(std::size_t start) {
    std::string& buf = file_.text();
    if (pretty_) buf.replace(start, std::string::npos, pretty_json(std::string_view(buf).substr(start)));
    file_.end_record();
  }

  BufferedFile file_;
  bool pretty_;
  bool any_ = false;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<FormatSink> make_json_sink(std::FILE* out, FormatOptions options) {
  return std::make_unique<JsonArraySink>(out, std::move(options));
}

}  // namespace vt106::output
