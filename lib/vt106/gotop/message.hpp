// The decoded GOTOP message model shared by the uplink, downlink and SMS parsers and the writers.
// Field meanings follow the GOTOP text protocol as published in Traccar's GotopProtocolDecoder,
// the GOTOP "GPRS protocol V5.0" command sheet and the TOPLOVO TL402 firmware sources.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vt106::gotop {

enum class Direction : std::uint8_t { up, down, sms };
std::string_view to_string(Direction d);

// Normalised meaning of a message; `type` keeps the token as sent.
enum class Event : std::uint8_t {
  position, heartbeat, gprs_connected, sos, geofence, overspeed, low_battery, gps_lost,
  battery_full, movement, fall, shock, ota_ok, ota_fail, command_reply, error_reply, version,
  obd, command, unknown
};
std::string_view to_string(Event e);

// Status flags of the six-value status group (TL402 firmware: P-G-C-0-BAT-CSQ).
struct StatusFlags {
  bool external_power = false;
  bool gps_enabled = false;
  bool charging = false;
};

struct Cell {
  int mcc = 0;
  int mnc = 0;
  int mnc_digits = 2;  // 2 or 3: "01" and "001" are different networks
  std::uint32_t lac = 0;
  std::uint32_t cid = 0;
};

struct RadioObservation {
  std::string_view mac;
  int rssi = 0;
};

// A decoded message. Views point into the frame being decoded and are valid only while the
// record is being written; decoders reuse one Message to avoid allocating per frame.
struct Message {
  Direction dir = Direction::up;
  Event event = Event::unknown;
  std::string_view imei;
  std::string_view type;      // as sent, trimmed ("CMD-T", "ALM-B1-1", "ERROR!")
  std::string_view command;   // command letters a reply answers, or a downlink command ("M", "A1")
  std::optional<bool> valid;  // A = true, V = false
  std::optional<std::int64_t> fix_time;  // seconds since the Unix epoch, UTC
  std::optional<double> lat, lon, speed_kmh, altitude_m, hdop, temperature_c;
  std::optional<int> course, battery, gsm, satellites, fence;
  std::optional<StatusFlags> flags;
  std::string_view status;  // the status group as sent
  std::optional<Cell> cell;
  std::vector<RadioObservation> wifi, ble;
  std::vector<std::string_view> extra;   // fields kept raw because their meaning is not known
  std::vector<std::string_view> prefix;  // unrecognised OEM fields before the type token
  // OEM and OBD variants
  std::string_view notice;    // "Sorry Not Support", "PWR saved"
  std::string_view vin;
  std::string_view obd_text;  // free-text engine summary of OBD units
  std::string_view obd_code;  // CMD-Z reply code ("296", "85", "88")
  std::string_view obd_value; // CMD-Z reply payload as sent
  std::optional<std::uint32_t> odometer;
  std::string vin_decoded;    // VIN carried as hex bytes in a CMD-Z 88 reply
  std::string_view version;   // firmware version reply
  std::string_view device_name;  // first SMS line set with Z2
  // Downlink commands
  std::string_view password;
  std::string_view args;      // command data as sent
  std::string_view name;      // command name ("track", "sos-number")
  std::string summary;        // the command in plain words
  std::string_view raw;       // the frame as received

  void clear();
};

// Stable snake_case codes for everything the decoder could not use.
enum class ErrorCode : std::uint8_t {
  truncated, frame_too_long, junk, bad_imei, missing_type, bad_validity, bad_date, bad_time,
  bad_latitude, bad_longitude, bad_speed, bad_status, bad_password, bad_command, bad_sms
};
std::string_view to_string(ErrorCode c);

struct DecodeError {
  ErrorCode code = ErrorCode::junk;
  std::string message;
  std::string_view raw;
  std::size_t column = 0;     // position inside the frame where the problem was found
  std::string_view imei;      // when the frame got far enough to say who sent it
  std::string_view type;
  std::optional<Direction> dir;
};

}  // namespace vt106::gotop
