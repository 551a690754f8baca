// NDJSON records formatted by one thread and written by another, in an order decided later:
// decode -j formats each flow's records on the worker that owns the flow, and the writer puts
// every record in the place the single-threaded decoder would have (by the sequence number of
// the event that made it), through the real sink's filters and counters.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/output/record.hpp"

namespace vt106::output {

// One record kept for later: what the filters read of it, and where its line is.
struct DeferredRecord {
  enum class Kind : std::uint8_t { message, error, flow, foreign, flow_closed };
  Kind kind = Kind::message;
  std::uint64_t seq = 0;                // the event it came from
  std::optional<std::uint32_t> flow;
  std::string_view event;               // message: its event name (static storage)
  std::uint32_t imei_at = 0, imei_len = 0;  // in DeferredNdjson::bytes()
  std::uint32_t line_at = 0, line_len = 0;  // the record, without its newline
};

// A record sink that formats NDJSON lines (as NdjsonSink writes them) into memory, each tagged
// with the sequence number set before it.
class DeferredNdjson final : public RecordSink {
 public:
  explicit DeferredNdjson(bool pretty) : pretty_(pretty) {}

  void set_seq(std::uint64_t seq) { seq_ = seq; }
  void message(const RecordContext& ctx, const gotop::Message& msg) override;
  void error(const RecordContext& ctx, const ErrorRecord& err) override;
  void flow(const FlowSummary& f) override;
  void foreign(const RecordContext& ctx, const detect::Verdict& v) override;
  void flow_closed(std::uint32_t flow) override;

  const std::vector<DeferredRecord>& records() const { return records_; }
  std::string_view imei(const DeferredRecord& r) const { return {bytes_.get() + r.imei_at, r.imei_len}; }
  std::string_view line(const DeferredRecord& r) const { return {bytes_.get() + r.line_at, r.line_len}; }
  void clear() {
    records_.clear();
    size_ = 0;
  }

 private:
  DeferredRecord& add(DeferredRecord::Kind kind, std::optional<std::uint32_t> flow, std::string_view imei);
  // Room for n more bytes at bytes_ + size_ (not zero-filled: records are written over it).
  char* room(std::size_t n);
  void append(std::string_view s);
  // The record built in scratch_ (by the append_*_json functions) as the line of `r`.
  void end_scratch(DeferredRecord& r);

  bool pretty_;
  std::uint64_t seq_ = 0;
  std::vector<DeferredRecord> records_;
  std::unique_ptr<char[]> bytes_;
  std::size_t size_ = 0, capacity_ = 0;
  std::string scratch_;
};

}  // namespace vt106::output
