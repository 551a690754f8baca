// Flow events: recording on the flow table's thread, replaying on another.
#include "vt106/net/flow_events.hpp"

namespace vt106::net {

FlowEvent& FlowEventRecorder::add(FlowEvent::Kind kind, std::uint64_t flow_id, std::string_view bytes) {
  FlowEventBatch& batch = batch_for(flow_id);
  FlowEvent& e = batch.events.emplace_back();
  e.kind = kind;
  e.seq = seq_++;
  e.at = static_cast<std::uint32_t>(batch.arena.size());
  e.len = static_cast<std::uint32_t>(bytes.size());
  batch.arena.append(bytes);
  recorded(bytes.size());
  return e;
}

FlowEvent& FlowEventRecorder::add_whole_flow(FlowEvent::Kind kind, const FlowInfo& flow) {
  FlowEvent& e = add(kind, flow.id);
  e.slot = flow.slot;
  e.extra = std::make_unique<FlowEventExtra>();
  e.extra->flow = flow;
  e.extra->flow.user = nullptr;  // the replaying side's observer keeps its own
  e.extra->has_flow = true;
  return e;
}

void FlowEventRecorder::on_flow_open(const FlowInfo& flow) { add_whole_flow(FlowEvent::Kind::open, flow); }

void FlowEventRecorder::on_stream_data(const FlowInfo& flow, Side from, std::string_view bytes, std::int64_t ts) {
  FlowEvent& e = add(FlowEvent::Kind::stream, flow.id, bytes);
  e.slot = flow.slot;
  e.side = from;
  e.ts_ns = ts;
}

void FlowEventRecorder::on_datagram(const FlowInfo& flow, Side from, std::string_view bytes, std::int64_t ts) {
  FlowEvent& e = add(FlowEvent::Kind::datagram, flow.id, bytes);
  e.slot = flow.slot;
  e.side = from;
  e.ts_ns = ts;
}

void FlowEventRecorder::on_gap(const FlowInfo& flow, Side from, std::uint64_t missing, std::int64_t ts) {
  // With the whole flow: an observer may read the flow's counters at a gap.
  FlowEvent& e = add_whole_flow(FlowEvent::Kind::gap, flow);
  e.side = from;
  e.missing = missing;
  e.ts_ns = ts;
}

void FlowEventRecorder::on_flow_close(const FlowInfo& flow, CloseReason reason, std::int64_t ts) {
  FlowEvent& e = add_whole_flow(FlowEvent::Kind::close, flow);
  e.reason = reason;
  e.ts_ns = ts;
}

void FlowEventRecorder::on_problem(const NetProblem& problem) {
  FlowEvent& e = add(FlowEvent::Kind::problem, problem.flow_id.value_or(0));
  e.extra = std::make_unique<FlowEventExtra>();
  e.extra->problem = problem;
}

void FlowEventRecorder::on_port_unreachable(const PortUnreachable& event, const FlowInfo* flow, std::int64_t ts) {
  FlowEvent& e = add(FlowEvent::Kind::unreachable, flow ? flow->id : 0);
  e.extra = std::make_unique<FlowEventExtra>();
  if (flow) {
    e.slot = flow->slot;
    e.extra->flow = *flow;
    e.extra->flow.user = nullptr;
    e.extra->has_flow = true;
  }
  e.extra->unreachable = event;
  e.ts_ns = ts;
}

void FlowEventReplay::replay(const FlowEvent& e, std::string_view bytes, FlowObserver& to) {
  const bool whole = e.extra && e.extra->has_flow;
  if (whole) {
    if (e.slot >= flows_.size()) flows_.resize(e.slot + 1);
    FlowInfo& kept = flows_[e.slot];
    // The slot's flow as the table has it now; the observer's state goes with the same flow.
    void* user = e.kind != FlowEvent::Kind::open && kept.id == e.extra->flow.id ? kept.user : nullptr;
    kept = e.extra->flow;
    kept.user = user;
  }
  // The flow as it opened (the table announces every flow before its data).
  FlowInfo* flow = e.slot < flows_.size() ? &flows_[e.slot] : nullptr;
  switch (e.kind) {
    case FlowEvent::Kind::open: to.on_flow_open(*flow); break;
    case FlowEvent::Kind::stream: if (flow) to.on_stream_data(*flow, e.side, bytes, e.ts_ns); break;
    case FlowEvent::Kind::datagram: if (flow) to.on_datagram(*flow, e.side, bytes, e.ts_ns); break;
    case FlowEvent::Kind::gap: to.on_gap(*flow, e.side, e.missing, e.ts_ns); break;
    case FlowEvent::Kind::close:
      to.on_flow_close(*flow, e.reason, e.ts_ns);
      flow->user = nullptr;  // the observer let go of its state
      break;
    case FlowEvent::Kind::problem: to.on_problem(*e.extra->problem); break;
    case FlowEvent::Kind::unreachable:
      to.on_port_unreachable(*e.extra->unreachable, whole ? flow : nullptr, e.ts_ns);
      break;
  }
}

}  // namespace vt106::net
