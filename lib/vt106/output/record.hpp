// Output records: where a message came from (context), error records, and the sink interface
// every producer (text, hex, SMS, captures, live capture, listen) writes to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vt106/gotop/message.hpp"

namespace vt106::detect {
struct Verdict;
}

namespace vt106::output {

// Where a record came from. Capture fields stay empty for text, hex and SMS input.
struct RecordContext {
  std::string_view input;                 // file name, "-", "--text", …
  std::optional<std::int64_t> ts_ns;      // capture time of the packet that completed the frame
  std::string_view transport;             // "tcp" / "udp"
  std::string_view src, dst;              // "ip:port", IPv6 in brackets
  std::optional<std::uint32_t> flow;
  std::optional<std::uint64_t> offset;    // byte offset of the frame in its stream
  std::optional<std::uint64_t> column;    // position of a problem inside the frame
  std::optional<std::uint64_t> line;      // text inputs: the 1-based line the frame is on
  std::optional<std::uint64_t> line_offset;  // and the byte offset where that line starts
  std::string_view input_label;           // written as "input" (runs with several inputs)
  std::string_view platform_protocol;     // foreign records: what the platform decoded it as (a log says)
  // The JSON of transport, src, dst and flow, when the producer keeps it ready for a flow
  // direction (they repeat on every record of the flow): written as is instead of them.
  std::string_view endpoints_json;
};

struct ErrorRecord {
  std::string_view protocol = "gotop";  // empty for capture and network problems
  std::string_view code;       // stable snake_case
  std::string message;         // says what was wrong, naming the input and position
  std::string_view raw;        // the bytes concerned (possibly only their first part)
  std::optional<std::uint64_t> length;   // bytes concerned when raw is not all of them
  std::optional<std::uint64_t> packet;   // capture record number (network problems)
  std::optional<std::uint64_t> dropped;  // packets_dropped: how many the kernel dropped
  std::string_view imei, type;
  std::optional<gotop::Direction> dir;
};

// Per-flow summary (decode --flows), written when a flow ends.
struct FlowSummary {
  std::uint32_t flow = 0;
  std::string_view input;        // with several inputs: the one the flow came from
  std::string_view transport, client, server;
  std::string_view client_rule;  // how the device side was decided: syn, port, first_packet
  std::string_view close_reason;
  std::int64_t first_ns = 0, last_ns = 0;
  std::uint64_t packets_up = 0, packets_down = 0, bytes_up = 0, bytes_down = 0;
  std::uint64_t messages = 0, errors = 0, gaps = 0, bytes_missing = 0;
  std::string imeis;             // identifiers seen, comma-separated
  std::string_view protocol;     // "gotop", or what a foreign flow speaks
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void message(const RecordContext& ctx, const gotop::Message& msg) = 0;
  virtual void error(const RecordContext& ctx, const ErrorRecord& err) = 0;
  virtual void flow(const FlowSummary&) {}
  // A flow that speaks another protocol: one record instead of a stream of errors.
  virtual void foreign(const RecordContext&, const detect::Verdict&) {}
  // The flow ended: no record will name it again (a sink may forget what it kept for it).
  virtual void flow_closed(std::uint32_t /*flow*/) {}
};

// RecordContext::endpoints_json for one flow direction.
std::string endpoints_json(std::string_view transport, std::string_view src, std::string_view dst,
                           std::uint32_t flow);

// NDJSON serialisation of each record, without the trailing newline.
// The message record written into `dst`, which has room for message_json_bound() bytes.
std::size_t message_json_bound(const RecordContext& ctx, const gotop::Message& msg);
char* write_message_json(char* dst, const RecordContext& ctx, const gotop::Message& msg);
void append_message_json(std::string& out, const RecordContext& ctx, const gotop::Message& msg);
void append_error_json(std::string& out, const RecordContext& ctx, const ErrorRecord& err);
void append_flow_json(std::string& out, const FlowSummary& flow);
void append_foreign_json(std::string& out, const RecordContext& ctx, const detect::Verdict& verdict);

}  // namespace vt106::output
