// Per-flow protocol detection over a capture, one verdict per flow.
#include "vt106/decode/flow_detector.hpp"

#include <algorithm>

namespace vt106::decode {

namespace {
constexpr std::size_t server_bytes_held = 4096;
}

struct FlowDetector::Held {
  std::uint64_t id = 0;
  std::string client, server;
  bool done = false;
};

FlowDetector::FlowDetector(std::function<void(const FlowVerdict&)> on_verdict) : on_verdict_(std::move(on_verdict)) {}
FlowDetector::~FlowDetector() = default;

FlowDetector::Held& FlowDetector::held(const net::FlowInfo& flow) {
  if (flow.slot >= flows_.size()) flows_.resize(flow.slot + 1);
  auto& h = flows_[flow.slot];
  if (!h || h->id != flow.id) {
    h = std::make_unique<Held>();
    h->id = flow.id;
  }
  return *h;
}

void FlowDetector::judge(Held& h, const net::FlowInfo& flow, std::int64_t ts_ns, bool final) {
  if (h.done) return;
  detect::Hints hints;
  hints.transport = flow.transport == net::Transport::udp ? detect::Transport::udp : detect::Transport::tcp;
  hints.server_port = flow.server.port;
  const auto* c = reinterpret_cast<const std::byte*>(h.client.data());
  const auto* s = reinterpret_cast<const std::byte*>(h.server.data());
  detect::Verdict v = detect::detect({c, h.client.size()}, {s, h.server.size()}, hints);
  if (!final && (v.status == detect::Status::need_more || v.status == detect::Status::empty) &&
      h.client.size() < detect::max_inspect)
    return;
  h.done = true;
  FlowVerdict fv;
  fv.flow = flow.id;
  fv.transport = std::string(net::to_string(flow.transport));
  fv.client = flow.client.to_string();
  fv.server = flow.server.to_string();
  fv.ts_ns = ts_ns;
  fv.verdict = std::move(v);
  on_verdict_(fv);
  h.client.clear();
  h.client.shrink_to_fit();
  h.server.clear();
  h.server.shrink_to_fit();
}

void FlowDetector::on_flow_open(const net::FlowInfo& flow) { held(flow); }

void FlowDetector::on_stream_data(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts) {
  Held& h = held(flow);
  if (h.done) return;
  if (from == net::Side::client) {
    h.client.append(bytes.substr(0, detect::max_inspect - std::min(detect::max_inspect, h.client.size())));
    judge(h, flow, ts, false);
  } else {
    h.server.append(bytes.substr(0, server_bytes_held - std::min(server_bytes_held, h.server.size())));
  }
}

void FlowDetector::on_datagram(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts) {
  on_stream_data(flow, from, bytes, ts);
}

void FlowDetector::on_flow_close(const net::FlowInfo& flow, net::CloseReason, std::int64_t ts) {
  Held& h = held(flow);
  judge(h, flow, ts, true);
  flows_[flow.slot].reset();
}

}  // namespace vt106::decode
