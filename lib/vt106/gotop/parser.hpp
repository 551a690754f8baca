// Parsers for GOTOP uplink frames, downlink command frames and SMS texts.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "vt106/gotop/message.hpp"

namespace vt106::gotop {

struct ParseOptions {
  // Offset of the device clock east of UTC, in seconds. TL402 firmware reports local time
  // (factory default +08:00); older units and every known server assume UTC (0).
  int device_tz_seconds = 0;
};

// Reusable parser: keeps scratch buffers so that parsing allocates nothing in steady state.
class Parser {
 public:
  explicit Parser(ParseOptions options = {}) : options_(options) {}

  // Each returns true and fills `msg`, or returns false and fills `err`. `body` is the frame
  // without its '#' delimiters; views in msg/err point into `body`.
  bool parse_uplink(std::string_view body, Message& msg, DecodeError& err);
  // `body` starts with ':' (GPRS) — or with the password when `sms` is true.
  bool parse_downlink(std::string_view body, Message& msg, DecodeError& err, bool sms = false);
  bool parse_sms(std::string_view text, Message& msg, DecodeError& err);

  // A frame body chooses its parser by its first character: ':' is a command, else uplink.
  bool parse_frame(std::string_view body, Message& msg, DecodeError& err);

  const ParseOptions& options() const { return options_; }

 private:
  bool parse_position(std::size_t first, std::string_view body, Message& msg, DecodeError& err);
  void parse_tail(std::size_t first, Message& msg);
  bool parse_command_text(std::string_view text, std::string_view whole, Message& msg,
                          DecodeError& err);

  ParseOptions options_;
  // The fields of the uplink frame being parsed; they live in the store, which only grows.
  std::span<const std::string_view> fields_;
  std::vector<std::string_view> field_store_;
  std::vector<std::string_view> parts_;
  struct DayMemo {
    std::uint32_t key = ~std::uint32_t{0};  // yymmdd as a number; no date has this one
    std::int64_t days = 0;                   // days since 1970-01-01
  };
  std::array<DayMemo, 256> days_{};
  std::vector<std::string_view> lines_;
};

// Classifies a type token ("CMD-T", "ALM-B1", "ERROR!"): sets msg.event, msg.command, msg.fence.
void classify_type(std::string_view type, Message& msg);

}  // namespace vt106::gotop
