// Captured conversations to records: each flow gets one StreamDecoder per direction, every
// record is stamped with the packet time, transport, endpoints and flow id, and network
// problems (damaged capture, gaps, limits) become error records too.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vt106/decode/stream_decoder.hpp"
#include "vt106/net/flow_table.hpp"

namespace vt106::decode {

struct FlowDecoderOptions {
  std::size_t max_frame = gotop::default_max_frame;
  bool flow_summaries = false;  // one `flow` record per flow when it ends (--flows)
  // A flow whose first bytes are confidently another protocol gives one `foreign` record and
  // its bytes are not decoded; flows that start like GOTOP are decided on their first byte.
  bool detect_foreign = true;
  // Flow ids are unique across the inputs of one run: this input's flows count on from here.
  std::uint64_t flow_id_base = 0;
  // Several inputs in one run: every record names its input ("input").
  bool name_input = false;
  // Flows read from a log: the line being read, written as each record's "line" (0: none).
  const std::uint64_t* current_line = nullptr;
  // Packets without a time (C arrays of a dump): records get no "ts".
  bool timeless = false;
};

class FlowDecoder final : public net::FlowObserver {
 public:
  FlowDecoder(gotop::Parser& parser, output::RecordSink& sink, std::string input_name,
              FlowDecoderOptions options = {});
  ~FlowDecoder() override;

  void on_flow_open(const net::FlowInfo& flow) override;
  void on_stream_data(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_datagram(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_gap(const net::FlowInfo& flow, net::Side from, std::uint64_t missing, std::int64_t ts_ns) override;
  void on_flow_close(const net::FlowInfo& flow, net::CloseReason reason, std::int64_t ts_ns) override;
  void on_problem(const net::NetProblem& problem) override;
  void on_port_unreachable(const net::PortUnreachable& event, const net::FlowInfo* flow, std::int64_t ts_ns) override;

  std::uint64_t messages() const { return messages_; }
  std::uint64_t errors() const { return errors_; }
  bool fatal_problem() const { return fatal_; }

 private:
  struct FlowState;
  FlowState& state(const net::FlowInfo& flow);
  // Decides GOTOP or foreign from the bytes held so far; `final`: no more bytes will come to help.
  void decide(FlowState& s, const net::FlowInfo& flow, std::int64_t ts_ns, bool final);
  void release_pending(FlowState& s);
  void hold(FlowState& s, net::Side from, std::string_view bytes, std::int64_t ts_ns, bool datagram);
  output::RecordContext context(FlowState& s, net::Side from, std::int64_t ts_ns) const;

  gotop::Parser& parser_;
  output::RecordSink& sink_;
  std::string input_;
  FlowDecoderOptions options_;
  std::vector<std::unique_ptr<FlowState>> flows_;  // indexed by FlowInfo::slot
  std::uint64_t messages_ = 0, errors_ = 0;
  bool fatal_ = false;
};

}  // namespace vt106::decode
