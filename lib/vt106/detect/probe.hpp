// The probe interface: one probe per protocol family, each in its own file under probes/,
// registering itself with a static `ProbeRegistration` so that adding one touches no other file.
#pragma once

#include <algorithm>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "vt106/detect/bytes.hpp"
#include "vt106/detect/checks.hpp"
#include "vt106/detect/detect.hpp"

namespace vt106::detect {

// Stage 1: what a probe's cheap look at the first bytes says.
enum class Match : std::uint8_t { no, maybe, yes, need_more };

// Confidence levels, so that 60 probes grade evidence alike.
namespace level {
inline constexpr double prefix = 0.2;      // the bytes so far agree with the start of a signature
inline constexpr double weak = 0.35;       // a short or shared signature, nothing proven
inline constexpr double signature = 0.55;  // a distinctive signature, nothing proven yet
inline constexpr double failed = 0.6;      // structure fits but the checksum does not (clones do that)
inline constexpr double structure = 0.85;  // lengths, terminator, fields and identifier agree
inline constexpr double integrity = 0.97;  // and the checksum or CRC is right
}  // namespace level

class Probe;

// One protocol a probe proposes, with its evidence. Its confidence is the highest level its
// evidence reached, plus small bonuses (a valid IMEI check digit), under any cap a failed
// check imposed.
//
// A quiet candidate keeps its levels, identifier and lengths but writes no evidence: detection
// first runs every probe quietly, ranks, and then asks only the probes whose candidates it shows
// for their evidence (Probe::explain), so that losing candidates cost no text.
struct Candidate {
  explicit Candidate(const ProtocolInfo& p, bool quiet_ = false) : info(&p), quiet(quiet_) {}

  const ProtocolInfo* info;
  double level = 0;
  double bonus = 0;
  double cap = 1;
  bool need_more = false;
  std::size_t bytes_wanted = 0;  // need_more: the declared length of the first message
  std::size_t bytes_used = 0;
  std::size_t message_end = 0;  // its framing proves the first message ends here (0: not known)
  std::vector<std::string> evidence;
  std::size_t headline = 0;  // the evidence that raised the level last: what a runner-up shows
  std::optional<DeviceId> device_id;
  bool quiet = false;
  const Probe* probe = nullptr;  // who proposed it, and its place among that probe's candidates
  std::size_t ordinal = 0;
  const void* detail = nullptr;  // what the probe needs to explain it again (the table: its kept result)

  double confidence() const { return level > 0 ? std::min(cap, level + bonus) : 0.0; }

  // As newly made for p, keeping the room of its evidence.
  void reset(const ProtocolInfo& p, bool quiet_) {
    info = &p;
    level = 0;
    bonus = 0;
    cap = 1;
    need_more = false;
    bytes_wanted = 0;
    bytes_used = 0;
    message_end = 0;
    evidence.clear();
    headline = 0;
    device_id.reset();
    quiet = quiet_;
    probe = nullptr;
    ordinal = 0;
    detail = nullptr;
  }

  template <class... A>
  void note(fmt::format_string<A...> f, A&&... a) {
    if (!quiet) evidence.push_back(fmt::format(f, std::forward<A>(a)...));
  }
  // The evidence reaches level `c`.
  template <class... A>
  Candidate& at_least(double c, fmt::format_string<A...> f, A&&... a) {
    note(f, std::forward<A>(a)...);
    if (level < c) {
      level = c;
      headline = evidence.empty() ? 0 : evidence.size() - 1;
    }
    return *this;
  }
  // Whatever else holds, the confidence stays at most `c` (a failed check, a contradiction).
  template <class... A>
  Candidate& at_most(double c, fmt::format_string<A...> f, A&&... a) {
    if (cap > c) cap = c;
    note(f, std::forward<A>(a)...);
    return *this;
  }
  void adjust(double delta) { bonus += delta; }
  // The first message has not ended: `total` is its declared length when known (0 otherwise).
  void wants(std::size_t total) {
    need_more = true;
    bytes_wanted = total;
  }
  void uses(std::size_t n) { bytes_used = n; }
  // The first message is whole and ends after n bytes (a declared length was reached).
  void ends_at(std::size_t n) { message_end = n; }
};

// What a probe is given.
struct ProbeInput {
  Bytes client;         // after any PROXY header, at most max_inspect bytes
  Bytes server;         // the server's first bytes; empty when unknown or silent
  Hints hints;
  bool clipped = false;  // the client sent more than `client` holds
};

// The candidates of one detection run. A deque, so that a probe may hold on to one candidate
// while it adds another; reused from run to run (clear), so that a warm detector keeps its
// candidates' room.
class Findings {
 public:
  explicit Findings(bool quiet = false) : quiet_(quiet) {}
  Candidate& add(const ProtocolInfo& p) {
    if (used_ == store_.size()) store_.emplace_back(p, quiet_);
    else store_[used_].reset(p, quiet_);
    return store_[used_++];
  }
  // The candidates of this run (a plain iterator pair: clang 14 cannot use libstdc++ 12's ranges).
  struct Range {
    std::deque<Candidate>::iterator first, last;
    std::deque<Candidate>::iterator begin() const { return first; }
    std::deque<Candidate>::iterator end() const { return last; }
  };
  Range all() { return {store_.begin(), store_.begin() + static_cast<std::ptrdiff_t>(used_)}; }
  std::size_t size() const { return used_; }
  Candidate& operator[](std::size_t i) { return store_[i]; }
  void clear() { used_ = 0; }

 private:
  std::deque<Candidate> store_;
  std::size_t used_ = 0;
  bool quiet_;
};

class Probe {
 public:
  virtual ~Probe() = default;
  virtual std::string_view family() const = 0;
  virtual std::span<const ProtocolInfo* const> protocols() const = 0;
  // Whether quick() may say anything but no to bytes that start with c (0-255); true where in
  // doubt. Detection asks only the probes that may start with the first byte.
  virtual bool may_start_with(int) const { return true; }
  // Stage 1: a look at the first few bytes, no allocation; `no` skips examine().
  virtual Match quick(const Bytes& client) const = 0;
  // Stages 2 and 3 (structure, integrity) and identity; adds candidates to `out`. It may also
  // read the server's answer for a dialogue proof.
  virtual void examine(const ProbeInput& in, Findings& out) const = 0;
  // Runs after every other probe, and may read their candidates in `out` (the table probe).
  virtual bool runs_last() const { return false; }
  // A probe of weak candidates that no other probe reads may be left out while a verdict could
  // not show them: the highest confidence its examination could give these bytes (after its
  // quick look said more than no), or a negative value when it must examine them now. Detection
  // examines it after all when the winner is not at least three times as confident.
  virtual double deferred_bound(const Bytes&) const { return -1; }
  // Whether deferred_bound may ever say anything but -1 (asked once).
  virtual bool may_defer() const { return false; }
  // Gives a candidate this probe proposed quietly its evidence and headline. By default the
  // probe examines the bytes again, aloud, and copies the evidence of its candidate of the same
  // place (probes are deterministic); a probe whose findings depend on others' overrides it.
  virtual void explain(const ProbeInput& in, Candidate& c) const;
};

void register_probe(const Probe& p);
// Every registered probe, in family order (deterministic whatever the link order).
std::span<const Probe* const> registered_probes();

struct ProbeRegistration {
  explicit ProbeRegistration(const Probe& p) { register_probe(p); }
};

// Helpers shared by probes.
// Text for evidence: printable ASCII as is, other bytes as \xNN, cut after `max` characters.
inline std::string quote(std::string_view s, std::size_t max = 24) {
  std::string out;
  for (char c : s.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) out.push_back(c);
    else out += fmt::format("\\x{:02x}", u);
  }
  if (s.size() > max) out += "…";
  return out;
}
// Short hex of the first n bytes, "78 78 0d 01".
std::string hex_prefix(const Bytes& b, std::size_t n);
// BCD digits of bytes [pos, pos + n) when all are present and valid.
inline std::optional<std::string> bcd_at(const Bytes& b, std::size_t pos, std::size_t n, bool f_padding = false) {
  if (!b.has(pos + n)) return std::nullopt;
  return bcd_digits(b.range(pos, n), f_padding);
}
// A frame that declares `total` bytes: true when they are all present; otherwise the candidate
// waits for them.
inline bool have_frame(const Bytes& b, Candidate& c, std::size_t total) {
  if (b.has(total)) return true;
  c.wants(total);
  return false;
}
// Gives the candidate its identifier and notes what the IMEI check digit says about it; a valid
// check digit is itself structural evidence (one chance in ten for random digits).
void identify(Candidate& c, DeviceId&& id, std::string_view what);

}  // namespace vt106::detect
