// Which records reach the output (--imei, --event, --no-errors, capture -c) and what was seen,
// shared by every output format; inline because NDJSON output calls it once per record.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <cstring>
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
  std::uint64_t left_out = 0;  // passed the filters but the format has no place for them (maps: no position)
};

// Applies a RecordFilter and counts records and devices. A flow's errors and its summary carry no
// identifier of their own: they follow the first device seen on the flow.
class RecordGate {
 public:
  explicit RecordGate(RecordFilter filter = {}) : filter_(std::move(filter)) {}

  // Each counts the record and returns whether it is to be written.
  bool admit(const RecordContext& ctx, const gotop::Message& msg) {
    return admit_message(ctx.flow, msg.imei, gotop::to_string(msg.event));
  }
  bool admit(const RecordContext& ctx, const ErrorRecord& err) { return admit_error(ctx.flow, err.imei); }
  // The same decisions from the parts of a record that they read (records formatted by
  // another thread: decode -j).
  bool admit_message(std::optional<std::uint32_t> flow, std::string_view imei, std::string_view event) {
    ++counters_.messages;
    if (!imei.empty() && (count_devices_ || !filter_.imeis.empty()) && (imei != last_imei_ || flow != last_flow_))
      note_device(flow, imei);
    const bool imei_ok = keep_imei(flow, imei);
    if (!filter_.imeis.empty() && imei_ok) note_imei_hit(flow, imei);
    const bool event_ok = filter_.events.empty() || filter_.events.count(event) > 0;
    if (!filter_.events.empty()) note_event(event, event_ok);
    if (!imei_ok) return false;
    if (!event_ok) return false;
    if (done()) return false;
    ++counters_.messages_written;
    ++counters_.written;
    return true;
  }
  bool admit_error(std::optional<std::uint32_t> flow, std::string_view imei) {
    ++counters_.errors;
    const bool imei_ok = keep_imei(flow, imei);
    if (!filter_.imeis.empty() && imei_ok && filter_.errors) note_imei_hit(flow, imei);
    if (!filter_.events.empty() && filter_.errors) note_event("error", filter_.events.count("error") > 0);
    if (!filter_.errors || !imei_ok) return false;
    if (!filter_.events.empty() && !filter_.events.count("error")) return false;
    ++counters_.written;
    return true;
  }
  // A flow in another protocol: counted with the errors; it has no GOTOP identifier, so --imei
  // leaves it out, and --event selects it as "foreign" (or "error").
  bool admit_foreign() {
    ++counters_.errors;
    if (!filter_.events.empty() && filter_.errors)
      note_event("foreign", filter_.events.count("foreign") > 0 || filter_.events.count("error") > 0);
    if (!filter_.errors || !filter_.imeis.empty()) return false;
    if (!filter_.events.empty() && !filter_.events.count("foreign") && !filter_.events.count("error")) return false;
    ++counters_.written;
    return true;
  }
  bool admit(const FlowSummary& f) { return admit_flow(f.flow); }
  bool admit_flow(std::uint32_t flow) {
    ++counters_.flows;
    if (!filter_.imeis.empty()) {
      auto it = flow_imei_.find(flow);
      if (it == flow_imei_.end() || !filter_.imeis.count(it->second)) return false;
    }
    ++counters_.written;
    return true;
  }
  // Whether to count distinct devices (device_count()); off when nobody will read the count,
  // which saves a set lookup per message.
  void count_devices(bool on) { count_devices_ = on; }
  // A record that passed but that the format cannot show.
  void left_out() { ++counters_.left_out; }

  // Lets at most `n` message records through (capture -c); done() tells when they are out.
  void limit_messages(std::uint64_t n) { max_messages_ = n; }
  bool done() const { return max_messages_ != 0 && counters_.messages_written >= max_messages_; }

  const SinkCounters& counters() const { return counters_; }
  // What the --imei and --event values let through: one sentence for each value that matched no
  // record (with the values seen closest to it), and one when each matched but never together.
  // Empty when every filter found something, or when there is no filter.
  std::vector<std::string> unmatched_filters() const;
  std::size_t device_count() const { return devices_.size(); }
  bool device_count_capped() const { return devices_capped_; }  // more than max_counted_devices seen
  std::size_t flows_tracked() const { return flow_imei_.size(); }  // open flows whose device is known
  // The flow ended: its device need not be remembered any more.
  void flow_closed(std::uint32_t flow) { flow_imei_.erase(flow); }

 private:
  void note_device(std::optional<std::uint32_t> flow, std::string_view imei) {
    last_imei_ = imei;
    last_flow_ = flow;
    if ((count_devices_ || !filter_.imeis.empty()) && devices_.find(imei) == devices_.end()) {
      if (devices_.size() < max_counted_devices) devices_.emplace(imei);
      else devices_capped_ = true;
    }
    if (!filter_.imeis.empty() && flow && !flow_imei_.count(*flow)) flow_imei_.emplace(*flow, imei);
  }
  void note_imei_hit(std::optional<std::uint32_t> flow, std::string_view imei) {
    if (imei.empty() && flow) {
      const auto it = flow_imei_.find(*flow);
      if (it != flow_imei_.end()) imei = it->second;
    }
    if (!imei.empty() && imeis_hit_.size() < filter_.imeis.size() && !imeis_hit_.count(imei)) imeis_hit_.emplace(imei);
  }
  void note_event(std::string_view event, bool wanted) {
    if (!events_seen_.count(event)) events_seen_.emplace(event);
    if (wanted && !events_hit_.count(event)) events_hit_.emplace(event);
  }
  bool keep_imei(std::optional<std::uint32_t> flow, std::string_view imei) const {
    if (filter_.imeis.empty()) return true;
    if (!imei.empty()) return filter_.imeis.count(imei) > 0;
    if (flow) {
      auto it = flow_imei_.find(*flow);
      return it != flow_imei_.end() && filter_.imeis.count(it->second) > 0;
    }
    return false;
  }

  struct StringHash {
    using is_transparent = void;
    // Identifiers are short digit strings: two overlapping words and a multiply mix them well
    // enough for a set, at a fraction of the library's byte hash.
    std::size_t operator()(std::string_view s) const {
      if (s.size() < 8 || s.size() > 16) return std::hash<std::string_view>{}(s);
      std::uint64_t a, b;
      std::memcpy(&a, s.data(), 8);
      std::memcpy(&b, s.data() + s.size() - 8, 8);
      const std::uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ULL) ^ s.size()) * 0xbf58476d1ce4e5b9ULL;
      return static_cast<std::size_t>(h ^ (h >> 31));
    }
  };
  RecordFilter filter_;
  std::uint64_t max_messages_ = 0;
  SinkCounters counters_;
  std::unordered_set<std::string, StringHash, std::equal_to<>> devices_;  // identifiers seen, up to the cap
  bool devices_capped_ = false;
  bool count_devices_ = true;
  std::string last_imei_;  // most messages come from the device and flow before: skip the sets
  std::optional<std::uint32_t> last_flow_;
  std::unordered_map<std::uint32_t, std::string> flow_imei_;  // first identifier seen per flow
  // With --imei or --event: the values that let a record through, and the events seen.
  std::set<std::string, std::less<>> imeis_hit_, events_hit_, events_seen_;
};

}  // namespace vt106::output
