// Output formats: each one read back the way its consumers read it (JSON parsed, CSV split by
// RFC 4180 rules), invalid fixes marked and kept, filters applied alike, text escaped per format.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vt106/decode/text_decode.hpp"
#include "vt106/output/format_sink.hpp"
#include "vt106/output/text_escape.hpp"
#include "vt106/util/progress.hpp"

using nlohmann::json;
using vt106::output::OutputFormat;

namespace {

// Two devices: A drives (two valid fixes out of time order, one invalid), B has one fix; plus a
// heartbeat, a command, a reply and junk.
const std::string frames =
    "#353327020412763,CMD-T,A,DATE:240813,TIME:101500,LAT:51.5000000N,LOT:000.1000000W,Speed:030.0,80-20,090#"
    "#353327020412763,CMD-T,A,DATE:240813,TIME:100000,LAT:51.4000000N,LOT:000.2000000W,Speed:020.0,81-21,045#"
    "#353327020412763,CMD-X#"
    "#353327020412763,ALM-A,V,DATE:240813,TIME:103000,LAT:51.6000000N,LOT:000.0500000E,Speed:000.0,79-19,000#"
    "#867648040000026,CMD-T,A,DATE:220516,TIME:100627,LAT:48.7636978N,LON:003.4652398W,Speed:051.4,077-24,01.00#"
    ":123456M1,030S#"
    "#353327020412763,CMD-M1#"
    "#not a frame, \"quoted\"\x1b[31m#";

std::string render(OutputFormat format, const std::string& input, vt106::output::FormatOptions options = {}) {
  char* data = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&data, &size);
  REQUIRE(out);
  {
    auto sink = vt106::output::make_format_sink(format, out, std::move(options));
    vt106::gotop::Parser parser;
    vt106::decode::TextDecoder decoder(parser, *sink);
    auto in = vt106::decode::string_reader(input);
    decoder.text(in, "test");
    sink->finish();
  }
  std::fclose(out);
  std::string text(data, size);
  std::free(data);
  return text;
}

std::vector<json> ndjson_records(const std::string& input) {
  std::vector<json> records;
  const std::string text = render(OutputFormat::ndjson, input);
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    records.push_back(json::parse(text.substr(start, end - start)));
  return records;
}

// RFC 4180 reader: rows of fields; quoted fields may hold commas, CR, LF and doubled quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    std::string& field = rows.back().back();
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      rows.emplace_back(1);
    } else {
      field += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

}  // namespace

TEST_SUITE("output.formats") {
  TEST_CASE("names") {
    for (auto name : vt106::output::output_format_names) {
      auto f = vt106::output::parse_output_format(name);
      REQUIRE(f);
      CHECK(vt106::output::to_string(*f) == name);
    }
    CHECK_FALSE(vt106::output::parse_output_format("xml"));
  }

  TEST_CASE("json is one array of the NDJSON records") {
    const json array = json::parse(render(OutputFormat::json, frames));
    REQUIRE(array.is_array());
    CHECK(array == json(ndjson_records(frames)));
    CHECK(json::parse(render(OutputFormat::json, "")) == json::array());
    vt106::output::FormatOptions pretty;
    pretty.pretty = true;
    CHECK(json::parse(render(OutputFormat::json, frames, pretty)) == array);
  }

  TEST_CASE("csv: fixed header, one row per record, RFC 4180 quoting") {
    const std::string text = render(OutputFormat::csv, frames);
    CHECK(text.rfind("kind,ts,dir,transport,src,dst,flow,offset,imei,type,event,command,valid,fix_time,lat,lon,"
                     "speed_kmh,course,altitude_m,hdop,satellites,battery,gsm,status,code,detail,raw,raw_hex\r\n",
                     0) == 0);
    const auto rows = parse_csv(text);
    const auto records = ndjson_records(frames);
    REQUIRE(rows.size() == records.size() + 1);
    const auto& header = rows[0];
    auto column = [&](const std::string& name) {
      return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
    };
    for (std::size_t i = 1; i < rows.size(); ++i) {
      const auto& row = rows[i];
      const auto& rec = records[i - 1];
      REQUIRE(row.size() == header.size());
      CHECK(row[column("kind")] == rec["kind"]);
      if (row[column("raw_hex")].empty()) CHECK(row[column("raw")] == rec["raw"]);
      if (rec.contains("lat")) CHECK(row[column("lat")] == rec["lat"].dump());
      if (rec.contains("valid")) CHECK(row[column("valid")] == rec["valid"].dump());
      if (rec["kind"] == "error") CHECK(row[column("detail")] == rec["message"]);
      if (rec.value("event", "") == "command") CHECK(row[column("detail")] == rec["summary"]);
    }
    CHECK(render(OutputFormat::csv, "").find("\r\n") == text.find("\r\n"));  // the header alone
  }

  TEST_CASE("csv keeps the exact bytes in raw_hex when raw cannot") {
    const auto rows = parse_csv(render(OutputFormat::csv, std::string("#\xff\x01,x#")));
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].back() == "23ff012c7823");
    CHECK(rows[1][rows[1].size() - 2] == "#\xc3\xbf\xef\xbf\xbd,x#");
  }

  TEST_CASE("table: aligned columns, terminal-safe text, colour only when asked") {
    const std::string text = render(OutputFormat::table, frames);
    CHECK(text.rfind("TIME ", 0) == 0);
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find("\\x1B[31m") != std::string::npos);  // the junk's escape shown, not obeyed
    // Every row's IMEI starts in the same column as the header's.
    const std::size_t imei_column = text.find("IMEI");
    std::size_t start = text.find('\n') + 1;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      const std::string row = text.substr(start, end - start);
      if (row.find("353327020412763") != std::string::npos) CHECK(row.find("353327020412763") == imei_column);
    }
    vt106::output::FormatOptions colour;
    colour.colour = true;
    const std::string coloured = render(OutputFormat::table, frames, colour);
    CHECK(coloured.find("\x1b[33mno\x1b[0m") != std::string::npos);     // the invalid fix
    CHECK(coloured.find("\x1b[33myes") == std::string::npos);            // valid ones plain
    CHECK(coloured.find("\x1b[31merror\x1b[0m") != std::string::npos);  // the junk
  }

  TEST_CASE("geojson: a track per device through valid fixes in fix-time order, a point per fix") {
    const json doc = json::parse(render(OutputFormat::geojson, frames));
    CHECK(doc["type"] == "FeatureCollection");
    std::vector<json> lines, points;
    for (const auto& f : doc["features"]) {
      CHECK(f["type"] == "Feature");
      (f["geometry"]["type"] == "LineString" ? lines : points).push_back(f);
    }
    REQUIRE(lines.size() == 1);  // device B has a single fix: no line
    CHECK(lines[0]["properties"]["imei"] == "353327020412763");
    CHECK(lines[0]["geometry"]["coordinates"] == json::parse("[[-0.2,51.4],[-0.1,51.5]]"));
    CHECK(lines[0]["properties"]["fixes"] == 3);
    CHECK(lines[0]["properties"]["valid_fixes"] == 2);
    REQUIRE(points.size() == 4);
    CHECK(points[2]["properties"]["valid"] == false);  // kept, and marked
    CHECK(points[2]["properties"]["event"] == "sos");
    CHECK(points[2]["geometry"]["coordinates"] == json::parse("[0.05,51.6]"));
    CHECK(points[3]["properties"]["imei"] == "867648040000026");
    CHECK(points[3]["properties"]["hdop"] == 1);
    CHECK(json::parse(render(OutputFormat::geojson, "")) == json::parse(R"({"type":"FeatureCollection","features":[]})"));
  }

  TEST_CASE("gpx and kml: invalid fixes marked, records without a position left out and counted") {
    const std::string gpx = render(OutputFormat::gpx, frames);
    CHECK(gpx.find("<fix>none</fix>") != std::string::npos);
    CHECK(gpx.find("<wpt lat=\"51.6\" lon=\"0.05\">") < gpx.find("<trk>"));  // waypoints first (schema order)
    CHECK(gpx.find("<trkpt lat=\"51.4\" lon=\"-0.2\">") < gpx.find("<trkpt lat=\"51.5\" lon=\"-0.1\">"));
    const std::string kml = render(OutputFormat::kml, frames);
    CHECK(kml.find("<coordinates>-0.2,51.4 -0.1,51.5</coordinates>") != std::string::npos);
    CHECK(kml.find("<styleUrl>#invalid</styleUrl>") != std::string::npos);
    CHECK(kml.find("not a frame") == std::string::npos);

    std::FILE* devnull = std::fopen("/dev/null", "w");
    REQUIRE(devnull);
    auto sink = vt106::output::make_format_sink(OutputFormat::gpx, devnull, {});
    vt106::gotop::Parser parser;
    vt106::decode::TextDecoder decoder(parser, *sink);
    auto in = vt106::decode::string_reader(frames);
    decoder.text(in, "test");
    sink->finish();
    CHECK(sink->counters().left_out == 4);  // heartbeat, command, reply, junk
    CHECK(sink->device_count() == 2);
    sink.reset();
    std::fclose(devnull);
  }

  TEST_CASE("filters apply to every format") {
    vt106::output::FormatOptions only_b;
    only_b.filter.imeis.insert("867648040000026");
    const json doc = json::parse(render(OutputFormat::geojson, frames, only_b));
    REQUIRE(doc["features"].size() == 1);
    vt106::output::FormatOptions positions;
    positions.filter.events.insert("position");
    CHECK(parse_csv(render(OutputFormat::csv, frames, positions)).size() == 1 + 3);
  }

  TEST_CASE("a device's errors follow it onto its next flow") {
    char* data = nullptr;
    std::size_t size = 0;
    std::FILE* out = open_memstream(&data, &size);
    REQUIRE(out);
    {
      vt106::output::FormatOptions o;
      o.filter.imeis.insert("353327020412763");
      auto sink = vt106::output::make_format_sink(OutputFormat::ndjson, out, std::move(o));
      vt106::gotop::Message m;
      m.imei = "353327020412763";
      m.event = vt106::gotop::Event::heartbeat;
      m.raw = "#353327020412763,CMD-X#";
      vt106::output::RecordContext ctx;
      for (std::uint32_t flow : {1u, 2u}) {
        ctx.flow = flow;
        sink->message(ctx, m);
      }
      vt106::output::ErrorRecord e;
      e.code = "junk";
      e.message = "junk";
      sink->error(ctx, e);
      sink->finish();
    }
    std::fclose(out);
    const std::string text(data, size);
    std::free(data);
    CHECK(text.find("\"code\":\"junk\"") != std::string::npos);
  }
}

TEST_SUITE("output.text_escape") {
  TEST_CASE("csv fields") {
    std::string out;
    CHECK(vt106::output::append_csv_field(out, "plain"));
    CHECK(out == "plain");
    out.clear();
    CHECK(vt106::output::append_csv_field(out, "a,\"b\"\nc"));
    CHECK(out == "\"a,\"\"b\"\"\nc\"");
  }
  TEST_CASE("xml text") {
    std::string out;
    vt106::output::append_xml_text(out, "<a & 'b'>\x01\xff");
    CHECK(out == "&lt;a &amp; &apos;b&apos;&gt;\xef\xbf\xbd\xc3\xbf");
  }
  TEST_CASE("terminal text") {
    std::string out;
    vt106::output::append_terminal_text(out, "\x1b[2J\n\xc2\x9b\xc3\xa9\xff");
    CHECK(out == "\\x1B[2J\\n\\xC2\\x9B\xc3\xa9\\xFF");
    CHECK(vt106::output::terminal_width(out) == out.size() - 1);  // é is one column in two bytes
  }
}

TEST_SUITE("util.progress") {
  TEST_CASE("progress line text") {
    vt106::util::ProgressSnapshot p;
    p.input = "big.pcap";
    p.bytes_read = 12'345'678;
    p.bytes_total = 29'000'000;
    p.messages = 51234;
    p.seconds = 2;
    CHECK(vt106::util::progress_text(p) == "big.pcap   42%  12.3 MB of 29.0 MB  51234 messages  25617 messages/s");
    p.bytes_total.reset();
    p.bytes_read.reset();
    CHECK(vt106::util::progress_text(p) == "big.pcap  51234 messages  25617 messages/s");
    CHECK(vt106::util::byte_size_text(999) == "999 B");
    CHECK(vt106::util::byte_size_text(999'960) == "1.0 MB");
  }
}
