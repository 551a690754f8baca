// Fuzz target: a protocol table as `vt106 detect --table FILE` reads it (any text), its rules
// matched against any bytes. Invariants: parsing never throws and names the line of every error;
// a match never claims more bytes than it was given (unless it waits for more), and the same
// rule on the same bytes gives the same result.
//
// Input: table text, NUL, bytes to match.
#include "fuzz_support.hpp"
#include "vt106/detect/table.hpp"

using namespace vt106;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::string_view text = in.field();
  const std::string bytes(in.rest());
  const detect::table::Table t = detect::table::parse(text, "fuzz.table");
  for (const auto& e : t.errors) fuzz::check(e.rfind("fuzz.table:", 0) == 0, "an error that names no line", e);
  const detect::Bytes b(bytes);
  std::size_t rules = 0;
  for (const auto& e : t.entries)
    for (const auto& r : e.rules) {
      if (++rules > 64) return 0;
      const auto a = detect::table::match(r, b);
      if (a.status == detect::table::Result::full) fuzz::check(a.used <= bytes.size(), "a match longer than its bytes");
      const auto again = detect::table::match(r, b);
      fuzz::check(again.status == a.status && again.used == a.used && again.id == a.id, "a match that changes");
    }
  return 0;
}
