// Due times and rewritten bytes of every message of every pass.
#include "vt106/live/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "vt106/live/rewrite.hpp"
#include "vt106/util/text.hpp"

namespace vt106::live {

namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;
// Pause between two passes over a capture, in capture time: the last message of a pass and
// the first of the next are never sent as one burst.
constexpr std::int64_t pass_pause_ns = ns_per_s;
// With --rate, how long before its first message a connection opens.
constexpr std::int64_t rate_connect_lead_ns = ns_per_s;
// The latest a message can be due (a century): a damaged capture's absurd times are held to it,
// so that no sum of a due time and a clock reading overflows.
constexpr std::int64_t max_due_ns = std::int64_t{100} * 365 * 86'400 * ns_per_s;

// b - a, held to [0, max_due_ns] (exact when it is in range; no overflow when it is not).
std::int64_t capture_span(std::int64_t a, std::int64_t b) {
  std::int64_t span = 0;
  if (__builtin_sub_overflow(b, a, &span)) return b > a ? max_due_ns : 0;
  return std::clamp<std::int64_t>(span, 0, max_due_ns);
}

std::int64_t floor_seconds(std::int64_t ns) {
  std::int64_t s = ns / ns_per_s;
  if (ns % ns_per_s != 0 && ns < 0) --s;
  return s;
}

}  // namespace

std::optional<Shard> parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto index = util::parse_int<std::uint32_t>(text.substr(0, slash));
  const auto count = util::parse_int<std::uint32_t>(text.substr(slash + 1));
  if (!index || !count || *count == 0 || *index == 0 || *index > *count) return std::nullopt;
  return Shard{*index, *count};
}

std::uint32_t shard_of(std::string_view device_key, std::uint32_t count) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bits
  for (char c : device_key) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return static_cast<std::uint32_t>(h % count) + 1;
}

bool add_imei_pair(std::string_view text, ImeiMap& map) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) return false;
  const std::string_view from = util::trim(text.substr(0, eq)), to = util::trim(text.substr(eq + 1));
  if (!util::all_digits(from) || !util::all_digits(to)) return false;
  map[std::string(from)] = std::string(to);
  return true;
}

std::optional<ImeiMap> parse_imei_map_file(std::string_view text, std::size_t& bad_line) {
  ImeiMap map;
  std::size_t number = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = util::trim(line);
    if (line.empty()) continue;
    std::string pair(line);
    if (pair.find('=') == std::string::npos) {
      const auto space = pair.find_first_of(" \t");
      if (space != std::string::npos) {
        const auto rest = pair.find_first_not_of(" \t", space);
        pair = pair.substr(0, space) + "=" + pair.substr(rest);
      }
    }
    if (!add_imei_pair(pair, map)) {
      bad_line = number;
      return std::nullopt;
    }
  }
  return map;
}

Scheduler::Scheduler(RecordingSource& source, ScheduleOptions options, std::int64_t start_unix_ns)
    : source_(source), options_(std::move(options)), start_unix_ns_(start_unix_ns) {
  if (options_.pace == Pace::capture && !(options_.speed > 0)) options_.speed = 1.0;
  if (options_.pace == Pace::rate && !(options_.rate > 0)) options_.pace = Pace::top_speed;
  timed_ = options_.pace == Pace::rate || (options_.pace == Pace::capture && source_.timed());
}

std::optional<std::uint64_t> Scheduler::passes() const {
  std::optional<std::uint64_t> n;
  if (options_.loops != 0) n = options_.loops;
  if (!options_.imei_prefix.empty() && first_read_ && !device_index_.empty()) {
    const std::uint64_t fit = synthetic_imei_capacity(options_.imei_prefix) / device_index_.size();
    if (!n || fit < *n) n = fit;
  }
  return n;
}

bool Scheduler::has_pass(std::uint64_t pass) const {
  const auto n = passes();
  return !n || pass < *n;
}

std::int64_t Scheduler::due(std::int64_t ts_ns) const {
  if (!timed_ || options_.pace != Pace::capture) return 0;
  const double capture_ns =
      static_cast<double>(capture_span(t0_ns_, ts_ns)) + static_cast<double>(pass_) * static_cast<double>(period_ns_);
  const double scaled = capture_ns / options_.speed;
  if (!(scaled < static_cast<double>(max_due_ns))) return max_due_ns;
  return std::max<std::int64_t>(0, std::llround(scaled));
}

std::string Scheduler::rewritten_imei(std::string_view imei) const {
  if (!options_.imei_prefix.empty()) {
    const auto it = device_index_.find(imei);
    if (it != device_index_.end()) {
      const std::uint64_t devices = first_read_ ? device_index_.size() : 0;
      if (auto s = synthetic_imei(options_.imei_prefix, pass_ * devices + it->second)) return *s;
    }
    return std::string(imei);
  }
  if (const auto it = options_.imei_map.find(imei); it != options_.imei_map.end()) return it->second;
  return std::string(imei);
}

void Scheduler::on_record(RecordEvent& e) {
  began_ = true;
  switch (e.kind) {
    case RecordEvent::Kind::connection: {
      if (pass_ == 0) {
        if (!have_t0_) {
          have_t0_ = true;
          t0_ns_ = e.open_ts_ns;
          last_ts_ns_ = e.open_ts_ns;
        }
        ++totals_.connections_in_input;
      }
      Connection c;
      const std::string_view key = e.imei.empty() ? std::string_view(e.client) : std::string_view(e.imei);
      c.selected = options_.shard.count <= 1 || shard_of(key, options_.shard.count) == options_.shard.index;
      c.open_ts_ns = e.open_ts_ns;
      if (c.selected) {
        c.plan.pass = pass_;
        c.plan.recorded_imei = e.imei;
        c.plan.recorded_client = std::move(e.client);
        c.plan.transport = options_.transport.value_or(e.transport);
      }
      open_[e.key] = std::move(c);
      return;
    }
    case RecordEvent::Kind::frame: {
      if (pass_ == 0) last_ts_ns_ = std::max(last_ts_ns_, e.frame.ts_ns);
      const auto it = open_.find(e.key);
      if (it == open_.end() || !it->second.selected) return;
      Connection& c = it->second;
      std::string& bytes = e.frame.bytes;
      const std::string_view imei = frame_imei(bytes);
      if (pass_ == 0) {
        ++totals_.messages;
        totals_.bytes += bytes.size();
        // A connection's frames carry its one identifier, as a rule: looked up when it changes.
        if (!imei.empty() && imei != c.counted_imei) {
          c.counted_imei = imei;
          if (device_index_.find(imei) == device_index_.end()) {
            device_index_.emplace(std::string(imei), device_index_.size());
            totals_.devices = device_index_.size();
          }
        }
      }
      std::int64_t due_ns = 0;
      if (options_.pace == Pace::rate) {
        const std::uint64_t per_pass = first_read_ ? totals_.messages : 0;
        const double index = static_cast<double>(pass_ * per_pass + rank_++);
        const double at = index * 1e9 / options_.rate;
        due_ns = at < static_cast<double>(max_due_ns) ? std::llround(at) : max_due_ns;
      } else {
        due_ns = due(e.frame.ts_ns);
      }
      if (!c.opened) {
        c.opened = true;
        c.id = ++next_id_;
        c.plan.id = c.id;
        c.plan.imei = c.plan.recorded_imei.empty() ? std::string() : rewritten_imei(c.plan.recorded_imei);
        if (pass_ == 0) {
          ++totals_.connections;
          if (c.plan.transport == net::Transport::udp) ++totals_.udp_connections;
        }
        ScheduledEvent open;
        open.kind = ScheduledEvent::Kind::open;
        open.stream = c.id;
        // At a fixed rate the connection opens ahead of its first message, as a device's does
        // before it reports, so that connecting is not counted as lateness.
        open.due_ns = options_.pace == Pace::capture ? std::min(due(c.open_ts_ns), due_ns)
                      : options_.pace == Pace::rate  ? std::max<std::int64_t>(0, due_ns - rate_connect_lead_ns)
                                                     : 0;
        open.plan = std::make_shared<const StreamPlan>(c.plan);
        out_.push_back(std::move(open));
      }
      if (!imei.empty() && (!options_.imei_prefix.empty() || !options_.imei_map.empty())) {
        const std::string replacement = rewritten_imei(imei);
        if (replacement != imei) replace_imei(bytes, replacement);
      }
      ScheduledEvent m;
      m.kind = ScheduledEvent::Kind::message;
      m.stream = c.id;
      m.due_ns = due_ns;
      if (options_.restamp) {
        // One shift per stream: its first dated frame gets the time it is due to be sent, the
        // others keep their distance to it, but no fix is dated after the moment its frame is
        // sent: faster than the capture (--speed above 1, --rate) the distances shrink, and
        // kept whole they would date later fixes in the future.
        if (const auto fix = find_fix_time(bytes)) {
          const std::int64_t send_s = floor_seconds(start_unix_ns_ + due_ns);
          if (!c.shift) c.shift = send_s - fix->seconds;
          m.restamped = shift_fix_time(bytes, std::min(*c.shift, send_s - fix->seconds));
        }
      }
      m.bytes = std::move(bytes);
      c.last_due_ns = due_ns;
      pass_last_due_ns_ = std::max(pass_last_due_ns_, due_ns);
      out_.push_back(std::move(m));
      return;
    }
    case RecordEvent::Kind::end: {
      if (pass_ == 0) last_ts_ns_ = std::max(last_ts_ns_, e.close_ts_ns);
      // Still open when the input ended: it ends with the pass (end_pass).
      if (e.open_at_end) return;
      const auto it = open_.find(e.key);
      if (it == open_.end()) return;
      const Connection& c = it->second;
      if (c.opened) {
        ScheduledEvent end;
        end.kind = ScheduledEvent::Kind::end;
        end.stream = c.id;
        end.due_ns = options_.pace == Pace::capture ? std::max(due(e.close_ts_ns), c.last_due_ns) : c.last_due_ns;
        out_.push_back(std::move(end));
      }
      open_.erase(it);
      return;
    }
  }
}

void Scheduler::end_pass() {
  // A connection the input left open ends with it: when the input's time ends (capture pace:
  // its last packet; --rate: its last message), not right after its own last message, as the
  // device kept it open that long. (Ten thousand devices ending at their last messages would
  // also close their connections all at once, as the reading reaches the end, in the middle of
  // the sending.)
  const std::int64_t input_end = options_.pace == Pace::capture ? due(last_ts_ns_) : pass_last_due_ns_;
  std::vector<std::pair<std::uint64_t, std::int64_t>> left;
  for (const auto& [key, c] : open_)
    if (c.opened) left.emplace_back(c.id, std::max(c.last_due_ns, input_end));
  std::sort(left.begin(), left.end());
  for (const auto& [id, end_due] : left) {
    ScheduledEvent end;
    end.kind = ScheduledEvent::Kind::end;
    end.stream = id;
    end.due_ns = end_due;
    out_.push_back(std::move(end));
  }
  open_.clear();
  if (pass_ == 0) {
    first_read_ = true;
    // Sharding, the devices and the pass length look at the whole input, so that every machine
    // given the same input and the same --shard N agrees on them.
    if (options_.pace == Pace::capture && timed_) period_ns_ = capture_span(t0_ns_, last_ts_ns_) + pass_pause_ns;
  }
}

bool Scheduler::fill() {
  RecordEvent e;
  while (out_.empty() && !done_) {
    if (source_.next(e)) {
      on_record(e);
      continue;
    }
    end_pass();
    // A pass with nothing to send is not repeated; nor is one the input cannot give again.
    if (totals_.messages == 0 || !has_pass(pass_ + 1) || !source_.rewind()) {
      done_ = true;
      break;
    }
    ++pass_;
    began_ = false;
    rank_ = 0;
    pass_last_due_ns_ = 0;
  }
  return !out_.empty();
}

const ScheduledEvent* Scheduler::peek() { return fill() ? &out_.front() : nullptr; }

bool Scheduler::next(ScheduledEvent& event) {
  if (!fill()) return false;
  event = std::move(out_.front());
  out_.pop_front();
  return true;
}

void Scheduler::reset() {
  out_.clear();
  open_.clear();
  device_index_.clear();
  totals_ = {};
  pass_ = 0;
  began_ = first_read_ = done_ = have_t0_ = false;
  t0_ns_ = last_ts_ns_ = period_ns_ = pass_last_due_ns_ = 0;
  rank_ = next_id_ = 0;
}

std::optional<std::vector<ScheduledEvent>> Scheduler::first_pass_opens() {
  std::vector<ScheduledEvent> opens;
  ScheduledEvent e;
  while (next(e)) {
    if (e.kind != ScheduledEvent::Kind::open) continue;
    if (e.plan->pass > 0) break;  // the second pass begins with an open
    opens.push_back(std::move(e));
  }
  if (!source_.rewind()) return std::nullopt;
  reset();
  return opens;
}

}  // namespace vt106::live
