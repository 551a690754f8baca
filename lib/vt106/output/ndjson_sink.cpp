// Buffered NDJSON output: one record per line, written in 64 KiB blocks (or at once, live).
#include "vt106/output/ndjson_sink.hpp"

#include "vt106/output/json.hpp"

namespace vt106::output {

namespace {
constexpr std::size_t flush_threshold = 1 << 16;
}

NdjsonSink::NdjsonSink(std::FILE* out, RecordFilter filter, bool pretty, bool flush_each)
    : FormatSink(std::move(filter)), out_(out), pretty_(pretty), flush_each_(flush_each) {
  buf_.reserve(flush_threshold * 2);
}

NdjsonSink::~NdjsonSink() { flush(); }

void NdjsonSink::message(const RecordContext& ctx, const gotop::Message& msg) {
  if (!gate_.admit(ctx, msg)) return;
  const std::size_t start = buf_.size();
  append_message_json(buf_, ctx, msg);
  if (pretty_) buf_.replace(start, std::string::npos, pretty_json(std::string_view(buf_).substr(start)));
  emit();
}

void NdjsonSink::error(const RecordContext& ctx, const ErrorRecord& err) {
  if (!gate_.admit(ctx, err)) return;
  const std::size_t start = buf_.size();
  append_error_json(buf_, ctx, err);
  if (pretty_) buf_.replace(start, std::string::npos, pretty_json(std::string_view(buf_).substr(start)));
  emit();
}

void NdjsonSink::flow(const FlowSummary& f) {
  if (!gate_.admit(f)) return;
  const std::size_t start = buf_.size();
  append_flow_json(buf_, f);
  if (pretty_) buf_.replace(start, std::string::npos, pretty_json(std::string_view(buf_).substr(start)));
  emit();
}

void NdjsonSink::foreign(const RecordContext& ctx, const detect::Verdict& v) {
  if (!gate_.admit_foreign(ctx)) return;
  const std::size_t start = buf_.size();
  append_foreign_json(buf_, ctx, v);
  if (pretty_) buf_.replace(start, std::string::npos, pretty_json(std::string_view(buf_).substr(start)));
  emit();
}

void NdjsonSink::write_json(std::string_view object) {
  const std::size_t start = buf_.size();
  buf_.append(object);
  if (pretty_) buf_.replace(start, std::string::npos, pretty_json(std::string_view(buf_).substr(start)));
  emit();
}

void NdjsonSink::emit() {
  buf_.push_back('\n');
  if (flush_each_ || buf_.size() >= flush_threshold) flush();
}

void NdjsonSink::flush() {
  if (!buf_.empty()) {
    std::fwrite(buf_.data(), 1, buf_.size(), out_);
    buf_.clear();
  }
  std::fflush(out_);
}

}  // namespace vt106::output
