// Per-flow decoding state and the records the network layer's events turn into.
#include "vt106/decode/flow_decoder.hpp"

#include <fmt/format.h>

namespace vt106::decode {

namespace {
// Counts what passes through to a sink, so that a flow knows its messages and errors.
class CountingSink final : public output::RecordSink {
 public:
  explicit CountingSink(output::RecordSink& next) : next_(next) {}
  void message(const output::RecordContext& ctx, const gotop::Message& msg) override {
    ++messages;
    if (!msg.imei.empty() && imeis.find(msg.imei) == std::string::npos && imeis.size() < 256) {
      if (!imeis.empty()) imeis.push_back(',');
      imeis.append(msg.imei);
    }
    next_.message(ctx, msg);
  }
  void error(const output::RecordContext& ctx, const output::ErrorRecord& err) override {
    ++errors;
    next_.error(ctx, err);
  }
  std::uint64_t messages = 0, errors = 0;
  std::string imeis;

 private:
  output::RecordSink& next_;
};
}  // namespace

struct FlowDecoder::FlowState {
  FlowState(gotop::Parser& parser, output::RecordSink& sink, std::size_t max_frame)
      : counting(sink),
        up(parser, counting, max_frame, gotop::Direction::up),
        down(parser, counting, max_frame, gotop::Direction::down) {}
  CountingSink counting;
  StreamDecoder up;    // client (device) → server
  StreamDecoder down;  // server → client
  std::string client, server;
  std::string up_json, down_json;  // endpoints_json of each direction
  std::uint64_t id = 0;
  net::Transport transport = net::Transport::tcp;
  bool open = false;
  StreamDecoder& decoder(net::Side from) { return from == net::Side::client ? up : down; }
};

FlowDecoder::FlowDecoder(gotop::Parser& parser, output::RecordSink& sink, std::string input_name,
                         FlowDecoderOptions options)
    : parser_(parser), sink_(sink), input_(std::move(input_name)), options_(options) {}

FlowDecoder::~FlowDecoder() = default;

FlowDecoder::FlowState& FlowDecoder::state(const net::FlowInfo& flow) {
  if (flow.slot >= flows_.size()) flows_.resize(flow.slot + 1);
  auto& s = flows_[flow.slot];
  if (!s || !s->open || s->id != flow.id) {
    s = std::make_unique<FlowState>(parser_, sink_, options_.max_frame);
    s->client = flow.client.to_string();
    s->server = flow.server.to_string();
    s->id = flow.id;
    s->transport = flow.transport;
    s->open = true;
    const auto id32 = static_cast<std::uint32_t>(flow.id);
    s->up_json = output::endpoints_json(net::to_string(flow.transport), s->client, s->server, id32);
    s->down_json = output::endpoints_json(net::to_string(flow.transport), s->server, s->client, id32);
  }
  return *s;
}

output::RecordContext FlowDecoder::context(FlowState& s, net::Side from, std::int64_t ts_ns) const {
  output::RecordContext ctx;
  ctx.input = input_;
  ctx.ts_ns = ts_ns;
  ctx.transport = net::to_string(s.transport);
  ctx.src = from == net::Side::client ? s.client : s.server;
  ctx.dst = from == net::Side::client ? s.server : s.client;
  ctx.flow = static_cast<std::uint32_t>(s.id);
  ctx.endpoints_json = from == net::Side::client ? s.up_json : s.down_json;
  return ctx;
}

void FlowDecoder::on_flow_open(const net::FlowInfo& flow) { state(flow); }

void FlowDecoder::on_stream_data(const net::FlowInfo& flow, net::Side from, std::string_view bytes,
                                 std::int64_t ts_ns) {
  FlowState& s = state(flow);
  auto ctx = context(s, from, ts_ns);
  s.decoder(from).feed(bytes, ctx);
}

void FlowDecoder::on_datagram(const net::FlowInfo& flow, net::Side from, std::string_view bytes,
                              std::int64_t ts_ns) {
  // A datagram is a whole unit: frames never continue into the next one.
  FlowState& s = state(flow);
  auto ctx = context(s, from, ts_ns);
  s.decoder(from).feed(bytes, ctx);
  s.decoder(from).finish(ctx);
}

void FlowDecoder::on_gap(const net::FlowInfo& flow, net::Side from, std::uint64_t missing, std::int64_t ts_ns) {
  FlowState& s = state(flow);
  auto ctx = context(s, from, ts_ns);
  const std::uint64_t at = s.decoder(from).offset();
  output::ErrorRecord e;
  e.code = "gap";
  e.message = fmt::format("{}: flow {} {} -> {}: {} bytes missing from the capture at stream byte {}", input_, s.id,
                          ctx.src, ctx.dst, missing, at);
  e.length = missing;
  e.dir = from == net::Side::client ? gotop::Direction::up : gotop::Direction::down;
  // The frame the gap cut short is reported first (truncated), then the gap itself.
  s.decoder(from).gap(missing, ctx);
  ctx.offset = at;
  ctx.column.reset();
  ++s.counting.errors;
  sink_.error(ctx, e);
}

void FlowDecoder::on_flow_close(const net::FlowInfo& flow, net::CloseReason reason, std::int64_t ts_ns) {
  FlowState& s = state(flow);
  auto up_ctx = context(s, net::Side::client, ts_ns);
  s.up.finish(up_ctx);
  auto down_ctx = context(s, net::Side::server, ts_ns);
  s.down.finish(down_ctx);
  messages_ += s.counting.messages;
  errors_ += s.counting.errors;
  if (options_.flow_summaries) {
    output::FlowSummary f;
    f.flow = static_cast<std::uint32_t>(flow.id);
    f.transport = net::to_string(flow.transport);
    f.client = s.client;
    f.server = s.server;
    f.client_rule = net::to_string(flow.client_rule);
    f.close_reason = net::to_string(reason);
    f.first_ns = flow.first_ts_ns;
    f.last_ns = flow.last_ts_ns;
    const auto& c = flow.side(net::Side::client);
    const auto& v = flow.side(net::Side::server);
    f.packets_up = c.packets;
    f.packets_down = v.packets;
    f.bytes_up = c.payload_bytes;
    f.bytes_down = v.payload_bytes;
    f.gaps = c.gaps + v.gaps;
    f.bytes_missing = c.bytes_missing + v.bytes_missing;
    f.messages = s.counting.messages;
    f.errors = s.counting.errors;
    f.imeis = s.counting.imeis;
    sink_.flow(f);
  }
  s.open = false;
  flows_[flow.slot].reset();
  sink_.flow_closed(static_cast<std::uint32_t>(flow.id));
}

void FlowDecoder::on_problem(const net::NetProblem& p) {
  output::RecordContext ctx;
  ctx.input = input_;
  if (p.ts_ns != 0) ctx.ts_ns = p.ts_ns;
  if (p.flow_id) ctx.flow = static_cast<std::uint32_t>(*p.flow_id);
  ctx.offset = p.file_offset;
  output::ErrorRecord e;
  e.code = p.code;
  e.message = p.packet_number != 0 ? fmt::format("{}: packet {}: {}", input_, p.packet_number, p.message)
                                   : fmt::format("{}: {}", input_, p.message);
  e.protocol = {};
  e.packet = p.packet_number != 0 ? std::optional<std::uint64_t>(p.packet_number) : std::nullopt;
  ++errors_;
  if (p.code == "bad_capture" || p.code == "truncated_capture" || p.code == "read_error") fatal_ = true;
  sink_.error(ctx, e);
}

void FlowDecoder::on_port_unreachable(const net::PortUnreachable& event, const net::FlowInfo* flow,
                                      std::int64_t ts_ns) {
  output::RecordContext ctx;
  ctx.input = input_;
  ctx.ts_ns = ts_ns;
  ctx.transport = net::to_string(event.transport);
  const std::string src = event.original_src.to_string(), dst = event.original_dst.to_string();
  ctx.src = src;
  ctx.dst = dst;
  if (flow) ctx.flow = static_cast<std::uint32_t>(flow->id);
  output::ErrorRecord e;
  e.code = "port_unreachable";
  e.message = fmt::format("{}: {} answered {} datagrams from {} to {} with ICMP port unreachable: nothing listens there",
                          input_, event.reporter.to_string(), net::to_string(event.transport), src, dst);
  e.protocol = {};
  ++errors_;
  sink_.error(ctx, e);
}

}  // namespace vt106::decode
