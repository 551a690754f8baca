// What a capture shows about each flow and each device, gathered in one pass while the capture
// is decoded: the raw material of the doctor's checks (see checks.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "vt106/decode/flow_decoder.hpp"
#include "vt106/net/flow_table.hpp"

namespace vt106::doctor {

inline constexpr std::size_t first_bytes_kept = 2048;
inline constexpr std::size_t frames_remembered = 100000;      // per device, to spot duplicates
inline constexpr std::int64_t future_tolerance_s = 300;       // a fix this far ahead is "in the future"
inline constexpr std::int64_t late_alarm_s = 600;             // an alarm this old was buffered
inline constexpr std::int64_t rollover_s = 7168LL * 86400;    // 1024 GPS weeks

struct FlowFacts {
  std::uint64_t id = 0;
  std::string transport, client, server, client_rule, close_reason;
  std::uint16_t server_port = 0;
  std::int64_t first_ns = 0, last_ns = 0, closed_ns = 0;
  bool syn = false, syn_ack = false;
  bool client_fin = false, client_rst = false, server_fin = false, server_rst = false;
  std::int64_t client_end_ns = 0, server_end_ns = 0;  // first FIN or RST of each side (0: none)
  std::uint64_t client_packets = 0, server_packets = 0, client_bytes = 0, server_bytes = 0;
  std::uint64_t gaps = 0, bytes_missing = 0, port_unreachable = 0;
  std::string first_client_bytes, first_server_bytes;  // at most first_bytes_kept
  std::uint64_t messages = 0, errors = 0;
  std::map<std::string, std::uint64_t> error_codes;
  std::string first_error;                             // message of the first decode error
  std::vector<std::string> imeis;                      // in order of appearance
  std::int64_t first_message_ns = 0, last_message_ns = 0;
};

struct Fix {
  std::int64_t captured_ns = 0;  // when the frame arrived
  std::int64_t fix_s = 0;        // what the frame says
  bool valid = false;
  bool zero = false;
  std::string_view event;
  std::uint64_t flow = 0;
  std::string raw;               // the frame (first one of each kind is enough for evidence)
};

struct DeviceFacts {
  std::string imei;
  std::set<std::uint64_t> flows;
  std::map<std::string, std::uint64_t> events;  // event name → count
  std::uint64_t messages = 0, positions = 0, invalid = 0, zero = 0, usable = 0, duplicates = 0;
  std::int64_t first_ns = 0, last_ns = 0, longest_gap_ns = 0;
  // Fix time minus capture time: how many timed messages, and how often each offset (rounded to
  // a quarter of an hour, the granularity of device time zones) occurs.
  std::uint64_t timed = 0;
  std::map<std::int64_t, std::uint64_t> offset_quarters;
  std::uint64_t late_alarms = 0;                // alarms whose fix is older than the buffered threshold
  std::optional<Fix> first_future, first_rollover, first_epoch, first_invalid, first_zero, first_late_alarm;
  std::string first_raw, first_duplicate;
  std::unordered_set<std::string> seen_frames;  // for duplicates; at most frames_remembered
  std::uint64_t commands = 0;                   // downlink commands seen on its flows
};

struct UnreachableFacts {
  std::string src, dst, reporter, transport;
  std::uint64_t flow = 0;  // the flow it quotes, when that flow is known
  std::int64_t ts_ns = 0;
  std::uint64_t count = 0;
};

struct Facts {
  std::string input;
  std::map<std::uint64_t, FlowFacts> flows;  // closed and open flows, by id
  std::map<std::string, DeviceFacts> devices;
  std::vector<UnreachableFacts> unreachable;
  std::vector<std::string> capture_problems;
  std::uint64_t packets = 0;
  std::int64_t first_ns = 0, last_ns = 0;
};

// Decodes a capture's flows (through decode::FlowDecoder, the same path as `vt106 decode`) and
// records the facts. Use it as the FlowObserver of a net::CaptureDecoder or PacketPipeline.
class FactCollector final : public net::FlowObserver {
 public:
  FactCollector(gotop::Parser& parser, std::string input_name, std::size_t max_frame = gotop::default_max_frame);
  ~FactCollector() override;

  void on_flow_open(const net::FlowInfo& flow) override;
  void on_stream_data(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_datagram(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_gap(const net::FlowInfo& flow, net::Side from, std::uint64_t missing, std::int64_t ts_ns) override;
  void on_flow_close(const net::FlowInfo& flow, net::CloseReason reason, std::int64_t ts_ns) override;
  void on_problem(const net::NetProblem& problem) override;
  void on_port_unreachable(const net::PortUnreachable& event, const net::FlowInfo* flow, std::int64_t ts_ns) override;

  Facts& facts() { return facts_; }

 private:
  class RecordTap;
  FlowFacts& flow(const net::FlowInfo& f);
  void keep_first_bytes(const net::FlowInfo& f, net::Side from, std::string_view bytes);
  void see_packet_time(std::int64_t ts_ns);

  Facts facts_;
  std::unique_ptr<RecordTap> tap_;
  std::unique_ptr<decode::FlowDecoder> decoder_;
};

}  // namespace vt106::doctor
