// The message record, the one written for every decoded frame: field names and order are a
// public interface (man vt106-decode). Written straight through a pointer into room the caller
// sized with message_json_bound(): keys are literals with their comma, so there is no state to
// track and no capacity check per field.
#include <charconv>
#include <cstring>

#include "vt106/output/json.hpp"
#include "vt106/output/record.hpp"
#include "vt106/util/time.hpp"

namespace vt106::output {

namespace {

// Room for every literal key and punctuation of a message record, and every number and
// timestamp at its widest (about 30 of them); strings are counted separately.
constexpr std::size_t fixed_room = 2048;
// Each listed item: its key or braces and separators, an rssi at its widest.
constexpr std::size_t item_room = 48;

class Put {
 public:
  explicit Put(char* p) : p_(p) {}
  char* end() const { return p_; }

  template <std::size_t N>
  void lit(const char (&s)[N]) {
    std::memcpy(p_, s, N - 1);
    p_ += N - 1;
  }
  void bytes(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  bool str(std::string_view s) {
    bool clean = true;
    p_ = detail::write_json_string(p_, s, clean);
    return clean;
  }
  void name(std::string_view s) {  // a name of our own: no escaping needed
    *p_++ = '"';
    bytes(s);
    *p_++ = '"';
  }
  void uint(std::uint64_t v) { p_ = detail::write_uint(p_, v); }
  void sint(std::int64_t v) {
    if (v < 0) {
      *p_++ = '-';
      p_ = detail::write_uint(p_, 0 - static_cast<std::uint64_t>(v));
    } else {
      p_ = detail::write_uint(p_, static_cast<std::uint64_t>(v));
    }
  }
  void dbl(double v) { p_ = detail::write_double(p_, v); }
  void time(std::int64_t seconds) {
    *p_++ = '"';
    p_ += util::format_iso8601(p_, seconds);
    *p_++ = '"';
  }
  void time_us(std::int64_t nanoseconds) {
    *p_++ = '"';
    p_ += util::format_iso8601_us(p_, nanoseconds);
    *p_++ = '"';
  }
  void hex(std::string_view s) {
    static constexpr char digits[] = "0123456789abcdef";
    *p_++ = '"';
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      *p_++ = digits[c >> 4];
      *p_++ = digits[c & 15];
    }
    *p_++ = '"';
  }

 private:
  char* p_;
};

// `,"key":"value"` when the value is there.
template <std::size_t N>
void opt_str(Put& o, const char (&key)[N], std::string_view v) {
  if (v.empty()) return;
  o.lit(key);
  o.str(v);
}
template <std::size_t N>
void opt_int(Put& o, const char (&key)[N], const std::optional<int>& v) {
  if (!v) return;
  o.lit(key);
  o.sint(*v);
}
template <std::size_t N>
void opt_dbl(Put& o, const char (&key)[N], const std::optional<double>& v) {
  if (!v) return;
  o.lit(key);
  o.dbl(*v);
}
template <std::size_t N>
void list(Put& o, const char (&key)[N], const std::vector<std::string_view>& items) {
  if (items.empty()) return;
  o.lit(key);
  char sep = '[';
  for (auto v : items) {
    o.bytes({&sep, 1});
    sep = ',';
    o.str(v);
  }
  o.lit("]");
}
template <std::size_t N>
void radio(Put& o, const char (&key)[N], const std::vector<gotop::RadioObservation>& items) {
  if (items.empty()) return;
  o.lit(key);
  char sep = '[';
  for (const auto& r : items) {
    o.bytes({&sep, 1});
    sep = ',';
    o.lit("{\"mac\":");
    o.str(r.mac);
    o.lit(",\"rssi\":");
    o.sint(r.rssi);
    o.lit("}");
  }
  o.lit("]");
}

std::size_t strings_size(const std::vector<std::string_view>& items) {
  std::size_t n = 0;
  for (auto v : items) n += v.size();
  return n;
}

}  // namespace

std::size_t message_json_bound(const RecordContext& ctx, const gotop::Message& m) {
  std::size_t text = m.imei.size() + m.type.size() + m.command.size() + m.name.size() + m.summary.size() +
                     m.password.size() + m.args.size() + m.status.size() + m.notice.size() + m.vin.size() +
                     m.vin_decoded.size() + m.obd_text.size() + m.obd_code.size() + m.obd_value.size() +
                     m.version.size() + m.device_name.size() + strings_size(m.prefix) + strings_size(m.extra) +
                     ctx.transport.size() + ctx.src.size() + ctx.dst.size() + ctx.input_label.size();
  for (const auto& r : m.wifi) text += r.mac.size();
  for (const auto& r : m.ble) text += r.mac.size();
  const std::size_t items = m.wifi.size() + m.ble.size() + m.prefix.size() + m.extra.size();
  // Escaping writes at most six bytes for one; raw may follow as hex (two for one).
  return fixed_room + ctx.endpoints_json.size() + 6 * text + 8 * m.raw.size() + item_room * items;
}

char* write_message_json(char* dst, const RecordContext& ctx, const gotop::Message& m) {
  Put o(dst);
  o.lit("{\"kind\":\"message\",\"protocol\":\"gotop\",\"dir\":");
  o.name(gotop::to_string(m.dir));
  opt_str(o, ",\"input\":", ctx.input_label);
  if (ctx.ts_ns) {
    o.lit(",\"ts\":");
    o.time_us(*ctx.ts_ns);
  }
  if (!ctx.endpoints_json.empty()) {
    o.lit(",\"transport\":");
    o.bytes(ctx.endpoints_json);
  } else {
    opt_str(o, ",\"transport\":", ctx.transport);
    opt_str(o, ",\"src\":", ctx.src);
    opt_str(o, ",\"dst\":", ctx.dst);
    if (ctx.flow) {
      o.lit(",\"flow\":");
      o.uint(*ctx.flow);
    }
  }
  if (ctx.offset) {
    o.lit(",\"offset\":");
    o.uint(*ctx.offset);
  }
  if (ctx.line) {
    o.lit(",\"line\":");
    o.uint(*ctx.line);
  }
  opt_str(o, ",\"imei\":", m.imei);
  opt_str(o, ",\"type\":", m.type);
  o.lit(",\"event\":");
  o.name(gotop::to_string(m.event));
  opt_str(o, ",\"command\":", m.command);
  opt_str(o, ",\"name\":", m.name);
  opt_str(o, ",\"summary\":", m.summary);
  opt_str(o, ",\"password\":", m.password);
  opt_str(o, ",\"args\":", m.args);
  if (m.valid) {
    if (*m.valid) o.lit(",\"valid\":true");
    else o.lit(",\"valid\":false");
  }
  if (m.fix_time) {
    o.lit(",\"fix_time\":");
    o.time(*m.fix_time);
  }
  opt_dbl(o, ",\"lat\":", m.lat);
  opt_dbl(o, ",\"lon\":", m.lon);
  opt_dbl(o, ",\"speed_kmh\":", m.speed_kmh);
  opt_int(o, ",\"course\":", m.course);
  opt_int(o, ",\"battery\":", m.battery);
  opt_int(o, ",\"gsm\":", m.gsm);
  if (m.flags) {
    o.lit(",\"flags\":{\"external_power\":");
    if (m.flags->external_power) o.lit("true");
    else o.lit("false");
    o.lit(",\"gps_enabled\":");
    if (m.flags->gps_enabled) o.lit("true");
    else o.lit("false");
    o.lit(",\"charging\":");
    if (m.flags->charging) o.lit("true}");
    else o.lit("false}");
  }
  opt_str(o, ",\"status\":", m.status);
  opt_dbl(o, ",\"altitude_m\":", m.altitude_m);
  opt_dbl(o, ",\"hdop\":", m.hdop);
  opt_int(o, ",\"satellites\":", m.satellites);
  opt_dbl(o, ",\"temperature_c\":", m.temperature_c);
  opt_int(o, ",\"fence\":", m.fence);
  if (m.cell) {
    o.lit(",\"cell\":{\"mcc\":");
    o.sint(m.cell->mcc);
    o.lit(",\"mnc\":");
    o.sint(m.cell->mnc);
    o.lit(",\"lac\":");
    o.uint(m.cell->lac);
    o.lit(",\"cid\":");
    o.uint(m.cell->cid);
    o.lit("}");
  }
  radio(o, ",\"wifi\":", m.wifi);
  radio(o, ",\"ble\":", m.ble);
  opt_str(o, ",\"notice\":", m.notice);
  opt_str(o, ",\"vin\":", !m.vin.empty() ? m.vin : std::string_view(m.vin_decoded));
  opt_str(o, ",\"obd_text\":", m.obd_text);
  opt_str(o, ",\"obd_code\":", m.obd_code);
  opt_str(o, ",\"obd_value\":", m.obd_value);
  if (m.odometer) {
    o.lit(",\"odometer\":");
    o.uint(*m.odometer);
  }
  opt_str(o, ",\"version\":", m.version);
  opt_str(o, ",\"device_name\":", m.device_name);
  list(o, ",\"prefix\":", m.prefix);
  list(o, ",\"extra\":", m.extra);
  o.lit(",\"raw\":");
  if (!o.str(m.raw)) {
    o.lit(",\"raw_hex\":");
    o.hex(m.raw);
  }
  o.lit("}");
  return o.end();
}

void append_message_json(std::string& out, const RecordContext& ctx, const gotop::Message& m) {
  const std::size_t used = out.size();
  out.resize(used + message_json_bound(ctx, m));
  char* end = write_message_json(out.data() + used, ctx, m);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

}  // namespace vt106::output
