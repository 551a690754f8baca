// A capture decoded on several cores, with the output of one: the calling thread reads packets
// and runs the flow table (reassembly needs every packet in order); each flow's events go, in
// batches, to the worker that owns the flow, whose FlowDecoder parses and formats its records;
// every record is then written in the place the single-threaded decoder gives it (the order of
// the events that made them), through the sink's own filters and counters. NDJSON only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "vt106/decode/flow_decoder.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/output/ndjson_sink.hpp"
#include "vt106/source/capture_file.hpp"

namespace vt106::decode {

struct ParallelOptions {
  unsigned workers = 2;
  bool pretty = false;           // the sink indents its records (--pretty)
  std::size_t batch_events = 4096;  // flow events handed out at a time
  std::size_t batches_in_flight = 4;  // read ahead of the writing: bounds memory
};

class ParallelCaptureDecoder {
 public:
  ParallelCaptureDecoder(const gotop::ParseOptions& parse, output::NdjsonSink& sink, std::string input,
                         FlowDecoderOptions options, const net::CaptureOptions& capture, ParallelOptions parallel);
  ~ParallelCaptureDecoder();
  ParallelCaptureDecoder(const ParallelCaptureDecoder&) = delete;
  ParallelCaptureDecoder& operator=(const ParallelCaptureDecoder&) = delete;

  // Decodes the whole capture, as CaptureDecoder::run does, and writes every record.
  net::CaptureStats run(source::CaptureReader& reader);
  // Writes the records of every event so far (the input paused: what was read reaches the reader).
  void drain();
  // Told how many message records reached the sink, as they do (a progress line).
  void on_messages(std::function<void(std::uint64_t)> counted);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vt106::decode
