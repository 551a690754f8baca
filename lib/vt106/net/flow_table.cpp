// Flow tracking by 5-tuple with LRU eviction and idle timeouts, TCP reassembly per direction
// (RFC 9293) and UDP datagram delivery (RFC 768).
#include "vt106/net/flow_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <unordered_map>

#include "vt106/net/byte_reader.hpp"

namespace vt106::net {

namespace {

constexpr std::uint32_t none = 0xffffffffU;

// later - earlier without signed overflow, whatever the timestamps hold.
std::int64_t elapsed(std::int64_t later, std::int64_t earlier) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(later) - static_cast<std::uint64_t>(earlier));
}
std::int64_t add_ns(std::int64_t ts, std::int64_t d) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(ts) + static_cast<std::uint64_t>(d));
}

std::size_t index_of(Side s) { return static_cast<std::size_t>(s); }

}  // namespace

std::string_view to_string(Side s) { return s == Side::client ? "client" : "server"; }

std::string_view to_string(ClientRule r) {
  switch (r) {
    case ClientRule::syn: return "handshake";
    case ClientRule::content: return "content";
    case ClientRule::port: return "port";
    case ClientRule::first_packet: return "first_packet";
  }
  return "unknown";
}

std::string_view to_string(CloseReason r) {
  switch (r) {
    case CloseReason::fin: return "fin";
    case CloseReason::rst: return "rst";
    case CloseReason::idle_timeout: return "idle_timeout";
    case CloseReason::evicted: return "evicted";
    case CloseReason::reused: return "reused";
    case CloseReason::end_of_input: return "end_of_input";
    case CloseReason::disconnected: return "disconnected";
  }
  return "unknown";
}

// ---- internals ------------------------------------------------------------------------------

struct FlowTable::Key {
  Endpoint lo;
  Endpoint hi;
  Transport transport = Transport::tcp;
  friend bool operator==(const Key&, const Key&) = default;
};

struct FlowTable::KeyHash {
  std::size_t operator()(const Key& k) const noexcept {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ static_cast<std::uint64_t>(k.transport);
    const auto mix = [&h](std::uint64_t v) {
      h ^= v;
      h *= 0xff51afd7ed558ccdULL;
      h ^= h >> 32;
    };
    for (const Endpoint* e : {&k.lo, &k.hi}) {
      std::uint64_t words[2];
      std::memcpy(words, e->address.bytes.data(), sizeof words);
      mix(words[0]);
      mix(words[1]);
      mix(std::uint64_t{e->port} | (std::uint64_t{e->address.v6} << 16));
    }
    return static_cast<std::size_t>(h);
  }
};

// Open addressing with linear probing over (hash, slot) pairs: a lookup is one or two cache
// lines, against a node chase and a division for std::unordered_map; the key itself is compared
// in the flow's entry only when the hashes agree.
struct FlowTable::Index {
  static constexpr std::uint32_t empty = none;
  static constexpr std::uint32_t removed = none - 1;
  struct Entry {
    std::uint64_t hash = 0;
    std::uint32_t slot = empty;
  };
  std::vector<Entry> table = std::vector<Entry>(64);
  std::size_t live = 0, dead = 0;
  Key last_key;  // one-entry cache: consecutive packets mostly belong to the same flow
  std::uint32_t last_slot = none;

  std::size_t mask() const { return table.size() - 1; }
  void insert(std::uint64_t hash, std::uint32_t slot) {
    if ((live + dead + 1) * 10 > table.size() * 7) rebuild(live * 2 + 2 > table.size() / 2 ? table.size() * 2 : table.size());
    for (std::size_t i = hash & mask();; i = (i + 1) & mask()) {
      Entry& e = table[i];
      if (e.slot == empty || e.slot == removed) {
        if (e.slot == removed) --dead;
        e = {hash, slot};
        ++live;
        return;
      }
    }
  }
  void erase(std::uint64_t hash, std::uint32_t slot) {
    for (std::size_t i = hash & mask();; i = (i + 1) & mask()) {
      Entry& e = table[i];
      if (e.slot == empty) return;
      if (e.slot == slot && e.hash == hash) {
        e.slot = removed;
        --live;
        ++dead;
        return;
      }
    }
  }
  void rebuild(std::size_t size) {
    std::vector<Entry> old(size);
    old.swap(table);
    live = dead = 0;
    for (const Entry& e : old)
      if (e.slot != empty && e.slot != removed) insert(e.hash, e.slot);
  }
};

struct FlowTable::Flow {
  explicit Flow(ReassemblyLimits limits) : streams{TcpReassembler(limits), TcpReassembler(limits)} {}
  FlowInfo info;
  Key key;
  bool in_use = false;
  bool open = false;  // false once closed: the entry lingers to absorb stragglers (final ACKs)
  bool announced = false;  // on_flow_open called (without a handshake: at the first payload)
  std::array<TcpReassembler, 2> streams;  // by Side
  std::uint32_t prev = none;  // LRU neighbours
  std::uint32_t next = none;
};

class FlowTable::StreamOutput final : public TcpReassembler::Output {
 public:
  StreamOutput(FlowTable& table, Flow& flow, Side side, std::int64_t ts_ns, const PacketRef* packet)
      : table_(table), flow_(flow), side_(side), ts_ns_(ts_ns), packet_(packet) {}

  void data(std::string_view bytes) override {
    flow_.info.sides[index_of(side_)].payload_bytes += bytes.size();
    table_.observer_.on_stream_data(flow_.info, side_, bytes, ts_ns_);
  }
  void gap(std::uint64_t missing) override {
    SideCounters& c = flow_.info.sides[index_of(side_)];
    ++c.gaps;
    c.bytes_missing += missing;
    table_.observer_.on_gap(flow_.info, side_, missing, ts_ns_);
  }
  void limit_hit(TcpReassembler::Limit which, std::size_t held_bytes, std::size_t held_segments) override {
    const bool buffer = which == TcpReassembler::Limit::buffer;
    NetProblem p;
    p.code = buffer ? net_code::buffer_limit : net_code::reorder_limit;
    p.message = fmt::format(
        "flow {} ({} -> {}), {} side: {} out-of-order {} held exceed the limit of {}; skipping the hole before them",
        flow_.info.id, flow_.info.client.to_string(), flow_.info.server.to_string(), to_string(side_),
        buffer ? held_bytes : held_segments, buffer ? "bytes" : "segments",
        buffer ? table_.limits_.max_buffered_bytes : table_.limits_.max_ooo_segments);
    if (packet_ != nullptr) {
      p.packet_number = packet_->number;
      p.file_offset = packet_->file_offset;
    }
    p.ts_ns = ts_ns_;
    p.flow_id = flow_.info.id;
    table_.observer_.on_problem(p);
  }

 private:
  FlowTable& table_;
  Flow& flow_;
  Side side_;
  std::int64_t ts_ns_;
  const PacketRef* packet_;
};

// ---- table ----------------------------------------------------------------------------------

FlowTable::FlowTable(FlowLimits limits, FlowObserver& observer)
    : limits_(std::move(limits)), observer_(observer), index_(std::make_unique<Index>()), lru_head_(none),
      lru_tail_(none) {
  if (limits_.max_flows == 0) limits_.max_flows = 1;
}

FlowTable::~FlowTable() = default;

FlowTable::Key FlowTable::make_key(Transport t, const Endpoint& a, const Endpoint& b) {
  return a < b ? Key{a, b, t} : Key{b, a, t};
}

bool FlowTable::server_port(std::uint16_t port) const {
  return std::find(limits_.server_ports.begin(), limits_.server_ports.end(), port) != limits_.server_ports.end();
}

std::uint32_t FlowTable::find(const Key& key) {
  Index& ix = *index_;
  if (ix.last_slot != none && ix.last_key == key) return ix.last_slot;
  const std::uint64_t hash = KeyHash{}(key);
  for (std::size_t i = hash & ix.mask();; i = (i + 1) & ix.mask()) {
    const Index::Entry& e = ix.table[i];
    if (e.slot == Index::empty) return none;
    if (e.slot != Index::removed && e.hash == hash && flows_[e.slot].key == key) {
      ix.last_key = key;
      ix.last_slot = e.slot;
      return e.slot;
    }
  }
}

void FlowTable::unlink(std::uint32_t slot) {
  Flow& f = flows_[slot];
  if (f.prev != none) flows_[f.prev].next = f.next; else lru_head_ = f.next;
  if (f.next != none) flows_[f.next].prev = f.prev; else lru_tail_ = f.prev;
  f.prev = f.next = none;
}

void FlowTable::touch(std::uint32_t slot) {
  if (lru_head_ == slot) return;
  unlink(slot);
  link_front(slot);
}

void FlowTable::link_front(std::uint32_t slot) {
  Flow& f = flows_[slot];
  f.next = lru_head_;
  if (lru_head_ != none) flows_[lru_head_].prev = slot;
  lru_head_ = slot;
  if (lru_tail_ == none) lru_tail_ = slot;
}

void FlowTable::release(std::uint32_t slot) {
  Flow& f = flows_[slot];
  index_->erase(KeyHash{}(f.key), slot);
  if (index_->last_slot == slot) index_->last_slot = none;
  unlink(slot);
  if (f.open) --open_;
  f.open = false;
  f.in_use = false;
  f.info.user = nullptr;
  for (auto& s : f.streams) s.reset();
  free_.push_back(slot);
  --used_;
}

void FlowTable::close(Flow& f, CloseReason reason, std::int64_t ts_ns, const PacketRef* packet) {
  if (!f.announced) announce(f, nullptr);  // a flow that never carried a byte
  if (f.info.transport == Transport::tcp) {
    for (const Side side : {Side::client, Side::server}) {
      StreamOutput out(*this, f, side, ts_ns, packet);
      TcpReassembler& stream = f.streams[index_of(side)];
      stream.flush(out);
      f.info.sides[index_of(side)].retransmitted_bytes = stream.retransmitted_bytes();
    }
  }
  f.open = false;
  --open_;
  observer_.on_flow_close(f.info, reason, ts_ns);
  f.info.user = nullptr;  // the observer let go of its state
}

void FlowTable::evict_one(const PacketRef& packet) {
  const std::uint32_t victim = lru_tail_;
  Flow& f = flows_[victim];
  if (f.open) {
    NetProblem p;
    p.code = net_code::flow_limit;
    p.message = fmt::format("flow table full ({} flows): closing the least recently active flow {} ({} -> {})",
                            limits_.max_flows, f.info.id, f.info.client.to_string(), f.info.server.to_string());
    p.packet_number = packet.number;
    p.file_offset = packet.file_offset;
    p.ts_ns = packet.ts_ns;
    p.flow_id = f.info.id;
    observer_.on_problem(p);
    close(f, CloseReason::evicted, packet.ts_ns, &packet);
  }
  release(victim);
}

std::uint32_t FlowTable::create(const Key& key, const Segment& seg, const PacketRef& packet) {
  while (used_ >= limits_.max_flows && lru_tail_ != none) evict_one(packet);
  std::uint32_t slot = none;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(flows_.size());
    flows_.emplace_back(ReassemblyLimits{limits_.max_buffered_bytes, limits_.max_ooo_segments});
  }
  Flow& f = flows_[slot];
  f.key = key;
  f.in_use = true;
  f.open = true;
  f.info = FlowInfo{};
  f.info.id = ++next_id_;
  f.info.slot = slot;
  f.info.transport = seg.transport;
  f.info.first_ts_ns = packet.ts_ns;
  f.info.last_ts_ns = packet.ts_ns;

  const bool tcp = seg.transport == Transport::tcp;
  const bool syn = tcp && (seg.flags & tcp_flag::syn) != 0;
  const bool ack = (seg.flags & tcp_flag::ack) != 0;
  bool src_is_client = true;
  if (syn) {
    src_is_client = !ack;  // a SYN-ACK comes from the server
    f.info.client_rule = ClientRule::syn;
  } else if (server_port(seg.dst.port) != server_port(seg.src.port)) {
    src_is_client = server_port(seg.dst.port);
    f.info.client_rule = ClientRule::port;
  } else {
    f.info.client_rule = ClientRule::first_packet;
  }
  f.info.client = src_is_client ? seg.src : seg.dst;
  f.info.server = src_is_client ? seg.dst : seg.src;

  f.announced = false;
  index_->insert(KeyHash{}(key), slot);
  index_->last_key = key;
  index_->last_slot = slot;
  ++used_;
  ++open_;
  link_front(slot);
  // With a handshake the sides are known now; otherwise the first payload may still tell.
  if (syn) announce(f, nullptr);
  return slot;
}

namespace {
// Which way GOTOP content says a payload goes: +1 the sender is the device (an uplink frame,
// "#" and an identifier and a comma, possibly after the end of a frame the capture cut), -1 the
// receiver is (a command, ':' and its password digits), 0 it does not say.
int gotop_direction(std::span<const std::byte> payload) {
  const std::string_view b(reinterpret_cast<const char*>(payload.data()), std::min<std::size_t>(payload.size(), 512));
  std::size_t start = 0;
  while (start < b.size() && (b[start] == ' ' || b[start] == '\r' || b[start] == '\n')) ++start;
  if (start + 1 < b.size() && b[start] == ':' && b[start + 1] >= '0' && b[start + 1] <= '9') return -1;
  for (std::size_t at = b.find('#', start); at != std::string_view::npos; at = b.find('#', at + 1)) {
    std::size_t n = 0;
    while (at + 1 + n < b.size() && b[at + 1 + n] >= '0' && b[at + 1 + n] <= '9') ++n;
    if (n >= 6 && at + 1 + n < b.size() && b[at + 1 + n] == ',') return 1;
  }
  return 0;
}
}  // namespace

void FlowTable::announce(Flow& f, const Segment* first_payload) {
  if (first_payload != nullptr && f.info.client_rule != ClientRule::syn) {
    const int says = gotop_direction(first_payload->payload);
    if (says != 0) {
      const bool sender_is_client = f.info.client == first_payload->src;
      if (sender_is_client != (says > 0)) {
        std::swap(f.info.client, f.info.server);
        std::swap(f.info.sides[0], f.info.sides[1]);
        std::swap(f.streams[0], f.streams[1]);
      }
      f.info.client_rule = ClientRule::content;
    }
  }
  f.announced = true;
  observer_.on_flow_open(f.info);
}

// A SYN without ACK on a known tuple: a new connection, unless it repeats the one in progress.
bool FlowTable::starts_new_connection(const Flow& f, const Segment& seg) const {
  if (!f.open) return true;
  const Side side = f.info.client == seg.src ? Side::client : Side::server;
  const TcpReassembler& stream = f.streams[index_of(side)];
  if (stream.syn_seen() && stream.initial_seq() == seg.seq) return false;  // a retransmitted SYN
  for (const auto& c : f.info.sides) {
    if (c.fin || c.rst) return true;
  }
  if (f.streams[0].has_data() || f.streams[1].has_data()) return true;
  return f.info.client_rule != ClientRule::syn;  // what came before was no handshake
}

void FlowTable::add(const Segment& seg, const PacketRef& packet) {
  const std::int64_t ts = packet.ts_ns;
  if (ts > now_ns_) now_ns_ = ts;
  const Key key = make_key(seg.transport, seg.src, seg.dst);
  const bool tcp = seg.transport == Transport::tcp;
  const bool syn = tcp && (seg.flags & tcp_flag::syn) != 0;
  const bool ack = (seg.flags & tcp_flag::ack) != 0;

  std::uint32_t slot = find(key);
  if (slot != none) {
    Flow& f = flows_[slot];
    if (elapsed(ts, f.info.last_ts_ns) > limits_.idle_timeout_ns) {
      if (f.open) close(f, CloseReason::idle_timeout, add_ns(f.info.last_ts_ns, limits_.idle_timeout_ns), &packet);
      release(slot);
      slot = none;
    } else if (syn && !ack && starts_new_connection(f, seg)) {
      if (f.open) close(f, CloseReason::reused, ts, &packet);
      release(slot);
      slot = none;
    } else if (!f.open) {
      // A straggler of a closed connection: counted, nothing to deliver.
      const Side side = f.info.client == seg.src ? Side::client : Side::server;
      ++f.info.sides[index_of(side)].packets;
      if (ts > f.info.last_ts_ns) f.info.last_ts_ns = ts;
      touch(slot);
      return;
    }
  }
  if (slot == none) slot = create(key, seg, packet);

  Flow& f = flows_[slot];
  if (!f.announced && !seg.payload.empty()) announce(f, &seg);
  const Side side = f.info.client == seg.src ? Side::client : Side::server;
  SideCounters& c = f.info.sides[index_of(side)];
  ++c.packets;
  if (ts > f.info.last_ts_ns) f.info.last_ts_ns = ts;
  touch(slot);

  if (!tcp) {
    c.payload_bytes += seg.payload.size();
    observer_.on_datagram(f.info, side, as_chars(seg.payload), ts);
    if (seg.missing_tail > 0) {
      ++c.gaps;
      c.bytes_missing += seg.missing_tail;
      observer_.on_gap(f.info, side, seg.missing_tail, ts);
    }
    return;
  }

  const bool rst = (seg.flags & tcp_flag::rst) != 0;
  if (syn && !ack) f.info.syn_seen = true;
  if (syn && ack) f.info.syn_ack_seen = true;
  if ((seg.flags & tcp_flag::fin) != 0 && !c.fin) {
    c.fin = true;
    c.fin_ts_ns = ts;
  }
  if (rst && !c.rst) {
    c.rst = true;
    c.rst_ts_ns = ts;
  }

  TcpReassembler& stream = f.streams[index_of(side)];
  StreamOutput out(*this, f, side, ts, &packet);
  stream.add(seg.seq, seg.flags, seg.payload, seg.missing_tail, out);
  c.retransmitted_bytes = stream.retransmitted_bytes();
  if (rst) {
    close(f, CloseReason::rst, ts, &packet);
  } else if (f.streams[0].fin_seen() && f.streams[1].fin_seen()) {
    // Both sides are done: holes still open before a FIN will not be filled any more.
    close(f, CloseReason::fin, ts, &packet);
  }
}

void FlowTable::add(const PortUnreachable& event, const PacketRef& packet) {
  if (packet.ts_ns > now_ns_) now_ns_ = packet.ts_ns;
  const std::uint32_t slot = find(make_key(event.transport, event.original_src, event.original_dst));
  if (slot == none) {
    observer_.on_port_unreachable(event, nullptr, packet.ts_ns);
    return;
  }
  Flow& f = flows_[slot];
  if (!f.announced) announce(f, nullptr);
  ++f.info.port_unreachable;
  observer_.on_port_unreachable(event, &f.info, packet.ts_ns);
}

void FlowTable::flush_idle(std::int64_t now_ns) {
  if (now_ns > now_ns_) now_ns_ = now_ns;
  while (lru_tail_ != none) {
    const std::uint32_t slot = lru_tail_;
    Flow& f = flows_[slot];
    if (elapsed(now_ns, f.info.last_ts_ns) <= limits_.idle_timeout_ns) break;
    if (f.open) close(f, CloseReason::idle_timeout, add_ns(f.info.last_ts_ns, limits_.idle_timeout_ns), nullptr);
    release(slot);
  }
}

void FlowTable::finish() {
  std::vector<std::uint32_t> open;
  for (std::uint32_t slot = 0; slot < flows_.size(); ++slot) {
    if (flows_[slot].in_use && flows_[slot].open) open.push_back(slot);
  }
  std::sort(open.begin(), open.end(),
            [this](std::uint32_t a, std::uint32_t b) { return flows_[a].info.id < flows_[b].info.id; });
  for (const std::uint32_t slot : open) {
    Flow& f = flows_[slot];
    close(f, CloseReason::end_of_input, f.info.last_ts_ns, nullptr);
  }
  for (std::uint32_t slot = 0; slot < flows_.size(); ++slot) {
    if (flows_[slot].in_use) release(slot);
  }
}

}  // namespace vt106::net
