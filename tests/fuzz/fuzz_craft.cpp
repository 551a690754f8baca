// Fuzz target: craft's argument validation and the encoder. Typed arguments are read from text
// with the encoder's readers (as `vt106 craft` does), the command is built, and every command the
// encoder accepts must decode again: its GPRS frame as exactly one downlink message with the same
// password, command name and command text, its SMS text likewise.
//
// Input: [command] [flags] password NUL arg1 NUL arg2 NUL arg3
//   command % 20 picks the command; flags bit 0 picks the second form (--exit, T0, U0, silent,
//   UDP, GPRS off), bits 1-2 the OBD query. An empty password means the default one.
#include <variant>

#include "fuzz_support.hpp"
#include "vt106/decode/stream_decoder.hpp"
#include "vt106/gotop/encoder.hpp"

namespace {

using namespace vt106;
using gotop::Checked;
using gotop::Command;
namespace command = gotop::command;

struct Arguments {
  bool second = false;
  unsigned obd = 0;
  std::string_view a, b, c;
};

Checked<std::optional<int>> number_or_off(std::string_view text, std::string_view what) {
  if (text == "off") return std::optional<int>{};
  auto n = gotop::read_whole_number(text, what);
  if (!n) return n.error();
  return std::optional<int>{*n};
}

// The command and the name the decoder gives it, or the refusal of one of its arguments.
struct Built {
  std::optional<Command> cmd;
  std::string_view name;  // empty: raw text, which may decode as anything or not at all
};

Built build(unsigned which, const Arguments& x) {
  const auto with = [](Command c, std::string_view name) { return Built{std::move(c), name}; };
  switch (which) {
    case 0: return with(command::Locate{}, "locate");
    case 1: {
      if (x.a == "off") return with(command::Track{}, "track");
      auto every = gotop::read_interval(x.a);
      if (!every) return {};
      return with(command::Track{*every}, "track");
    }
    case 2: {
      auto s = gotop::read_whole_number(x.a, "heartbeat interval");
      if (!s) return {};
      return with(command::Heartbeat{*s}, "heartbeat");
    }
    case 3: {
      auto slot = gotop::read_whole_number(x.a, "phone number slot");
      if (!slot) return {};
      command::SosNumber c{*slot, std::nullopt, std::string(x.c)};
      if (!x.b.empty()) c.phone = std::string(x.b);
      return with(c, "sos-number");
    }
    case 4: {
      auto kmh = number_or_off(x.a, "speed limit");
      if (!kmh) return {};
      return with(command::SpeedAlarm{*kmh}, "speed-alarm");
    }
    case 5: {
      auto fence = gotop::read_whole_number(x.a, "geofence number");
      if (!fence) return {};
      if (x.b == "off") return with(command::Geofence{*fence, std::nullopt}, "geofence");
      auto first = gotop::read_geo_point(x.b);
      auto second = gotop::read_geo_point(x.c);
      if (!first || !second) return {};
      const auto alarm = x.second ? command::FenceAlarm::on_exit : command::FenceAlarm::on_entry;
      return with(command::Geofence{*fence, command::GeofenceArea{alarm, *first, *second}}, "geofence");
    }
    case 6: {
      auto offset = gotop::read_utc_offset(x.a);
      if (!offset) return {};
      return with(command::TimeZone{*offset}, "timezone");
    }
    case 7: {
      auto percent = number_or_off(x.a, "low-battery threshold");
      if (!percent) return {};
      return with(command::LowBattery{*percent}, "low-battery");
    }
    case 8: return with(command::ChangePassword{std::string(x.a)}, "password");
    case 9: return with(command::FuelRelay{!x.second}, x.second ? "restore-fuel" : "cut-fuel");
    case 10: return with(command::CallMode{!x.second}, x.second ? "talk" : "listen-in");
    case 11: {
      auto endpoint = gotop::read_ipv4_endpoint(x.b);
      if (!endpoint) return {};
      return with(command::Server{std::string(x.a), *endpoint, x.second}, "server");
    }
    case 12: return with(command::ApnLogin{std::string(x.a), std::string(x.b)}, "apn-login");
    case 13: return with(command::QuerySettings{}, "query-settings");
    case 14: return with(command::Version{}, "version");
    case 15: return with(command::Gprs{!x.second}, "gprs");
    case 16: return with(command::Call{std::string(x.a), x.second}, "call");
    case 17: {
      static constexpr command::ObdQuery queries[] = {command::ObdQuery::vin, command::ObdQuery::vin_legacy,
                                                      command::ObdQuery::odometer};
      return with(command::ObdRequest{queries[x.obd % 3]}, "obd-request");
    }
    case 18: return with(command::Raw{std::string(x.a)}, "");
    default: return with(command::FactoryReset{}, "factory-reset");
  }
}

// A command the encoder accepted, decoded back from one of its two forms.
void check_decodes(std::string_view form, std::string_view text, const gotop::CraftedCommand& crafted,
                   std::string_view name, bool ok, const gotop::Message& m) {
  const std::string what = std::string(form) + " of an accepted command does not decode back";
  const std::string detail = std::string(text);
  if (name.empty()) return;  // raw text: only required not to crash and to give valid JSON
  fuzz::check(ok, what, detail);
  fuzz::check(m.name == name, what + ": another command name", detail + " -> " + std::string(m.name));
  fuzz::check(m.password == crafted.password, what + ": another password", detail);
  fuzz::check(std::string(m.command) + std::string(m.args) == crafted.body, what + ": another command text",
              detail + " -> " + std::string(m.command) + "|" + std::string(m.args));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const unsigned which = in.byte() % 20;
  const std::uint8_t flags = in.byte();
  const std::string_view password = in.field();
  Arguments x;
  x.second = (flags & 1) != 0;
  x.obd = (flags >> 1) & 3;
  x.a = in.field();
  x.b = in.field();
  x.c = in.rest();

  const Built built = build(which, x);
  if (!built.cmd) return 0;
  const auto crafted = gotop::craft(*built.cmd, password.empty() ? gotop::default_password : password);
  if (!crafted) {
    fuzz::check(!crafted.error().message.empty(), "a refusal without a message");
    return 0;
  }
  const std::string frame = crafted->gprs_frame();
  fuzz::check(frame.size() <= gotop::max_command_frame, "an accepted frame is over the firmware's limit", frame);
  fuzz::check(frame.find('#') == frame.size() - 1, "an accepted frame has a '#' before its end", frame);

  // The GPRS frame as a stream: exactly one record.
  fuzz::CheckedSink sink;
  gotop::Parser parser;
  decode::StreamDecoder dec(parser, sink, gotop::default_max_frame, gotop::Direction::down);
  output::RecordContext ctx;
  ctx.input = "fuzz";
  dec.feed(frame, ctx);
  dec.finish(ctx);
  fuzz::check(sink.lines.size() == 1, "an accepted frame does not decode as one record", frame);

  gotop::Message m;
  gotop::DecodeError err;
  const std::string_view body(frame.data(), frame.size() - 1);
  bool ok = parser.parse_frame(body, m, err);
  check_decodes("the GPRS frame", frame, *crafted, built.name, ok, m);

  const std::string sms = crafted->sms_text();
  ok = parser.parse_sms(sms, m, err);
  fuzz::CheckedSink sms_sink;
  fuzz::record_parse(sms_sink, ok, m, err, sms);
  check_decodes("the SMS text", sms, *crafted, built.name, ok, m);
  return 0;
}
