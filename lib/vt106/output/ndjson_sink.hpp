// The default record sink of decode, capture and listen: filters, then NDJSON to a FILE*.
#pragma once

#include <cstdio>
#include <string>

#include "vt106/output/deferred_ndjson.hpp"
#include "vt106/output/format_sink.hpp"

namespace vt106::output {

class NdjsonSink final : public FormatSink {
 public:
  // `flush_each`: flush after every record (live capture, pipes that must see records at once).
  NdjsonSink(std::FILE* out, RecordFilter filter = {}, bool pretty = false, bool flush_each = false);
  ~NdjsonSink() override;
  NdjsonSink(const NdjsonSink&) = delete;
  NdjsonSink& operator=(const NdjsonSink&) = delete;

  void message(const RecordContext& ctx, const gotop::Message& msg) override;
  void error(const RecordContext& ctx, const ErrorRecord& err) override;
  void flow(const FlowSummary& f) override;
  void foreign(const RecordContext& ctx, const detect::Verdict& v) override;
  // A record built elsewhere (one JSON object, no newline), written in turn with the others;
  // the record filters do not apply to it.
  void write_json(std::string_view object);
  // A record formatted by another thread (decode -j): the filters and counters apply to it as
  // to one given here, then its line is written as is.
  void write_deferred(const DeferredRecord& r, std::string_view imei, std::string_view line);
  void flush() override;
  void finish() override { flush(); }

 private:
  // Room for `n` more bytes in the block (written out first when it has no room left).
  char* reserve(std::size_t n);
  // Appends a record built in scratch_ (pretty-printed when asked), then the newline.
  void emit_scratch();
  void emit_end(char* end);

  std::FILE* out_;
  bool pretty_;
  bool flush_each_;
  // The output block: block_ is sized once (so it is not zero-filled per record); the first
  // used_ bytes are records not yet written out.
  std::string block_;
  std::size_t used_ = 0;
  std::string scratch_;
};

}  // namespace vt106::output
