// SMS texts: commands a phone sends to the device ("123456M1,030S") and the messages the device
// sends to a phone (event line, optional "Before!", DATE/TIME/SPEED/BAT/CSQ lines, maps link).
// Texts and layout follow the TOPLOVO TL402 firmware (gsm.c Send_Msg_To_Phone, gps.c, geo.c).
#include <fmt/format.h>

#include "vt106/gotop/parser.hpp"
#include "vt106/util/text.hpp"
#include "vt106/util/time.hpp"

namespace vt106::gotop {

using util::all_digits;
using util::parse_decimal;
using util::parse_int;
using util::strip_prefix;
using util::trim;

namespace {

struct SmsEvent {
  std::string_view text;  // exact text, or a prefix when `prefix` is set
  Event event;
  std::string_view command;
  bool prefix = false;
};

// Event lines of device SMS, with the command letter a confirmation answers.
constexpr SmsEvent sms_events[] = {
    {"HELP ME!", Event::sos, ""},
    {"Over Speed!", Event::overspeed, ""},
    {"Stockade", Event::geofence, "", true},
    {"ALM-Movement!", Event::movement, ""},
    {"Mdown!", Event::fall, ""},
    {"Sudden Stop or Shock!", Event::shock, ""},
    {"GPS OK!", Event::position, "F"},
    {"GPS NG!", Event::position, "F"},
    {"LBS!", Event::position, "F1"},
    {"AUTO-", Event::position, ""},
    {"LOW BAT!", Event::low_battery, "", true},
    {"BAT FULL!", Event::battery_full, ""},
    {"OTA OK!", Event::ota_ok, ""},
    {"OTA Fail!", Event::ota_fail, ""},
    {"IMEI:", Event::version, "B", true},
    {"SET SPD OK!", Event::command_reply, "J"},
    {"SET TIME ZONE OK!", Event::command_reply, "L"},
    {"SET CLOCK OK!", Event::command_reply, "L1"},
    {"SET to Get GPS New Time OK!", Event::command_reply, "L4"},
    {"SET Alarm OK!", Event::command_reply, "L5"},
    {"SET AUTO TRACK OK!", Event::command_reply, "M"},
    {"Cancel AUTO TRACK OK!", Event::command_reply, "M"},
    {"SET Heartbeat Time OK!", Event::command_reply, "M2"},
    {"SET GPS Mode OK!", Event::command_reply, "M4"},
    {"OPEN LOW BAT OK!", Event::command_reply, "N"},
    {"CLOSE LOW BAT OK!", Event::command_reply, "N"},
    {"OPEN FULL BAT OK!", Event::command_reply, "N2"},
    {"CLOSE FULL BAT OK!", Event::command_reply, "N2"},
    {"GeoFence set OK", Event::command_reply, "I"},
    {"Geo fence deleted", Event::command_reply, "I"},
    {"Geofence setup failed", Event::error_reply, "I"},
    {"Set GEO Alarm ok!", Event::command_reply, "P"},
    {"Cancel GEO Alarm ok!", Event::command_reply, "P"},
    {"Change Password OK!", Event::command_reply, "H"},
    {"SET APN,IP&Port OK!", Event::command_reply, "C"},
    {"SET APN,IP&Port ERROR!", Event::error_reply, "C"},
    {"SET APN Name & Password Ok!", Event::command_reply, "O"},
    {"SET HTTP Ok!", Event::command_reply, "R"},
    {"Opened GPRS Ok!", Event::command_reply, "D"},
    {"Connect Fail,Please Reinstall APN,IP&Port!", Event::error_reply, "D"},
    {"Closed GPRS OK!", Event::command_reply, "E"},
    {"Talking ok!", Event::command_reply, "U0"},
    {"Listen in OK!", Event::command_reply, "U1"},
    {"Calling in silence from SOS OK!", Event::command_reply, "U2"},
    {"Calling with voice from SOS OK!", Event::command_reply, "U3"},
    {"Turn on GPS OK!", Event::command_reply, "U4"},
    {"Turn off GPS OK!", Event::command_reply, "U5"},
    {"GPRS SLOW OK!", Event::command_reply, "U6"},
    {"GPRS NORMAL OK!", Event::command_reply, "U7"},
    {"GPS STRONG OK!", Event::command_reply, "U8"},
    {"GPS SAVING OK!", Event::command_reply, "U9"},
    {"OTA Start!", Event::command_reply, "UV"},
    {"Power Off OK!", Event::command_reply, "K"},
    {"SET High-g Threshold OK!", Event::command_reply, "K"},
    {"Device name OK!", Event::command_reply, "Z2"},
    {"Volume:", Event::command_reply, "V", true},
    {"Calling ", Event::command_reply, "V3", true},
    {"error phone number!", Event::error_reply, "A"},
    {"ERROR!", Event::error_reply, ""},
};

const SmsEvent* find_sms_event(std::string_view line) {
  for (const auto& ev : sms_events)
    if (ev.prefix ? line.starts_with(ev.text) : line == ev.text) return &ev;
  // "<n>TEL OK!<number>;" confirms phone number slot n (command A<n>).
  const auto tel = line.find("TEL OK!");
  if (tel != std::string_view::npos && tel > 0 && all_digits(line.substr(0, tel))) {
    static constexpr SmsEvent phone{"TEL OK!", Event::command_reply, "A"};
    return &phone;
  }
  return nullptr;
}

bool looks_like_sms_command(std::string_view text) {
  if (text.starts_with("RESET!")) return true;  // TL402 reacts to it without a password
  return text.size() > 6 && all_digits(text.substr(0, 6)) && text[6] >= 'A' && text[6] <= 'Z';
}

}  // namespace

bool Parser::parse_sms(std::string_view text, Message& m, DecodeError& e) {
  const std::string_view whole = text;
  text = trim(text);
  if (text.empty()) {
    m.clear();
    e = DecodeError{};
    e.code = ErrorCode::bad_sms;
    e.message = "the SMS text is empty";
    e.dir = Direction::sms;
    return false;
  }
  if (looks_like_sms_command(text) && text.find('\n') == std::string_view::npos) {
    // The firmware cuts a command at '#' or CR.
    std::string_view cmd = text;
    if (const auto hash = cmd.find('#'); hash != std::string_view::npos) cmd = cmd.substr(0, hash);
    if (!parse_downlink(cmd, m, e, true)) return false;
    m.raw = whole;
    return true;
  }
  m.clear();
  m.dir = Direction::sms;
  auto fail = [&](std::string_view at, std::string message) {
    e = DecodeError{};
    e.code = ErrorCode::bad_sms;
    e.message = std::move(message);
    e.column = static_cast<std::size_t>(at.data() - whole.data());
    e.type = m.type;
    e.dir = Direction::sms;
    return false;
  };
  util::split_fields(text, '\n', lines_);
  for (auto& l : lines_) l = trim(l);
  std::size_t i = 0;
  const SmsEvent* ev = find_sms_event(lines_[0]);
  auto strip_before = [](std::string_view l) {
    std::string_view t = l;
    if (t.ends_with("Before!")) t.remove_suffix(7);
    return trim(t);
  };
  if (!ev) ev = find_sms_event(strip_before(lines_[0]));
  if (!ev && lines_.size() > 1) {
    const SmsEvent* second = find_sms_event(strip_before(lines_[1]));
    if (second) {  // the first line is the device name set with Z2
      m.device_name = lines_[0];
      ev = second;
      i = 1;
    }
  }
  std::string_view event_line = lines_[i];
  bool before = false;
  if (event_line.ends_with("Before!")) {
    before = true;
    event_line = strip_before(event_line);
  } else if (i + 1 < lines_.size() && lines_[i + 1] == "Before!") {
    before = true;
    ++i;
  }
  m.type = event_line;
  if (ev) {
    m.event = ev->event;
    m.command = ev->command;
    if (ev->event == Event::geofence) {
      std::string_view n = event_line.substr(8);
      if (n.ends_with("!")) n.remove_suffix(1);
      if (auto fence = parse_int<int>(n)) m.fence = *fence;
    } else if (ev->event == Event::low_battery) {
      std::string_view n = event_line.substr(8);
      if (n.ends_with("%")) n.remove_suffix(1);
      if (auto pct = parse_int<int>(n)) m.battery = *pct;
    } else if (ev->event == Event::version) {
      // "IMEI:<imei>,,Ver:H-TL402,S-0001-190611,"
      std::string_view rest = event_line.substr(5);
      const auto comma = rest.find(',');
      m.imei = rest.substr(0, comma);
      if (const auto ver = rest.find("Ver:"); ver != std::string_view::npos) {
        std::string_view v = rest.substr(ver + 4);
        while (!v.empty() && v.back() == ',') v.remove_suffix(1);
        m.version = v;
      }
    }
  }
  ++i;
  std::optional<std::string_view> date, time;
  std::string_view date_line, time_line;
  // The maps link carries the coordinates as signed decimal degrees: "...&q=22.7613506,114.3610382".
  auto read_link = [&](std::string_view line, std::string_view l) {
    std::string_view coords = l.substr(l.find("q=") + 2);
    coords = coords.substr(0, coords.find('&'));
    const auto comma = coords.find(',');
    auto lat = parse_decimal(trim(coords.substr(0, comma)));
    auto lon = comma == std::string_view::npos ? std::nullopt : parse_decimal(trim(coords.substr(comma + 1)));
    if (!lat || *lat < -90 || *lat > 90) return fail(line, fmt::format("latitude in '{}' is not -90..90", coords));
    if (!lon || *lon < -180 || *lon > 180)
      return fail(line, fmt::format("longitude in '{}' is not -180..180", coords));
    m.lat = lat;
    m.lon = lon;
    return true;
  };
  auto is_link = [](std::string_view l) {
    return l.find("http") != std::string_view::npos && l.find("q=") != std::string_view::npos;
  };
  for (; i < lines_.size(); ++i) {
    std::string_view l = lines_[i];
    if (l.empty()) continue;
    if (strip_prefix(l, "DATE:")) {
      date = trim(l);
      date_line = lines_[i];
    } else if (strip_prefix(l, "TIME:")) {
      time = trim(l);
      time_line = lines_[i];
    } else if (strip_prefix(l, "SPEED:")) {
      m.speed_kmh = parse_decimal(trim(l));
      if (!m.speed_kmh) return fail(lines_[i], fmt::format("speed '{}' is not a number of km/h", l));
    } else if (strip_prefix(l, "BAT:")) {
      m.battery = parse_int<int>(trim(l));
      if (!m.battery) return fail(lines_[i], fmt::format("battery '{}' is not a percentage", l));
    } else if (strip_prefix(l, "CSQ:")) {
      // "CSQ:<n> " may be followed by the link on the same line.
      const auto sp = l.find(' ');
      m.gsm = parse_int<int>(trim(l.substr(0, sp)));
      if (!m.gsm) return fail(lines_[i], fmt::format("signal '{}' is not a CSQ value", l));
      if (sp != std::string_view::npos && is_link(l.substr(sp)) && !read_link(lines_[i], l.substr(sp))) return false;
    } else if (is_link(l)) {
      if (!read_link(lines_[i], l)) return false;
    } else {
      m.extra.push_back(lines_[i]);
    }
  }
  if (date || time) {
    if (!date || !time) return fail(date ? date_line : time_line, "an SMS position needs both DATE: and TIME:");
    const std::string_view d = *date, t = *time;
    const bool shape = d.size() == 8 && d[2] == '/' && d[5] == '/' && t.size() == 8 && t[2] == ':' && t[5] == ':';
    auto num = [](std::string_view s) { return all_digits(s) ? parse_int<unsigned>(s) : std::nullopt; };
    auto yy = shape ? num(d.substr(0, 2)) : std::nullopt, mo = shape ? num(d.substr(3, 2)) : std::nullopt,
         dd = shape ? num(d.substr(6, 2)) : std::nullopt, hh = shape ? num(t.substr(0, 2)) : std::nullopt,
         mi = shape ? num(t.substr(3, 2)) : std::nullopt, ss = shape ? num(t.substr(6, 2)) : std::nullopt;
    std::optional<std::int64_t> when;
    if (yy && mo && dd && hh && mi && ss)
      when = util::utc_seconds(2000 + static_cast<int>(*yy), *mo, *dd, *hh, *mi, *ss);
    if (!when) return fail(date_line, fmt::format("'{}' '{}' is not yy/mm/dd hh:mm:ss", d, t));
    m.fix_time = *when - options_.device_tz_seconds;
  }
  if (m.lat) m.valid = !before && m.type != "GPS NG!";
  m.raw = whole;
  return true;
}

}  // namespace vt106::gotop
