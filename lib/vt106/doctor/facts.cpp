// Gathering the doctor's facts: flow events from the flow table (or a log's sessions), records
// from the decoder. Per message: one hash lookup for the device (cached while the same device
// talks), counters, and a scan of its last frames' hashes; evidence is copied only the first time.
#include "vt106/doctor/facts.hpp"

#include "vt106/output/tee_sink.hpp"

#include <algorithm>
#include <functional>

#include "vt106/util/time.hpp"

namespace vt106::doctor {

namespace {
bool is_alarm(gotop::Event e) {
  using gotop::Event;
  return e == Event::sos || e == Event::geofence || e == Event::overspeed || e == Event::low_battery ||
         e == Event::movement || e == Event::fall || e == Event::shock || e == Event::gps_lost;
}
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Printable excerpt of raw bytes for evidence.
std::string printable(std::string_view raw, std::size_t limit) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < raw.size() && out.size() < limit; ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  if (out.size() >= limit) out += "...";
  return out;
}

const std::int64_t year_2001_s = util::days_from_civil(2001, 1, 1) * 86400;
}  // namespace

std::string host_of(std::string_view endpoint) {
  if (!endpoint.empty() && endpoint.front() == '[') return std::string(endpoint.substr(0, endpoint.find(']') + 1));
  const auto colon = endpoint.rfind(':');
  if (colon == std::string_view::npos || endpoint.find(':') != colon) return std::string(endpoint);
  return std::string(endpoint.substr(0, colon));
}

std::int64_t FlowFacts::end_ns(bool client_side) const {
  const bool fin = client_side ? client_fin : server_fin, rst = client_side ? client_rst : server_rst;
  const std::int64_t f = client_side ? client_fin_ns : server_fin_ns, r = client_side ? client_rst_ns : server_rst_ns;
  if (fin && rst) return std::min(f, r);
  return fin ? f : rst ? r : 0;
}

struct FactCollector::Held {
  std::string client, server;
};

// Receives the decoder's records and turns them into per-flow and per-device facts.
class FactCollector::RecordTap final : public output::RecordSink {
 public:
  explicit RecordTap(FactCollector& owner) : owner_(owner), facts_(owner.facts_) {}

  void message(const output::RecordContext& ctx, const gotop::Message& m) override {
    const std::uint64_t flow_id = ctx.flow.value_or(0);
    const std::int64_t ts = ctx.ts_ns.value_or(0);
    FlowFacts* flow = nullptr;
    if (flow_id) {
      auto it = facts_.flows.find(flow_id);
      if (it != facts_.flows.end()) flow = &it->second;
    } else {
      owner_.see_time(ts);
    }
    if (flow) {
      ++flow->messages;
      if (m.dir == gotop::Direction::up) {
        ++flow->uplink_messages;
        if (flow->first_message_ns == 0) flow->first_message_ns = ts;
        flow->last_message_ns = ts;
        if (flow->protocol != "gotop") {
          flow->protocol = "gotop";
          owner_.held_.erase(flow_id);
        }
      }
    }
    if (m.dir != gotop::Direction::up || m.imei.empty()) return;
    // A flow's messages nearly always come from one device: its facts are found from the flow.
    DeviceFacts* known = flow && flow->last_device && flow->last_device->imei == m.imei ? flow->last_device : nullptr;
    DeviceFacts& d = known ? *known : device(m.imei);
    if (flow && !known) {
      flow->last_device = &d;
      if (std::find(flow->imeis.begin(), flow->imeis.end(), m.imei) == flow->imeis.end()) {
        flow->imeis.emplace_back(m.imei);
        d.flows.insert(std::upper_bound(d.flows.begin(), d.flows.end(), flow_id), flow_id);
      }
    }
    if (!flow && !ctx.src.empty()) d.last_src.assign(ctx.src);
    if (d.messages == 0) {
      d.first_ns = ts;
      d.first_raw.assign(m.raw);
    } else if (ts - d.last_ns > d.longest_gap_ns) {
      d.longest_gap_ns = ts - d.last_ns;
      d.longest_gap_end_ns = ts;
    }
    d.last_ns = ts;
    ++d.messages;
    ++d.events[static_cast<std::size_t>(m.event)];
    const bool valid = m.valid.value_or(false);
    auto note = [&](std::optional<FixNote>& slot) {
      if (slot) return;
      slot.emplace();
      slot->captured_ns = ts;
      slot->fix_s = m.fix_time.value_or(0);
      slot->flow = flow_id;
      slot->valid = valid;
      slot->raw.assign(m.raw);
    };
    if (m.lat && m.lon) {
      ++d.positions;
      const bool zero = *m.lat == 0 && *m.lon == 0;
      if (!valid) {
        ++d.invalid;
        note(d.first_invalid);
      }
      if (zero) {
        ++d.zero;
        note(d.first_zero);
      }
      if (valid && !zero) ++d.usable;
    }
    if (!m.fix_time || ts == 0) return;
    // Repeats: the same frame, fix time included, among the device's latest frames.
    ++d.repeat_candidates;
    const std::uint64_t h = std::hash<std::string_view>{}(m.raw);
    const std::uint32_t tag = static_cast<std::uint32_t>(h >> 32) | 1u;  // never 0, the empty slot
    const std::size_t set = static_cast<std::size_t>(h % repeat_sets);
    std::uint32_t* ways = d.recent.data() + set * repeat_ways;
    if (std::find(ways, ways + repeat_ways, tag) != ways + repeat_ways) {
      if (d.repeats++ == 0) note(d.first_repeat);
    } else {
      ways[d.recent_next[set]] = tag;
      d.recent_next[set] = static_cast<std::uint8_t>((d.recent_next[set] + 1) % repeat_ways);
    }
    const std::int64_t fix = *m.fix_time;
    const std::int64_t offset = fix - floor_div(ts, 1'000'000'000);
    ++d.timed;
    const std::int64_t q = floor_div(offset + 450, 900);
    if (q >= -zone_quarters && q <= zone_quarters) ++d.offset_quarters[static_cast<std::size_t>(q + zone_quarters)];
    else ++d.offsets_beyond;
    if (fix > d.newest_fix_s) {
      d.newest_fix_s = fix;
      d.newest_fix_captured_ns = ts;
    }
    const bool rollover = offset < -rollover_s + 31 * 86400 && offset > -rollover_s - 31 * 86400;
    // Dates a receiver without time falls back to: 1970, 1980 (GPS epoch), 2000 (yy = 00).
    const bool fallback = !rollover && fix < year_2001_s;
    if (offset > future_tolerance_s) {
      ++d.future;
      note(d.first_future);
    }
    if (rollover) {
      ++d.rollover;
      note(d.first_rollover);
    } else if (fallback) {
      ++d.defaults;
      note(d.first_default);
    } else if (offset < -stale_fix_s) {
      ++d.stale;
      note(d.first_stale);
    }
    if (is_alarm(m.event) && offset < -late_alarm_s && !rollover && !fallback) {
      if (d.late_alarms++ == 0) note(d.first_late_alarm);
    }
  }

  void error(const output::RecordContext& ctx, const output::ErrorRecord& e) override {
    if (!ctx.flow) {
      if (facts_.input_problems.size() < 100) facts_.input_problems.push_back(e.message);
      return;
    }
    auto it = facts_.flows.find(*ctx.flow);
    if (it == facts_.flows.end()) return;
    FlowFacts& flow = it->second;
    ++flow.errors;
    auto c = flow.error_codes.find(e.code);
    if (c == flow.error_codes.end()) c = flow.error_codes.emplace(std::string(e.code), 0).first;
    ++c->second;
    if (flow.first_error.empty()) flow.first_error = e.message;
  }

  void foreign(const output::RecordContext& ctx, const detect::Verdict& v) override {
    if (!ctx.flow) return;
    auto it = facts_.flows.find(*ctx.flow);
    if (it == facts_.flows.end()) return;
    owner_.held_.erase(*ctx.flow);
    take_verdict(it->second, v);
  }

  static void take_verdict(FlowFacts& f, const detect::Verdict& v) {
    f.protocol = v.status == detect::Status::match ? v.protocol : std::string_view("unknown");
    f.detect_status = v.status;
    f.category = v.category;
    f.confidence = v.confidence;
    f.detect_evidence.assign(v.evidence.begin(), v.evidence.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(3, v.evidence.size())));
    if (v.device_id) {
      f.device_id = v.device_id->value;
      f.device_imei = v.device_id->imei;
    }
  }

 private:
  DeviceFacts& device(std::string_view imei) {
    if (last_ && last_imei_ == imei) return *last_;
    auto [it, fresh] = facts_.devices.try_emplace(std::string(imei));
    if (fresh) it->second.imei = it->first;
    last_ = &it->second;
    last_imei_ = it->first;
    return *last_;
  }

  FactCollector& owner_;
  Facts& facts_;
  DeviceFacts* last_ = nullptr;  // unordered_map nodes keep their address
  std::string last_imei_;
};

FactCollector::FactCollector(gotop::Parser& parser, std::size_t max_frame)
    : parser_(parser), max_frame_(max_frame), tap_(std::make_unique<RecordTap>(*this)) {}

FactCollector::~FactCollector() = default;

output::RecordSink& FactCollector::records() { return tee_ ? static_cast<output::RecordSink&>(*tee_) : *tap_; }

void FactCollector::also_tell(output::RecordSink& sink) { tee_ = std::make_unique<output::TeeSink>(*tap_, sink); }

void FactCollector::begin_input(std::string name, std::uint64_t flow_id_base) {
  base_ = flow_id_base;
  decode::FlowDecoderOptions options;
  options.max_frame = max_frame_;
  options.flow_id_base = flow_id_base;
  decoder_ = std::make_unique<decode::FlowDecoder>(parser_, records(), name, options);
  facts_.inputs.push_back(std::move(name));
}

void FactCollector::see_time(std::int64_t ts_ns) {
  if (ts_ns == 0) return;
  if (facts_.first_ns == 0 || ts_ns < facts_.first_ns) facts_.first_ns = ts_ns;
  if (ts_ns > facts_.last_ns) facts_.last_ns = ts_ns;
}

FlowFacts& FactCollector::flow(const net::FlowInfo& f) {
  if (f.user) return *static_cast<FlowFacts*>(f.user);
  const std::uint64_t id = base_ + f.id;
  auto [it, fresh] = facts_.flows.try_emplace(id);
  FlowFacts& ff = it->second;
  if (fresh) {
    ff.id = id;
    ff.input = facts_.inputs.empty() ? 0 : static_cast<std::uint32_t>(facts_.inputs.size() - 1);
    ff.udp = f.transport == net::Transport::udp;
    ff.from_log = !f.client_label.empty();
    ff.client = f.client_text();
    ff.server = f.server_text();
    ff.client_host = host_of(ff.client);
    ff.server_port = f.server.port;
    ff.platform_protocol.assign(f.platform_protocol);
  }
  f.user = &ff;
  return ff;
}

void FactCollector::snapshot(FlowFacts& ff, const net::FlowInfo& f) {
  ff.client_rule = net::to_string(f.client_rule);
  ff.first_ns = f.first_ts_ns;
  ff.last_ns = f.last_ts_ns;
  ff.syn = f.syn_seen;
  ff.syn_ack = f.syn_ack_seen;
  const auto& c = f.side(net::Side::client);
  const auto& s = f.side(net::Side::server);
  ff.client_fin = c.fin;
  ff.client_rst = c.rst;
  ff.server_fin = s.fin;
  ff.server_rst = s.rst;
  ff.client_fin_ns = c.fin_ts_ns;
  ff.client_rst_ns = c.rst_ts_ns;
  ff.server_fin_ns = s.fin_ts_ns;
  ff.server_rst_ns = s.rst_ts_ns;
  ff.client_packets = c.packets;
  ff.server_packets = s.packets;
  ff.client_bytes = c.payload_bytes;
  ff.server_bytes = s.payload_bytes;
  ff.gaps = c.gaps + s.gaps;
  ff.bytes_missing = c.bytes_missing + s.bytes_missing;
  ff.retransmitted_bytes = c.retransmitted_bytes;
  ff.port_unreachable = f.port_unreachable;
  see_time(f.first_ts_ns);
  see_time(f.last_ts_ns);
}

void FactCollector::on_flow_open(const net::FlowInfo& f) {
  snapshot(flow(f), f);
  decoder_->on_flow_open(f);
}

void FactCollector::hold(const net::FlowInfo& f, net::Side from, std::string_view bytes, std::int64_t ts) {
  FlowFacts& ff = flow(f);
  if (from == net::Side::client) {
    ff.last_client_data_ns = ts;
    if (ff.first_bytes.empty() && !bytes.empty()) {
      ff.first_bytes = printable(bytes, 64);
      static constexpr char hex[] = "0123456789abcdef";
      for (std::size_t i = 0; i < bytes.size() && i < 64; ++i) {
        ff.first_hex.push_back(hex[static_cast<unsigned char>(bytes[i]) >> 4]);
        ff.first_hex.push_back(hex[static_cast<unsigned char>(bytes[i]) & 15]);
      }
    }
  }
  if (!ff.protocol.empty()) return;
  Held& h = held_[ff.id];
  std::string& kept = from == net::Side::client ? h.client : h.server;
  if (kept.size() < detect::max_inspect) kept.append(bytes.substr(0, detect::max_inspect - kept.size()));
}

void FactCollector::on_stream_data(const net::FlowInfo& f, net::Side from, std::string_view bytes, std::int64_t ts) {
  hold(f, from, bytes, ts);
  decoder_->on_stream_data(f, from, bytes, ts);
}

void FactCollector::on_datagram(const net::FlowInfo& f, net::Side from, std::string_view bytes, std::int64_t ts) {
  hold(f, from, bytes, ts);
  decoder_->on_datagram(f, from, bytes, ts);
}

void FactCollector::on_gap(const net::FlowInfo& f, net::Side from, std::uint64_t missing, std::int64_t ts) {
  snapshot(flow(f), f);
  decoder_->on_gap(f, from, missing, ts);
}

void FactCollector::judge(FlowFacts& ff) {
  auto it = held_.find(ff.id);
  if (it == held_.end()) return;
  if (!it->second.client.empty()) {
    detect::Hints hints;
    hints.transport = ff.udp ? detect::Transport::udp : detect::Transport::tcp;
    hints.server_port = ff.server_port;
    const auto* c = reinterpret_cast<const std::byte*>(it->second.client.data());
    const auto* s = reinterpret_cast<const std::byte*>(it->second.server.data());
    RecordTap::take_verdict(ff, detect::detect({c, it->second.client.size()}, {s, it->second.server.size()}, hints));
  }
  held_.erase(it);
}

void FactCollector::on_flow_close(const net::FlowInfo& f, net::CloseReason reason, std::int64_t ts) {
  FlowFacts& ff = flow(f);
  snapshot(ff, f);
  ff.close_reason = net::to_string(reason);
  ff.closed_ns = ts;
  decoder_->on_flow_close(f, reason, ts);  // may still decode held bytes or name a foreign protocol
  if (ff.protocol.empty()) judge(ff);
  held_.erase(ff.id);
}

void FactCollector::on_problem(const net::NetProblem& p) { decoder_->on_problem(p); }

void FactCollector::on_port_unreachable(const net::PortUnreachable& e, const net::FlowInfo* f, std::int64_t ts) {
  see_time(ts);
  if (f) snapshot(flow(*f), *f);
  const std::string src = e.original_src.to_string(), dst = e.original_dst.to_string();
  for (auto& u : facts_.unreachable)
    if (u.src == src && u.dst == dst) {
      ++u.count;
      return;
    }
  facts_.unreachable.push_back({src, dst, e.reporter.to_string(), std::string(net::to_string(e.transport)),
                                f ? base_ + f->id : 0, ts, 1});
}

}  // namespace vt106::doctor
