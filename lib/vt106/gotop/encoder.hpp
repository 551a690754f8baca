// Builds GOTOP downlink commands from typed, validated arguments: the inverse of parse_downlink.
// Letters, data formats and ranges follow the GOTOP "GPRS protocol V5.0" command sheet
// (TL201/TL206/VT108), the location.io GOTOP command builder and the TOPLOVO TL402 firmware.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace vt106::gotop {

// Stable snake_case names for every way a command can be refused.
enum class EncodeErrorCode : std::uint8_t {
  out_of_range,       // a number outside what the firmware accepts
  bad_number,         // not a whole number
  bad_interval,       // not COUNT followed by s, m or h
  bad_phone,          // not '+' or a digit followed by digits
  bad_coordinate,     // not LAT,LON in signed decimal degrees within ±90/±180
  degenerate_fence,   // the two corners do not span a rectangle
  bad_time_zone,      // not ±HH[:MM] with HH < 24 and MM in 00/15/30/45
  bad_password,       // not six digits
  bad_address,        // not a dotted IPv4 address with a port
  bad_text,           // empty, or a character the command cannot carry
  reset_text,         // contains the factory-reset text outside its own command
  frame_too_long,     // longer than the firmware reads at once
};
std::string_view to_string(EncodeErrorCode c);

struct EncodeError {
  EncodeErrorCode code = EncodeErrorCode::bad_text;
  std::string message;  // names the argument and says what is allowed
};

// A value or the reason there is none.
template <class T>
class Checked {
 public:
  Checked(T value) : value_(std::move(value)) {}
  Checked(EncodeError error) : value_(std::move(error)) {}
  bool ok() const { return std::holds_alternative<T>(value_); }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<T>(value_); }
  const T& operator*() const { return value(); }
  const T* operator->() const { return &value(); }
  const EncodeError& error() const { return std::get<EncodeError>(value_); }

 private:
  std::variant<T, EncodeError> value_;
};

// ---- Argument values ------------------------------------------------------------------------

enum class IntervalUnit : char { seconds = 'S', minutes = 'M', hours = 'H' };
struct Interval {
  int count = 0;  // 1-254 per unit
  IntervalUnit unit = IntervalUnit::seconds;
  bool operator==(const Interval&) const = default;
};

struct GeoPoint {
  double lat = 0;  // signed decimal degrees, north positive
  double lon = 0;  // signed decimal degrees, east positive
};

struct UtcOffset {
  bool west = false;  // '-'
  int hours = 0;      // 0-23
  int minutes = 0;    // 0, 15, 30 or 45
  bool operator==(const UtcOffset&) const = default;
};

struct Ipv4Endpoint {
  std::string address;  // dotted quad
  int port = 0;         // 1-65535
};

// Readers for the textual forms a person types; each says what is allowed when it refuses.
Checked<Interval> read_interval(std::string_view text);        // "30s", "5m", "2h"
Checked<GeoPoint> read_geo_point(std::string_view text);       // "51.193125,9.21575"
Checked<UtcOffset> read_utc_offset(std::string_view text);     // "+8", "-07", "+05:30", "0"
Checked<Ipv4Endpoint> read_ipv4_endpoint(std::string_view text);  // "54.85.159.138:8888"
Checked<int> read_whole_number(std::string_view text, std::string_view what);

// ---- Commands -------------------------------------------------------------------------------

namespace command {

struct Locate {};                                 // F
struct Track { std::optional<Interval> every; }; // M1,nnnU / off: M0,005M (inferred)
struct Heartbeat { int seconds = 0; };            // M2,s (60-600, TL402 firmware)
struct SosNumber {                                // A<n>,phone[,name] / A<n>,D
  int slot = 1;                                   // 1-5 (GOTOP sheet), 6-8 TL402 only
  std::optional<std::string> phone;               // nullopt: delete the number
  std::string name;                               // TL402: up to 12 characters, optional
};
struct SpeedAlarm { std::optional<int> kmh; };    // J1,nnn / off: J0,080 (inferred)
enum class FenceAlarm : std::uint8_t { on_entry, on_exit };
struct GeofenceArea {
  FenceAlarm alarm = FenceAlarm::on_entry;
  GeoPoint corner_a, corner_b;  // any two opposite corners
};
struct Geofence {                                 // I<g>,1,<dir>,<corners> / off: I<g>,0 (inferred)
  int fence = 1;                                  // 1-5
  std::optional<GeofenceArea> area;               // nullopt: delete the fence
};
struct TimeZone { UtcOffset offset; };            // L+hh[:mm]
struct LowBattery { std::optional<int> percent; };  // N1,pp / off: N0,00 (inferred)
struct ChangePassword { std::string new_password; };  // H<nnnnnn>
struct FuelRelay { bool cut = true; };            // T1 cut / T0 restore (VT108)
struct CallMode { bool listen_in = true; };       // U1 listen-in / U0 talk
struct Server {                                   // C<apn>,[U,]<ip>:<port>
  std::string apn;
  Ipv4Endpoint endpoint;
  bool udp = false;
};
struct ApnLogin { std::string user, password; };  // O<user>,<password>
struct QuerySettings {};                          // G
struct Version {};                                // B
struct Gprs { bool on = true; };                  // D / E
struct Call { std::string number; bool silent = false; };  // V30,<n> voice / V31,<n> listen (TL402)
enum class ObdQuery : std::uint8_t { vin, vin_legacy, odometer };
struct ObdRequest { ObdQuery query = ObdQuery::vin; };  // Z08 / Z296 / Z05 (OBD units)
struct Raw { std::string text; };                 // anything else, after the password
struct FactoryReset {};                           // RESET! (no password; the firmware matches the text)

}  // namespace command

using Command = std::variant<command::Locate, command::Track, command::Heartbeat, command::SosNumber,
                             command::SpeedAlarm, command::Geofence, command::TimeZone, command::LowBattery,
                             command::ChangePassword, command::FuelRelay, command::CallMode, command::Server,
                             command::ApnLogin, command::QuerySettings, command::Version, command::Gprs,
                             command::Call, command::ObdRequest, command::Raw, command::FactoryReset>;

// A validated command: what goes after the password, and the two ways of sending it.
struct CraftedCommand {
  std::string password;  // empty for the factory reset, which the firmware reacts to without one
  std::string body;      // "M1,030S"

  std::string gprs_frame() const;  // ":123456M1,030S#"
  std::string sms_text() const;    // "123456M1,030S" (no ':' and no '#')
};

// TL402 reads at most this many bytes of server data at once.
inline constexpr std::size_t max_command_frame = 100;
inline constexpr std::string_view default_password = "123456";

// Validates every argument and builds the command, or says what is wrong and what is allowed.
Checked<CraftedCommand> craft(const Command& cmd, std::string_view password = default_password);

}  // namespace vt106::gotop
