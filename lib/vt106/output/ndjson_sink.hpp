// The record sink behind decode, capture and listen: filters, then NDJSON to a FILE*.
#pragma once

#include <cstdio>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vt106/output/record.hpp"

namespace vt106::output {

struct RecordFilter {
  std::set<std::string, std::less<>> imeis;   // empty: every device
  std::set<std::string, std::less<>> events;  // empty: every event; "error" selects error records
  bool errors = true;                         // write error records
};

// Distinct device identifiers counted for summaries; past this many the count is a lower bound,
// so that a stream of made-up identifiers cannot grow memory without end.
inline constexpr std::size_t max_counted_devices = 1 << 17;

struct SinkCounters {
  std::uint64_t messages = 0, errors = 0, flows = 0;  // records received
  std::uint64_t written = 0, messages_written = 0;    // records that passed the filters
};

class NdjsonSink final : public RecordSink {
 public:
  // `flush_each`: flush after every record (live capture, pipes that must see records at once).
  NdjsonSink(std::FILE* out, RecordFilter filter = {}, bool pretty = false, bool flush_each = false);
  ~NdjsonSink() override;
  NdjsonSink(const NdjsonSink&) = delete;
  NdjsonSink& operator=(const NdjsonSink&) = delete;

  void message(const RecordContext& ctx, const gotop::Message& msg) override;
  void error(const RecordContext& ctx, const ErrorRecord& err) override;
  void flow(const FlowSummary& f) override;
  void flow_closed(std::uint32_t flow) override;
  void flush();
  // Writes at most `n` message records (capture -c); done() tells when they are out.
  void limit_messages(std::uint64_t n) { max_messages_ = n; }
  bool done() const { return max_messages_ != 0 && counters_.messages_written >= max_messages_; }

  const SinkCounters& counters() const { return counters_; }
  std::size_t device_count() const { return devices_.size(); }
  bool device_count_capped() const { return devices_capped_; }  // more than max_counted_devices seen
  std::size_t flows_tracked() const { return flow_imei_.size(); }  // open flows whose device is known

 private:
  void emit();
  bool keep_imei(const RecordContext& ctx, std::string_view imei) const;

  std::FILE* out_;
  RecordFilter filter_;
  bool pretty_;
  bool flush_each_;
  std::string buf_;
  std::uint64_t max_messages_ = 0;
  SinkCounters counters_;
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, StringHash, std::equal_to<>> devices_;  // identifiers seen, up to the cap
  bool devices_capped_ = false;
  std::string last_imei_;  // most messages come from the device before: skip the set
  std::unordered_map<std::uint32_t, std::string> flow_imei_;  // first identifier per open flow (--imei)
};

}  // namespace vt106::output
