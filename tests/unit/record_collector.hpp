// Test helper: a RecordSink that keeps every record as parsed JSON, through the real writer.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vt106/decode/text_decode.hpp"
#include "vt106/output/record.hpp"

namespace vt106::testing {

class RecordCollector final : public output::RecordSink {
 public:
  std::vector<nlohmann::json> records;
  std::vector<std::string> lines;

  void message(const output::RecordContext& ctx, const gotop::Message& msg) override {
    std::string s;
    output::append_message_json(s, ctx, msg);
    keep(s);
  }
  void error(const output::RecordContext& ctx, const output::ErrorRecord& err) override {
    std::string s;
    output::append_error_json(s, ctx, err);
    keep(s);
  }
  void foreign(const output::RecordContext& ctx, const detect::Verdict& v) override {
    std::string s;
    output::append_foreign_json(s, ctx, v);
    keep(s);
  }
  void flow(const output::FlowSummary& f) override {
    std::string s;
    output::append_flow_json(s, f);
    keep(s);
  }

 private:
  void keep(const std::string& s) {
    lines.push_back(s);
    records.push_back(nlohmann::json::parse(s));  // throws if a line is not valid JSON
  }
};

enum class As { text, hex, sms };

// Decodes `input` as vt106 decode --text/--hex/--sms would and returns the records.
inline std::vector<nlohmann::json> decode_string(const std::string& input, As as = As::text,
                                                 gotop::ParseOptions opts = {},
                                                 std::size_t max_frame = gotop::default_max_frame) {
  RecordCollector sink;
  gotop::Parser parser(opts);
  decode::TextDecoder dec(parser, sink, max_frame);
  auto in = decode::string_reader(input);
  if (as == As::text) dec.text(in, "test", /*frames_only=*/true);
  if (as == As::hex) dec.hex(in, "test");
  if (as == As::sms) dec.sms(in, "test");
  return sink.records;
}

}  // namespace vt106::testing
