// What the devices of an input said: each device connection of a capture (a flow's client
// side) split into its exact uplink frames with the packet time that completed each, or, for a
// text file of frames, one untimed connection per IMEI. This is what `vt106 replay` sends.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/decode/text_decode.hpp"
#include "vt106/gotop/framer.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/net/flow_table.hpp"

namespace vt106::replay {

struct RecordedFrame {
  std::string bytes;          // the frame exactly as sent, '#' to '#'
  std::int64_t ts_ns = 0;     // capture time of the packet that completed it (0 when untimed)
  std::uint64_t sequence = 0; // position among all the frames of the input, in arrival order
};

// One connection of one device, in the order the capture opened them.
struct RecordedConnection {
  std::string imei;  // identifier of its first frame
  net::Transport transport = net::Transport::tcp;
  std::string client, server;   // endpoints in the capture ("" for text input)
  std::int64_t open_ts_ns = 0;  // first packet of the flow
  std::int64_t close_ts_ns = 0; // last packet of the flow
  std::vector<RecordedFrame> frames;
};

struct RecordingCounters {
  std::uint64_t frames = 0;          // uplink frames kept
  std::uint64_t incomplete = 0;      // pieces not kept: cut by a gap or the end, too long, not opened by '#'
  std::uint64_t not_uplink = 0;      // complete pieces that are not uplink frames: no IMEI first (junk, commands)
  std::uint64_t server_bytes = 0;    // bytes the servers sent (not replayed)
  std::uint64_t flows_without_frames = 0;
};

struct Recording {
  std::vector<RecordedConnection> connections;
  bool timed = false;  // frames carry capture times
  RecordingCounters counters;

  std::int64_t first_ts_ns() const;  // earliest open time (0 when empty)
  std::int64_t last_ts_ns() const;   // latest close time
};

// The identifier at the start of an uplink frame ("#867648040000018,CMD-X#" → its digits), or
// empty when the frame does not begin with digits followed by ',' or '#'.
std::string_view frame_imei(std::string_view frame);

// A FlowObserver that keeps, per flow, the uplink frames of the client (device) side.
class RecordingBuilder final : public net::FlowObserver {
 public:
  explicit RecordingBuilder(std::size_t max_frame = gotop::default_max_frame);
  ~RecordingBuilder() override;

  void on_flow_open(const net::FlowInfo& flow) override;
  void on_stream_data(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_datagram(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_gap(const net::FlowInfo& flow, net::Side from, std::uint64_t missing, std::int64_t ts_ns) override;
  void on_flow_close(const net::FlowInfo& flow, net::CloseReason reason, std::int64_t ts_ns) override;

  // The connections in the order their flows opened; call after the capture was decoded.
  Recording take();

 private:
  struct FlowState;
  FlowState& state(const net::FlowInfo& flow);
  void keep_piece(FlowState& s, const gotop::Piece& piece, std::int64_t ts_ns);

  std::size_t max_frame_;
  std::vector<std::unique_ptr<FlowState>> open_;  // indexed by FlowInfo::slot
  std::vector<RecordedConnection> done_;
  std::vector<std::uint64_t> done_ids_;           // flow id of each entry of done_, to sort by
  RecordingCounters counters_;
  std::uint64_t sequence_ = 0;
};

// Reads a capture (the caller sniffed its first bytes into `already_read`).
Recording record_capture(std::FILE* file, std::string_view already_read, const net::CaptureOptions& options,
                         net::CaptureStats& stats, std::size_t max_frame = gotop::default_max_frame);

// Reads frames as text ("#…#" anywhere in the input): one untimed connection per distinct IMEI,
// with its frames in input order.
Recording record_text(decode::ChunkReader& in, net::Transport transport,
                      std::size_t max_frame = gotop::default_max_frame);

}  // namespace vt106::replay
