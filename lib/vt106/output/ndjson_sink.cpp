// Buffered NDJSON output: one record per line, written in 256 KiB blocks (or at once, live).
#include "vt106/output/ndjson_sink.hpp"

#include <cstring>

#include "vt106/output/json.hpp"

namespace vt106::output {

namespace {
// Records go out in blocks of about 256 KiB: few enough write calls that they cost little, small
// enough to stay in the cache while they are written.
constexpr std::size_t flush_threshold = 1 << 18;
}

NdjsonSink::NdjsonSink(std::FILE* out, RecordFilter filter, bool pretty, bool flush_each)
    : FormatSink(std::move(filter)), out_(out), pretty_(pretty), flush_each_(flush_each) {
  block_.resize(flush_threshold * 2);
}

NdjsonSink::~NdjsonSink() { flush(); }

char* NdjsonSink::reserve(std::size_t n) {
  if (block_.size() - used_ < n) {
    flush();
    if (block_.size() < n) block_.resize(n);
  }
  return block_.data() + used_;
}

void NdjsonSink::emit_end(char* end) {
  *end++ = '\n';
  used_ = static_cast<std::size_t>(end - block_.data());
  if (flush_each_ || used_ >= flush_threshold) flush();
}

void NdjsonSink::emit_scratch() {
  if (pretty_) scratch_ = pretty_json(scratch_);
  char* p = reserve(scratch_.size() + 1);
  std::memcpy(p, scratch_.data(), scratch_.size());
  emit_end(p + scratch_.size());
}

void NdjsonSink::message(const RecordContext& ctx, const gotop::Message& msg) {
  if (!gate_.admit(ctx, msg)) return;
  if (pretty_) {
    scratch_.clear();
    append_message_json(scratch_, ctx, msg);
    emit_scratch();
    return;
  }
  char* p = reserve(message_json_bound(ctx, msg) + 1);
  emit_end(write_message_json(p, ctx, msg));
}

void NdjsonSink::error(const RecordContext& ctx, const ErrorRecord& err) {
  if (!gate_.admit(ctx, err)) return;
  scratch_.clear();
  append_error_json(scratch_, ctx, err);
  emit_scratch();
}

void NdjsonSink::flow(const FlowSummary& f) {
  if (!gate_.admit(f)) return;
  scratch_.clear();
  append_flow_json(scratch_, f);
  emit_scratch();
}

void NdjsonSink::foreign(const RecordContext& ctx, const detect::Verdict& v) {
  if (!gate_.admit_foreign()) return;
  scratch_.clear();
  append_foreign_json(scratch_, ctx, v);
  emit_scratch();
}

void NdjsonSink::write_json(std::string_view object) {
  scratch_.assign(object);
  emit_scratch();
}

void NdjsonSink::write_deferred(const DeferredRecord& r, std::string_view imei, std::string_view line) {
  bool admitted = false;
  switch (r.kind) {
    case DeferredRecord::Kind::message: admitted = gate_.admit_message(r.flow, imei, r.event); break;
    case DeferredRecord::Kind::error: admitted = gate_.admit_error(r.flow, imei); break;
    case DeferredRecord::Kind::flow: admitted = gate_.admit_flow(r.flow.value_or(0)); break;
    case DeferredRecord::Kind::foreign: admitted = gate_.admit_foreign(); break;
    case DeferredRecord::Kind::flow_closed: gate_.flow_closed(r.flow.value_or(0)); return;
  }
  if (!admitted) return;
  char* p = reserve(line.size() + 1);
  std::memcpy(p, line.data(), line.size());
  emit_end(p + line.size());
}

void NdjsonSink::flush() {
  if (used_ != 0) {
    std::fwrite(block_.data(), 1, used_, out_);
    used_ = 0;
  }
  std::fflush(out_);
}

}  // namespace vt106::output
