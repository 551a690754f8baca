// Names of the message model's enumerations: these strings are the public output contract.
#include "vt106/gotop/message.hpp"

namespace vt106::gotop {

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::up: return "up";
    case Direction::down: return "down";
    case Direction::sms: return "sms";
  }
  return "up";
}

std::string_view to_string(Event e) {
  switch (e) {
    case Event::position: return "position";
    case Event::heartbeat: return "heartbeat";
    case Event::gprs_connected: return "gprs_connected";
    case Event::sos: return "sos";
    case Event::geofence: return "geofence";
    case Event::overspeed: return "overspeed";
    case Event::low_battery: return "low_battery";
    case Event::gps_lost: return "gps_lost";
    case Event::battery_full: return "battery_full";
    case Event::movement: return "movement";
    case Event::fall: return "fall";
    case Event::shock: return "shock";
    case Event::ota_ok: return "ota_ok";
    case Event::ota_fail: return "ota_fail";
    case Event::command_reply: return "command_reply";
    case Event::error_reply: return "error_reply";
    case Event::version: return "version";
    case Event::obd: return "obd";
    case Event::command: return "command";
    case Event::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(ErrorCode c) {
  switch (c) {
    case ErrorCode::truncated: return "truncated";
    case ErrorCode::frame_too_long: return "frame_too_long";
    case ErrorCode::junk: return "junk";
    case ErrorCode::bad_imei: return "bad_imei";
    case ErrorCode::missing_type: return "missing_type";
    case ErrorCode::bad_validity: return "bad_validity";
    case ErrorCode::bad_date: return "bad_date";
    case ErrorCode::bad_time: return "bad_time";
    case ErrorCode::bad_latitude: return "bad_latitude";
    case ErrorCode::bad_longitude: return "bad_longitude";
    case ErrorCode::bad_speed: return "bad_speed";
    case ErrorCode::bad_status: return "bad_status";
    case ErrorCode::bad_password: return "bad_password";
    case ErrorCode::bad_command: return "bad_command";
    case ErrorCode::bad_sms: return "bad_sms";
  }
  return "junk";
}

void Message::clear() {
  dir = Direction::up;
  event = Event::unknown;
  imei = type = command = {};
  valid.reset();
  fix_time.reset();
  lat.reset();
  lon.reset();
  speed_kmh.reset();
  altitude_m.reset();
  hdop.reset();
  temperature_c.reset();
  course.reset();
  battery.reset();
  gsm.reset();
  satellites.reset();
  fence.reset();
  flags.reset();
  status = {};
  cell.reset();
  wifi.clear();
  ble.clear();
  extra.clear();
  prefix.clear();
  notice = vin = obd_text = obd_code = obd_value = version = device_name = {};
  odometer.reset();
  vin_decoded.clear();
  password = args = name = {};
  summary.clear();
  raw = {};
}

}  // namespace vt106::gotop
