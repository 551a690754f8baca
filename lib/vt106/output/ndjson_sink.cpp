// Buffered NDJSON output with record filters; a flow's errors follow its device's filter.
#include "vt106/output/ndjson_sink.hpp"

#include "vt106/output/json.hpp"

namespace vt106::output {

namespace {
constexpr std::size_t flush_threshold = 1 << 16;
}

NdjsonSink::NdjsonSink(std::FILE* out, RecordFilter filter, bool pretty, bool flush_each)
    : out_(out), filter_(std::move(filter)), pretty_(pretty), flush_each_(flush_each) {
  buf_.reserve(flush_threshold * 2);
}

NdjsonSink::~NdjsonSink() { flush(); }

bool NdjsonSink::keep_imei(const RecordContext& ctx, std::string_view imei) const {
  if (filter_.imeis.empty()) return true;
  if (!imei.empty()) return filter_.imeis.count(imei) > 0;
  if (ctx.flow) {
    auto it = flow_imei_.find(*ctx.flow);
    return it != flow_imei_.end() && filter_.imeis.count(it->second) > 0;
  }
  return false;
}

void NdjsonSink::message(const RecordContext& ctx, const gotop::Message& msg) {
  ++counters_.messages;
  if (!msg.imei.empty() && msg.imei != last_imei_) {
    last_imei_ = msg.imei;
    if (devices_.find(msg.imei) == devices_.end()) {
      if (devices_.size() < max_counted_devices) devices_.emplace(msg.imei);
      else devices_capped_ = true;
    }
    // A flow's errors carry no identifier: remember whose flow it is for --imei.
    if (!filter_.imeis.empty() && ctx.flow && !flow_imei_.count(*ctx.flow))
      flow_imei_.emplace(*ctx.flow, std::string(msg.imei));
  }
  if (!keep_imei(ctx, msg.imei)) return;
  if (!filter_.events.empty() && !filter_.events.count(gotop::to_string(msg.event))) return;
  if (done()) return;
  ++counters_.messages_written;
  const std::size_t start = buf_.size();
  append_message_json(buf_, ctx, msg);
  if (pretty_) buf_.replace(start, std::string::npos, pretty_json(std::string_view(buf_).substr(start)));
  emit();
}

void NdjsonSink::error(const RecordContext& ctx, const ErrorRecord& err) {
  ++counters_.errors;
  if (!filter_.errors || !keep_imei(ctx, err.imei)) return;
  if (!filter_.events.empty() && !filter_.events.count("error")) return;
  const std::size_t start = buf_.size();
  append_error_json(buf_, ctx, err);
  if (pretty_) buf_.replace(start, std::string::npos, pretty_json(std::string_view(buf_).substr(start)));
  emit();
}

void NdjsonSink::flow(const FlowSummary& f) {
  ++counters_.flows;
  if (!filter_.imeis.empty()) {
    auto it = flow_imei_.find(f.flow);
    if (it == flow_imei_.end() || !filter_.imeis.count(it->second)) return;
  }
  const std::size_t start = buf_.size();
  append_flow_json(buf_, f);
  if (pretty_) buf_.replace(start, std::string::npos, pretty_json(std::string_view(buf_).substr(start)));
  emit();
}

void NdjsonSink::flow_closed(std::uint32_t flow) { flow_imei_.erase(flow); }

void NdjsonSink::emit() {
  buf_.push_back('\n');
  ++counters_.written;
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
