// Appends JSON to a string: escaping that keeps every line valid JSON whatever bytes come in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vt106::output {

// Writes `s` as a JSON string. Valid UTF-8 passes through; control characters are escaped;
// bytes that are not valid UTF-8 become \u00XX (their Latin-1 reading). Returns false when
// any byte had to be replaced that way, so the caller can add the exact bytes in hex.
bool append_json_string(std::string& out, std::string_view s);
void append_hex(std::string& out, std::string_view bytes);

// A small streaming writer for one JSON value; the caller keeps the structure balanced.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  JsonWriter& key(std::string_view k);
  void string(std::string_view s) { comma(); append_json_string(out_, s); }
  bool string_checked(std::string_view s) { comma(); return append_json_string(out_, s); }
  void number(std::int64_t v);
  void number(std::uint64_t v);
  void number(int v) { number(static_cast<std::int64_t>(v)); }
  void number(unsigned v) { number(static_cast<std::uint64_t>(v)); }
  void number(double v);
  void boolean(bool v) { comma(); out_ += v ? "true" : "false"; }
  void raw_value(std::string_view json) { comma(); out_ += json; }

 private:
  void comma() {
    if (pending_key_) pending_key_ = false;
    else if (need_comma_) out_.push_back(',');
    need_comma_ = true;
  }
  void open(char c) { comma(); out_.push_back(c); need_comma_ = false; }
  void close(char c) { out_.push_back(c); need_comma_ = true; }

  std::string& out_;
  bool need_comma_ = false;
  bool pending_key_ = false;
};

// Re-indents compact JSON text (two spaces per level) for --pretty.
std::string pretty_json(std::string_view compact);

}  // namespace vt106::output
