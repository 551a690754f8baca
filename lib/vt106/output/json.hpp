// Appends JSON to a string: escaping that keeps every line valid JSON whatever bytes come in,
// written through a pointer with one capacity check per item (output is the decoder's hot path).
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "vt106/util/text.hpp"

namespace vt106::output {

// Writes `s` as a JSON string. Valid UTF-8 passes through; control characters are escaped;
// bytes that are not valid UTF-8 become \u00XX (their Latin-1 reading). Returns false when
// any byte had to be replaced that way, so the caller can add the exact bytes in hex.
bool append_json_string(std::string& out, std::string_view s);
void append_hex(std::string& out, std::string_view bytes);

namespace detail {
// Escapes `s` into `dst`, which has room for 6 * s.size() + 2 bytes; returns the end.
char* write_json_string(char* dst, std::string_view s, bool& clean);
// The shortest decimal text that reads back as v (at most 40 bytes); returns the end.
char* write_double(char* dst, double v);
using util::digit_pairs;
// v in decimal (at most 20 bytes); returns the end.
inline char* write_uint(char* p, std::uint64_t v) {
  if (v < 10) {
    *p = static_cast<char>('0' + v);
    return p + 1;
  }
  if (v < 100) {
    std::memcpy(p, digit_pairs + 2 * v, 2);
    return p + 2;
  }
  if (v < 10000) {  // country codes, courses, many offsets and cell ids
    const auto hi = static_cast<unsigned>(v / 100), lo = static_cast<unsigned>(v % 100);
    if (hi < 10) {
      *p++ = static_cast<char>('0' + hi);
    } else {
      std::memcpy(p, digit_pairs + 2 * hi, 2);
      p += 2;
    }
    std::memcpy(p, digit_pairs + 2 * lo, 2);
    return p + 2;
  }
  return std::to_chars(p, p + 20, v).ptr;
}
}  // namespace detail

// A streaming writer for one JSON value appended to `out`; the caller keeps the structure
// balanced. `out` is exact once the outermost object or array is closed (or after finish(), or
// when the writer is destroyed); while a value is open it may hold spare bytes at its end.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out), used_(out.size()) {}
  ~JsonWriter() { finish(); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void finish() { out_.resize(used_); }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  JsonWriter& key(std::string_view k) {  // keys are our own snake_case names: no escaping
    ensure(k.size() + 4);
    char* p = cur();
    if (need_comma_) *p++ = ',';
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p += k.size();
    *p++ = '"';
    *p++ = ':';
    used_ = static_cast<std::size_t>(p - out_.data());
    need_comma_ = false;
    pending_key_ = true;
    return *this;
  }
  void string(std::string_view s) { string_checked(s); }
  bool string_checked(std::string_view s) {
    ensure(s.size() * 6 + 3);
    comma();
    bool clean = true;
    used_ = static_cast<std::size_t>(detail::write_json_string(cur(), s, clean) - out_.data());
    return clean;
  }
  void number(std::int64_t v) { integer(v); }
  void number(std::uint64_t v) { integer(v); }
  void number(int v) { integer(v); }
  void number(unsigned v) { integer(v); }
  void number(double v) {  // the shortest text that reads back exactly; plain decimals in the usual range
    ensure(40);
    comma();
    used_ = static_cast<std::size_t>(detail::write_double(cur(), v) - out_.data());
  }
  // A name of our own (ASCII letters, digits, '_', '-'): quoted without escaping.
  void quoted_name(std::string_view name) {
    ensure(name.size() + 3);
    comma();
    char* p = cur();
    *p++ = '"';
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    *p++ = '"';
    used_ = static_cast<std::size_t>(p - out_.data());
  }
  void boolean(bool v) { raw_value(v ? std::string_view("true") : std::string_view("false")); }
  void raw_value(std::string_view json) {
    ensure(json.size() + 1);
    comma();
    std::memcpy(cur(), json.data(), json.size());
    used_ += json.size();
  }
  // "2024-08-13T23:59:37Z" from seconds, or with microseconds from nanoseconds.
  void timestamp(std::int64_t seconds);
  void timestamp_us(std::int64_t nanoseconds);
  // The bytes as a string of lower-case hex digits.
  void hex_string(std::string_view bytes);

 private:
  char* cur() { return out_.data() + used_; }
  // Grows the writable tail by what is needed plus a little: resize() zero-fills what it adds,
  // so a generous tail would cost a memset per record (capacity still grows geometrically).
  void ensure(std::size_t n) {
    if (out_.size() - used_ < n) out_.resize(used_ + n + 512);
  }
  template <class T>
  void integer(T v) {
    ensure(24);
    comma();
    used_ = static_cast<std::size_t>(std::to_chars(cur(), cur() + 24, v).ptr - out_.data());
  }
  void comma() {
    if (pending_key_) pending_key_ = false;
    else if (need_comma_) out_[used_++] = ',';
    need_comma_ = true;
  }
  void open(char c) {
    ensure(2);
    comma();
    out_[used_++] = c;
    need_comma_ = false;
    ++depth_;
  }
  void close(char c) {
    ensure(1);
    out_[used_++] = c;
    need_comma_ = true;
    if (--depth_ == 0) finish();
  }

  std::string& out_;
  std::size_t used_;  // bytes of out_ written; out_ is longer while writing
  bool need_comma_ = false;
  bool pending_key_ = false;
  int depth_ = 0;
};

// Re-indents compact JSON text (two spaces per level) for --pretty.
std::string pretty_json(std::string_view compact);

}  // namespace vt106::output
