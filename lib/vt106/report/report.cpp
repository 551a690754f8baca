// Records to the report's JSON, and the JSON into the page.
#include "vt106/report/report.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "vt106/util/time.hpp"

namespace vt106::report {

namespace {

using nlohmann::json;

std::int64_t ms_of(const output::RecordContext& ctx) { return ctx.ts_ns ? *ctx.ts_ns / 1'000'000 : 0; }

// "2024-01-01T12:00:00Z" or with a fraction: Unix milliseconds; nullopt for anything else.
std::optional<std::int64_t> iso_ms(std::string_view s) {
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s.back() != 'Z')
    return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n) -> int {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), se = num(17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return std::nullopt;
  const auto secs = util::utc_seconds(y, static_cast<unsigned>(mo), static_cast<unsigned>(d), static_cast<unsigned>(h),
                                      static_cast<unsigned>(mi), static_cast<unsigned>(se));
  if (!secs) return std::nullopt;
  std::int64_t ms = *secs * 1000;
  if (s.size() > 21 && s[19] == '.') {
    const std::size_t digits = std::min<std::size_t>(3, s.size() - 21);
    const int frac = num(20, digits);
    if (frac >= 0) ms += frac * (digits == 1 ? 100 : digits == 2 ? 10 : 1);
  }
  return ms;
}

double distance_km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double r = 6371.0, rad = 3.14159265358979323846 / 180.0;
  const double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * r * std::asin(std::min(1.0, std::sqrt(a)));
}

std::string_view status_word(doctor::Status s) { return doctor::to_string(s); }

}  // namespace

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::position: return "position";
    case Kind::heartbeat: return "heartbeat";
    case Kind::alarm: return "alarm";
    case Kind::reply: return "reply";
    case Kind::command: return "command";
    case Kind::error: return "error";
    case Kind::other: break;
  }
  return "other";
}

Kind kind_of(const gotop::Message& m) {
  if (m.dir == gotop::Direction::down) return Kind::command;
  using E = gotop::Event;
  switch (m.event) {
    case E::position: return Kind::position;
    case E::heartbeat:
    case E::gprs_connected: return Kind::heartbeat;
    case E::sos:
    case E::geofence:
    case E::overspeed:
    case E::low_battery:
    case E::gps_lost:
    case E::battery_full:
    case E::movement:
    case E::fall:
    case E::shock: return Kind::alarm;
    case E::command_reply:
    case E::error_reply:
    case E::version:
    case E::ota_ok:
    case E::ota_fail: return Kind::reply;
    default: return Kind::other;
  }
}

Collector::Collector() = default;
Collector::~Collector() = default;

Collector::Device& Collector::device(std::string_view imei, std::uint32_t flow) {
  auto it = devices_.find(std::string(imei));
  if (it == devices_.end()) it = devices_.emplace(std::string(imei), Device{}).first;
  Device& d = it->second;
  if (flow != 0 && !std::binary_search(d.flows.begin(), d.flows.end(), flow))
    d.flows.insert(std::upper_bound(d.flows.begin(), d.flows.end(), flow), flow);
  return d;
}

void Collector::message(const output::RecordContext& ctx, const gotop::Message& m) {
  ++messages_;
  const std::uint32_t flow = ctx.flow.value_or(0);
  std::string_view imei = m.imei;
  if (m.dir == gotop::Direction::up && !imei.empty() && flow != 0) flow_device_[flow] = std::string(imei);
  if (imei.empty() && flow != 0) {
    if (auto it = flow_device_.find(flow); it != flow_device_.end()) imei = it->second;
  }
  if (imei.empty()) return;  // a command before its device spoke, in a flow without an IMEI
  Device& d = device(imei, flow);
  const std::int64_t t = ms_of(ctx);
  const Kind k = kind_of(m);
  ++d.counts[static_cast<std::size_t>(k)];
  d.events.push_back({t, flow, k, m.event});
  if (t != 0) {
    if (d.first_ms == 0 || t < d.first_ms) d.first_ms = t;
    d.last_ms = std::max(d.last_ms, t);
  }
  if (m.dir == gotop::Direction::up && m.lat && m.lon && !(*m.lat == 0 && *m.lon == 0))
    d.fixes.push_back({t, *m.lat, *m.lon, m.valid.value_or(false)});
  if (k == Kind::command) {
    Command c;
    c.t_ms = t;
    c.frame.assign(m.raw);
    c.name.assign(m.name);
    c.letter.assign(m.command);
    d.commands.push_back(std::move(c));
  } else if (m.dir == gotop::Direction::up && !d.commands.empty() &&
             (!m.command.empty() || m.event == gotop::Event::error_reply)) {
    // The oldest command not answered yet that this message answers: a reply names the command's
    // letter (CMD-F answers F); ERROR! answers whichever came before it.
    const std::size_t from = d.commands.size() > 16 ? d.commands.size() - 16 : 0;
    for (std::size_t i = from; i < d.commands.size(); ++i) {
      Command& c = d.commands[i];
      if (c.reply_ms != 0 || c.t_ms > t) continue;
      if (m.event == gotop::Event::error_reply || (!c.letter.empty() && m.command == c.letter)) {
        c.reply_ms = t == 0 ? 1 : t;
        c.reply.assign(m.raw);
        break;
      }
    }
  }
}

void Collector::error(const output::RecordContext& ctx, const output::ErrorRecord& e) {
  const std::uint32_t flow = ctx.flow.value_or(0);
  std::string_view imei = e.imei;
  if (imei.empty() && flow != 0) {
    if (auto it = flow_device_.find(flow); it != flow_device_.end()) imei = it->second;
  }
  if (imei.empty()) return;
  Device& d = device(imei, flow);
  const std::int64_t t = ms_of(ctx);
  ++d.errors_total;
  ++d.counts[static_cast<std::size_t>(Kind::error)];
  d.events.push_back({t, flow, Kind::error, gotop::Event::unknown});
  if (d.errors.size() < 1000) d.errors.push_back({t, flow, std::string(e.code), e.message});
}

std::string build_json(const Collector& records, const doctor::Facts& facts, const doctor::Report& report,
                       const Options& options, const Meta& meta) {
  json doc;
  doc["generator"] = meta.generator;
  doc["generated"] = meta.generated_ms;
  doc["inputs"] = meta.inputs;
  doc["status_timeout_s"] = options.status_timeout_s;
  const std::size_t n_devices = std::max<std::size_t>(1, report.devices.size());
  std::uint64_t total_events = 0;
  for (const auto& dev : report.devices)
    if (auto it = records.devices().find(dev.name); it != records.devices().end()) total_events += it->second.events.size();
  const bool budget_exceeded = total_events > options.event_budget;
  const std::size_t per_device_events = std::max<std::size_t>(200, options.event_budget / n_devices);
  const std::size_t per_device_fixes = std::max<std::size_t>(50, options.track_budget / n_devices);
  const bool many_devices = report.devices.size() > 100;
  const std::int64_t silence_ms = options.status_timeout_s * 1000;

  json devices = json::array();
  std::uint64_t messages = 0;
  for (const auto& dev : report.devices) {
    json d;
    d["id"] = dev.name;
    d["label"] = dev.label;
    d["protocol"] = dev.protocol;
    d["worst"] = status_word(dev.worst);
    const auto found = records.devices().find(dev.name);
    static const Collector::Device none{};
    const Collector::Device& c = found != records.devices().end() ? found->second : none;
    json counts = json::object();
    std::uint64_t dev_messages = 0;
    for (std::size_t k = 0; k < kinds; ++k) {
      counts[std::string(to_string(static_cast<Kind>(k)))] = c.counts[k];
      if (static_cast<Kind>(k) != Kind::error) dev_messages += c.counts[k];
    }
    messages += dev_messages;
    d["counts"] = counts;
    d["messages"] = dev_messages;

    // Connections: the flows its records came in, or, for a device of another protocol, the
    // flows that carried its identifier or came from its address.
    std::vector<std::uint64_t> flow_ids(c.flows.begin(), c.flows.end());
    if (flow_ids.empty()) {
      for (const auto& [id, f] : facts.flows)
        if (f.device_id == dev.name || f.device_imei == dev.name ||
            std::find(dev.addresses.begin(), dev.addresses.end(), f.client_host) != dev.addresses.end() ||
            f.client == dev.name)
          flow_ids.push_back(id);
      std::sort(flow_ids.begin(), flow_ids.end());
    }
    json connections = json::array();
    std::int64_t first_ms = c.first_ms, last_ms = c.last_ms;
    for (const auto id : flow_ids) {
      const auto it = facts.flows.find(id);
      if (it == facts.flows.end()) continue;
      const doctor::FlowFacts& f = it->second;
      json conn;
      conn["flow"] = id;
      conn["open"] = f.first_ns / 1'000'000;
      const std::int64_t end = f.end_ns(false);
      conn["close"] = f.close_reason.empty() || f.close_reason == "end_of_input" ? json(nullptr) : json(end / 1'000'000);
      conn["transport"] = f.udp ? "udp" : "tcp";
      conn["client"] = f.client;
      conn["how"] = f.close_reason.empty() ? std::string_view("end_of_input") : f.close_reason;
      auto first_of = [](bool fin, std::int64_t fin_ns, bool rst, std::int64_t rst_ns) {
        std::int64_t t = INT64_MAX;
        if (fin) t = std::min(t, fin_ns);
        if (rst) t = std::min(t, rst_ns);
        return t;
      };
      const std::int64_t dev_end = first_of(f.client_fin, f.client_fin_ns, f.client_rst, f.client_rst_ns);
      const std::int64_t plat_end = first_of(f.server_fin, f.server_fin_ns, f.server_rst, f.server_rst_ns);
      conn["closed_by"] = dev_end == INT64_MAX && plat_end == INT64_MAX ? json(nullptr)
                          : dev_end <= plat_end                         ? json("device")
                                                                        : json("platform");
      conn["messages"] = f.messages;
      connections.push_back(conn);
      if (f.first_ns != 0 && (first_ms == 0 || f.first_ns / 1'000'000 < first_ms)) first_ms = f.first_ns / 1'000'000;
      last_ms = std::max(last_ms, end / 1'000'000);
    }
    d["connections"] = connections;
    d["first_ts"] = first_ms;
    d["last_ts"] = last_ms;

    // Messages: every one, or per minute when the report would grow too big.
    std::vector<Collector::Event> events = c.events;
    std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.t_ms < b.t_ms; });
    const bool aggregated = budget_exceeded && events.size() > per_device_events;
    d["aggregated"] = aggregated;
    json list = json::array();
    // Counts per minute, or per several minutes over a long span: at most 240 bars a device.
    std::int64_t bucket_ms = 60'000;
    if (aggregated && !events.empty()) {
      const std::int64_t span_min = (events.back().t_ms - events.front().t_ms) / 60'000 + 1;
      bucket_ms = 60'000 * std::max<std::int64_t>(1, (span_min + 239) / 240);
    }
    d["bucket_s"] = bucket_ms / 1000;
    std::map<std::int64_t, std::array<std::uint32_t, kinds>> minutes;
    for (const auto& e : events) {
      if (aggregated) ++minutes[e.t_ms / bucket_ms * bucket_ms][static_cast<std::size_t>(e.kind)];
      if (aggregated && (e.kind == Kind::position || e.kind == Kind::heartbeat || e.kind == Kind::other)) continue;
      if (e.kind == Kind::error) continue;  // errors are listed with their messages below
      json ev;
      ev["t"] = e.t_ms;
      ev["k"] = to_string(e.kind);
      ev["e"] = gotop::to_string(e.event);
      ev["flow"] = e.flow;
      list.push_back(std::move(ev));
    }
    d["events"] = std::move(list);
    json per_minute = json::array();
    for (const auto& [t, n] : minutes) {
      json m;
      m["t"] = t;
      for (std::size_t k = 0; k < kinds; ++k)
        if (n[k]) m[std::string(to_string(static_cast<Kind>(k)))] = n[k];
      per_minute.push_back(std::move(m));
    }
    d["per_minute"] = std::move(per_minute);

    json commands = json::array();
    for (const auto& cmd : c.commands) {
      json j;
      j["t"] = cmd.t_ms;
      j["frame"] = cmd.frame;
      j["name"] = cmd.name;
      j["reply"] = cmd.reply_ms == 0 ? json(nullptr) : json{{"t", cmd.reply_ms}, {"raw", cmd.reply}};
      commands.push_back(std::move(j));
    }
    d["commands"] = std::move(commands);

    // Silences: uplink messages further apart than the platform's status timeout.
    json silences = json::array();
    std::int64_t previous = 0;
    for (const auto& e : events) {
      if (e.kind == Kind::command || e.kind == Kind::error || e.t_ms == 0) continue;
      if (previous != 0 && e.t_ms - previous > silence_ms)
        silences.push_back({{"from", previous}, {"to", e.t_ms}, {"s", (e.t_ms - previous) / 1000}});
      previous = e.t_ms;
    }
    d["silences"] = std::move(silences);

    json errors = json::array();
    for (std::size_t i = 0; i < c.errors.size() && i < options.errors_per_device; ++i)
      errors.push_back({{"t", c.errors[i].t_ms}, {"code", c.errors[i].code}, {"message", c.errors[i].message},
                        {"flow", c.errors[i].flow}});
    d["errors"] = std::move(errors);
    d["errors_total"] = c.errors_total;

    // The track: jumps flagged (faster than 300 km/h between valid fixes over more than 1 km),
    // thinned to the device's share of the budget, keeping the first, the last and every jump.
    std::vector<Collector::Fix> fixes = c.fixes;
    std::stable_sort(fixes.begin(), fixes.end(), [](const auto& a, const auto& b) { return a.t_ms < b.t_ms; });
    std::vector<bool> jump(fixes.size(), false);
    const Collector::Fix* last_valid = nullptr;
    for (std::size_t i = 0; i < fixes.size(); ++i) {
      if (!fixes[i].valid) continue;
      if (last_valid) {
        const double km = distance_km(last_valid->lat, last_valid->lon, fixes[i].lat, fixes[i].lon);
        const double hours = std::max<double>(1.0, static_cast<double>(fixes[i].t_ms - last_valid->t_ms) / 1000.0) / 3600.0;
        jump[i] = km > 1.0 && km / hours > 300.0;
      }
      last_valid = &fixes[i];
    }
    const std::size_t stride = fixes.size() <= per_device_fixes ? 1 : (fixes.size() + per_device_fixes - 1) / per_device_fixes;
    // Jumps are kept beside the thinned points while they are few; a track of jumps (a device
    // whose fixes scatter) is thinned like the rest.
    const std::size_t jumps = static_cast<std::size_t>(std::count(jump.begin(), jump.end(), true));
    const bool keep_jumps = jumps <= per_device_fixes / 2;
    json track = json::array();
    for (std::size_t i = 0; i < fixes.size(); ++i) {
      if (stride > 1 && i % stride != 0 && i + 1 != fixes.size() && !(keep_jumps && jump[i])) continue;
      const auto& f = fixes[i];
      track.push_back({std::round(f.lat * 1e6) / 1e6, std::round(f.lon * 1e6) / 1e6, f.t_ms, f.valid ? 1 : 0, jump[i] ? 1 : 0});
    }
    d["track"] = std::move(track);
    d["track_total"] = fixes.size();

    // The findings; at platform scale the checks that do not apply are left out.
    json findings = json::array();
    for (const auto& f : dev.findings) {
      if (many_devices && f.status == doctor::Status::not_applicable) continue;
      json j;
      j["check"] = f.check;
      j["status"] = status_word(f.status);
      j["summary"] = f.summary;
      if (!f.fix.empty()) j["fix"] = f.fix;
      if (!f.command.empty()) j["command"] = f.command;
      std::optional<std::int64_t> t;
      // The moment of the evidence: the first time it gives that is not a time the device claims.
      for (const auto& [name, value] : f.evidence)
        if (name != "fix_time" && name != "newest_fix" && (t = iso_ms(value))) break;
      if (t) j["t"] = *t;
      if (f.flow) j["flow"] = *f.flow;
      findings.push_back(std::move(j));
    }
    d["findings"] = std::move(findings);
    devices.push_back(std::move(d));
  }
  json summary;
  summary["devices"] = report.devices.size();
  summary["messages"] = messages;
  summary["first_ts"] = report.first_ns / 1'000'000;
  summary["last_ts"] = report.last_ns / 1'000'000;
  summary["verdict"] = report.verdict;
  doc["summary"] = summary;
  doc["devices"] = std::move(devices);
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string render_page(std::string_view json_text) {
  const std::string_view page = page_template();
  static constexpr std::string_view marker = "/*VT106_DATA*/";
  const std::size_t at = page.find(marker);
  std::string out;
  out.reserve(page.size() + json_text.size() + json_text.size() / 16);
  out.append(page.substr(0, at == std::string_view::npos ? page.size() : at));
  // '<' only ever occurs inside JSON strings: as \u003c it cannot close the script element.
  for (const char ch : json_text) {
    if (ch == '<') out.append("\\u003c");
    else out.push_back(ch);
  }
  if (at != std::string_view::npos) out.append(page.substr(at + marker.size()));
  return out;
}

}  // namespace vt106::report
