// What the filters let through, told when they let nothing through.
#include "vt106/output/record_filter.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "vt106/util/text.hpp"

namespace vt106::output {

namespace {

std::string listed(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

std::vector<std::string> RecordGate::unmatched_filters() const {
  std::vector<std::string> out;
  bool each_matched = true;
  for (const auto& imei : filter_.imeis) {
    if (imeis_hit_.count(imei)) continue;
    each_matched = false;
    // The identifiers seen that are nearest to it (a digit typed wrong, one left out).
    std::vector<std::pair<std::size_t, std::string>> near;
    for (const auto& seen : devices_) near.emplace_back(util::edit_distance(imei, seen), seen);
    const std::size_t shown = std::min<std::size_t>(3, near.size());
    std::partial_sort(near.begin(), near.begin() + static_cast<std::ptrdiff_t>(shown), near.end());
    std::vector<std::string> closest;
    for (std::size_t i = 0; i < shown; ++i) closest.push_back(near[i].second);
    out.push_back(closest.empty()
                      ? fmt::format("--imei {} matched no record: no record carried an identifier", imei)
                      : fmt::format("--imei {} matched no record; the identifiers seen closest to it: {}{}", imei,
                                    listed(closest),
                                    devices_.size() > shown ? fmt::format(" (of {} seen)", devices_.size()) : ""));
  }
  for (const auto& event : filter_.events) {
    if (events_hit_.count(event)) continue;
    each_matched = false;
    const std::vector<std::string> seen(events_seen_.begin(), events_seen_.end());
    out.push_back(seen.empty() ? fmt::format("--event {} matched no record: there were no records", event)
                               : fmt::format("--event {} matched no record; the events seen: {}", event, listed(seen)));
  }
  if (each_matched && !filter_.imeis.empty() && !filter_.events.empty() && counters_.written == 0)
    out.push_back("--imei and --event each matched records, but never the same one");
  return out;
}

}  // namespace vt106::output
