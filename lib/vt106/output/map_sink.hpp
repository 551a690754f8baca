// What the map formats (geojson, gpx, kml) share: the fixes kept per device until the end of the
// input, and a sink that collects them and writes the whole document at finish().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vt106/output/buffered_file.hpp"
#include "vt106/output/format_sink.hpp"

namespace vt106::output {

// One position as a map needs it. Strings are interned (devices, message types), so a fix costs
// a fixed sizeof(Fix) (about 140 bytes) in the vector of its device.
struct Fix {
  double lat = 0, lon = 0;
  std::optional<std::int64_t> fix_time;  // seconds, UTC
  std::optional<std::int64_t> ts_ns;     // capture time
  std::optional<double> speed_kmh, altitude_m, hdop;
  std::optional<int> course, battery, gsm, satellites;
  std::optional<bool> valid;
  gotop::Event event = gotop::Event::unknown;
  std::uint32_t type = 0;  // FixCollector::type_name()
  bool drawn() const { return valid.value_or(true); }  // joins its device's track
};

struct DeviceFixes {
  std::string imei;  // empty for positions without an identifier (SMS texts)
  std::vector<Fix> fixes;
  std::size_t drawn_count() const;
};

class FixCollector {
 public:
  // Keeps the position of a message; false when it has none (heartbeats, commands, replies).
  bool add(const RecordContext& ctx, const gotop::Message& msg);
  // Sorts each device's fixes by fix time (arrival order where times are equal or missing
  // times come first) and returns the devices in the order of their first fix.
  const std::vector<DeviceFixes>& sorted();
  std::string_view type_name(std::uint32_t index) const { return types_[index]; }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;
  std::uint32_t intern(Index& index, std::string_view s, std::size_t next);

  std::vector<DeviceFixes> devices_;
  Index device_index_;
  std::vector<std::string> types_;
  Index type_index_;
  std::uint32_t last_device_ = 0;  // most fixes come from the device before
};

// "sos (ALM-A), invalid fix, 5.5 km/h, course 90, battery 82%, GSM 10": descriptions in GPX and KML.
std::string describe_fix(const Fix& fix, std::string_view type);

// The sink of a map format: records without a position are counted as left out.
class MapSink : public FormatSink {
 public:
  MapSink(std::FILE* out, FormatOptions options);

  void message(const RecordContext& ctx, const gotop::Message& msg) override;
  void error(const RecordContext& ctx, const ErrorRecord& err) override;
  void flow(const FlowSummary& f) override;
  void foreign(const RecordContext& ctx, const detect::Verdict& v) override;
  void flush() override { file_.flush(); }
  void finish() override;

 protected:
  // Writes the whole document; call file.end_record() now and then so it goes out in blocks.
  virtual void write_document(BufferedFile& file, FixCollector& fixes) = 0;

 private:
  BufferedFile file_;
  FixCollector fixes_;
  bool finished_ = false;
};

}  // namespace vt106::output
