// --format kml (OGC KML 2.2): a folder per device holding a line through its valid fixes in
// fix-time order and a placemark for every fix, invalid ones in their own style (red).
#include "vt106/output/format_sinks.hpp"
#include "vt106/output/map_sink.hpp"
#include "vt106/output/text_escape.hpp"
#include "vt106/util/time.hpp"

namespace vt106::output {

namespace {

void write_coordinates(std::string& out, const Fix& f) {  // KML: longitude,latitude
  append_number(out, f.lon);
  out += ',';
  append_number(out, f.lat);
}

template <class T>
void write_data(std::string& out, std::string_view name, const std::optional<T>& v) {
  if (!v) return;
  out += "<Data name=\"";
  out += name;
  out += "\"><value>";
  if constexpr (std::is_same_v<T, bool>) out += *v ? "true" : "false";
  else if constexpr (std::is_floating_point_v<T>) append_number(out, *v);
  else out += std::to_string(*v);
  out += "</value></Data>";
}

void write_placemark(std::string& out, const Fix& f, std::string_view type) {
  out += "   <Placemark><name>";
  out += gotop::to_string(f.event);
  out += "</name><description>";
  append_xml_text(out, describe_fix(f, type));
  out += "</description>";
  if (f.fix_time) {
    out += "<TimeStamp><when>";
    util::append_iso8601(out, *f.fix_time);
    out += "</when></TimeStamp>";
  }
  out += f.drawn() ? "<styleUrl>#valid</styleUrl>" : "<styleUrl>#invalid</styleUrl>";
  out += "<ExtendedData>";
  write_data(out, "valid", f.valid);
  if (!type.empty()) {
    out += "<Data name=\"type\"><value>";
    append_xml_text(out, type);
    out += "</value></Data>";
  }
  write_data(out, "speed_kmh", f.speed_kmh);
  write_data(out, "course", f.course);
  write_data(out, "altitude_m", f.altitude_m);
  write_data(out, "hdop", f.hdop);
  write_data(out, "satellites", f.satellites);
  write_data(out, "battery", f.battery);
  write_data(out, "gsm", f.gsm);
  out += "</ExtendedData><Point><coordinates>";
  write_coordinates(out, f);
  out += "</coordinates></Point></Placemark>\n";
}

class KmlSink final : public MapSink {
 public:
  using MapSink::MapSink;
  ~KmlSink() override { finish(); }

 private:
  void write_document(BufferedFile& file, FixCollector& fixes) override {
    std::string& out = file.text();
    // Colours are aabbggrr: valid fixes green, invalid red, tracks blue.
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n"
           "<Document>\n"
           " <name>vt106</name>\n"
           " <Style id=\"valid\"><IconStyle><color>ff00b000</color></IconStyle></Style>\n"
           " <Style id=\"invalid\"><IconStyle><color>ff0000ff</color></IconStyle></Style>\n"
           " <Style id=\"track\"><LineStyle><color>ffd07000</color><width>3</width></LineStyle></Style>\n";
    for (const auto& device : fixes.sorted()) {
      const std::string_view name = device.imei.empty() ? std::string_view("no IMEI") : device.imei;
      out += " <Folder><name>";
      append_xml_text(out, name);
      out += "</name>\n";
      if (device.drawn_count() >= 2) {
        out += "  <Placemark><name>";
        append_xml_text(out, name);
        out += " track</name><styleUrl>#track</styleUrl><LineString><tessellate>1</tessellate><coordinates>";
        bool first = true;
        for (const auto& f : device.fixes) {
          if (!f.drawn()) continue;
          if (!first) out += ' ';
          first = false;
          write_coordinates(out, f);
        }
        out += "</coordinates></LineString></Placemark>\n";
        file.end_record();
      }
      for (const auto& f : device.fixes) {
        write_placemark(out, f, fixes.type_name(f.type));
        file.end_record();
      }
      out += " </Folder>\n";
    }
    out += "</Document>\n</kml>\n";
  }
};

}  // namespace

std::unique_ptr<FormatSink> make_kml_sink(std::FILE* out, FormatOptions options) {
  return std::make_unique<KmlSink>(out, std::move(options));
}

}  // namespace vt106::output
