// A record sink that hands every record to two others (listen: standard output and -w FILE).
#pragma once

#include "vt106/output/record.hpp"

namespace vt106::output {

class TeeSink final : public RecordSink {
 public:
  TeeSink(RecordSink& first, RecordSink& second) : first_(first), second_(second) {}
  void message(const RecordContext& ctx, const gotop::Message& msg) override {
    first_.message(ctx, msg);
    second_.message(ctx, msg);
  }
  void error(const RecordContext& ctx, const ErrorRecord& err) override {
    first_.error(ctx, err);
    second_.error(ctx, err);
  }
  void flow(const FlowSummary& f) override {
    first_.flow(f);
    second_.flow(f);
  }

 private:
  RecordSink& first_;
  RecordSink& second_;
};

}  // namespace vt106::output
