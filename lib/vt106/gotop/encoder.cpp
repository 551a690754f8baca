// GOTOP downlink command builder: validation and exact zero-padding of every documented command.
// Formats follow the GOTOP "GPRS protocol V5.0" command sheet, the location.io GOTOP command
// builder and tests, and the TOPLOVO TL402 firmware (gsm.c); forms marked "inferred" are ours.
#include "vt106/gotop/encoder.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <fmt/format.h>

#include "vt106/util/text.hpp"

namespace vt106::gotop {

using util::all_digits;
using util::parse_int;

std::string_view to_string(EncodeErrorCode c) {
  switch (c) {
    case EncodeErrorCode::out_of_range: return "out_of_range";
    case EncodeErrorCode::bad_number: return "bad_number";
    case EncodeErrorCode::bad_interval: return "bad_interval";
    case EncodeErrorCode::bad_phone: return "bad_phone";
    case EncodeErrorCode::bad_coordinate: return "bad_coordinate";
    case EncodeErrorCode::degenerate_fence: return "degenerate_fence";
    case EncodeErrorCode::bad_time_zone: return "bad_time_zone";
    case EncodeErrorCode::bad_password: return "bad_password";
    case EncodeErrorCode::bad_address: return "bad_address";
    case EncodeErrorCode::bad_text: return "bad_text";
    case EncodeErrorCode::reset_text: return "reset_text";
    case EncodeErrorCode::frame_too_long: return "frame_too_long";
  }
  return "bad_text";
}

std::string CraftedCommand::gprs_frame() const {
  return password.empty() ? body + "#" : ":" + password + body + "#";
}

std::string CraftedCommand::sms_text() const { return password + body; }

namespace {

// The firmware's literal factory-reset trigger, matched anywhere in server data or an SMS.
constexpr std::string_view factory_reset_text = "RESET!";

// The fixed values sent with an "off" form. The firmware reads a value after "0," as after
// "1,"; these lie inside the ranges it accepts, so a range check cannot reject the command.
constexpr std::string_view track_off_data = "0,005M";  // TL402 release default interval
constexpr std::string_view speed_off_data = "0,080";   // location.io's disabled-alarm test vector
constexpr std::string_view low_battery_off_data = "0,00";

EncodeError refuse(EncodeErrorCode code, std::string message) { return {code, std::move(message)}; }

std::optional<EncodeError> check_range(int value, int low, int high, std::string_view what, std::string_view unit = "") {
  if (value >= low && value <= high) return std::nullopt;
  return refuse(EncodeErrorCode::out_of_range,
                fmt::format("{} {}{} is out of range: allowed {}-{}{}", what, value, unit, low, high, unit));
}

// Text that travels inside a command: printable ASCII, never '#' (it ends the frame), never the
// factory-reset trigger, no ',' where the command uses commas to separate its fields, and no
// space at either end (receivers trim frames and SMS texts, so it would not arrive as typed).
std::optional<EncodeError> check_text(std::string_view text, std::string_view what, bool commas_allowed) {
  if (text.empty()) return refuse(EncodeErrorCode::bad_text, fmt::format("{} is empty", what));
  if (text.front() == ' ' || text.back() == ' ')
    return refuse(EncodeErrorCode::bad_text,
                  fmt::format("{} '{}' begins or ends with a space, which receivers trim: not allowed", what, text));
  for (char c : text) {
    if (c == '#')
      return refuse(EncodeErrorCode::bad_text,
                    fmt::format("{} '{}' contains '#', which ends a GOTOP frame: not allowed", what, text));
    if (c == ',' && !commas_allowed)
      return refuse(EncodeErrorCode::bad_text,
                    fmt::format("{} '{}' contains ',', which separates this command's fields: not allowed", what, text));
    if (c < ' ' || c > '~')
      return refuse(EncodeErrorCode::bad_text,
                    fmt::format("{} contains a control or non-ASCII character: printable ASCII only", what));
  }
  if (text.find(factory_reset_text) != std::string_view::npos)
    return refuse(EncodeErrorCode::reset_text,
                  fmt::format("{} '{}' contains '{}', which makes TL402 firmware factory-reset wherever it appears; "
                              "use 'factory-reset' if that is what you mean",
                              what, text, factory_reset_text));
  return std::nullopt;
}

std::optional<EncodeError> check_phone(std::string_view phone, std::string_view what) {
  std::string_view digits = phone;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  if (all_digits(digits) && digits.size() >= 3 && digits.size() <= 20) return std::nullopt;
  return refuse(EncodeErrorCode::bad_phone,
                fmt::format("{} '{}' is not allowed: '+' or a digit, then digits (3-20 digits in all), "
                            "country code included, e.g. +8613812345678",
                            what, phone));
}

std::optional<EncodeError> check_password(std::string_view password, std::string_view what) {
  if (password.size() == 6 && all_digits(password)) return std::nullopt;
  return refuse(EncodeErrorCode::bad_password, fmt::format("{} '{}' is not allowed: exactly 6 digits", what, password));
}

std::optional<EncodeError> check_geo_point(const GeoPoint& p, std::string_view what) {
  if (std::isfinite(p.lat) && std::isfinite(p.lon) && std::fabs(p.lat) <= 90 && std::fabs(p.lon) <= 180)
    return std::nullopt;
  return refuse(EncodeErrorCode::bad_coordinate,
                fmt::format("{} {},{} is out of range: latitude -90 to 90, longitude -180 to 180", what, p.lat, p.lon));
}

std::optional<EncodeError> check_ipv4_endpoint(const Ipv4Endpoint& e) {
  const auto bad = [&] {
    return refuse(EncodeErrorCode::bad_address,
                  fmt::format("server address '{}' is not allowed: a dotted IPv4 address such as 54.85.159.138 "
                              "(the firmware takes no names or IPv6 here)",
                              e.address));
  };
  std::string_view rest = e.address;
  for (int octet = 0; octet < 4; ++octet) {
    const auto dot = rest.find('.');
    if ((octet < 3) == (dot == std::string_view::npos)) return bad();
    const std::string_view part = rest.substr(0, dot);
    if (part.size() > 3 || !all_digits(part) || *parse_int<int>(part) > 255) return bad();
    rest = octet < 3 ? rest.substr(dot + 1) : std::string_view{};
  }
  return check_range(e.port, 1, 65535, "port");
}

// Hundredths of an arc second: the resolution of DDMMSSss.
long long to_centiseconds(double degrees) { return std::llround(std::fabs(degrees) * 360000.0); }

// "51113525N" / "009125670E": degrees (2 or 3 digits), minutes, seconds x 100, hemisphere.
void append_fence_corner(std::string& out, double degrees, int degree_digits, char positive, char negative) {
  const long long cs = to_centiseconds(degrees);
  const char hemisphere = cs != 0 && degrees < 0 ? negative : positive;
  fmt::format_to(std::back_inserter(out), "{:0{}d}{:02d}{:04d}{}", cs / 360000, degree_digits, (cs % 360000) / 6000,
                 cs % 6000, hemisphere);
}

long long signed_centiseconds(double degrees) { return degrees < 0 ? -to_centiseconds(degrees) : to_centiseconds(degrees); }

struct Crafter {
  std::string body;
  std::optional<EncodeError> error;

  void fail(std::optional<EncodeError> e) {
    if (e && !error) error = std::move(e);
  }

  // Letters without data are appended to the empty body: assigning a literal trips a false
  // -Wrestrict in GCC 12 at -O3 (GCC bug 105651).
  void operator()(const command::Locate&) { body += 'F'; }

  void operator()(const command::Track& c) {
    if (!c.every) {
      body = fmt::format("M{}", track_off_data);
      return;
    }
    const char* unit = c.every->unit == IntervalUnit::seconds ? " s" : c.every->unit == IntervalUnit::minutes ? " min" : " h";
    fail(check_range(c.every->count, 1, 254, "tracking interval", unit));
    body = fmt::format("M1,{:03d}{}", c.every->count, static_cast<char>(c.every->unit));
  }

  void operator()(const command::Heartbeat& c) {
    fail(check_range(c.seconds, 60, 600, "heartbeat interval", " s"));
    body = fmt::format("M2,{}", c.seconds);
  }

  void operator()(const command::SosNumber& c) {
    fail(check_range(c.slot, 1, 8, "phone number slot"));
    if (!c.phone) {
      body = fmt::format("A{},D", c.slot);
      return;
    }
    fail(check_phone(*c.phone, "phone number"));
    body = fmt::format("A{},{}", c.slot, *c.phone);
    if (!c.name.empty()) {
      fail(check_text(c.name, "name", false));
      if (c.name.size() > 12)
        fail(refuse(EncodeErrorCode::bad_text,
                    fmt::format("name '{}' has {} characters: allowed at most 12", c.name, c.name.size())));
      body += fmt::format(",{}", c.name);
    }
  }

  void operator()(const command::SpeedAlarm& c) {
    if (!c.kmh) {
      body = fmt::format("J{}", speed_off_data);
      return;
    }
    fail(check_range(*c.kmh, 30, 255, "speed limit", " km/h"));
    body = fmt::format("J1,{:03d}", *c.kmh);
  }

  void operator()(const command::Geofence& c) {
    fail(check_range(c.fence, 1, 5, "geofence number"));
    if (!c.area) {
      body = fmt::format("I{},0", c.fence);
      return;
    }
    const GeoPoint& a = c.area->corner_a;
    const GeoPoint& b = c.area->corner_b;
    fail(check_geo_point(a, "first corner"));
    fail(check_geo_point(b, "second corner"));
    if (error) return;
    if (signed_centiseconds(a.lat) == signed_centiseconds(b.lat) ||
        signed_centiseconds(a.lon) == signed_centiseconds(b.lon)) {
      fail(refuse(EncodeErrorCode::degenerate_fence,
                  fmt::format("corners {},{} and {},{} do not span a rectangle: give two opposite corners, which "
                              "differ in latitude and in longitude (by at least 0.01 arc second)",
                              a.lat, a.lon, b.lat, b.lon)));
      return;
    }
    // The firmware wants the north-west corner first and the south-east corner second.
    body = fmt::format("I{},1,{},", c.fence, c.area->alarm == command::FenceAlarm::on_entry ? 0 : 1);
    append_fence_corner(body, std::max(a.lat, b.lat), 2, 'N', 'S');
    append_fence_corner(body, std::min(a.lon, b.lon), 3, 'E', 'W');
    append_fence_corner(body, std::min(a.lat, b.lat), 2, 'N', 'S');
    append_fence_corner(body, std::max(a.lon, b.lon), 3, 'E', 'W');
  }

  void operator()(const command::TimeZone& c) {
    const UtcOffset& o = c.offset;
    if (o.hours < 0 || o.hours > 23 || (o.minutes != 0 && o.minutes != 15 && o.minutes != 30 && o.minutes != 45))
      fail(refuse(EncodeErrorCode::bad_time_zone,
                  fmt::format("time zone {}{:02d}:{:02d} is not allowed: hours 0-23, minutes 00, 15, 30 or 45",
                              o.west ? '-' : '+', o.hours, o.minutes)));
    const char sign = o.west && (o.hours != 0 || o.minutes != 0) ? '-' : '+';
    body = o.minutes == 0 ? fmt::format("L{}{:02d}", sign, o.hours)
                          : fmt::format("L{}{:02d}:{:02d}", sign, o.hours, o.minutes);
  }

  void operator()(const command::LowBattery& c) {
    if (!c.percent) {
      body = fmt::format("N{}", low_battery_off_data);
      return;
    }
    fail(check_range(*c.percent, 0, 45, "low-battery threshold", " %"));
    body = fmt::format("N1,{:02d}", *c.percent);
  }

  void operator()(const command::ChangePassword& c) {
    fail(check_password(c.new_password, "new password"));
    body = fmt::format("H{}", c.new_password);
  }

  void operator()(const command::FuelRelay& c) { body = c.cut ? "T1" : "T0"; }
  void operator()(const command::CallMode& c) { body = c.listen_in ? "U1" : "U0"; }

  void operator()(const command::Server& c) {
    fail(check_text(c.apn, "APN", false));
    fail(check_ipv4_endpoint(c.endpoint));
    body = fmt::format("C{},{}{}:{}", c.apn, c.udp ? "U," : "", c.endpoint.address, c.endpoint.port);
  }

  void operator()(const command::ApnLogin& c) {
    fail(check_text(c.user, "APN user", false));
    fail(check_text(c.password, "APN password", false));
    body = fmt::format("O{},{}", c.user, c.password);
  }

  void operator()(const command::QuerySettings&) { body += 'G'; }
  void operator()(const command::Version&) { body += 'B'; }
  void operator()(const command::Gprs& c) { body += c.on ? 'D' : 'E'; }

  void operator()(const command::Call& c) {
    fail(check_phone(c.number, "number to call"));
    body = fmt::format("V3{},{}", c.silent ? 1 : 0, c.number);
  }

  void operator()(const command::ObdRequest& c) {
    switch (c.query) {
      case command::ObdQuery::vin: body = "Z08"; break;
      case command::ObdQuery::vin_legacy: body = "Z296"; break;
      case command::ObdQuery::odometer: body = "Z05"; break;
    }
  }

  void operator()(const command::Raw& c) {
    fail(check_text(c.text, "raw command", true));
    body = c.text;
  }

  void operator()(const command::FactoryReset&) { body = std::string(factory_reset_text); }
};

}  // namespace

Checked<CraftedCommand> craft(const Command& cmd, std::string_view password) {
  const bool reset = std::holds_alternative<command::FactoryReset>(cmd);
  if (!reset)
    if (auto e = check_password(password, "password")) return *e;
  Crafter crafter;
  std::visit(crafter, cmd);
  if (crafter.error) return *crafter.error;
  CraftedCommand out{reset ? std::string() : std::string(password), std::move(crafter.body)};
  if (const std::size_t size = out.gprs_frame().size(); size > max_command_frame)
    return refuse(EncodeErrorCode::frame_too_long,
                  fmt::format("the frame would be {} bytes: allowed at most {}, as TL402 firmware reads {} bytes "
                              "of server data at a time",
                              size, max_command_frame, max_command_frame));
  return out;
}

// ---- Readers for typed-in forms -------------------------------------------------------------

Checked<int> read_whole_number(std::string_view text, std::string_view what) {
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  auto v = all_digits(digits) && digits.size() <= 9 ? parse_int<int>(text) : std::nullopt;
  if (!v) return refuse(EncodeErrorCode::bad_number, fmt::format("{} '{}' is not a whole number", what, text));
  return *v;
}

Checked<Interval> read_interval(std::string_view text) {
  const auto bad = [&] {
    return refuse(EncodeErrorCode::bad_interval,
                  fmt::format("interval '{}' is not allowed: a count 1-254 followed by s, m or h "
                              "(seconds, minutes, hours), e.g. 30s, 5m, 2h",
                              text));
  };
  if (text.size() < 2) return bad();
  const std::string_view count = text.substr(0, text.size() - 1);
  if (!all_digits(count) || count.size() > 9) return bad();
  Interval out;
  out.count = *parse_int<int>(count);
  switch (text.back()) {
    case 's': case 'S': out.unit = IntervalUnit::seconds; break;
    case 'm': case 'M': out.unit = IntervalUnit::minutes; break;
    case 'h': case 'H': out.unit = IntervalUnit::hours; break;
    default: return bad();
  }
  return out;
}

Checked<GeoPoint> read_geo_point(std::string_view text) {
  const auto comma = text.find(',');
  std::optional<double> lat, lon;
  if (comma != std::string_view::npos) {
    lat = util::parse_decimal(util::trim(text.substr(0, comma)));
    lon = util::parse_decimal(util::trim(text.substr(comma + 1)));
  }
  if (!lat || !lon)
    return refuse(EncodeErrorCode::bad_coordinate,
                  fmt::format("corner '{}' is not allowed: LAT,LON in signed decimal degrees, e.g. 51.193125,9.21575 "
                              "or -33.92,18.42",
                              text));
  GeoPoint p{*lat, *lon};
  if (auto e = check_geo_point(p, "corner")) return *e;
  return p;
}

Checked<UtcOffset> read_utc_offset(std::string_view text) {
  const auto bad = [&] {
    return refuse(EncodeErrorCode::bad_time_zone,
                  fmt::format("time zone '{}' is not allowed: +HH or -HH with optional :MM, hours 0-23, "
                              "minutes 00, 15, 30 or 45 (e.g. +8, -07, +05:30, 0)",
                              text));
  };
  if (text == "0") return UtcOffset{};
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) return bad();
  UtcOffset out;
  out.west = text[0] == '-';
  std::string_view hh = text.substr(1), mm;
  if (const auto colon = hh.find(':'); colon != std::string_view::npos) {
    mm = hh.substr(colon + 1);
    hh = hh.substr(0, colon);
    if (mm.size() != 2) return bad();
  } else if (hh.size() == 4) {
    mm = hh.substr(2);
    hh = hh.substr(0, 2);
  }
  if (hh.empty() || hh.size() > 2 || !all_digits(hh) || (!mm.empty() && !all_digits(mm))) return bad();
  out.hours = *parse_int<int>(hh);
  out.minutes = mm.empty() ? 0 : *parse_int<int>(mm);
  if (out.hours > 23 || (out.minutes != 0 && out.minutes != 15 && out.minutes != 30 && out.minutes != 45)) return bad();
  return out;
}

Checked<Ipv4Endpoint> read_ipv4_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return refuse(EncodeErrorCode::bad_address,
                  fmt::format("server '{}' is not allowed: IPv4:PORT, e.g. 54.85.159.138:8888", text));
  auto port = read_whole_number(text.substr(colon + 1), "port");
  if (!port) return port.error();
  Ipv4Endpoint e{std::string(text.substr(0, colon)), *port};
  if (auto err = check_ipv4_endpoint(e)) return *err;
  return e;
}

}  // namespace vt106::gotop
