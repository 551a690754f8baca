// One line of a server log, split into what vt106 needs: the time, the remote address, the
// direction and where the frame text starts — or, for Traccar's tracker-server.log, the
// session, transport, protocol, direction, remote host and the logged bytes. Everything else on
// the line is context; a line with nothing recognisable is simply not a log line of interest.
//
// A line is read in one pass (linear in its length, nothing allocated):
//  - the time at its start (parse_log_time), then, after an optional "LEVEL:", Traccar's
//    bracketed session "[T…" / "[U…" (transport letter and hex digits). Such a line is a
//    Traccar line and nothing else is looked for in its prefix.
//  - any other line is scanned token by token up to the first frame; addresses, direction words
//    and arrows, and level words count only before it (the prefix).
// Frames (frame_at): '#' + at least six digits + ','; ':' + six digits + an upper-case command
// letter (a downlink, gotop.md §7.1); fifteen digits + ",CMD-" or ",ALM-" (a bare body) not
// glued to a word or a '.'. A run of '#' before a frame belongs to it ("##353…"). Times, ports
// and IPv6 addresses never match: their colons are followed by at most five digits.
// Addresses: dotted IPv4 with an optional ":port" (a '/' before it is not part of it) and
// bracketed IPv6 "[v6]" or "[v6]:port"; unbracketed IPv6 is not read as an address. The first
// two count. With two, the remote one is:
//  - the one labelled "R:" when Netty's "L:/a - R:/b" labels are written;
//  - with a connector between them ("a -> b", "a > b", "a >> b", "a to b": data goes a → b;
//    "a <- b", "a < b", "a << b": b → a), the source when the destination's port is a server
//    port (5050, 8888 or LogOptions::server_port), the destination when the source's is;
//  - otherwise the first. `local` is the other one.
// Direction: with two addresses and a connector, from_device when data goes from the remote
// address, to_device otherwise; else the first direction word or arrow before the frame
// (case-insensitive whole words; an arrow touching neither a letter nor "="):
//   from_device: < <- << <-- rx recv received receiving in from read incoming
//   to_device:   > -> >> --> tx send sent sending out to write outgoing
// Level: the first of TRACE DEBUG INFO NOTICE WARN WARNING ERROR SEVERE FATAL CRITICAL (upper case).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vt106::source {

enum class LogDir : std::uint8_t { from_device, to_device };

struct LogOptions {
  std::int64_t tz_offset_s = 0;  // the log is written in local time at this offset from UTC (--log-tz)
  int syslog_year = 1970;        // the year of syslog times ("Dec  1 10:00:00" carries none)
  std::uint16_t server_port = 0; // also a server port in "a -> b" lines (5050 and 8888 always are)
};

// Traccar: "2026-12-01 10:00:00  INFO: [T7c2d1e3f: gotop < 1.2.3.4] 2338363736..."
//          "2026-12-01 10:00:00  INFO: [T7c2d1e3f] connected" / "... disconnected"
// On Traccar data lines LogLine::remote and ::dir repeat the host and direction; frame_at is
// npos for hex data and, for text data, the first frame inside `data`. Other Traccar lines
// (connected, errors, positions) have frame_at npos.
struct TraccarLine {
  enum class Kind : std::uint8_t { data, connected, disconnected, other } kind = Kind::other;
  char transport = 'T';           // 'T' TCP, 'U' UDP
  std::string_view session;       // "T7c2d1e3f" (transport letter and channel id); for the oldest
                                  // layout, without a channel id, the server's port
  bool per_remote = false;        // the session names no connection (UDP, or no channel id):
                                  // its remote hosts are told apart by address
  std::string_view protocol;      // data lines: "gotop", "gt06", ...
  LogDir dir = LogDir::from_device;
  std::string_view remote;        // data lines: host as written ("1.2.3.4", "::1", "unknown")
  std::string_view data;          // data lines: the logged text after "] " (may be empty)
  bool data_is_hex = false;       // non-empty, even-length lower/upper-case hex digits only
  std::string_view rest;          // connected/disconnected/other lines: the text after "] " (error, id: ...)
};

struct LogLine {
  std::optional<std::int64_t> ts_ns;  // UTC, from the prefix
  std::string_view level;             // "INFO", "WARN", ... when present
  std::string_view remote;            // "1.2.3.4:5050", "[::1]:5050", "1.2.3.4" as written
  std::string_view local;             // the other address when two are written ("a -> b")
  std::optional<LogDir> dir;          // from a direction word or arrow
  std::size_t frame_at = std::string_view::npos;  // where the first frame ('#' or ':'+digits) starts
  std::optional<TraccarLine> traccar; // set when the line is in Traccar's format
};

// Splits one log line (without its line break; trailing '\r' and '\n' are ignored). `out` is
// reset first. Returns false when the line has no time, no Traccar session and no frame:
// nothing in it for vt106 (addresses and words found may still be set). Never throws; views
// point into `line`.
bool parse_log_line(std::string_view line, const LogOptions& options, LogLine& out);

// Reads a time at the start of `text` (after leading spaces, a syslog priority "<13>" with an
// optional RFC 5424 version "1 ", and an optional '['): ISO 8601 "YYYY-MM-DD" ('/' too) with
// 'T' or ' ', "hh:mm:ss", ',' or '.' and 1 to 9 digits of fraction, 'Z' or ±hh, ±hh:mm, ±hhmm
// or no zone (then options' offset: UTC = local − offset); syslog "Mon DD hh:mm:ss" (day
// space- or zero-padded; year `year_hint`; options' offset) with an optional '.' fraction;
// epoch seconds, exactly 10 digits not starting with 0, optional '.' fraction, always UTC
// (2001 to 2262, the range of nanoseconds). A time glued to a further digit is no time.
// `used` counts from the start of `text` to the end of the time, including a ']' right after
// it; 0 when there is none. nullopt also when the result overflows.
std::optional<std::int64_t> parse_log_time(std::string_view text, const LogOptions& options, std::size_t& used,
                                           int year_hint = 1970);

// Traccar's hex text to bytes (the caller checked data_is_hex); stops at the first pair that
// is not hex, so it gives hex.size() / 2 bytes for hex data.
std::string hex_text_to_bytes(std::string_view hex);
// Traccar's text form: "\r" and "\n" written as two characters each, back to the bytes. Other
// backslashes stay (Traccar does not escape them, so a logged "\r" text is ambiguous).
std::string traccar_unescape(std::string_view text);

}  // namespace vt106::source
