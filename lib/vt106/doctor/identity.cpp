// Closest identifiers: plain digit comparisons, ranked by how often each slip happens when an
// IMEI is copied from a label into a platform's device list.
#include "vt106/doctor/identity.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "vt106/detect/checks.hpp"
#include "vt106/util/text.hpp"

namespace vt106::doctor {

using util::all_digits;

bool looks_like_identifier(std::string_view text) { return text.size() >= 5 && text.size() <= 20 && all_digits(text); }

std::optional<char> imei_check_digit(std::string_view first14) {
  if (first14.size() != 14 || !all_digits(first14)) return std::nullopt;
  return detect::luhn_digit(first14);
}

bool imei_check_digit_ok(std::string_view digits) { return digits.size() == 15 && all_digits(digits) && detect::luhn_valid(digits); }

std::string_view to_string(Likeness l) {
  switch (l) {
    case Likeness::other_protocol: return "other_protocol";
    case Likeness::check_digit: return "check_digit";
    case Likeness::transposed: return "transposed";
    case Likeness::one_digit: return "one_digit";
    case Likeness::shorter_id: return "shorter_id";
    case Likeness::longer_id: return "longer_id";
  }
  return "one_digit";
}

namespace {

// How `wanted` relates to `id`, if it is one of the known slips.
std::optional<Candidate> compare(std::string_view wanted, const SeenId& seen) {
  Candidate c;
  c.device = seen.device;
  c.id = seen.id;
  c.protocol = seen.protocol;
  const std::string_view id = seen.id;
  if (id == wanted) {
    if (seen.protocol == "gotop") return std::nullopt;  // the device itself, not a candidate
    c.why = Likeness::other_protocol;
    c.evidence = fmt::format("a {} device sends this very identifier", seen.protocol);
    return c;
  }
  if (id.size() == wanted.size()) {
    std::vector<std::size_t> diff;
    for (std::size_t i = 0; i < id.size() && diff.size() < 3; ++i)
      if (id[i] != wanted[i]) diff.push_back(i);
    if (diff.size() == 1) {
      const std::size_t i = diff[0];
      if (i == 14 && wanted.size() == 15 && !imei_check_digit_ok(wanted) && imei_check_digit_ok(id)) {
        c.why = Likeness::check_digit;
        c.evidence = fmt::format("the same first 14 digits; {} fails the IMEI check digit (it would be {}), {} "
                                 "passes it",
                                 wanted, *imei_check_digit(wanted.substr(0, 14)), id);
      } else {
        c.why = Likeness::one_digit;
        c.evidence = fmt::format("digit {} differs: {} here, {} in {}", i + 1, id[i], wanted[i], wanted);
      }
      return c;
    }
    if (diff.size() == 2 && diff[1] == diff[0] + 1 && id[diff[0]] == wanted[diff[1]] && id[diff[1]] == wanted[diff[0]]) {
      c.why = Likeness::transposed;
      c.evidence = fmt::format("digits {} and {} swapped: {}{} here, {}{} in {}", diff[0] + 1, diff[1] + 1,
                               id[diff[0]], id[diff[1]], wanted[diff[0]], wanted[diff[1]], wanted);
      return c;
    }
    return std::nullopt;
  }
  auto ends_with = [](std::string_view a, std::string_view b) { return a.size() >= b.size() && a.substr(a.size() - b.size()) == b; };
  auto starts_with = [](std::string_view a, std::string_view b) { return a.substr(0, b.size()) == b; };
  if (id.size() < wanted.size() && id.size() >= 5) {
    if (ends_with(wanted, id)) {
      c.why = Likeness::shorter_id;
      c.evidence = fmt::format("sends {} digits, the last {} of {}", id.size(), id.size(), wanted);
      return c;
    }
    if (starts_with(wanted, id)) {
      c.why = Likeness::shorter_id;
      c.evidence = id.size() == 14 && wanted.size() == 15
                       ? fmt::format("sends the first 14 digits of {}, without the check digit", wanted)
                       : fmt::format("sends {} digits, the first {} of {}", id.size(), id.size(), wanted);
      return c;
    }
  }
  if (wanted.size() < id.size() && wanted.size() >= 5) {
    if (ends_with(id, wanted)) {
      c.why = Likeness::longer_id;
      c.evidence = fmt::format("sends {} digits, ending in {}", id.size(), wanted);
      return c;
    }
    if (starts_with(id, wanted)) {
      c.why = Likeness::longer_id;
      c.evidence = fmt::format("sends {} digits, starting with {}", id.size(), wanted);
      return c;
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<Candidate> likely_devices(std::string_view wanted, const std::vector<SeenId>& seen, std::size_t limit) {
  std::vector<Candidate> out;
  for (const auto& s : seen) {
    auto c = compare(wanted, s);
    if (!c) continue;
    const bool known = std::any_of(out.begin(), out.end(), [&](const Candidate& o) { return o.device == c->device; });
    if (!known) out.push_back(std::move(*c));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Candidate& a, const Candidate& b) { return static_cast<int>(a.why) < static_cast<int>(b.why); });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace vt106::doctor
