// NDJSON lines formatted now, written later (decode -j).
#include "vt106/output/deferred_ndjson.hpp"

#include <cstring>

#include "vt106/output/json.hpp"

namespace vt106::output {

char* DeferredNdjson::room(std::size_t n) {
  if (capacity_ - size_ < n) {
    const std::size_t capacity = std::max(capacity_ * 2, size_ + n + 4096);
    std::unique_ptr<char[]> bigger(new char[capacity]);  // not zero-filled: written over
    if (size_) std::memcpy(bigger.get(), bytes_.get(), size_);
    bytes_ = std::move(bigger);
    capacity_ = capacity;
  }
  return bytes_.get() + size_;
}

void DeferredNdjson::append(std::string_view s) {
  if (s.empty()) return;
  std::memcpy(room(s.size()), s.data(), s.size());
  size_ += s.size();
}

DeferredRecord& DeferredNdjson::add(DeferredRecord::Kind kind, std::optional<std::uint32_t> flow,
                                    std::string_view imei) {
  DeferredRecord& r = records_.emplace_back();
  r.kind = kind;
  r.seq = seq_;
  r.flow = flow;
  r.imei_at = static_cast<std::uint32_t>(size_);
  r.imei_len = static_cast<std::uint32_t>(imei.size());
  append(imei);
  r.line_at = static_cast<std::uint32_t>(size_);
  return r;
}

void DeferredNdjson::end_scratch(DeferredRecord& r) {
  if (pretty_) scratch_ = pretty_json(scratch_);
  append(scratch_);
  r.line_len = static_cast<std::uint32_t>(size_ - r.line_at);
}

void DeferredNdjson::message(const RecordContext& ctx, const gotop::Message& msg) {
  DeferredRecord& r = add(DeferredRecord::Kind::message, ctx.flow, msg.imei);
  r.event = gotop::to_string(msg.event);
  if (pretty_) {
    scratch_.clear();
    append_message_json(scratch_, ctx, msg);
    end_scratch(r);
    return;
  }
  char* begin = room(message_json_bound(ctx, msg));
  const char* end = write_message_json(begin, ctx, msg);
  size_ += static_cast<std::size_t>(end - begin);
  r.line_len = static_cast<std::uint32_t>(size_ - r.line_at);
}

void DeferredNdjson::error(const RecordContext& ctx, const ErrorRecord& err) {
  DeferredRecord& r = add(DeferredRecord::Kind::error, ctx.flow, err.imei);
  scratch_.clear();
  append_error_json(scratch_, ctx, err);
  end_scratch(r);
}

void DeferredNdjson::flow(const FlowSummary& f) {
  DeferredRecord& r = add(DeferredRecord::Kind::flow, f.flow, {});
  scratch_.clear();
  append_flow_json(scratch_, f);
  end_scratch(r);
}

void DeferredNdjson::foreign(const RecordContext& ctx, const detect::Verdict& v) {
  DeferredRecord& r = add(DeferredRecord::Kind::foreign, ctx.flow, {});
  scratch_.clear();
  append_foreign_json(scratch_, ctx, v);
  end_scratch(r);
}

void DeferredNdjson::flow_closed(std::uint32_t flow) {
  DeferredRecord& r = add(DeferredRecord::Kind::flow_closed, flow, {});
  r.line_len = 0;
}

}  // namespace vt106::output
