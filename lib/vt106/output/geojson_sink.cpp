// --format geojson (RFC 7946): a FeatureCollection with, per device, a LineString of its valid
// fixes in fix-time order (when there are two or more) and a Point for every fix, valid or not.
#include "vt106/output/format_sinks.hpp"
#include "vt106/output/json.hpp"
#include "vt106/output/map_sink.hpp"

namespace vt106::output {

namespace {

void write_position(JsonWriter& w, const Fix& f) {  // RFC 7946: longitude first
  w.begin_array();
  w.number(f.lon);
  w.number(f.lat);
  w.end_array();
}

template <class T>
void optional_property(JsonWriter& w, std::string_view name, const std::optional<T>& v) {
  if (v) w.key(name).number(*v);
}

void write_track(std::string& out, const DeviceFixes& device, std::size_t drawn) {
  JsonWriter w(out);
  w.begin_object();
  w.key("type").string("Feature");
  w.key("geometry").begin_object();
  w.key("type").string("LineString");
  w.key("coordinates").begin_array();
  for (const auto& f : device.fixes)
    if (f.drawn()) write_position(w, f);
  w.end_array();
  w.end_object();
  w.key("properties").begin_object();
  if (!device.imei.empty()) w.key("imei").string(device.imei);
  w.key("fixes").number(static_cast<std::uint64_t>(device.fixes.size()));
  w.key("valid_fixes").number(static_cast<std::uint64_t>(drawn));
  w.end_object();
  w.end_object();
}

void write_point(std::string& out, const DeviceFixes& device, const Fix& f, std::string_view type) {
  JsonWriter w(out);
  w.begin_object();
  w.key("type").string("Feature");
  w.key("geometry").begin_object();
  w.key("type").string("Point");
  w.key("coordinates");
  write_position(w, f);
  w.end_object();
  w.key("properties").begin_object();
  if (!device.imei.empty()) w.key("imei").string(device.imei);
  w.key("event").string(gotop::to_string(f.event));
  if (!type.empty()) w.key("type").string(type);
  if (f.valid) w.key("valid").boolean(*f.valid);
  if (f.fix_time) w.key("fix_time").timestamp(*f.fix_time);
  if (f.ts_ns) w.key("ts").timestamp_us(*f.ts_ns);
  optional_property(w, "speed_kmh", f.speed_kmh);
  optional_property(w, "course", f.course);
  optional_property(w, "altitude_m", f.altitude_m);
  optional_property(w, "hdop", f.hdop);
  optional_property(w, "satellites", f.satellites);
  optional_property(w, "battery", f.battery);
  optional_property(w, "gsm", f.gsm);
  w.end_object();
  w.end_object();
}

class GeoJsonSink final : public MapSink {
 public:
  using MapSink::MapSink;
  ~GeoJsonSink() override { finish(); }

 private:
  void write_document(BufferedFile& file, FixCollector& fixes) override {
    std::string& out = file.text();
    out += "{\"type\":\"FeatureCollection\",\"features\":[";
    bool first = true;
    auto next_feature = [&] {
      out += first ? "\n" : ",\n";
      first = false;
    };
    for (const auto& device : fixes.sorted()) {
      if (const std::size_t drawn = device.drawn_count(); drawn >= 2) {
        next_feature();
        write_track(out, device, drawn);
        file.end_record();
      }
      for (const auto& f : device.fixes) {
        next_feature();
        write_point(out, device, f, fixes.type_name(f.type));
        file.end_record();
      }
    }
    out += first ? "]}\n" : "\n]}\n";
  }
};

}  // namespace

std::unique_ptr<FormatSink> make_geojson_sink(std::FILE* out, FormatOptions options) {
  return std::make_unique<GeoJsonSink>(out, std::move(options));
}

}  // namespace vt106::output
