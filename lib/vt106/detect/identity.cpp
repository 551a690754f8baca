// Identifier variants (IMEI Luhn check digit per 3GPP TS 23.003 §6.2.1 and ISO/IEC 7812-1).
#include "vt106/detect/identity.hpp"

#include <algorithm>

#include "vt106/detect/checks.hpp"

namespace vt106::detect {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The digits of an identifier, in order: the identifier itself when it is only digits (the
// usual case), else a copy in `room` when they fit, else in `spill`.
class Digits {
 public:
  explicit Digits(std::string_view value) {
    std::size_t n = 0;
    while (n < value.size() && value[n] >= '0' && value[n] <= '9') ++n;
    if (n == value.size()) {
      digits_ = value;
      return;
    }
    char* out = room_;
    if (value.size() > sizeof room_) {
      spill_.resize(value.size());
      out = spill_.data();
    }
    std::copy_n(value.data(), n, out);
    for (char c : value.substr(n))
      if (c >= '0' && c <= '9') out[n++] = c;
    digits_ = {out, n};
  }
  Digits(const Digits&) = delete;
  Digits& operator=(const Digits&) = delete;
  std::string_view view() const { return digits_; }

 private:
  char room_[64];
  std::string spill_;
  std::string_view digits_;
};

// Fills the IMEI and the Luhn verdict from value.
void complete(DeviceId& id) {
  const Digits digits(id.value);
  // A longer field padded with zeros in front (JT808's 20-digit terminal number) may hold the
  // IMEI too.
  std::string_view core = digits.view();
  if (core.size() > 15) {
    const auto nz = core.find_first_not_of('0');
    if (nz != std::string_view::npos && core.size() - nz >= 14) core.remove_prefix(nz);
  }
  if (core.size() == 15) {
    id.luhn = luhn_valid(core) ? LuhnCheck::valid : LuhnCheck::invalid;
    if (id.luhn == LuhnCheck::valid) id.imei = core;
  } else if (core.size() == 14) {
    id.luhn = LuhnCheck::completed;
    id.imei.reserve(15);
    id.imei.assign(core);
    id.imei.push_back(luhn_digit(core));
  }
}

}  // namespace

void add_variants(DeviceId& id) {
  const Digits kept(id.value);
  const std::string_view value = id.value;
  const std::string_view digits = kept.view();
  // The spellings to add, each once and none the value itself, in order.
  std::string_view found[7];
  std::size_t count = 0;
  const bool had = !id.variants.empty();
  auto add = [&](std::string_view v) __attribute__((always_inline)) {
    if (v.empty() || v == value) return;
    for (std::size_t i = 0; i < count; ++i)
      if (found[i] == v) return;
    if (had && std::find(id.variants.begin(), id.variants.end(), v) != id.variants.end()) return;
    found[count++] = v;
  };
  add(id.imei);
  if (all_digits(id.raw)) add(id.raw);
  add(digits);
  const auto nz = digits.find_first_not_of('0');
  if (nz != std::string_view::npos && nz > 0) add(digits.substr(nz));
  // Platforms often register trackers by the last digits of the IMEI or of a phone number.
  for (std::size_t n : {12u, 11u, 10u})
    if (digits.size() > n) add(digits.substr(digits.size() - n));
  if (count == 0) return;
  id.variants.reserve(id.variants.size() + count);
  for (std::size_t i = 0; i < count; ++i) id.variants.emplace_back(found[i]);
}

std::string_view to_string(IdEncoding e) {
  switch (e) {
    case IdEncoding::text: return "text";
    case IdEncoding::bcd: return "bcd";
    case IdEncoding::integer: return "integer";
  }
  return "text";
}

std::string_view to_string(LuhnCheck l) {
  switch (l) {
    case LuhnCheck::not_imei: return "not_imei";
    case LuhnCheck::valid: return "valid";
    case LuhnCheck::invalid: return "invalid";
    case LuhnCheck::completed: return "completed";
  }
  return "not_imei";
}

DeviceId device_id_from_text(std::string_view text) {
  while (!text.empty() && (text.back() == '\0' || text.back() == ' ')) text.remove_suffix(1);
  while (!text.empty() && (text.front() == '\0' || text.front() == ' ')) text.remove_prefix(1);
  DeviceId id;
  id.encoding = IdEncoding::text;
  id.value.assign(text);
  complete(id);
  return id;
}

DeviceId device_id_from_bcd(std::string_view digits) {
  DeviceId id;
  id.encoding = IdEncoding::bcd;
  id.value.assign(digits);
  if (digits.size() == 16 && digits.front() == '0') {
    id.raw = id.value;
    id.value.erase(0, 1);
  }
  complete(id);
  return id;
}

DeviceId device_id_from_integer(std::uint64_t v) {
  DeviceId id;
  id.encoding = IdEncoding::integer;
  id.value = std::to_string(v);
  static constexpr char hex[] = "0123456789abcdef";
  std::string h;
  for (std::uint64_t x = v; x != 0 || h.empty(); x >>= 4) h.insert(h.begin(), hex[x & 15]);
  id.raw = "0x" + h;
  complete(id);
  return id;
}

}  // namespace vt106::detect
