// --format gpx (GPX 1.1, topografix.com/GPX/1/1): a track per device through its valid fixes in
// fix-time order; invalid fixes are waypoints marked <fix>none</fix>, so that none is dropped.
#include "vt106/output/format_sinks.hpp"
#include "vt106/output/map_sink.hpp"
#include "vt106/output/text_escape.hpp"
#include "vt106/util/time.hpp"

namespace vt106::output {

namespace {

std::string_view device_name(const DeviceFixes& d) {
  return d.imei.empty() ? std::string_view("no IMEI") : std::string_view(d.imei);
}

// A wptType element (wpt or trkpt); children in the order the GPX 1.1 schema requires.
void write_point(std::string& out, std::string_view element, const Fix& f, std::string_view name,
                 std::string_view type) {
  out += "  <";
  out += element;
  out += " lat=\"";
  append_number(out, f.lat);
  out += "\" lon=\"";
  append_number(out, f.lon);
  out += "\">";
  if (f.altitude_m) {
    out += "<ele>";
    append_number(out, *f.altitude_m);
    out += "</ele>";
  }
  if (f.fix_time) {
    out += "<time>";
    util::append_iso8601(out, *f.fix_time);
    out += "</time>";
  }
  if (!name.empty()) {
    out += "<name>";
    append_xml_text(out, name);
    out += "</name>";
  }
  out += "<desc>";
  append_xml_text(out, describe_fix(f, type));
  out += "</desc><type>";
  out += gotop::to_string(f.event);
  out += "</type>";
  if (f.valid == false) out += "<fix>none</fix>";
  if (f.satellites && *f.satellites >= 0) out += "<sat>" + std::to_string(*f.satellites) + "</sat>";
  if (f.hdop) {
    out += "<hdop>";
    append_number(out, *f.hdop);
    out += "</hdop>";
  }
  out += "</";
  out += element;
  out += ">\n";
}

class GpxSink final : public MapSink {
 public:
  using MapSink::MapSink;
  ~GpxSink() override { finish(); }

 private:
  void write_document(BufferedFile& file, FixCollector& fixes) override {
    std::string& out = file.text();
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<gpx version=\"1.1\" creator=\"vt106\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n";
    const auto& devices = fixes.sorted();
    // The schema wants every waypoint before the first track.
    for (const auto& device : devices) {
      const std::string name = std::string(device_name(device)) + " invalid fix";
      for (const auto& f : device.fixes) {
        if (f.drawn()) continue;
        write_point(out, "wpt", f, name, fixes.type_name(f.type));
        file.end_record();
      }
    }
    for (const auto& device : devices) {
      if (device.drawn_count() == 0) continue;
      out += " <trk><name>";
      append_xml_text(out, device_name(device));
      out += "</name><trkseg>\n";
      for (const auto& f : device.fixes) {
        if (!f.drawn()) continue;
        write_point(out, "trkpt", f, {}, fixes.type_name(f.type));
        file.end_record();
      }
      out += " </trkseg></trk>\n";
    }
    out += "</gpx>\n";
  }
};

}  // namespace

std::unique_ptr<FormatSink> make_gpx_sink(std::FILE* out, FormatOptions options) {
  return std::make_unique<GpxSink>(out, std::move(options));
}

}  // namespace vt106::output
