// Shared by the fuzz targets: reading typed values off the input, failing loudly when an
// invariant breaks, and a record sink that checks every NDJSON line is valid JSON.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vt106/output/json.hpp"
#include "vt106/output/record.hpp"

namespace vt106::fuzz {

// An invariant does not hold: say which, with the evidence, and abort so the fuzzer keeps the input.
[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void check(bool ok, std::string_view what, std::string_view detail = {}) {
  if (!ok) fail(what, detail);
}

// Takes typed values off the front of the input; past the end it gives zeros and empty strings.
class InputReader {
 public:
  InputReader(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), data == nullptr ? 0 : size) {}

  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  // Up to the next NUL byte (consumed), or everything left.
  std::string_view field() {
    const auto nul = rest_.find('\0');
    const std::string_view out = rest_.substr(0, nul);
    rest_.remove_prefix(nul == std::string_view::npos ? rest_.size() : nul + 1);
    return out;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// Serialises every record as the NDJSON writer does, checks the line, and keeps it.
class CheckedSink final : public output::RecordSink {
 public:
  std::vector<std::string> lines;
  std::uint64_t messages = 0, errors = 0, flows = 0;

  void message(const output::RecordContext& ctx, const gotop::Message& msg) override {
    std::string line;
    output::append_message_json(line, ctx, msg);
    ++messages;
    keep(std::move(line));
  }
  void error(const output::RecordContext& ctx, const output::ErrorRecord& err) override {
    std::string line;
    output::append_error_json(line, ctx, err);
    ++errors;
    keep(std::move(line));
  }
  void flow(const output::FlowSummary& f) override {
    std::string line;
    output::append_flow_json(line, f);
    ++flows;
    keep(std::move(line));
  }
  void foreign(const output::RecordContext& ctx, const detect::Verdict& v) override {
    std::string line;
    output::append_foreign_json(line, ctx, v);
    keep(std::move(line));
  }

 private:
  void keep(std::string line) {
    check(line.find('\n') == std::string::npos, "an NDJSON record spans more than one line", line);
    check(nlohmann::json::accept(line), "a record is not valid JSON", line);
    lines.push_back(std::move(line));
  }
};

// A direct parser result, written as StreamDecoder would write it.
inline void record_parse(CheckedSink& sink, bool ok, gotop::Message& msg, const gotop::DecodeError& err,
                         std::string_view raw) {
  output::RecordContext ctx;
  ctx.input = "fuzz";
  ctx.offset = 0;
  if (ok) {
    msg.raw = raw;
    sink.message(ctx, msg);
    return;
  }
  check(err.column <= raw.size(), "an error column lies outside the text", raw);
  output::ErrorRecord e;
  e.code = gotop::to_string(err.code);
  e.message = err.message;
  e.raw = raw;
  e.imei = err.imei;
  e.type = err.type;
  e.dir = err.dir;
  ctx.column = err.column;
  sink.error(ctx, e);
}

// Both runs must have written exactly the same records.
inline void check_same(const CheckedSink& a, const CheckedSink& b, std::string_view what) {
  if (a.lines == b.lines) return;
  std::string detail;
  const std::size_t n = std::max(a.lines.size(), b.lines.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string none = "(none)";
    const std::string& x = i < a.lines.size() ? a.lines[i] : none;
    const std::string& y = i < b.lines.size() ? b.lines[i] : none;
    if (x != y) {
      detail = "record " + std::to_string(i) + ":\n  " + x + "\n  " + y;
      break;
    }
  }
  fail(what, detail);
}

}  // namespace vt106::fuzz
