// What the inputs show about each connection and each device, gathered in one pass while they
// are decoded: the raw material of the doctor's checks (see checks.hpp). Several inputs (captures,
// logs, dumps, a live interface) feed one collector, so one device's story is told once.
//
// Memory is bounded per device and per open connection, not per message: a platform capture of
// a million messages keeps a few kilobytes per device (see the constants below).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vt106/decode/flow_decoder.hpp"
#include "vt106/detect/detect.hpp"
#include "vt106/net/flow_table.hpp"

namespace vt106::doctor {

// Repeats are looked for among a device's recent frames with a fix time: a 4-way set-associative
// table of 64 sets of 32-bit fingerprints (1 KB, one cache line read per message), which keeps
// about the last 128 frames (more when they spread evenly over the sets).
inline constexpr std::size_t repeat_sets = 64, repeat_ways = 4;
inline constexpr std::size_t recent_frames = repeat_sets * repeat_ways / 2;
inline constexpr std::int64_t future_tolerance_s = 300;     // a fix this far ahead is "in the future"
inline constexpr std::int64_t late_alarm_s = 600;           // an alarm this old was buffered
inline constexpr std::int64_t stale_fix_s = 86400;          // a fix this old is stale
inline constexpr std::int64_t rollover_s = 7168LL * 86400;  // 1024 GPS weeks
inline constexpr int zone_quarters = 14 * 4;                // offsets kept to ±14 h, per quarter hour
inline constexpr std::size_t event_kinds = static_cast<std::size_t>(gotop::Event::unknown) + 1;

struct FlowFacts {
  std::uint64_t id = 0;        // unique across the inputs of the run
  std::uint32_t input = 0;     // index into Facts::inputs
  bool udp = false;
  bool from_log = false;       // a session a platform log told of (no packets)
  std::string client, server;  // endpoints as text
  std::string client_host;     // the client's address without port
  std::uint16_t server_port = 0;
  std::string_view client_rule, close_reason;
  std::int64_t first_ns = 0, last_ns = 0, closed_ns = 0;
  bool syn = false, syn_ack = false;
  bool client_fin = false, client_rst = false, server_fin = false, server_rst = false;
  std::int64_t client_fin_ns = 0, client_rst_ns = 0, server_fin_ns = 0, server_rst_ns = 0;
  std::int64_t last_client_data_ns = 0;  // the device's last payload
  std::uint64_t client_packets = 0, server_packets = 0, client_bytes = 0, server_bytes = 0;
  std::uint64_t gaps = 0, bytes_missing = 0, retransmitted_bytes = 0, port_unreachable = 0;
  std::uint64_t messages = 0, uplink_messages = 0, errors = 0;
  std::map<std::string, std::uint64_t, std::less<>> error_codes;
  std::string first_error;                // message of the first decode error
  std::vector<std::string> imeis;         // GOTOP identifiers, in order of appearance
  struct DeviceFacts* last_device = nullptr;  // the device of the flow's latest message (a shortcut)
  std::int64_t first_message_ns = 0, last_message_ns = 0;  // uplink messages
  // What the device speaks, once judged: "gotop" as soon as a GOTOP frame decodes; else the
  // detector's verdict on its first bytes (when the flow ends).
  std::string_view protocol;               // static storage; empty: not judged (no bytes)
  detect::Status detect_status = detect::Status::empty;
  detect::Category category = detect::Category::other;
  double confidence = 0;
  std::vector<std::string> detect_evidence;  // at most three
  std::string device_id;                   // the identifier a foreign protocol's first message carries
  std::string device_imei;                 // its 15-digit IMEI form, when it is one
  std::string first_bytes;                 // printable excerpt of the device's first bytes
  std::string first_hex;                   // and their hex (at most 64 bytes), for `vt106 detect --hex`
  std::string platform_protocol;           // what the platform's log decoded it as
  std::int64_t end_ns(bool client_side) const;
};

// The first frame of a kind, kept as evidence.
struct FixNote {
  std::int64_t captured_ns = 0;  // when the frame arrived
  std::int64_t fix_s = 0;        // what the frame says
  std::uint64_t flow = 0;
  bool valid = false;
  std::string raw;
};

struct DeviceFacts {
  std::string imei;
  std::vector<std::uint64_t> flows;             // ascending
  std::array<std::uint64_t, event_kinds> events{};
  std::uint64_t messages = 0, positions = 0, invalid = 0, zero = 0, usable = 0;
  std::int64_t first_ns = 0, last_ns = 0, longest_gap_ns = 0;
  std::int64_t longest_gap_end_ns = 0;
  std::string last_src;                         // the device's address (records outside flows)
  // Fix time minus arrival time, per quarter hour (time zones) within ±14 h, and beyond.
  std::uint64_t timed = 0, offsets_beyond = 0;
  std::array<std::uint32_t, 2 * zone_quarters + 1> offset_quarters{};
  std::int64_t newest_fix_s = INT64_MIN;        // the latest fix time sent (any validity)
  std::int64_t newest_fix_captured_ns = 0;
  std::uint64_t future = 0, rollover = 0, defaults = 0, stale = 0, late_alarms = 0;
  std::uint64_t repeats = 0, repeat_candidates = 0;  // frames with a fix time, and of those sent again
  std::optional<FixNote> first_future, first_rollover, first_default, first_stale, first_invalid, first_zero,
      first_late_alarm, first_repeat;
  std::string first_raw;
  std::array<std::uint32_t, repeat_sets * repeat_ways> recent{};  // fingerprints (0: empty slot)
  std::array<std::uint8_t, repeat_sets> recent_next{};               // the way each set replaces next
};

struct UnreachableFacts {
  std::string src, dst, reporter, transport;
  std::uint64_t flow = 0;  // the flow it quotes, when that flow is known
  std::int64_t ts_ns = 0;
  std::uint64_t count = 0;
};

struct Facts {
  std::vector<std::string> inputs;
  std::unordered_map<std::uint64_t, FlowFacts> flows;  // closed and open flows, by id
  std::unordered_map<std::string, DeviceFacts> devices;
  std::vector<UnreachableFacts> unreachable;
  std::vector<std::string> input_problems;
  std::uint64_t packets = 0, log_lines = 0;
  std::int64_t first_ns = 0, last_ns = 0;
};

// The address of "host:port" or "[v6]:port" without its port (an address alone is returned as is).
std::string host_of(std::string_view endpoint);

// Decodes the flows of each input (through decode::FlowDecoder, the same path as `vt106 decode`)
// and records the facts. It is the FlowObserver of each input's capture decoder, packet pipeline
// or log reader, and `records()` is the sink for records outside any flow (server log lines).
class FactCollector final : public net::FlowObserver {
 public:
  explicit FactCollector(gotop::Parser& parser, std::size_t max_frame = gotop::default_max_frame);
  ~FactCollector() override;

  // Starts an input: its flows get ids from `flow_id_base` + 1 on.
  void begin_input(std::string name, std::uint64_t flow_id_base);
  output::RecordSink& records();
  // Every record is also passed on to `sink` (vt106 report draws them), from the next input on.
  void also_tell(output::RecordSink& sink);

  void on_flow_open(const net::FlowInfo& flow) override;
  void on_stream_data(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_datagram(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_gap(const net::FlowInfo& flow, net::Side from, std::uint64_t missing, std::int64_t ts_ns) override;
  void on_flow_close(const net::FlowInfo& flow, net::CloseReason reason, std::int64_t ts_ns) override;
  void on_problem(const net::NetProblem& problem) override;
  void on_port_unreachable(const net::PortUnreachable& event, const net::FlowInfo* flow, std::int64_t ts_ns) override;

  Facts& facts() { return facts_; }
  const Facts& facts() const { return facts_; }

 private:
  class RecordTap;
  struct Held;  // first bytes of a flow not judged yet
  FlowFacts& flow(const net::FlowInfo& f);
  void snapshot(FlowFacts& ff, const net::FlowInfo& f);
  void hold(const net::FlowInfo& f, net::Side from, std::string_view bytes, std::int64_t ts_ns);
  void judge(FlowFacts& ff);
  void see_time(std::int64_t ts_ns);

  gotop::Parser& parser_;
  std::size_t max_frame_;
  Facts facts_;
  std::uint64_t base_ = 0;
  std::unique_ptr<RecordTap> tap_;
  std::unique_ptr<output::RecordSink> tee_;
  std::unique_ptr<decode::FlowDecoder> decoder_;
  std::unordered_map<std::uint64_t, Held> held_;  // by flow id, while the flow is open and unjudged
};

}  // namespace vt106::doctor
