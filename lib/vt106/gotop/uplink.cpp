// GOTOP uplink frames (device → server). Field order and variants follow Traccar's
// GotopProtocolDecoder and its tests, the location.io GOTOP parser, the Navtrack GOTOP handler,
// the "Ch2" OBD decoder of eugenehusnullin/monitoring and the TOPLOVO TL402 firmware (gps.c).
#include <fmt/format.h>

#include "vt106/gotop/parser.hpp"
#include "vt106/util/text.hpp"
#include "vt106/util/time.hpp"

namespace vt106::gotop {

using util::all_digits;
using util::has_prefix;
using util::is_decimal_with_point;
using util::parse_decimal;
using util::parse_int;
using util::strip_prefix;
using util::trim;

namespace {

bool is_type_token(std::string_view t) {
  return has_prefix(t, "CMD-") || has_prefix(t, "ALM-") || t == "ERROR!" || has_prefix(t, "Ver:");
}

// A field that can only be an OEM prefix: a 17-character vehicle identification number.
bool looks_like_vin(std::string_view s) {
  if (s.size() != 17) return false;
  for (char c : s)
    if (!util::is_digit(c) && !(c >= 'A' && c <= 'Z')) return false;
  return true;
}

// MCCMNC-LAC-CID with MCC+MNC as 5 or 6 decimal digits and LAC/CID in hexadecimal.
std::optional<Cell> parse_cell(std::string_view s) {
  // One pass: 5 or 6 digits, '-', 1-8 hex digits, '-', 1-8 hex digits, nothing else.
  const char* p = s.data();
  const char* const end = p + s.size();
  int op[6];
  int op_digits = 0;
  for (; p != end && util::is_digit(*p); ++p) {
    if (op_digits == 6) return std::nullopt;
    op[op_digits++] = *p - '0';
  }
  if (op_digits < 5 || p == end || *p++ != '-') return std::nullopt;
  auto hex = [&](bool last) -> std::optional<std::uint32_t> {
    std::uint32_t v = 0;
    int n = 0;
    for (; p != end && *p != '-'; ++p, ++n) {
      const unsigned d = util::hex_value(*p);
      if (d > 15) return std::nullopt;
      v = v << 4 | d;
    }
    if (n == 0 || n > 8) return std::nullopt;
    if (last ? p != end : (p == end || *p++ != '-')) return std::nullopt;
    return v;
  };
  const auto lac = hex(false);
  if (!lac) return std::nullopt;
  const auto cid = hex(true);
  if (!cid) return std::nullopt;
  Cell cell;
  cell.mcc = op[0] * 100 + op[1] * 10 + op[2];
  cell.mnc = op[3] * 10 + op[4];
  if (op_digits == 6) cell.mnc = cell.mnc * 10 + op[5];
  cell.mnc_digits = op_digits - 3;
  cell.lac = *lac;
  cell.cid = *cid;
  return cell;
}

// "WIFI:{84-a0-6e-94-42-5e&-47,…}" → observations; false when the list is malformed.
bool parse_radio_list(std::string_view s, std::string_view label, std::vector<RadioObservation>& out) {
  if (!strip_prefix(s, label) || s.size() < 2 || s.front() != '{' || s.back() != '}') return false;
  s = s.substr(1, s.size() - 2);
  // Appended in place (the vector keeps its capacity between frames) and taken back when the
  // list turns out malformed.
  const std::size_t before = out.size();
  while (!s.empty()) {
    const auto comma = s.find(',');
    const std::string_view entry = s.substr(0, comma);
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
    const auto amp = entry.find('&');
    auto rssi = amp == std::string_view::npos ? std::nullopt : parse_int<int>(entry.substr(amp + 1));
    if (!rssi || amp == 0) {
      out.resize(before);
      return false;
    }
    out.push_back({entry.substr(0, amp), *rssi});
  }
  return true;
}

// "22.7634066N" (hemisphere letter last); nullopt when malformed or out of range.
std::optional<double> parse_coordinate(std::string_view s, char positive, char negative, double limit) {
  if (s.size() < 2) return std::nullopt;
  const char hemi = s.back();
  if (hemi != positive && hemi != negative) return std::nullopt;
  s.remove_suffix(1);
  if (s.front() == '-') return std::nullopt;
  auto v = parse_decimal(s);
  if (!v || *v > limit) return std::nullopt;
  return hemi == negative ? -*v : *v;
}

}  // namespace

void classify_type(std::string_view type, Message& m) {
  if (type == "ERROR!") {
    m.event = Event::error_reply;
  } else if (has_prefix(type, "Ver:")) {
    m.event = Event::version;
    m.command = "B";
  } else if (has_prefix(type, "CMD-")) {
    const std::string_view letters = type.substr(4);
    if (letters == "T") {
      m.event = Event::position;
    } else if (letters == "X") {
      m.event = Event::heartbeat;
    } else if (letters == "KEY") {
      m.event = Event::sos;
    } else if (letters == "F" || letters == "F1") {
      m.event = Event::position;
      m.command = letters;
    } else if (letters == "D") {
      m.event = Event::gprs_connected;
      m.command = letters;
    } else if (letters == "Z") {
      m.event = Event::obd;
      m.command = letters;
    } else if (!letters.empty()) {
      m.event = Event::command_reply;
      m.command = letters;
    }
  } else if (has_prefix(type, "ALM-")) {
    const std::string_view code = type.substr(4);
    if (code == "A") m.event = Event::sos;
    else if (has_prefix(code, "B")) {
      m.event = Event::geofence;
      if (code.size() == 2 && util::is_digit(code[1])) m.fence = code[1] - '0';
    }
    else if (code == "C") m.event = Event::overspeed;
    else if (code == "D") m.event = Event::low_battery;
    else if (code == "E") m.event = Event::gps_lost;
    else if (code == "F") m.event = Event::battery_full;
    else if (code == "H") m.event = Event::movement;
    else if (code == "M") m.event = Event::fall;
    else if (code == "N") m.event = Event::shock;
    else if (code == "U") m.event = Event::ota_ok;
    else if (code == "V") m.event = Event::ota_fail;
  }
}

bool Parser::parse_frame(std::string_view body, Message& msg, DecodeError& err) {
  const std::string_view t = trim(body);
  if (!t.empty() && (t.front() == ':' || has_prefix(t, "RESET!"))) return parse_downlink(body, msg, err);
  return parse_uplink(body, msg, err);
}

bool Parser::parse_uplink(std::string_view frame, Message& m, DecodeError& e) {
  m.clear();
  m.dir = Direction::up;
  const std::string_view body = trim(frame);
  fields_ = util::split_fields_into(body, ',', field_store_);
  const auto f = fields_;
  auto fail = [&](ErrorCode code, std::string_view at, std::string message) {
    e = DecodeError{};
    e.code = code;
    e.message = std::move(message);
    e.column = static_cast<std::size_t>(at.data() - frame.data());
    e.imei = m.imei;
    e.type = m.type;
    e.dir = Direction::up;
    return false;
  };

  const std::string_view id = trim(f[0]);
  if (!all_digits(id) || id.size() > 20)
    return fail(ErrorCode::bad_imei, f[0],
                fmt::format("the first field '{}' is not a device identifier (digits)", id));
  m.imei = id;
  if (f.size() < 2 || (f.size() == 2 && trim(f[1]).empty()))
    return fail(ErrorCode::missing_type, body.substr(body.size()),
                "the frame ends after the identifier: no message type");

  // The type token; OEM firmware may put up to two fields before it.
  std::size_t t = 0;
  for (std::size_t i = 1; i < f.size() && i <= 3; ++i)
    if (is_type_token(trim(f[i]))) {
      t = i;
      break;
    }
  if (t == 0) t = 1;  // an unknown type token: keep it as sent
  if (t == 3) {
    const std::string_view p1 = trim(f[1]);
    if (p1 == "Sorry Not Support" || p1 == "PWR saved") {
      m.notice = p1;
      if (!trim(f[2]).empty()) m.prefix.push_back(f[2]);
    } else if (looks_like_vin(p1)) {
      m.vin = p1;
      m.obd_text = trim(f[2]);
    } else {
      m.prefix.push_back(f[1]);
      m.prefix.push_back(f[2]);
    }
  } else if (t == 2) {
    m.prefix.push_back(f[1]);
  }
  m.type = trim(f[t]);
  classify_type(m.type, m);

  if (m.event == Event::version) {
    // "IMEI,Ver:H-TL402,S-0001-190611," — the version string is the rest of the frame.
    std::string_view v = body.substr(static_cast<std::size_t>(m.type.data() - body.data()) + 4);
    while (!v.empty() && (v.back() == ',' || util::is_space(v.back()))) v.remove_suffix(1);
    m.version = v;
    return true;
  }
  if (m.event == Event::obd && t + 1 < f.size()) {
    // CMD-Z replies of OBD units: "$296=<VIN>", "$300=…", or hex bytes "85 00 00 72 94".
    std::string_view payload = trim(body.substr(static_cast<std::size_t>(f[t + 1].data() - body.data())));
    if (strip_prefix(payload, "$")) {
      const auto eq = payload.find('=');
      m.obd_code = payload.substr(0, eq);
      m.obd_value = eq == std::string_view::npos ? std::string_view{} : payload.substr(eq + 1);
      if (m.obd_code == "296") m.vin = m.obd_value;
    } else {
      const auto sp = payload.find(' ');
      m.obd_code = payload.substr(0, sp);
      m.obd_value = sp == std::string_view::npos ? std::string_view{} : trim(payload.substr(sp + 1));
      util::split_fields(m.obd_value, ' ', parts_);
      std::vector<std::uint8_t> bytes;
      bool ok = !m.obd_value.empty();
      for (auto b : parts_) {
        auto v = parse_int<std::uint8_t>(b, 16);
        if (!v || b.size() != 2) {
          ok = false;
          break;
        }
        bytes.push_back(*v);
      }
      if (ok && m.obd_code == "85" && bytes.size() == 4) {
        m.odometer = (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                     (std::uint32_t{bytes[2]} << 8) | bytes[3];
      } else if (ok && m.obd_code == "88") {
        bool any = false;
        for (auto b : bytes) any = any || b != 0;
        if (any)
          for (auto b : bytes) m.vin_decoded.push_back(static_cast<char>(b));
      }
    }
    return true;
  }
  // Shapes without a position: "IMEI,TYPE" and "IMEI,TYPE,".
  if (t + 1 >= f.size() || (t + 2 == f.size() && trim(f[t + 1]).empty())) return true;
  return parse_position(t + 1, frame, m, e);
}

bool Parser::parse_position(std::size_t i, std::string_view frame, Message& m, DecodeError& e) {
  const auto f = fields_;
  auto fail = [&](ErrorCode code, std::string_view at, std::string message) {
    e = DecodeError{};
    e.code = code;
    e.message = std::move(message);
    e.column = static_cast<std::size_t>(at.data() - frame.data());
    e.imei = m.imei;
    e.type = m.type;
    e.dir = Direction::up;
    return false;
  };
  const std::string_view validity = trim(f[i]);
  if (validity == "A" || validity == "V") {
    m.valid = validity == "A";
  } else if (m.event == Event::unknown && !has_prefix(m.type, "ALM-")) {
    for (std::size_t k = i; k < f.size(); ++k) m.extra.push_back(f[k]);  // unknown shape: keep raw
    return true;
  } else {
    return fail(ErrorCode::bad_validity, f[i],
                fmt::format("validity '{}' after {} is neither A nor V", validity, m.type));
  }
  const std::string_view end_of_frame = frame.substr(frame.size());
  if (i + 4 >= f.size())
    return fail(ErrorCode::bad_date, i + 1 < f.size() ? f[i + 1] : end_of_frame,
                "the frame ends inside the position block (date, time, latitude, longitude expected)");

  std::string_view date = trim(f[i + 1]), time = trim(f[i + 2]);
  strip_prefix(date, "DATE:");
  strip_prefix(time, "TIME:");
  if (date.size() != 6 || !all_digits(date))
    return fail(ErrorCode::bad_date, f[i + 1], fmt::format("date '{}' is not yymmdd", trim(f[i + 1])));
  if (time.size() != 6 || !all_digits(time))
    return fail(ErrorCode::bad_time, f[i + 2], fmt::format("time '{}' is not hhmmss", trim(f[i + 2])));
  const int yy = static_cast<int>(util::two_digits(date.data()));
  const unsigned mo = util::two_digits(date.data() + 2), dd = util::two_digits(date.data() + 4);
  const unsigned hh = util::two_digits(time.data()), mi = util::two_digits(time.data() + 2),
                 ss = util::two_digits(time.data() + 4);
  // Devices report few distinct dates: their day numbers are remembered (direct-mapped).
  const auto date_key = static_cast<std::uint32_t>(yy * 10000 + static_cast<int>(mo * 100 + dd));
  DayMemo& memo = days_[date_key % days_.size()];
  if (memo.key != date_key) {
    if (!util::valid_date(2000 + yy, mo, dd))
      return fail(ErrorCode::bad_date, f[i + 1], fmt::format("date '{}' is not a calendar date", date));
    memo.key = date_key;
    memo.days = util::days_from_civil(2000 + yy, mo, dd);
  }
  if (hh > 23 || mi > 59 || ss > 59)
    return fail(ErrorCode::bad_time, f[i + 2], fmt::format("time '{}' is not a time of day", time));
  m.fix_time = memo.days * 86400 + hh * 3600 + mi * 60 + ss - options_.device_tz_seconds;

  std::string_view lat = trim(f[i + 3]), lon = trim(f[i + 4]);
  strip_prefix(lat, "LAT:");
  if (!strip_prefix(lon, "LOT:")) strip_prefix(lon, "LON:");
  m.lat = parse_coordinate(lat, 'N', 'S', 90.0);
  if (!m.lat)
    return fail(ErrorCode::bad_latitude, f[i + 3],
                fmt::format("latitude '{}' is not degrees 0-90 followed by N or S", trim(f[i + 3])));
  m.lon = parse_coordinate(lon, 'E', 'W', 180.0);
  if (!m.lon)
    return fail(ErrorCode::bad_longitude, f[i + 4],
                fmt::format("longitude '{}' is not degrees 0-180 followed by E or W", trim(f[i + 4])));

  std::size_t k = i + 5;
  if (k < f.size()) {
    std::string_view speed = trim(f[k]);
    if (!strip_prefix(speed, "Speed:")) strip_prefix(speed, "SPEED:");
    m.speed_kmh = parse_decimal(speed);
    if (!m.speed_kmh || *m.speed_kmh < 0)
      return fail(ErrorCode::bad_speed, f[k], fmt::format("speed '{}' is not a number of km/h", trim(f[k])));
    ++k;
  }
  if (k < f.size() && !trim(f[k]).empty()) {
    const std::string_view status = trim(f[k]);
    // One pass over the dash-separated values: each is "X" or one to three digits.
    int count = 0, before_last = -1, last = -1;  // -1: "X"
    int flag[3] = {-1, -1, -1};                   // the first three values when "0" or "1"
    bool ok = true;
    for (const char *p = status.data(), *end = p + status.size();;) {
      const char* q = p;
      int v = -1;
      if (q != end && *q == 'X') {
        ++q;
      } else {
        v = 0;
        while (q != end && util::is_digit(*q) && q - p < 4) v = v * 10 + (*q++ - '0');
        if (q == p || q - p > 3) ok = false;
      }
      if (!ok || (q != end && *q != '-')) {
        ok = false;
        break;
      }
      if (count < 3 && q - p == 1 && (v == 0 || v == 1)) flag[count] = v;
      before_last = last;
      last = v;
      ++count;
      if (q == end) break;
      p = q + 1;
    }
    if (!ok || count < 2)
      return fail(ErrorCode::bad_status, f[k],
                  fmt::format("status group '{}' is not dash-separated values ending in battery-signal", status));
    m.status = status;
    if (before_last >= 0) m.battery = before_last;
    if (last >= 0) m.gsm = last;
    if (count == 6 && flag[0] >= 0 && flag[1] >= 0 && flag[2] >= 0)
      m.flags = StatusFlags{flag[0] == 1, flag[1] == 1, flag[2] == 1};
    ++k;
  } else if (k < f.size()) {
    ++k;  // an empty status field
  }
  parse_tail(k, m);
  return true;
}

// Everything after the status group varies by model; fields are recognised by shape and
// whatever has no known meaning is kept raw in `extra`.
void Parser::parse_tail(std::size_t first, Message& m) {
  const auto f = fields_;
  if (first >= f.size()) return;
  std::size_t k = first;
  const std::string_view head = trim(f[k]);
  const bool numeric_course = head.empty() || (head.size() <= 3 && all_digits(head));
  if (numeric_course) {
    // GOTOP / TL402 layout: course, cell, satellites, HDOP, temperature, Wi-Fi slots.
    if (!head.empty()) m.course = *parse_int<int>(head);
    ++k;
    if (k < f.size()) {
      if (auto cell = parse_cell(trim(f[k]))) {
        m.cell = cell;
        ++k;
        if (k < f.size() && all_digits(trim(f[k])) && trim(f[k]).size() <= 2) {
          m.satellites = *parse_int<int>(trim(f[k]));
          ++k;
          if (k < f.size() && is_decimal_with_point(trim(f[k]))) {
            m.hdop = parse_decimal(trim(f[k]));
            ++k;
            // TL402 prints the modem temperature as an integer followed by ".0".
            if (k < f.size()) {
              const std::string_view temp = trim(f[k]);
              if (temp.ends_with(".0") && parse_decimal(temp)) {
                m.temperature_c = parse_decimal(temp);
                ++k;
              }
            }
          }
        }
      }
    }
  } else if (is_decimal_with_point(head)) {
    // Farnear layouts: "hdop", "altitude,hdop,…" or "hdop,WIFI:{…},BLE:{…}".
    const bool second_decimal = k + 1 < f.size() && is_decimal_with_point(trim(f[k + 1]));
    const bool alone_or_lists = k + 1 >= f.size() || has_prefix(trim(f[k + 1]), "WIFI:") ||
                                has_prefix(trim(f[k + 1]), "BLE:");
    if (second_decimal) {
      m.altitude_m = parse_decimal(head);
      m.hdop = parse_decimal(trim(f[k + 1]));
      k += 2;
    } else if (alone_or_lists) {
      m.hdop = parse_decimal(head);
      ++k;
    }
  }
  for (; k < f.size(); ++k) {
    const std::string_view v = trim(f[k]);
    if (v == ">" && k + 1 == f.size()) continue;  // Farnear end marker
    if (has_prefix(v, "WIFI:") && parse_radio_list(v, "WIFI:", m.wifi)) continue;
    if (has_prefix(v, "BLE:") && parse_radio_list(v, "BLE:", m.ble)) continue;
    if (!m.cell)
      if (auto cell = parse_cell(v)) {
        m.cell = cell;
        continue;
      }
    m.extra.push_back(f[k]);
  }
}

}  // namespace vt106::gotop
