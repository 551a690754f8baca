// Fuzz target: a capture file end to end, as `vt106 decode FILE` reads it: pcap/pcapng reader,
// link/IP/TCP/UDP decoding, fragment and TCP reassembly, the flow table and the flow decoder,
// with flow summaries on. The input is the file, opened with fmemopen. It is decoded twice:
// straight from the file, and after its first bytes were read ahead to sniff it (as the CLI
// does); both must give the same records. Inputs of a length divisible by 3 run with tight
// limits (4 flows, small reorder buffers, few fragments) so that every limit is reached. Inputs
// of a length of 1 modulo 4 are also decoded with -j 3 (batches of 3 events) and with the reading
// on a thread of its own (batches of 3 events), which must write the very bytes -j 1 writes.
#include <cstdio>
#include <memory>

#include "fuzz_support.hpp"
#include "vt106/decode/flow_decoder.hpp"
#include "vt106/decode/parallel_capture.hpp"
#include "vt106/output/ndjson_sink.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/net/threaded_capture.hpp"

namespace {

using namespace vt106;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

fuzz::CheckedSink decode_image(std::string_view image, std::size_t read_ahead, const net::CaptureOptions& options) {
  fuzz::CheckedSink sink;
  // fmemopen refuses a zero-length buffer: an empty file is a stream with nothing in it.
  std::string copy(image);
  std::unique_ptr<std::FILE, FileCloser> file(copy.empty() ? std::tmpfile()
                                                           : ::fmemopen(copy.data(), copy.size(), "rb"));
  fuzz::check(file != nullptr, "cannot open the input as a FILE*");
  std::string head(read_ahead, '\0');
  head.resize(std::fread(head.data(), 1, head.size(), file.get()));
  gotop::Parser parser;
  decode::FlowDecoderOptions fopts;
  fopts.flow_summaries = true;
  decode::FlowDecoder flows(parser, sink, "fuzz", fopts);
  net::CaptureDecoder capture(flows, options);
  const net::CaptureStats stats = capture.run(file.get(), head);
  fuzz::check(stats.flows == sink.flows, "flow summaries differ from the flows opened");
  fuzz::check(flows.messages() == sink.messages, "the decoder's message count differs from its records");
  return sink;
}

// The NDJSON the CLI writes for the capture: 1, FlowDecoder on one thread (decode -j 1); 2, the
// same with the reading on a thread of its own; 3, ParallelCaptureDecoder on 3 workers.
std::string ndjson_of(std::string_view image, unsigned jobs, const net::CaptureOptions& options) {
  std::string copy(image);
  std::unique_ptr<std::FILE, FileCloser> file(copy.empty() ? std::tmpfile()
                                                           : ::fmemopen(copy.data(), copy.size(), "rb"));
  std::unique_ptr<std::FILE, FileCloser> out(std::tmpfile());
  fuzz::check(file != nullptr && out != nullptr, "cannot open the input or the output");
  {
    output::NdjsonSink sink(out.get());
    decode::FlowDecoderOptions fopts;
    fopts.flow_summaries = true;
    source::CaptureReader reader(file.get(), {}, options.capture);
    if (jobs == 1) {
      gotop::Parser parser;
      decode::FlowDecoder flows(parser, sink, "fuzz", fopts);
      net::CaptureDecoder(flows, options).run(reader);
    } else if (jobs == 2) {  // the reading on a thread of its own (decode's other formats, doctor)
      gotop::Parser parser;
      decode::FlowDecoder flows(parser, sink, "fuzz", fopts);
      net::ThreadedOptions t;
      t.batch_events = 3;
      t.batches_in_flight = 2;
      net::ThreadedCaptureDecoder(flows, options, t).run(reader);
    } else {
      decode::ParallelOptions par;
      par.workers = jobs;
      par.batch_events = 3;  // many batches, however small the input
      par.batches_in_flight = 2;
      decode::ParallelCaptureDecoder(gotop::ParseOptions{}, sink, "fuzz", fopts, options, par).run(reader);
    }
  }
  std::string bytes;
  std::rewind(out.get());
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, out.get())) > 0;) bytes.append(buf, n);
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view image(reinterpret_cast<const char*>(data), data == nullptr ? 0 : size);
  net::CaptureOptions options;
  if (size % 3 == 0) {
    options.flows.max_flows = 4;
    options.flows.max_buffered_bytes = 512;
    options.flows.max_ooo_segments = 4;
    options.flows.idle_timeout_ns = 1'000'000'000;
    options.fragments.max_datagrams = 2;
    options.fragments.max_bytes = 4096;
    options.fragments.max_fragments = 8;
    options.capture.buffer_bytes = 64;
    options.capture.max_pending_problems = 4;
  }
  const fuzz::CheckedSink direct = decode_image(image, 0, options);
  const fuzz::CheckedSink sniffed = decode_image(image, 512, options);
  fuzz::check_same(direct, sniffed, "reading ahead to sniff the input changed the records");
  // decode -j: every byte as on one thread (one input in four: starting threads for each input
  // would slow the fuzzing of the reader down tenfold).
  if (size % 4 == 1) {
    const std::string one = ndjson_of(image, 1, options);
    fuzz::check(one == ndjson_of(image, 3, options), "decode -j 3 differs from -j 1");
    fuzz::check(one == ndjson_of(image, 2, options), "reading on a thread of its own differs from one thread");
  }
  return 0;
}
