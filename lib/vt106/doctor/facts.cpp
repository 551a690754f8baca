// Gathering the doctor's facts: flow events from the flow table, records from the decoder.
#include "vt106/doctor/facts.hpp"

#include <algorithm>

#include "vt106/util/time.hpp"

namespace vt106::doctor {

namespace {
bool is_alarm(gotop::Event e) {
  using gotop::Event;
  return e == Event::sos || e == Event::geofence || e == Event::overspeed || e == Event::low_battery ||
         e == Event::movement || e == Event::fall || e == Event::shock || e == Event::gps_lost;
}
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

// Receives the decoder's records and turns them into per-flow and per-device facts.
class FactCollector::RecordTap final : public output::RecordSink {
 public:
  explicit RecordTap(Facts& facts) : facts_(facts) {}

  void message(const output::RecordContext& ctx, const gotop::Message& m) override {
    const std::uint64_t flow_id = ctx.flow.value_or(0);
    const std::int64_t ts = ctx.ts_ns.value_or(0);
    FlowFacts* flow = flow_id ? &facts_.flows[flow_id] : nullptr;
    if (flow) {
      ++flow->messages;
      if (m.dir == gotop::Direction::up) {
        if (flow->first_message_ns == 0) flow->first_message_ns = ts;
        flow->last_message_ns = ts;
      }
    }
    if (m.dir != gotop::Direction::up || m.imei.empty()) {
      if (flow && m.dir == gotop::Direction::down)
        for (const auto& imei : flow->imeis) ++facts_.devices[imei].commands;
      return;
    }
    const std::string imei(m.imei);
    if (flow && std::find(flow->imeis.begin(), flow->imeis.end(), imei) == flow->imeis.end()) flow->imeis.push_back(imei);
    DeviceFacts& d = facts_.devices[imei];
    if (d.imei.empty()) {
      d.imei = imei;
      d.first_ns = ts;
      d.first_raw = std::string(m.raw);
    }
    if (d.messages > 0 && ts - d.last_ns > d.longest_gap_ns) d.longest_gap_ns = ts - d.last_ns;
    d.last_ns = ts;
    ++d.messages;
    ++d.events[std::string(gotop::to_string(m.event))];
    if (flow_id) d.flows.insert(flow_id);
    const std::string raw(m.raw);
    if (d.seen_frames.count(raw)) {
      if (d.duplicates++ == 0) d.first_duplicate = raw;
    } else if (d.seen_frames.size() < frames_remembered) {
      d.seen_frames.insert(raw);
    }
    Fix fix;
    fix.captured_ns = ts;
    fix.valid = m.valid.value_or(false);
    fix.event = gotop::to_string(m.event);
    fix.flow = flow_id;
    fix.raw = raw;
    if (m.lat && m.lon) {
      ++d.positions;
      fix.zero = *m.lat == 0 && *m.lon == 0;
      if (!fix.valid) {
        ++d.invalid;
        if (!d.first_invalid) d.first_invalid = fix;
      }
      if (fix.zero) {
        ++d.zero;
        if (!d.first_zero) d.first_zero = fix;
      }
      if (fix.valid && !fix.zero) ++d.usable;
    }
    if (m.fix_time && ts != 0) {
      fix.fix_s = *m.fix_time;
      const std::int64_t offset = *m.fix_time - floor_div(ts, 1'000'000'000);
      ++d.timed;
      ++d.offset_quarters[floor_div(offset + 450, 900)];
      const bool rollover = offset < -rollover_s + 31 * 86400 && offset > -rollover_s - 31 * 86400;
      if (offset > future_tolerance_s && !d.first_future) d.first_future = fix;
      if (rollover && !d.first_rollover) d.first_rollover = fix;
      // Dates a receiver without time falls back to: 1970, 1980 (GPS epoch), 2000 (yy = 00).
      if (!rollover && *m.fix_time < util::days_from_civil(2001, 1, 1) * 86400 && !d.first_epoch) d.first_epoch = fix;
      if (is_alarm(m.event) && offset < -late_alarm_s && !rollover) {
        if (d.late_alarms++ == 0) d.first_late_alarm = fix;
      }
    }
  }

  void error(const output::RecordContext& ctx, const output::ErrorRecord& e) override {
    if (!ctx.flow) {
      facts_.capture_problems.push_back(e.message);
      return;
    }
    FlowFacts& flow = facts_.flows[*ctx.flow];
    ++flow.errors;
    ++flow.error_codes[std::string(e.code)];
    if (flow.first_error.empty()) flow.first_error = e.message;
  }

 private:
  Facts& facts_;
};

FactCollector::FactCollector(gotop::Parser& parser, std::string input_name, std::size_t max_frame)
    : tap_(std::make_unique<RecordTap>(facts_)) {
  facts_.input = input_name;
  decode::FlowDecoderOptions options;
  options.max_frame = max_frame;
  decoder_ = std::make_unique<decode::FlowDecoder>(parser, *tap_, std::move(input_name), options);
}

FactCollector::~FactCollector() = default;

void FactCollector::see_packet_time(std::int64_t ts_ns) {
  if (ts_ns == 0) return;
  if (facts_.first_ns == 0 || ts_ns < facts_.first_ns) facts_.first_ns = ts_ns;
  if (ts_ns > facts_.last_ns) facts_.last_ns = ts_ns;
}

FlowFacts& FactCollector::flow(const net::FlowInfo& f) {
  FlowFacts& ff = facts_.flows[f.id];
  ff.id = f.id;
  if (ff.client.empty()) {
    ff.transport = std::string(net::to_string(f.transport));
    ff.client = f.client_text();
    ff.server = f.server_text();
    ff.server_port = f.server.port;
  }
  ff.client_rule = std::string(net::to_string(f.client_rule));
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
  auto end_of = [](const net::SideCounters& x) {
    if (x.fin && x.rst) return std::min(x.fin_ts_ns, x.rst_ts_ns);
    return x.fin ? x.fin_ts_ns : x.rst ? x.rst_ts_ns : std::int64_t{0};
  };
  ff.client_end_ns = end_of(c);
  ff.server_end_ns = end_of(s);
  ff.client_packets = c.packets;
  ff.server_packets = s.packets;
  ff.client_bytes = c.payload_bytes;
  ff.server_bytes = s.payload_bytes;
  ff.gaps = c.gaps + s.gaps;
  ff.bytes_missing = c.bytes_missing + s.bytes_missing;
  ff.port_unreachable = f.port_unreachable;
  see_packet_time(f.first_ts_ns);
  see_packet_time(f.last_ts_ns);
  return ff;
}

void FactCollector::on_flow_open(const net::FlowInfo& f) {
  flow(f);
  decoder_->on_flow_open(f);
}

void FactCollector::keep_first_bytes(const net::FlowInfo& f, net::Side from, std::string_view bytes) {
  FlowFacts& ff = flow(f);
  std::string& first = from == net::Side::client ? ff.first_client_bytes : ff.first_server_bytes;
  if (first.size() < first_bytes_kept) first.append(bytes.substr(0, first_bytes_kept - first.size()));
}

void FactCollector::on_stream_data(const net::FlowInfo& f, net::Side from, std::string_view bytes, std::int64_t ts) {
  keep_first_bytes(f, from, bytes);
  decoder_->on_stream_data(f, from, bytes, ts);
}

void FactCollector::on_datagram(const net::FlowInfo& f, net::Side from, std::string_view bytes, std::int64_t ts) {
  keep_first_bytes(f, from, bytes);
  decoder_->on_datagram(f, from, bytes, ts);
}

void FactCollector::on_gap(const net::FlowInfo& f, net::Side from, std::uint64_t missing, std::int64_t ts) {
  flow(f);
  decoder_->on_gap(f, from, missing, ts);
}

void FactCollector::on_flow_close(const net::FlowInfo& f, net::CloseReason reason, std::int64_t ts) {
  FlowFacts& ff = flow(f);
  ff.close_reason = std::string(net::to_string(reason));
  ff.closed_ns = ts;
  decoder_->on_flow_close(f, reason, ts);
}

void FactCollector::on_problem(const net::NetProblem& p) { decoder_->on_problem(p); }

void FactCollector::on_port_unreachable(const net::PortUnreachable& e, const net::FlowInfo* f, std::int64_t ts) {
  see_packet_time(ts);
  const std::string src = e.original_src.to_string(), dst = e.original_dst.to_string();
  for (auto& u : facts_.unreachable)
    if (u.src == src && u.dst == dst) {
      ++u.count;
      return;
    }
  facts_.unreachable.push_back({src, dst, e.reporter.to_string(), std::string(net::to_string(e.transport)),
                                f ? f->id : 0, ts, 1});
  if (f) flow(*f);
}

}  // namespace vt106::doctor
