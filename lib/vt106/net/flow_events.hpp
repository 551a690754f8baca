// Flow events recorded on the thread that runs the flow table and replayed, in the same order, to
// an observer on another thread. decode -j hands each worker the events of the flows it owns;
// the threaded capture decoder hands them all to one observer (doctor, decode's other formats),
// so that reading and reassembly run beside decoding.
//
// A data event names its flow by slot only: the replaying side keeps each flow as it opened
// (open, gap, close and ICMP events carry the whole flow as the table had it), and carries the
// observer's `user` pointer from one copy of a flow to the next, as the table does.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/net/flow_table.hpp"

namespace vt106::net {

// What only some events carry: the flow as the table had it, a problem, an ICMP error.
struct FlowEventExtra {
  FlowInfo flow;
  bool has_flow = false;
  std::optional<NetProblem> problem;
  std::optional<PortUnreachable> unreachable;
};

struct FlowEvent {
  enum class Kind : std::uint8_t { open, stream, datagram, gap, close, problem, unreachable };
  Kind kind = Kind::stream;
  Side side = Side::client;
  CloseReason reason{};
  std::uint32_t slot = 0;
  std::uint64_t seq = 0;          // its place among every event of the input
  std::int64_t ts_ns = 0;
  std::uint64_t missing = 0;
  std::uint32_t at = 0, len = 0;  // payload, in the batch's arena
  std::unique_ptr<FlowEventExtra> extra;
};

// Events and their payloads.
struct FlowEventBatch {
  std::vector<FlowEvent> events;
  std::string arena;
  std::string_view payload(const FlowEvent& e) const { return std::string_view(arena).substr(e.at, e.len); }
  void clear() {
    events.clear();
    arena.clear();
  }
};

// Records a flow table's callbacks as events, numbered in the order they came, into the batch
// that batch_for chooses (by flow id; 0 for a problem or ICMP error outside any flow).
class FlowEventRecorder : public FlowObserver {
 public:
  void on_flow_open(const FlowInfo& flow) override;
  void on_stream_data(const FlowInfo& flow, Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_datagram(const FlowInfo& flow, Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_gap(const FlowInfo& flow, Side from, std::uint64_t missing, std::int64_t ts_ns) override;
  void on_flow_close(const FlowInfo& flow, CloseReason reason, std::int64_t ts_ns) override;
  void on_problem(const NetProblem& problem) override;
  void on_port_unreachable(const PortUnreachable& event, const FlowInfo* flow, std::int64_t ts_ns) override;

 protected:
  virtual FlowEventBatch& batch_for(std::uint64_t flow_id) = 0;
  // Told of each event recorded, with its payload's size.
  virtual void recorded(std::size_t /*payload_bytes*/) {}

 private:
  FlowEvent& add(FlowEvent::Kind kind, std::uint64_t flow_id, std::string_view bytes = {});
  FlowEvent& add_whole_flow(FlowEvent::Kind kind, const FlowInfo& flow);
  std::uint64_t seq_ = 0;
};

// The replaying side: each flow as it opened, by slot.
class FlowEventReplay {
 public:
  // Calls the observer as the flow table called the recorder.
  void replay(const FlowEvent& e, std::string_view payload, FlowObserver& to);

 private:
  std::vector<FlowInfo> flows_;
};

}  // namespace vt106::net
