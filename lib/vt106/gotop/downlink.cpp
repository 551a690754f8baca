// GOTOP downlink commands (':' + password + command + data + '#'), over GPRS or as SMS text.
// Command letters and data formats follow the GOTOP "GPRS protocol V5.0" command sheet
// (TL201/TL206/VT108), the location.io GOTOP command builder and the TL402 firmware (gsm.c).
#include <fmt/format.h>

#include "vt106/gotop/parser.hpp"
#include "vt106/util/text.hpp"

namespace vt106::gotop {

using util::all_digits;
using util::parse_int;
using util::trim;

namespace {

struct CommandResult {
  bool ok = true;
  std::string problem;  // why the data is not what the command takes
};

CommandResult bad(std::string why) { return {false, std::move(why)}; }

bool is_phone(std::string_view s) {
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  return all_digits(s) && s.size() <= 20;
}

// "51113525N" (DDMMSSss) or "009125670E" (DDDMMSSss) → signed decimal degrees.
std::optional<double> parse_fence_corner(std::string_view s, std::size_t deg_digits, char pos, char neg) {
  if (s.size() != deg_digits + 7) return std::nullopt;
  const char hemi = s.back();
  if (hemi != pos && hemi != neg) return std::nullopt;
  const std::string_view digits = s.substr(0, s.size() - 1);
  if (!all_digits(digits)) return std::nullopt;
  const double deg = *parse_int<int>(digits.substr(0, deg_digits));
  const double min = *parse_int<int>(digits.substr(deg_digits, 2));
  const double sec = *parse_int<int>(digits.substr(deg_digits + 2, 4)) / 100.0;
  if (min >= 60 || sec >= 60) return std::nullopt;
  const double v = deg + min / 60.0 + sec / 3600.0;
  return hemi == neg ? -v : v;
}

CommandResult on_off_value(std::string_view data, std::string_view what, std::string_view unit,
                           std::size_t width, std::string& summary) {
  // "<0|1>,<value>" as used by J (speed alarm) and N (low battery).
  if (data.size() < 3 || (data[0] != '0' && data[0] != '1') || data[1] != ',')
    return bad(fmt::format("expected 0 or 1, a comma and a value, got '{}'", data));
  const std::string_view value = data.substr(2);
  if (!all_digits(value) || (width != 0 && value.size() != width))
    return bad(width != 0 ? fmt::format("value '{}' is not {} digits", value, width)
                          : fmt::format("value '{}' is not a number", value));
  const auto number = parse_int<int>(value);
  if (!number) return bad(fmt::format("value '{}' is too large", value));
  summary = data[0] == '1' ? fmt::format("{} on at {}{}", what, *number, unit) : fmt::format("{} off", what);
  return {};
}

}  // namespace

bool Parser::parse_downlink(std::string_view frame, Message& m, DecodeError& e, bool sms) {
  m.clear();
  m.dir = sms ? Direction::sms : Direction::down;
  m.event = Event::command;
  std::string_view body = trim(frame);
  auto fail = [&](ErrorCode code, std::string_view at, std::string message) {
    e = DecodeError{};
    e.code = code;
    e.message = std::move(message);
    e.column = static_cast<std::size_t>(at.data() - frame.data());
    e.dir = m.dir;
    return false;
  };
  if (!sms && !body.starts_with("RESET!")) {
    if (body.empty() || body.front() != ':')
      return fail(ErrorCode::bad_command, body, "a command frame starts with ':'");
    body.remove_prefix(1);
  }
  if (body.starts_with("RESET!")) {
    // TL402 reacts to this text anywhere in server data, password or not.
    m.command = body.substr(0, 6);
    m.name = body == "RESET!1" ? "reboot" : "factory-reset";
    m.summary = body == "RESET!1" ? "reboot the device" : "factory reset and reboot the device";
    m.args = body.substr(6);
    return true;
  }
  const std::string_view password = body.substr(0, 6);
  if (password.size() != 6 || !all_digits(password))
    return fail(ErrorCode::bad_password, body,
                fmt::format("'{}' does not start with a 6-digit password", body.substr(0, 12)));
  m.password = password;
  if (!parse_command_text(body.substr(6), frame, m, e)) return false;
  return true;
}

bool Parser::parse_command_text(std::string_view text, std::string_view frame, Message& m, DecodeError& e) {
  auto fail = [&](std::string message) {
    e = DecodeError{};
    e.code = ErrorCode::bad_command;
    e.message = std::move(message);
    e.column = static_cast<std::size_t>(text.data() - frame.data());
    e.dir = m.dir;
    return false;
  };
  if (text.empty()) return fail("the password is not followed by a command");
  auto take = [&](std::size_t letters, std::string_view name) {
    m.command = text.substr(0, letters);
    m.args = text.substr(letters);
    m.name = name;
  };
  const char c = text[0];
  const auto next = [&](std::size_t i) { return i < text.size() ? text[i] : '\0'; };
  CommandResult r;
  std::string& s = m.summary;

  if (c == 'A' && util::is_digit(next(1))) {
    take(2, "sos-number");
    const int slot = next(1) - '0';
    std::string_view d = m.args;
    if (!util::strip_prefix(d, ",")) r = bad("expected ',' and a phone number or D");
    else if (d == "D") s = fmt::format("delete phone number {}", slot);
    else {
      const auto comma = d.find(',');
      const std::string_view phone = d.substr(0, comma);
      if (!is_phone(phone)) r = bad(fmt::format("'{}' is not a phone number (digits, country code first)", phone));
      else if (comma != std::string_view::npos)
        s = fmt::format("set phone number {} to {} ({})", slot, phone, d.substr(comma + 1));
      else s = fmt::format("set phone number {} to {}", slot, phone);
    }
  } else if (c == 'B') {
    take(next(1) == '1' ? 2 : 1, next(1) == '1' ? "vendor" : "version");
    s = next(1) == '1' ? "ask for the vendor text" : "ask for the IMEI and firmware version";
  } else if (c == 'C') {
    take(1, "server");
    // "<apn>,<ip>:<port>" or "<apn>,U,<ip>:<port>"; an APN alone clears the address.
    util::split_fields(m.args, ',', parts_);
    const std::string_view apn = parts_[0];
    bool udp = parts_.size() == 3 && parts_[1] == "U";
    if (parts_.size() == 1) s = fmt::format("set APN '{}' and clear the server address", apn);
    else if (parts_.size() == 2 || udp) {
      const std::string_view addr = parts_.back();
      const auto colon = addr.rfind(':');
      auto port = colon == std::string_view::npos ? std::nullopt : parse_int<unsigned>(addr.substr(colon + 1));
      if (!port || *port > 65535) r = bad(fmt::format("'{}' is not IP:port", addr));
      else s = fmt::format("send to {} over {}, APN '{}'", addr, udp ? "UDP" : "TCP", apn);
    } else r = bad(fmt::format("expected APN,IP:PORT or APN,U,IP:PORT, got '{}'", m.args));
  } else if (c == 'D' || c == 'E') {
    take(1, "gprs");
    s = c == 'D' ? "turn GPRS on" : "turn GPRS off (reports go by SMS)";
  } else if (c == 'F') {
    const bool cell = next(1) == '1';
    take(cell ? 2 : 1, "locate");
    s = cell ? "locate once by cell towers" : "locate once";
  } else if (c == 'G') {
    take(1, "query-settings");
    s = "ask for the settings";
  } else if (c == 'H') {
    take(1, "password");
    if (m.args.size() != 6 || !all_digits(m.args)) r = bad(fmt::format("new password '{}' is not 6 digits", m.args));
    else s = fmt::format("change the password to {}", m.args);
  } else if (c == 'I') {
    take(1, "geofence");
    util::split_fields(m.args, ',', parts_);
    if (parts_.size() < 2 || parts_[0].size() != 1 || !util::is_digit(parts_[0][0]))
      r = bad(fmt::format("expected fence number, 1 or 0, direction and corners, got '{}'", m.args));
    else if (parts_[1] == "0") s = fmt::format("delete geofence {}", parts_[0]);
    else if (parts_[1] == "1" && parts_.size() == 4 && (parts_[2] == "0" || parts_[2] == "1")) {
      const std::string_view corners = parts_[3];
      auto lat1 = parse_fence_corner(corners.substr(0, 9), 2, 'N', 'S');
      auto lon1 = corners.size() >= 19 ? parse_fence_corner(corners.substr(9, 10), 3, 'E', 'W') : std::nullopt;
      auto lat2 = corners.size() >= 28 ? parse_fence_corner(corners.substr(19, 9), 2, 'N', 'S') : std::nullopt;
      auto lon2 = corners.size() == 38 ? parse_fence_corner(corners.substr(28, 10), 3, 'E', 'W') : std::nullopt;
      if (!lat1 || !lon1 || !lat2 || !lon2)
        r = bad(fmt::format("corners '{}' are not DDMMSSss[NS]DDDMMSSss[EW] twice", corners));
      else
        s = fmt::format("set geofence {}, alarm on {}, corners {:.6f},{:.6f} and {:.6f},{:.6f}", parts_[0],
                        parts_[2] == "0" ? "entry" : "exit", *lat1, *lon1, *lat2, *lon2);
    } else r = bad(fmt::format("expected fence number, 1 or 0, direction and corners, got '{}'", m.args));
  } else if (c == 'J') {
    take(1, "speed-alarm");
    r = on_off_value(m.args, "speed alarm", " km/h", 3, s);
  } else if (c == 'K') {
    const bool threshold = next(1) == 'H' || next(1) == 'L';
    take(threshold ? 2 : 1, threshold ? "g-threshold" : "power-off");
    if (!threshold) s = "power the device off";
    else s = fmt::format("set the {}-g threshold to {}", next(1) == 'H' ? "high" : "low", m.args.starts_with(",") ? m.args.substr(1) : m.args);
  } else if (c == 'L') {
    if (next(1) == '1' && next(2) == ',') {
      take(2, "set-clock");
      util::split_fields(m.args.substr(1), ',', parts_);
      if (parts_.size() != 2 || parts_[0].size() != 6 || parts_[1].size() != 6 || !all_digits(parts_[0]) ||
          !all_digits(parts_[1]))
        r = bad(fmt::format("expected ,yymmdd,hhmmss, got '{}'", m.args));
      else s = fmt::format("set the clock to 20{}-{}-{} {}:{}:{}", parts_[0].substr(0, 2), parts_[0].substr(2, 2),
                           parts_[0].substr(4, 2), parts_[1].substr(0, 2), parts_[1].substr(2, 2), parts_[1].substr(4, 2));
    } else if (next(1) == '4') {
      take(2, "clock-sync");
      s = "set the clock from GPS once";
    } else if (next(1) == '5') {
      take(2, "alarm-clock");
      s = m.args.size() > 1 ? fmt::format("set the alarm clock to {}", m.args.substr(1)) : "turn the alarm clock off";
    } else {
      take(1, "timezone");
      const std::string_view d = m.args;
      const bool ok = d.size() >= 3 && (d[0] == '+' || d[0] == '-') && all_digits(d.substr(1, 2)) &&
                      *parse_int<int>(d.substr(1, 2)) < 24 &&
                      (d.size() == 3 || (d.size() == 6 && d[3] == ':' && all_digits(d.substr(4, 2))));
      if (!ok) r = bad(fmt::format("time zone '{}' is not +hh or -hh[:mm]", d));
      else s = fmt::format("set the time zone to UTC{}{}", d, d.size() == 3 ? ":00" : "");
    }
  } else if (c == 'M') {
    if (next(1) == '2' && next(2) == ',') {
      take(2, "heartbeat");
      const std::string_view secs = m.args.substr(1);
      const auto n = all_digits(secs) ? parse_int<int>(secs) : std::nullopt;
      if (!n) r = bad(fmt::format("heartbeat interval '{}' is not a number of seconds", secs));
      else s = fmt::format("send a heartbeat every {} s", *n);
    } else if (next(1) == '4' && next(2) == ',') {
      take(2, "gps-output");
      s = m.args == ",1" ? "GPS receiver outputs all NMEA sentences" : "GPS receiver outputs minimal NMEA";
    } else {
      take(1, "track");
      const std::string_view d = m.args;
      static constexpr std::string_view units[] = {"S", "M", "H"};
      static constexpr std::string_view unit_names[] = {"s", "min", "h"};
      const bool shape = d.size() == 6 && (d[0] == '0' || d[0] == '1') && d[1] == ',' && all_digits(d.substr(2, 3));
      int unit = -1;
      for (int u = 0; u < 3 && shape; ++u)
        if (d.substr(5) == units[u]) unit = u;
      if (!shape || unit < 0) r = bad(fmt::format("expected 0 or 1, ',' and a 3-digit interval with S, M or H, got '{}'", d));
      else if (d[0] == '0') s = "tracking off";
      else s = fmt::format("tracking on, every {} {}", *parse_int<int>(d.substr(2, 3)), unit_names[unit]);
    }
  } else if (c == 'N') {
    if (next(1) == '2' && next(2) == ',') {
      take(2, "battery-full-alarm");
      s = m.args == ",1" ? "battery-full alarm on" : "battery-full alarm off";
    } else {
      take(1, "low-battery");
      r = on_off_value(m.args, "low-battery alarm", " %", 0, s);
    }
  } else if (c == 'O') {
    take(1, "apn-login");
    const auto comma = m.args.find(',');
    if (comma == std::string_view::npos) r = bad(fmt::format("expected USER,PASSWORD, got '{}'", m.args));
    else s = fmt::format("set the APN user '{}' and password '{}'", m.args.substr(0, comma), m.args.substr(comma + 1));
  } else if (c == 'P') {
    take(1, "movement-alarm");
    const auto radius = m.args.starts_with("1,") && all_digits(m.args.substr(2)) ? parse_int<int>(m.args.substr(2))
                                                                                   : std::nullopt;
    if (radius)  // in tens of metres
      s = fmt::format("movement alarm on, radius {} m", std::int64_t{*radius} * 10);
    else if (m.args == "0" || m.args.starts_with("0,")) s = "movement alarm off";
    else r = bad(fmt::format("expected 1,RADIUS or 0, got '{}'", m.args));
  } else if (c == 'Q' && next(1) >= '1' && next(1) <= '5') {
    take(2, "call-option");
    static constexpr std::string_view what[] = {"SOS calls", "answering any caller", "user answers calls",
                                                "voicemail detection", "SMS password check"};
    s = fmt::format("{} {}", what[next(1) - '1'], m.args == ",1" ? "on" : "off");
  } else if (c == 'R') {
    take(1, "server-domain");
    s = m.args == ";" ? "delete the server domain" : fmt::format("send to the server named {}", m.args);
  } else if (c == 'T' && (next(1) == '0' || next(1) == '1')) {
    take(2, next(1) == '1' ? "cut-fuel" : "restore-fuel");
    s = next(1) == '1' ? "cut fuel / ACC (relay open)" : "restore fuel / ACC (relay closed)";
  } else if (c == 'U' && (util::is_digit(next(1)) || next(1) == 'V')) {
    take(2, "call-mode");
    static constexpr std::string_view modes[] = {
        "incoming calls in talk mode", "incoming calls in listen-in mode", "SOS calls out silently",
        "SOS calls out with voice",    "allow the GPS to power on",        "forbid the GPS to power on",
        "GPRS data-saving upload",     "GPRS normal upload",               "GPS always on",
        "GPS power saving"};
    if (next(1) == 'V') {
      m.name = "ota";
      s = "start a firmware upgrade";
    } else {
      const int n = next(1) - '0';
      if (n == 0) m.name = "talk";
      if (n == 1) m.name = "listen-in";
      s = modes[n];
    }
  } else if (c == 'V') {
    if (next(1) == '3' && (next(2) == '0' || next(2) == '1') && next(3) == ',') {
      take(3, "call");
      s = fmt::format("call {} {}", m.args.substr(1), next(2) == '0' ? "with voice" : "silently (listen)");
    } else {
      take(1, "volume");
      if (!all_digits(m.args)) r = bad(fmt::format("volume '{}' is not 0-100", m.args));
      else s = fmt::format("set the speaker volume to {} %", m.args);
    }
  } else if (c == 'Z') {
    if (next(1) == '2' && next(2) == ',') {
      take(2, "device-name");
      s = fmt::format("name the device '{}'", m.args.substr(1));
    } else {
      take(1, "obd-request");
      if (m.args == "08" || m.args == "296") s = "ask the OBD unit for the VIN";
      else if (m.args == "05") s = "ask the OBD unit for the odometer";
      else s = fmt::format("OBD request {}", m.args);
    }
  } else {
    take(1, "unknown");
    s = fmt::format("command '{}' (not documented)", text);
  }
  if (!r.ok) return fail(fmt::format("{} ({}): {}", m.name, m.command, r.problem));
  return true;
}

}  // namespace vt106::gotop
