// Due times and rewritten bytes of every message of every pass.
#include "vt106/replay/schedule.hpp"

#include <algorithm>
#include <cmath>

#include "vt106/replay/rewrite.hpp"
#include "vt106/util/text.hpp"

namespace vt106::replay {

namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;
// Pause between two passes over a capture, in capture time: the last message of a pass and
// the first of the next are never sent as one burst.
constexpr std::int64_t pass_pause_ns = ns_per_s;
// With --rate, how long before its first message a connection opens.
constexpr std::int64_t rate_connect_lead_ns = ns_per_s;

std::string_view device_key(const RecordedConnection& c) { return c.imei.empty() ? c.client : c.imei; }

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

Schedule::Schedule(const Recording& recording, ScheduleOptions options)
    : recording_(recording), options_(std::move(options)) {
  if (options_.pace == Pace::capture && !(options_.speed > 0)) options_.speed = 1.0;
  if (options_.pace == Pace::rate && !(options_.rate > 0)) options_.pace = Pace::top_speed;
  timed_ = options_.pace == Pace::rate || (options_.pace == Pace::capture && recording_.timed);
  // Sharding, the devices and the pass length look at the whole input, so that every machine
  // given the same input and the same --shard N agrees on them.
  t0_ns_ = recording_.first_ts_ns();
  if (options_.pace == Pace::capture && timed_) period_ns_ = recording_.last_ts_ns() - t0_ns_ + pass_pause_ns;
  for (std::size_t i = 0; i < recording_.connections.size(); ++i) {
    const auto& c = recording_.connections[i];
    if (options_.shard.count > 1 && shard_of(device_key(c), options_.shard.count) != options_.shard.index) continue;
    selected_.push_back(i);
    if (options_.transport.value_or(c.transport) == net::Transport::udp) ++udp_;
    for (const auto& f : c.frames) {
      const std::string_view imei = frame_imei(f.bytes);
      if (!imei.empty() && device_index_.find(imei) == device_index_.end())
        device_index_.emplace(std::string(imei), device_index_.size());
      ++messages_;
      bytes_ += f.bytes.size();
    }
  }
  if (options_.pace == Pace::rate) {
    // Every message of the pass ranked by its position in the input.
    struct Ref {
      std::uint64_t sequence;
      std::size_t connection, frame;
    };
    std::vector<Ref> refs;
    refs.reserve(messages_);
    rank_.resize(selected_.size());
    for (std::size_t s = 0; s < selected_.size(); ++s) {
      const auto& frames = recording_.connections[selected_[s]].frames;
      rank_[s].resize(frames.size());
      for (std::size_t f = 0; f < frames.size(); ++f) refs.push_back({frames[f].sequence, s, f});
    }
    std::stable_sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) { return a.sequence < b.sequence; });
    for (std::size_t r = 0; r < refs.size(); ++r) rank_[refs[r].connection][refs[r].frame] = r;
  }
}

std::optional<std::uint64_t> Schedule::passes() const {
  std::optional<std::uint64_t> n;
  if (options_.loops != 0) n = options_.loops;
  if (!options_.imei_prefix.empty() && !device_index_.empty()) {
    const std::uint64_t fit = synthetic_imei_capacity(options_.imei_prefix) / device_index_.size();
    if (!n || fit < *n) n = fit;
  }
  return n;
}

bool Schedule::has_pass(std::uint64_t pass) const {
  const auto n = passes();
  return !n || pass < *n;
}

std::int64_t Schedule::due(std::int64_t ts_ns, std::uint64_t pass) const {
  if (!timed_ || options_.pace != Pace::capture) return 0;
  const double capture_ns = static_cast<double>(ts_ns - t0_ns_) + static_cast<double>(pass) * static_cast<double>(period_ns_);
  return std::llround(capture_ns / options_.speed);
}

std::string Schedule::rewritten_imei(std::string_view imei, std::uint64_t pass) const {
  if (!options_.imei_prefix.empty()) {
    const auto it = device_index_.find(imei);
    if (it != device_index_.end()) {
      if (auto s = synthetic_imei(options_.imei_prefix, pass * device_index_.size() + it->second)) return *s;
    }
    return std::string(imei);
  }
  if (const auto it = options_.imei_map.find(imei); it != options_.imei_map.end()) return it->second;
  return std::string(imei);
}

std::vector<ScheduledStream> Schedule::pass(std::uint64_t pass, std::int64_t start_unix_ns) const {
  std::vector<ScheduledStream> out;
  if (!has_pass(pass)) return out;
  out.reserve(selected_.size());
  const double ns_per_message = options_.pace == Pace::rate ? 1e9 / options_.rate : 0.0;
  for (std::size_t s = 0; s < selected_.size(); ++s) {
    const auto& c = recording_.connections[selected_[s]];
    ScheduledStream st;
    st.pass = pass;
    st.recorded_imei = c.imei;
    st.imei = c.imei.empty() ? std::string() : rewritten_imei(c.imei, pass);
    st.recorded_client = c.client;
    st.transport = options_.transport ? *options_.transport : c.transport;
    st.messages.reserve(c.frames.size());
    for (std::size_t f = 0; f < c.frames.size(); ++f) {
      ScheduledMessage m;
      m.bytes = c.frames[f].bytes;
      if (options_.pace == Pace::rate) {
        const double index = static_cast<double>(pass) * static_cast<double>(messages_) + static_cast<double>(rank_[s][f]);
        m.due_ns = std::llround(index * ns_per_message);
      } else {
        m.due_ns = due(c.frames[f].ts_ns, pass);
      }
      const std::string_view imei = frame_imei(m.bytes);
      if (!imei.empty() && (!options_.imei_prefix.empty() || !options_.imei_map.empty())) {
        const std::string replacement = rewritten_imei(imei, pass);
        if (replacement != imei) replace_imei(m.bytes, replacement);
      }
      st.messages.push_back(std::move(m));
    }
    if (options_.pace == Pace::capture) {
      st.open_ns = due(c.open_ts_ns, pass);
      st.close_ns = due(c.close_ts_ns, pass);
    } else if (!st.messages.empty()) {
      // At a fixed rate the connection opens ahead of its first message, as a device's does
      // before it reports, so that connecting is not counted as lateness.
      st.open_ns = std::max<std::int64_t>(0, st.messages.front().due_ns - (options_.pace == Pace::rate ? rate_connect_lead_ns : 0));
      st.close_ns = st.messages.back().due_ns;
    }
    if (options_.restamp) {
      // One shift per stream: its first dated frame gets the time it is due to be sent, the
      // others keep their distance to it.
      std::optional<std::int64_t> shift;
      for (auto& m : st.messages) {
        if (!shift) {
          const auto fix = find_fix_time(m.bytes);
          if (!fix) continue;
          shift = floor_seconds(start_unix_ns + m.due_ns) - fix->seconds;
        }
        if (shift_fix_time(m.bytes, *shift)) ++st.restamped;
      }
    }
    out.push_back(std::move(st));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ScheduledStream& a, const ScheduledStream& b) { return a.open_ns < b.open_ns; });
  for (std::size_t i = 0; i < out.size(); ++i) out[i].id = pass * selected_.size() + i + 1;
  return out;
}

}  // namespace vt106::replay
