// vt106 craft: build a GOTOP downlink command from named arguments, print it as text, hex, JSON
// or SMS, or send it and decode the replies. Formats: GOTOP "GPRS protocol V5.0" and TL402 firmware.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "usage.hpp"
#include "vt106/util/text.hpp"
#include "vt106/client/command_link.hpp"
#include "vt106/decode/stream_decoder.hpp"
#include "vt106/gotop/encoder.hpp"
#include "vt106/output/ndjson_sink.hpp"

namespace vt106::cli {

namespace {

using gotop::Checked;
using gotop::Command;
namespace command = gotop::command;

struct CraftOptions {
  std::string password{gotop::default_password};
  std::string format = "text";
  std::string send;
  std::string transport = "tcp";
  double wait_seconds = 10;
  double connect_timeout_seconds = 10;
};

// Arguments of the command chosen; each sub-subcommand reads the ones it declares.
struct CommandArguments {
  std::string value;                 // the one positional most commands take
  std::string slot, phone, name;     // sos-number
  std::vector<std::string> corners;  // geofence
  bool enter = false, exit = false;  // geofence
  bool erase = false;                // sos-number --delete
  std::string apn;                   // server
  bool udp = false;                  // server
  std::string user, secret;          // apn-login
  bool silent = false;               // call
  bool confirmed = false;            // factory-reset
};

using Builder = Checked<Command> (*)(const CommandArguments&);

// A combination of arguments that does not make a command (the message is all that is used).
gotop::EncodeError usage(std::string message) { return {gotop::EncodeErrorCode::bad_text, std::move(message)}; }

Checked<std::optional<int>> number_or_off(std::string_view text, std::string_view what) {
  if (text == "off") return std::optional<int>{};
  auto n = gotop::read_whole_number(text, what);
  if (!n) return n.error();
  return std::optional<int>{*n};
}

Checked<Command> build_track(const CommandArguments& a) {
  if (a.value == "off") return Command{command::Track{}};
  auto every = gotop::read_interval(a.value);
  if (!every) return every.error();
  return Command{command::Track{*every}};
}

Checked<Command> build_heartbeat(const CommandArguments& a) {
  auto s = gotop::read_whole_number(a.value, "heartbeat interval");
  if (!s) return s.error();
  return Command{command::Heartbeat{*s}};
}

Checked<Command> build_sos_number(const CommandArguments& a) {
  auto slot = gotop::read_whole_number(a.slot, "phone number slot");
  if (!slot) return slot.error();
  if (a.erase == !a.phone.empty()) return usage("give either a PHONE or --delete");
  if (a.erase && !a.name.empty()) return usage("--name goes with a PHONE, not with --delete");
  command::SosNumber c{*slot, std::nullopt, a.name};
  if (!a.erase) c.phone = a.phone;
  return Command{c};
}

Checked<Command> build_speed_alarm(const CommandArguments& a) {
  auto kmh = number_or_off(a.value, "speed limit");
  if (!kmh) return kmh.error();
  return Command{command::SpeedAlarm{*kmh}};
}

Checked<Command> build_geofence(const CommandArguments& a) {
  auto fence = gotop::read_whole_number(a.value, "geofence number");
  if (!fence) return fence.error();
  if (a.corners.size() == 1 && a.corners[0] == "off") {
    if (a.enter || a.exit) return usage("'off' deletes the fence: it takes no --enter or --exit");
    return Command{command::Geofence{*fence, std::nullopt}};
  }
  if (a.corners.size() != 2)
    return usage("give two opposite corners as LAT,LON LAT,LON (signed decimal degrees), or 'off'");
  if (a.enter == a.exit) return usage("say when the alarm goes off: --enter or --exit");
  auto first = gotop::read_geo_point(a.corners[0]);
  if (!first) return first.error();
  auto second = gotop::read_geo_point(a.corners[1]);
  if (!second) return second.error();
  const auto alarm = a.enter ? command::FenceAlarm::on_entry : command::FenceAlarm::on_exit;
  return Command{command::Geofence{*fence, command::GeofenceArea{alarm, *first, *second}}};
}

Checked<Command> build_timezone(const CommandArguments& a) {
  auto offset = gotop::read_utc_offset(a.value);
  if (!offset) return offset.error();
  return Command{command::TimeZone{*offset}};
}

Checked<Command> build_low_battery(const CommandArguments& a) {
  auto percent = number_or_off(a.value, "low-battery threshold");
  if (!percent) return percent.error();
  return Command{command::LowBattery{*percent}};
}

Checked<Command> build_server(const CommandArguments& a) {
  auto endpoint = gotop::read_ipv4_endpoint(a.value);
  if (!endpoint) return endpoint.error();
  return Command{command::Server{a.apn, *endpoint, a.udp}};
}

// "'of' is not allowed: on or off; did you mean 'off'?"
gotop::EncodeError not_one_of(std::string_view value, const std::vector<std::string>& choices, std::string_view listed) {
  return usage(fmt::format("'{}' is not allowed: {}{}", value, listed, util::did_you_mean(value, choices, 1)));
}

Checked<Command> build_gprs(const CommandArguments& a) {
  if (a.value != "on" && a.value != "off") return not_one_of(a.value, {"on", "off"}, "on or off");
  return Command{command::Gprs{a.value == "on"}};
}

Checked<Command> build_obd_request(const CommandArguments& a) {
  if (a.value == "vin") return Command{command::ObdRequest{command::ObdQuery::vin}};
  if (a.value == "vin-legacy") return Command{command::ObdRequest{command::ObdQuery::vin_legacy}};
  if (a.value == "odometer") return Command{command::ObdRequest{command::ObdQuery::odometer}};
  return not_one_of(a.value, {"vin", "vin-legacy", "odometer"}, "vin, vin-legacy or odometer");
}

Checked<Command> build_factory_reset(const CommandArguments& a) {
  if (!a.confirmed)
    return usage("this erases every setting of the device and reboots it; add --yes-really-reset if that is "
                 "what you want");
  return Command{command::FactoryReset{}};
}

std::string hex_bytes(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) fmt::format_to(std::back_inserter(out), "{}{:02x}", out.empty() ? "" : " ", c);
  return out;
}

// Exactly what `vt106 decode --text FRAME` prints for the frame.
void print_decoded(std::string_view frame) {
  output::NdjsonSink sink(stdout);
  gotop::Parser parser;
  decode::StreamDecoder decoder(parser, sink);
  output::RecordContext ctx;
  ctx.input = "craft";
  decoder.feed(frame, ctx);
  decoder.finish(ctx);
}

int send_and_decode(const CraftOptions& o, const gotop::CraftedCommand& crafted) {
  const auto where = client::split_host_port(o.send);
  if (!where) {
    std::fprintf(stderr, "vt106 craft: --send '%s' is not allowed: HOST:PORT, [IPv6]:PORT, port 1-65535\n",
                 o.send.c_str());
    return exit_usage;
  }
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const auto transport = o.transport == "udp" ? client::Transport::udp : client::Transport::tcp;
  client::CommandLink link(*where, transport,
                           duration_cast<milliseconds>(std::chrono::duration<double>(o.connect_timeout_seconds)));
  const std::string frame = crafted.gprs_frame();
  link.send(frame);
  std::fprintf(stderr, "vt106 craft: sent %s to %s over %s\n", frame.c_str(), link.peer().c_str(),
               std::string(client::to_string(transport)).c_str());

  output::NdjsonSink sink(stdout, {}, false, true);
  gotop::Parser parser;
  decode::StreamDecoder decoder(parser, sink);
  output::RecordContext ctx;
  ctx.input = o.send;
  ctx.transport = client::to_string(transport);
  ctx.src = link.peer();
  ctx.dst = link.local();
  const auto deadline = client::CommandLink::Clock::now() +
                        duration_cast<milliseconds>(std::chrono::duration<double>(o.wait_seconds));
  const auto end = link.receive_until(deadline, [&](std::string_view bytes) {
    decoder.feed(bytes, ctx);
    // A datagram is complete in itself: a frame it leaves open is truncated.
    if (transport == client::Transport::udp) decoder.finish(ctx);
  });
  decoder.finish(ctx);
  sink.flush();
  const auto& got = decoder.counters();
  std::fprintf(stderr, "vt106 craft: %s, %llu message(s) and %llu error record(s) received\n",
               end == client::ReceiveEnd::peer_closed ? "the peer closed the connection"
                                                      : fmt::format("waited {} s", o.wait_seconds).c_str(),
               static_cast<unsigned long long>(got.messages), static_cast<unsigned long long>(got.errors));
  return exit_ok;
}

int run_craft(const CraftOptions& o, std::string_view name, Builder build, const CommandArguments& args) {
  auto cmd = build(args);
  Checked<gotop::CraftedCommand> crafted = cmd ? gotop::craft(*cmd, o.password) : Checked<gotop::CraftedCommand>(cmd.error());
  if (!crafted) {
    std::fprintf(stderr, "vt106 craft %.*s: %s\n", static_cast<int>(name.size()), name.data(),
                 crafted.error().message.c_str());
    return exit_usage;
  }
  if (!o.send.empty()) return send_and_decode(o, *crafted);
  if (o.format == "json") {
    print_decoded(crafted->gprs_frame());
  } else {
    const std::string text = o.format == "sms"   ? crafted->sms_text()
                             : o.format == "hex" ? hex_bytes(crafted->gprs_frame())
                                                 : crafted->gprs_frame();
    std::fprintf(stdout, "%s\n", text.c_str());
  }
  return std::fflush(stdout) == 0 ? exit_ok : exit_input;
}

// Declares every command (track, sos-number, ...) with its arguments on `cmd`; the one parsed is
// found in `chosen` by its name.
void add_commands(CLI::App* cmd, const std::shared_ptr<CommandArguments>& args,
                  const std::shared_ptr<std::map<std::string, Builder>>& chosen) {
  const auto add = [&](const char* name, const char* help, Builder build) {
    (*chosen)[name] = build;
    return cmd->add_subcommand(name, help);
  };

  add("locate", "Locate once: F. The device answers CMD-F when it has a fix (TL402: within 60 s)",
      [](const CommandArguments&) -> Checked<Command> { return Command{command::Locate{}}; });
  add("track", "Report every INTERVAL, 1-254 per unit s, m or h (30s, 5m, 2h): M1,030S. "
               "'off': M0,005M (off form inferred)",
      build_track)
      ->add_option("INTERVAL", args->value, "INTERVAL or off")
      ->required();
  add("heartbeat", "Heartbeat every SECONDS, 60-600 (TL402 firmware): M2,180", build_heartbeat)
      ->add_option("SECONDS", args->value, "60-600")
      ->required();
  {
    auto* sos = add("sos-number",
                    "Phone number N (1-5 per the GOTOP sheet; 6-8 TL402 only) set to PHONE, '+' or a digit then "
                    "digits, country code included: A1,+8613812345678. --delete: A1,D",
                    build_sos_number);
    sos->add_option("N", args->slot, "Slot 1-8")->required();
    auto* phone = sos->add_option("PHONE", args->phone, "The number, country code included");
    sos->add_flag("--delete", args->erase, "Delete the number in slot N")->excludes(phone);
    sos->add_option("--name", args->name, "A name for the number, up to 12 characters (TL402 firmware)")
        ->type_name("NAME");
  }
  add("speed-alarm", "Over-speed alarm above KMH, 30-255 (TL402 firmware): J1,080. 'off': J0,080 (inferred)",
      build_speed_alarm)
      ->add_option("KMH", args->value, "KMH or off")
      ->required();
  {
    auto* fence = add("geofence",
                      "Rectangular fence N (1-5) between two opposite corners LAT,LON LAT,LON (decimal degrees), "
                      "alarm on --enter or --exit: I1,1,1,<DDMMSSss corners>. 'off': I1,0 (inferred)",
                      build_geofence);
    fence->add_option("N", args->value, "Fence 1-5")->required();
    fence->add_option("CORNERS", args->corners, "Two opposite corners LAT,LON LAT,LON, or off")->required();
    auto* enter = fence->add_flag("--enter", args->enter, "Alarm when the device enters the rectangle");
    fence->add_flag("--exit", args->exit, "Alarm when the device leaves the rectangle")->excludes(enter);
  }
  add("timezone", "Time zone of reported times, +HH or -HH with optional :MM (hours 0-23, minutes "
                  "00/15/30/45): L+08, L+05:30",
      build_timezone)
      ->add_option("OFFSET", args->value, "+HH[:MM] or -HH[:MM]")
      ->required();
  add("low-battery", "Low-battery alarm below PERCENT, 0-45 (TL402 firmware): N1,40. 'off': N0,00 (inferred)",
      build_low_battery)
      ->add_option("PERCENT", args->value, "PERCENT or off")
      ->required();
  add("password", "Change the device password to NEW, 6 digits: H456789",
      [](const CommandArguments& a) -> Checked<Command> { return Command{command::ChangePassword{a.value}}; })
      ->add_option("NEW", args->value, "The new password")
      ->required();
  add("cut-fuel", "Cut fuel / ACC, relay open (VT108-class devices): T1",
      [](const CommandArguments&) -> Checked<Command> { return Command{command::FuelRelay{true}}; });
  add("restore-fuel", "Restore fuel / ACC, relay closed (VT108-class devices): T0",
      [](const CommandArguments&) -> Checked<Command> { return Command{command::FuelRelay{false}}; });
  add("listen-in", "Answer incoming calls in listen-in mode: U1",
      [](const CommandArguments&) -> Checked<Command> { return Command{command::CallMode{true}}; });
  add("talk", "Answer incoming calls in talk mode: U0",
      [](const CommandArguments&) -> Checked<Command> { return Command{command::CallMode{false}}; });
  {
    auto* server = add("server",
                       "Report to IPv4:PORT (port 1-65535) through --apn APN: Cinternet,54.85.159.138:8888. "
                       "--udp: Cinternet,U,54.85.159.138:8888 (TL402 firmware)",
                       build_server);
    server->add_option("IPV4:PORT", args->value, "IPv4:PORT")->required();
    server->add_option("--apn", args->apn, "The SIM's access point name (no ',' or '#')")->type_name("APN")->required();
    server->add_flag("--udp", args->udp, "Report over UDP instead of TCP (TL402 firmware)");
  }
  {
    auto* login = add("apn-login", "APN user name and password: Ointernet,internet123",
                      [](const CommandArguments& a) -> Checked<Command> {
                        return Command{command::ApnLogin{a.user, a.secret}};
                      });
    login->add_option("USER", args->user, "APN user (no ',' or '#')")->required();
    login->add_option("PASSWORD", args->secret, "APN password (no ',' or '#')")->required();
  }
  add("query-settings", "Ask for the settings: G (TL402 sends them by SMS; over GPRS it answers CMD-G)",
      [](const CommandArguments&) -> Checked<Command> { return Command{command::QuerySettings{}}; });
  add("version", "Ask for the IMEI and firmware version: B",
      [](const CommandArguments&) -> Checked<Command> { return Command{command::Version{}}; });
  add("gprs", "Turn GPRS reporting on (D) or off (E; then the device reports by SMS) (TL402 firmware)", build_gprs)
      ->add_option("STATE", args->value, "on or off")
      ->required();
  {
    auto* call = add("call", "Make the device call NUMBER with voice: V30,9963; --silent to listen: V31,9963 "
                             "(TL402 firmware)",
                     [](const CommandArguments& a) -> Checked<Command> {
                       return Command{command::Call{a.value, a.silent}};
                     });
    call->add_option("NUMBER", args->value, "The number to call")->required();
    call->add_flag("--silent", args->silent, "Listen without the device's speaker");
  }
  add("obd-request", "OBD units: ask for the VIN (vin: Z08; vin-legacy, older firmware: Z296) or the odometer "
                     "(odometer: Z05)",
      build_obd_request)
      ->add_option("WHAT", args->value, "vin, vin-legacy or odometer")
      ->required();
  add("raw", "Any other command: TEXT after the password, :123456TEXT# (no '#', no RESET!)",
      [](const CommandArguments& a) -> Checked<Command> { return Command{command::Raw{a.value}}; })
      ->add_option("TEXT", args->value, "Command letters and data, e.g. M4,1")
      ->required();
  add("factory-reset", "Erase every setting and reboot: RESET!, which TL402 firmware obeys anywhere in server "
                       "data or an SMS. Needs --yes-really-reset",
      build_factory_reset)
      ->add_flag("--yes-really-reset", args->confirmed, "Confirm that the device is to be reset");

}

Runner setup_craft(CLI::App& app) {
  auto opts = std::make_shared<CraftOptions>();
  auto args = std::make_shared<CommandArguments>();
  auto* cmd = app.add_subcommand("craft", "Build a downlink command from named arguments; print it or send it");
  cmd->require_subcommand(1);
  cmd->fallthrough();  // craft's options may follow the command: vt106 craft track 30s --format hex
  cmd->footer(R"(Examples:
  vt106 craft track 30s                          :123456M1,030S#
  vt106 craft sos-number 1 +8613812345678        :123456A1,+8613812345678#
  vt106 craft geofence 1 --exit 51.193125,9.21575 50.403097,11.019925
  vt106 craft speed-alarm 80 --format sms        123456J1,080
  vt106 craft locate --send 127.0.0.1:5050 --wait 60

Ranges are the TL402 firmware's where it states one. Forms marked 'inferred' are not in any
published source; see 'man vt106-craft'.)");
  cmd->add_option("--password", opts->password, "The device's 6-digit password")->capture_default_str();
  auto* format = cmd->add_option("--format", opts->format,
                                 "text: the GPRS frame; hex: its bytes; json: the record 'vt106 decode' gives for it; "
                                 "sms: the SMS text (no ':' and no '#')")
                     ->check(CLI::IsMember({"text", "hex", "json", "sms"}))
                     ->type_name("text|hex|json|sms")
                     ->capture_default_str();
  auto* send = cmd->add_option("--send", opts->send,
                               "Send the frame to HOST:PORT (name, IPv4 or [IPv6]) and print the decoded replies")
                   ->type_name("HOST:PORT")
                   ->excludes(format);
  cmd->add_option("--transport", opts->transport, "Send over tcp or udp")
      ->check(CLI::IsMember({"tcp", "udp"}))
      ->type_name("tcp|udp")
      ->capture_default_str()
      ->needs(send);
  cmd->add_option("--wait", opts->wait_seconds, "Seconds to wait for replies after sending (0: do not wait)")
      ->check(CLI::Range(0.0, 3600.0))
      ->type_name("SECONDS")
      ->capture_default_str()
      ->needs(send);
  cmd->add_option("--connect-timeout", opts->connect_timeout_seconds, "Seconds allowed for the TCP connection")
      ->check(CLI::Range(0.1, 600.0))
      ->type_name("SECONDS")
      ->capture_default_str()
      ->needs(send);

  auto chosen = std::make_shared<std::map<std::string, Builder>>();
  add_commands(cmd, args, chosen);

  return [opts, args, chosen, cmd] {
    for (auto* sub : cmd->get_subcommands())
      if (auto it = chosen->find(sub->get_name()); it != chosen->end())
        return run_craft(*opts, it->first, it->second, *args);
    return exit_usage;
  };
}

}  // namespace

CraftedWords craft_from_words(const std::vector<std::string>& words, const std::string& password) {
  CraftedWords out;
  CLI::App app{"", "craft"};
  app.require_subcommand(1);
  auto args = std::make_shared<CommandArguments>();
  auto chosen = std::make_shared<std::map<std::string, Builder>>();
  add_commands(&app, args, chosen);
  std::vector<std::string> reversed(words.rbegin(), words.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    out.problem = parse_error_text(app, e, words, "vt106 craft");
    if (out.problem.empty()) out.problem = "give a command as 'vt106 craft' takes it, e.g. 'track 30s'";
    return out;
  }
  for (auto* sub : app.get_subcommands())
    if (auto it = chosen->find(sub->get_name()); it != chosen->end()) {
      auto cmd = it->second(*args);
      auto crafted = cmd ? gotop::craft(*cmd, password) : Checked<gotop::CraftedCommand>(cmd.error());
      if (!crafted) {
        out.problem = fmt::format("vt106 craft {}: {}", it->first, crafted.error().message);
        return out;
      }
      out.frame = crafted->gprs_frame();
      return out;
    }
  out.problem = "give a command as 'vt106 craft' takes it, e.g. 'track 30s'";
  return out;
}

const Subcommand craft_registration{"craft", 60, setup_craft};

}  // namespace vt106::cli
