// Fixes kept per device for the map formats, and the sink that writes a map at the end.
#include "vt106/detect/detect.hpp"
#include "vt106/output/map_sink.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace vt106::output {

std::size_t DeviceFixes::drawn_count() const {
  return static_cast<std::size_t>(std::count_if(fixes.begin(), fixes.end(), [](const Fix& f) { return f.drawn(); }));
}

std::uint32_t FixCollector::intern(Index& index, std::string_view s, std::size_t next) {
  if (auto it = index.find(s); it != index.end()) return it->second;
  const auto i = static_cast<std::uint32_t>(next);
  index.emplace(std::string(s), i);
  return i;
}

bool FixCollector::add(const RecordContext& ctx, const gotop::Message& m) {
  if (!m.lat || !m.lon) return false;
  if (devices_.empty() || devices_[last_device_].imei != m.imei) {
    last_device_ = intern(device_index_, m.imei, devices_.size());
    if (last_device_ == devices_.size()) devices_.push_back({std::string(m.imei), {}});
  }
  Fix f;
  f.lat = *m.lat;
  f.lon = *m.lon;
  f.fix_time = m.fix_time;
  f.ts_ns = ctx.ts_ns;
  f.speed_kmh = m.speed_kmh;
  f.altitude_m = m.altitude_m;
  f.hdop = m.hdop;
  f.course = m.course;
  f.battery = m.battery;
  f.gsm = m.gsm;
  f.satellites = m.satellites;
  f.valid = m.valid;
  f.event = m.event;
  f.type = intern(type_index_, m.type, types_.size());
  if (f.type == types_.size()) types_.emplace_back(m.type);
  devices_[last_device_].fixes.push_back(f);
  return true;
}

const std::vector<DeviceFixes>& FixCollector::sorted() {
  for (auto& d : devices_)
    std::stable_sort(d.fixes.begin(), d.fixes.end(), [](const Fix& a, const Fix& b) { return a.fix_time < b.fix_time; });
  return devices_;
}

std::string describe_fix(const Fix& f, std::string_view type) {
  std::string s(gotop::to_string(f.event));
  if (!type.empty()) s += fmt::format(" ({})", type);
  if (f.valid == false) s += ", invalid fix";
  if (f.speed_kmh) s += fmt::format(", {} km/h", *f.speed_kmh);
  if (f.course) s += fmt::format(", course {}", *f.course);
  if (f.battery) s += fmt::format(", battery {}%", *f.battery);
  if (f.gsm) s += fmt::format(", GSM {}", *f.gsm);
  return s;
}

MapSink::MapSink(std::FILE* out, FormatOptions o) : FormatSink(std::move(o.filter)), file_(out, false) {}

void MapSink::message(const RecordContext& ctx, const gotop::Message& msg) {
  if (finished_ || !gate_.admit(ctx, msg)) return;
  if (!fixes_.add(ctx, msg)) gate_.left_out();
}

void MapSink::error(const RecordContext& ctx, const ErrorRecord& err) {
  if (!finished_ && gate_.admit(ctx, err)) gate_.left_out();
}

void MapSink::foreign(const RecordContext&, const detect::Verdict&) {
  if (!finished_ && gate_.admit_foreign()) gate_.left_out();
}

void MapSink::flow(const FlowSummary& f) {
  if (!finished_ && gate_.admit(f)) gate_.left_out();
}

void MapSink::finish() {
  if (finished_) return;
  finished_ = true;
  write_document(file_, fixes_);
  file_.flush();
}

}  // namespace vt106::output
