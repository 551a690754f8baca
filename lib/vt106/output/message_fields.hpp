// The fields of a message record: their names, kinds and order, as `vt106 decode` writes them
// (man vt106-decode). One list for every writer of messages: the NDJSON record walks a message
// with visit_message_fields(), and so does the Wireshark dissector, which registers one field
// per entry of message_fields ("gotop." + key). A field that is absent is not visited.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "vt106/gotop/message.hpp"

namespace vt106::output {

enum class Field : std::uint8_t {
  imei, type, event, command, name, summary, password, args, valid, fix_time, lat, lon, speed_kmh,
  course, battery, gsm, flags, status, altitude_m, hdop, satellites, temperature_c, fence, cell, wifi,
  ble, notice, vin, obd_text, obd_code, obd_value, odometer, version, device_name, prefix, extra
};

// What a field holds, and so which visitor call carries it.
enum class FieldKind : std::uint8_t {
  text,     // text as sent (views into the frame): text(Field, string_view)
  name,     // one of our own names (event): name(Field, string_view)
  boolean,  // boolean(Field, bool)
  time,     // seconds since the Unix epoch, UTC: time(Field, int64_t)
  number,   // number(Field, double)
  integer,  // integer(Field, int64_t)
  flags,    // flags(const gotop::StatusFlags&): the sub-fields in flag_keys
  cell,     // cell(const gotop::Cell&): the sub-fields in cell_keys
  radio,    // radio(Field, const vector<RadioObservation>&): items with the sub-fields in radio_keys
  list,     // list(Field, const vector<string_view>&): texts as sent
};

struct FieldInfo {
  Field field;
  FieldKind kind;
  std::string_view key;       // the record's key
  std::string_view json_key;  // `,"key":` as the NDJSON record writes it
  std::string_view label;     // a few words for people (Wireshark's field name)
};

#define VT106_FIELD(f, kind, label) FieldInfo{Field::f, FieldKind::kind, #f, ",\"" #f "\":", label}
inline constexpr std::array message_fields{
    VT106_FIELD(imei, text, "IMEI"),
    VT106_FIELD(type, text, "Type (as sent)"),
    VT106_FIELD(event, name, "Event"),
    VT106_FIELD(command, text, "Command"),
    VT106_FIELD(name, text, "Command name"),
    VT106_FIELD(summary, text, "Command in words"),
    VT106_FIELD(password, text, "Password"),
    VT106_FIELD(args, text, "Command arguments"),
    VT106_FIELD(valid, boolean, "Fix valid"),
    VT106_FIELD(fix_time, time, "Fix time"),
    VT106_FIELD(lat, number, "Latitude"),
    VT106_FIELD(lon, number, "Longitude"),
    VT106_FIELD(speed_kmh, number, "Speed (km/h)"),
    VT106_FIELD(course, integer, "Course (degrees)"),
    VT106_FIELD(battery, integer, "Battery"),
    VT106_FIELD(gsm, integer, "GSM signal"),
    VT106_FIELD(flags, flags, "Status flags"),
    VT106_FIELD(status, text, "Status (as sent)"),
    VT106_FIELD(altitude_m, number, "Altitude (m)"),
    VT106_FIELD(hdop, number, "HDOP"),
    VT106_FIELD(satellites, integer, "Satellites"),
    VT106_FIELD(temperature_c, number, "Temperature (C)"),
    VT106_FIELD(fence, integer, "Geofence"),
    VT106_FIELD(cell, cell, "Serving cell"),
    VT106_FIELD(wifi, radio, "Wi-Fi access points"),
    VT106_FIELD(ble, radio, "Bluetooth beacons"),
    VT106_FIELD(notice, text, "Notice"),
    VT106_FIELD(vin, text, "VIN"),
    VT106_FIELD(obd_text, text, "OBD summary"),
    VT106_FIELD(obd_code, text, "OBD reply code"),
    VT106_FIELD(obd_value, text, "OBD reply value"),
    VT106_FIELD(odometer, integer, "Odometer"),
    VT106_FIELD(version, text, "Firmware version"),
    VT106_FIELD(device_name, text, "Device name"),
    VT106_FIELD(prefix, list, "OEM prefix field"),
    VT106_FIELD(extra, list, "Unknown field (raw)"),
};
#undef VT106_FIELD

constexpr const FieldInfo& field_info(Field f) { return message_fields[static_cast<std::size_t>(f)]; }
constexpr bool message_fields_in_order() {
  for (std::size_t i = 0; i < message_fields.size(); ++i)
    if (static_cast<std::size_t>(message_fields[i].field) != i) return false;
  return true;
}
static_assert(message_fields_in_order(), "message_fields is indexed by Field");

// The keys inside the nested fields, in the order they are written.
inline constexpr std::array<std::string_view, 3> flag_keys{"external_power", "gps_enabled", "charging"};
inline constexpr std::array<std::string_view, 4> cell_keys{"mcc", "mnc", "lac", "cid"};
inline constexpr std::array<std::string_view, 2> radio_keys{"mac", "rssi"};

// Calls the visitor for every field the message has, in the record's order. The message's
// direction and its raw bytes are the writer's own (they frame the record).
template <class Visitor>
void visit_message_fields(const gotop::Message& m, Visitor& v) {
  const auto text = [&](Field f, std::string_view s) {
    if (!s.empty()) v.text(f, s);
  };
  const auto integer = [&](Field f, const std::optional<int>& x) {
    if (x) v.integer(f, *x);
  };
  const auto number = [&](Field f, const std::optional<double>& x) {
    if (x) v.number(f, *x);
  };
  text(Field::imei, m.imei);
  text(Field::type, m.type);
  v.name(Field::event, gotop::to_string(m.event));
  text(Field::command, m.command);
  text(Field::name, m.name);
  text(Field::summary, m.summary);
  text(Field::password, m.password);
  text(Field::args, m.args);
  if (m.valid) v.boolean(Field::valid, *m.valid);
  if (m.fix_time) v.time(Field::fix_time, *m.fix_time);
  number(Field::lat, m.lat);
  number(Field::lon, m.lon);
  number(Field::speed_kmh, m.speed_kmh);
  integer(Field::course, m.course);
  integer(Field::battery, m.battery);
  integer(Field::gsm, m.gsm);
  if (m.flags) v.flags(*m.flags);
  text(Field::status, m.status);
  number(Field::altitude_m, m.altitude_m);
  number(Field::hdop, m.hdop);
  integer(Field::satellites, m.satellites);
  number(Field::temperature_c, m.temperature_c);
  integer(Field::fence, m.fence);
  if (m.cell) v.cell(*m.cell);
  if (!m.wifi.empty()) v.radio(Field::wifi, m.wifi);
  if (!m.ble.empty()) v.radio(Field::ble, m.ble);
  text(Field::notice, m.notice);
  text(Field::vin, !m.vin.empty() ? m.vin : std::string_view(m.vin_decoded));
  text(Field::obd_text, m.obd_text);
  text(Field::obd_code, m.obd_code);
  text(Field::obd_value, m.obd_value);
  if (m.odometer) v.integer(Field::odometer, *m.odometer);
  text(Field::version, m.version);
  text(Field::device_name, m.device_name);
  if (!m.prefix.empty()) v.list(Field::prefix, m.prefix);
  if (!m.extra.empty()) v.list(Field::extra, m.extra);
}

}  // namespace vt106::output
