// The message record, the one written for every decoded frame: field names and order are a
// public interface (man vt106-decode). Written straight through a pointer into room the caller
// sized with message_json_bound(): keys are literals with their comma, so there is no state to
// track and no capacity check per field.
#include <charconv>
#include <cstring>

#include "vt106/output/json.hpp"
#include "vt106/output/message_fields.hpp"
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
  // The first `used` bytes of a fixed-size block: one copy of constant size (no call), the rest
  // overwritten by what follows (the bound leaves room for it).
  template <std::size_t N>
  void padded(const char (&s)[N], std::size_t used) {
    std::memcpy(p_, s, N);
    p_ += used;
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

// Each field's `,"key":` in a block of fixed size, so that writing one is a copy of constant size.
struct PaddedKey {
  char bytes[24];
  std::uint8_t size;
};
constexpr std::array<PaddedKey, message_fields.size()> padded_keys = [] {
  std::array<PaddedKey, message_fields.size()> out{};
  for (std::size_t i = 0; i < message_fields.size(); ++i) {
    const std::string_view key = message_fields[i].json_key;
    if (key.size() > sizeof out[i].bytes) throw "a json key longer than its block";  // not a constant expression
    for (std::size_t j = 0; j < key.size(); ++j) out[i].bytes[j] = key[j];
    out[i].size = static_cast<std::uint8_t>(key.size());
  }
  return out;
}();

// Writes each field visit_message_fields() hands it: `,"key":value`.
class FieldWriter {
 public:
  // Writes from where `o` stands; end() is where it stopped. (The writer keeps its own Put, not
  // a reference to the caller's: the write position then stays in a register.)
  explicit FieldWriter(const Put& o) : o_(o) {}
  char* end() const { return o_.end(); }
  void text(Field f, std::string_view v) {
    key(f);
    o_.str(v);
  }
  void name(Field f, std::string_view v) {
    key(f);
    o_.name(v);
  }
  void boolean(Field f, bool v) {
    key(f);
    boolean(v);
  }
  void time(Field f, std::int64_t seconds) {
    key(f);
    o_.time(seconds);
  }
  void number(Field f, double v) {
    key(f);
    o_.dbl(v);
  }
  void integer(Field f, std::int64_t v) {
    key(f);
    o_.sint(v);
  }
  void flags(const gotop::StatusFlags& s) {
    key(Field::flags);
    inner(flag_keys[0], '{');
    boolean(s.external_power);
    inner(flag_keys[1], ',');
    boolean(s.gps_enabled);
    inner(flag_keys[2], ',');
    boolean(s.charging);
    o_.lit("}");
  }
  void cell(const gotop::Cell& c) {
    key(Field::cell);
    inner(cell_keys[0], '{');
    o_.sint(c.mcc);
    inner(cell_keys[1], ',');
    o_.sint(c.mnc);
    inner(cell_keys[2], ',');
    o_.uint(c.lac);
    inner(cell_keys[3], ',');
    o_.uint(c.cid);
    o_.lit("}");
  }
  void radio(Field f, const std::vector<gotop::RadioObservation>& items) {
    key(f);
    char sep = '[';
    for (const auto& r : items) {
      o_.bytes({&sep, 1});
      sep = ',';
      inner(radio_keys[0], '{');
      o_.str(r.mac);
      inner(radio_keys[1], ',');
      o_.sint(r.rssi);
      o_.lit("}");
    }
    o_.lit("]");
  }
  void list(Field f, const std::vector<std::string_view>& items) {
    key(f);
    char sep = '[';
    for (auto v : items) {
      o_.bytes({&sep, 1});
      sep = ',';
      o_.str(v);
    }
    o_.lit("]");
  }

 private:
  void key(Field f) {
    const PaddedKey& k = padded_keys[static_cast<std::size_t>(f)];
    o_.padded(k.bytes, k.size);
  }
  // `{"name":` or `,"name":` inside a nested field.
  void inner(std::string_view name, char before) {
    o_.bytes({&before, 1});
    o_.name(name);
    o_.lit(":");
  }
  void boolean(bool v) {
    if (v) o_.lit("true");
    else o_.lit("false");
  }

  Put o_;
};

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
  // (+ a padded key's block beyond its last use.)
  return fixed_room + sizeof(PaddedKey::bytes) + ctx.endpoints_json.size() + 6 * text + 8 * m.raw.size() +
         item_room * items;
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
  FieldWriter fields(o);
  visit_message_fields(m, fields);
  o = Put(fields.end());
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
