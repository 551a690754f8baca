// Per-flow decoding state and the records the network layer's events turn into.
#include "vt106/decode/flow_decoder.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "vt106/detect/detect.hpp"
#include "vt106/util/text.hpp"

namespace vt106::decode {

namespace {
// Counts what passes through to a sink, so that a flow knows its messages and errors.
class CountingSink final : public output::RecordSink {
 public:
  explicit CountingSink(output::RecordSink& next) : next_(next) {}
  void message(const output::RecordContext& ctx, const gotop::Message& msg) override {
    ++messages;
    // A flow nearly always carries one device: compare with the last one listed before searching.
    if (!msg.imei.empty() && std::string_view(imeis).substr(last_at_) != msg.imei &&
        imeis.find(msg.imei) == std::string::npos && imeis.size() < 256) {
      if (!imeis.empty()) imeis.push_back(',');
      last_at_ = imeis.size();
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
  std::size_t last_at_ = 0;  // where the last identifier listed starts in imeis
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
  std::string client, server, platform_protocol;
  std::string up_json, down_json;  // endpoints_json of each direction
  std::uint64_t id = 0;
  net::Transport transport = net::Transport::tcp;
  bool open = false;
  enum class Mode : std::uint8_t { undecided, gotop, foreign } mode = Mode::undecided;
  // Held while undecided (bounded by what detection reads), with when and from where each
  // piece came, so that they are decoded in capture order with their own packet times.
  std::string pending_client, pending_server;
  struct Held {
    net::Side from;
    bool datagram;
    std::uint32_t size;
    std::int64_t ts_ns;
  };
  std::vector<Held> held;
  std::string_view protocol = "gotop";
  StreamDecoder& decoder(net::Side from) { return from == net::Side::client ? up : down; }
};

FlowDecoder::FlowDecoder(gotop::Parser& parser, output::RecordSink& sink, std::string input_name,
                         FlowDecoderOptions options)
    : parser_(parser), sink_(sink), input_(std::move(input_name)), options_(options) {}

FlowDecoder::~FlowDecoder() = default;

FlowDecoder::FlowState& FlowDecoder::state(const net::FlowInfo& flow) {
  if (flow.slot >= flows_.size()) flows_.resize(flow.slot + 1);
  auto& s = flows_[flow.slot];
  if (!s || !s->open || s->id != options_.flow_id_base + flow.id) {
    s = std::make_unique<FlowState>(parser_, sink_, options_.max_frame);
    s->client = flow.client_text();
    s->server = flow.server_text();
    s->platform_protocol = flow.platform_protocol;
    s->id = options_.flow_id_base + flow.id;
    s->transport = flow.transport;
    s->open = true;
    s->down.set_device_imei(&s->up.last_imei());
    const auto id32 = static_cast<std::uint32_t>(s->id);
    s->up_json = output::endpoints_json(net::to_string(flow.transport), s->client, s->server, id32);
    s->down_json = output::endpoints_json(net::to_string(flow.transport), s->server, s->client, id32);
  }
  return *s;
}

output::RecordContext FlowDecoder::context(FlowState& s, net::Side from, std::int64_t ts_ns) const {
  output::RecordContext ctx;
  ctx.input = input_;
  if (options_.name_input) ctx.input_label = input_;
  if (options_.current_line && *options_.current_line != 0) ctx.line = *options_.current_line;
  if (!options_.timeless) ctx.ts_ns = ts_ns;
  ctx.transport = net::to_string(s.transport);
  ctx.src = from == net::Side::client ? s.client : s.server;
  ctx.dst = from == net::Side::client ? s.server : s.client;
  ctx.flow = static_cast<std::uint32_t>(s.id);
  ctx.endpoints_json = from == net::Side::client ? s.up_json : s.down_json;
  return ctx;
}

void FlowDecoder::on_flow_open(const net::FlowInfo& flow) { state(flow); }

namespace {
constexpr std::size_t server_bytes_held = 4096;

}  // namespace

void FlowDecoder::decide(FlowState& s, const net::FlowInfo& flow, std::int64_t ts_ns, bool final) {
  using Mode = FlowState::Mode;
  // The platform (a log says) decoded this flow as another protocol: say what it is instead.
  const bool platform_other = !s.platform_protocol.empty() && s.platform_protocol != "gotop";
  if (!platform_other && (!options_.detect_foreign || gotop::starts_like_gotop(s.pending_client) ||
                          gotop::classify_stream_start(s.pending_server) == gotop::StreamStart::gotop)) {
    s.mode = Mode::gotop;
    return;
  }
  if (!platform_other && util::trim(s.pending_client).empty()) {
    if (final || s.pending_server.size() >= server_bytes_held) s.mode = Mode::gotop;
    return;
  }
  detect::Hints hints;
  hints.transport = flow.transport == net::Transport::udp ? detect::Transport::udp : detect::Transport::tcp;
  hints.server_port = flow.server.port;
  const auto* c = reinterpret_cast<const std::byte*>(s.pending_client.data());
  const auto* v = reinterpret_cast<const std::byte*>(s.pending_server.data());
  // Brief while it is only deciding (a GOTOP flow's verdict is not shown); the evidence is
  // written for the flows reported as foreign.
  detect::Verdict verdict =
      detect::detect({c, s.pending_client.size()}, {v, s.pending_server.size()}, hints, detect::Detail::brief);
  const bool other = verdict.status == detect::Status::match && verdict.protocol != "gotop" &&
                     verdict.confidence >= detect::confident;
  if (other || (platform_other && (final || verdict.status != detect::Status::need_more))) {
    s.mode = Mode::foreign;
    s.protocol = other ? std::string_view(verdict.protocol) : std::string_view(s.platform_protocol);
    auto ctx = context(s, net::Side::client, ts_ns);
    ctx.platform_protocol = s.platform_protocol;
    ++s.counting.errors;
    verdict = detect::detect({c, s.pending_client.size()}, {v, s.pending_server.size()}, hints);
    sink_.foreign(ctx, verdict);
    s.pending_client.clear();
    s.pending_server.clear();
    s.held.clear();
    return;
  }
  const bool more_would_help = verdict.status == detect::Status::need_more && s.pending_client.size() < detect::max_inspect;
  if (!final && more_would_help) return;
  s.mode = Mode::gotop;  // not confidently anything else: decode it, and report what does not fit
}

void FlowDecoder::hold(FlowState& s, net::Side from, std::string_view bytes, std::int64_t ts_ns, bool datagram) {
  if (bytes.empty()) return;
  (from == net::Side::client ? s.pending_client : s.pending_server).append(bytes);
  s.held.push_back({from, datagram, static_cast<std::uint32_t>(bytes.size()), ts_ns});
}

void FlowDecoder::release_pending(FlowState& s) {
  // Held bytes go to the decoders in the order they arrived, each with its own packet time.
  std::size_t at_client = 0, at_server = 0;
  for (const auto& h : s.held) {
    std::size_t& at = h.from == net::Side::client ? at_client : at_server;
    const std::string& from = h.from == net::Side::client ? s.pending_client : s.pending_server;
    auto ctx = context(s, h.from, h.ts_ns);
    s.decoder(h.from).feed(std::string_view(from).substr(at, h.size), ctx);
    if (h.datagram) s.decoder(h.from).finish(ctx);
    at += h.size;
  }
  s.held.clear();
  s.pending_client.clear();
  s.pending_server.clear();
}

void FlowDecoder::on_stream_data(const net::FlowInfo& flow, net::Side from, std::string_view bytes,
                                 std::int64_t ts_ns) {
  FlowState& s = state(flow);
  using Mode = FlowState::Mode;
  if (s.mode == Mode::undecided) {
    const std::string& held = from == net::Side::client ? s.pending_client : s.pending_server;
    const std::size_t cap = from == net::Side::client ? detect::max_inspect : server_bytes_held;
    const std::size_t take = std::min(bytes.size(), cap - std::min(cap, held.size()));
    hold(s, from, bytes.substr(0, take), ts_ns, false);
    bytes.remove_prefix(take);
    decide(s, flow, ts_ns, held.size() >= cap);
    if (s.mode == Mode::undecided) return;
    if (s.mode == Mode::gotop) release_pending(s);
  }
  if (s.mode == Mode::foreign || bytes.empty()) return;
  auto ctx = context(s, from, ts_ns);
  s.decoder(from).feed(bytes, ctx);
}

void FlowDecoder::on_datagram(const net::FlowInfo& flow, net::Side from, std::string_view bytes,
                              std::int64_t ts_ns) {
  // A datagram is a whole unit: frames never continue into the next one, and the first one
  // from the device decides the flow.
  FlowState& s = state(flow);
  using Mode = FlowState::Mode;
  if (s.mode == Mode::undecided && from == net::Side::client) {
    s.pending_client.assign(bytes.substr(0, detect::max_inspect));
    decide(s, flow, ts_ns, true);
    s.pending_client.clear();
    if (s.mode == Mode::gotop) release_pending(s);  // the server's datagrams held before it
  } else if (s.mode == Mode::undecided) {
    const std::size_t room = server_bytes_held - std::min(server_bytes_held, s.pending_server.size());
    hold(s, from, bytes.substr(0, room), ts_ns, true);
    decide(s, flow, ts_ns, false);  // a command from the platform says GOTOP too
    if (s.mode == Mode::undecided) return;
    if (s.mode == Mode::gotop) release_pending(s);
    return;
  }
  if (s.mode == Mode::foreign) return;
  auto ctx = context(s, from, ts_ns);
  s.decoder(from).feed(bytes, ctx);
  s.decoder(from).finish(ctx);
}

void FlowDecoder::on_gap(const net::FlowInfo& flow, net::Side from, std::uint64_t missing, std::int64_t ts_ns) {
  FlowState& s = state(flow);
  if (s.mode == FlowState::Mode::undecided) {
    decide(s, flow, ts_ns, true);
    if (s.mode == FlowState::Mode::gotop) release_pending(s);
  }
  if (s.mode == FlowState::Mode::foreign) return;
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
  if (s.mode == FlowState::Mode::undecided) {
    decide(s, flow, ts_ns, true);
    if (s.mode == FlowState::Mode::gotop) release_pending(s);
  }
  auto up_ctx = context(s, net::Side::client, ts_ns);
  s.up.finish(up_ctx);
  auto down_ctx = context(s, net::Side::server, ts_ns);
  s.down.finish(down_ctx);
  messages_ += s.counting.messages;
  errors_ += s.counting.errors;
  if (options_.flow_summaries) {
    output::FlowSummary f;
    f.flow = static_cast<std::uint32_t>(s.id);
    if (options_.name_input) f.input = input_;
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
    f.protocol = s.protocol;
    sink_.flow(f);
  }
  const auto id = static_cast<std::uint32_t>(s.id);
  s.open = false;
  flows_[flow.slot].reset();
  sink_.flow_closed(id);
}

void FlowDecoder::on_problem(const net::NetProblem& p) {
  output::RecordContext ctx;
  ctx.input = input_;
  if (p.ts_ns != 0) ctx.ts_ns = p.ts_ns;
  if (p.flow_id) ctx.flow = static_cast<std::uint32_t>(options_.flow_id_base + *p.flow_id);
  if (options_.name_input) ctx.input_label = input_;
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
  if (flow) ctx.flow = static_cast<std::uint32_t>(options_.flow_id_base + flow->id);
  if (options_.name_input) ctx.input_label = input_;
  output::ErrorRecord e;
  e.code = "port_unreachable";
  e.message = fmt::format("{}: {} answered {} datagrams from {} to {} with ICMP port unreachable: nothing listens there",
                          input_, event.reporter.to_string(), net::to_string(event.transport), src, dst);
  e.protocol = {};
  ++errors_;
  sink_.error(ctx, e);
}

}  // namespace vt106::decode
