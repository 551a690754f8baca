// Fuzz target: `vt106 doctor` on any input: read as the doctor reads it (a capture through the
// capture decoder, anything else as a log or hex dump), every device through the checks, with
// or without --imei, then the report in every format. Invariants: every finding names a known
// check and a status, flows named by findings exist, ndjson is one valid JSON object per line,
// json is one valid document, and the text summary of many devices stays bounded by the checks
// and fix groups, never by the number of devices. A capture of a length of 1 modulo 4 is also
// diagnosed with its reading on a thread of its own (doctor -j 2), which must give the same
// report.
//
// Input: [flags] [imei length] imei-digits... content...   flags bit 0: --all
#include <set>

#include "fuzz_support.hpp"
#include "vt106/decode/input.hpp"
#include "vt106/decode/text_decode.hpp"
#include "vt106/doctor/checks.hpp"
#include "vt106/doctor/facts.hpp"
#include "vt106/doctor/identity.hpp"
#include "vt106/doctor/render.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/net/threaded_capture.hpp"
#include "vt106/source/byte_source.hpp"
#include "vt106/source/capture_file.hpp"

namespace {

using namespace vt106;

void check_lines_json(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    fuzz::check(end != std::string::npos, "ndjson without a final newline");
    const auto j = nlohmann::json::parse(text.substr(start, end - start), nullptr, false);
    fuzz::check(!j.is_discarded() && j.is_object(), "ndjson line is not a JSON object", text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::uint8_t flags = in.byte();
  const std::size_t imei_length = in.byte() % 24;
  std::string imei;
  for (std::size_t i = 0; i < imei_length; ++i) imei.push_back(static_cast<char>('0' + in.byte() % 10));
  const std::string content(in.rest());

  gotop::Parser parser;
  doctor::FactCollector collector(parser);
  net::CaptureOptions copts;
  copts.flows.max_flows = 64;
  source::MemorySource raw{content};
  source::PeekSource peek(raw);
  collector.begin_input("fuzz", 0);
  if (decode::sniff_source(peek) == decode::Sniffed::capture) {
    source::CaptureReader reader(peek, copts.capture);
    net::CaptureDecoder(collector, copts).run(reader);
  } else {
    decode::TextOptions topts;
    topts.capture = copts;
    topts.observer = &collector;
    decode::TextDecoder text(parser, collector.records(), topts);
    if (decode::sniff_source(peek) == decode::Sniffed::hex) text.hex(peek, "fuzz");
    else text.text(peek, "fuzz");
  }

  doctor::Options options;
  options.inputs = {"fuzz input"};
  if (doctor::looks_like_identifier(imei)) options.imeis.push_back(imei);
  const doctor::Report report = doctor::diagnose(collector.facts(), options);

  std::set<std::string_view> codes;
  for (const auto& [code, what] : doctor::check_catalogue()) codes.insert(code);
  std::size_t devices_with_findings = 0;
  auto check_finding = [&](const doctor::Finding& f) {
    fuzz::check(codes.count(f.check) == 1, "a finding with an unknown check", f.check);
    if (f.flow) fuzz::check(collector.facts().flows.count(*f.flow) == 1, "a finding names a flow that does not exist");
    if (f.status == doctor::Status::fail || f.status == doctor::Status::warn)
      fuzz::check(!f.summary.empty(), "a problem without a summary", f.check);
  };
  for (const auto& f : report.input_findings) check_finding(f);
  for (const auto& d : report.devices) {
    fuzz::check(!d.name.empty(), "a device without a name");
    fuzz::check(d.findings.size() + 1 == doctor::check_catalogue().size(), "a device without every check", d.name);
    for (const auto& f : d.findings) check_finding(f);
    ++devices_with_findings;
  }
  if (!options.imeis.empty())
    fuzz::check(report.devices.size() + report.missing.size() >= 1 && report.devices.size() <= 1,
                "--imei selected more than the one device");

  const std::string ndjson = doctor::render_ndjson(report);
  check_lines_json(ndjson);
  if (size % 4 == 1 && decode::sniff_source(peek) == decode::Sniffed::capture) {
    gotop::Parser parser2;
    doctor::FactCollector threaded(parser2);
    threaded.begin_input("fuzz", 0);
    source::MemorySource raw2{content};
    source::CaptureReader reader(raw2, copts.capture);
    net::ThreadedOptions t;
    t.batch_events = 3;
    t.batches_in_flight = 2;
    net::ThreadedCaptureDecoder(threaded, copts, t).run(reader);
    fuzz::check(doctor::render_ndjson(doctor::diagnose(threaded.facts(), options)) == ndjson,
                "doctor with the reading on a thread of its own differs from one thread");
  }
  const auto doc = nlohmann::json::parse(doctor::render_json(report), nullptr, false);
  fuzz::check(!doc.is_discarded() && doc.is_object() && doc.contains("findings"), "json is not one document");
  doctor::RenderOptions ro;
  ro.inputs = options.inputs;
  ro.what = "fuzz";
  ro.all = flags & 1;
  const std::string text = doctor::render_text(report, ro);
  if (!ro.all && report.devices.size() > 1 && report.missing.empty()) {
    const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    // A header and verdict, a row per check, a line per fix group (at most one per check and
    // kind of finding), the two suggested commands.
    fuzz::check(lines <= 12 + doctor::check_catalogue().size() + ro.max_groups, "the summary grew with the number of devices");
  }
  return 0;
}
