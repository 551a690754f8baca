// The probe over every entry of the protocol table (lib/vt106/detect/protocols/): a decision
// table over the first bytes picks the rules worth running, each rule's match becomes a
// candidate with its evidence.
//
// The decision table holds, for each of the first table::positions bytes and each value there,
// one bit per rule: the rules whose grammar allows that byte at that place. The bits of the
// input's bytes, ANDed, leave the few rules the matcher has to run (about four of 427 on the
// test vectors). Rules are then tried: those behind a leading literal (a marker) first, the
// others only when no marker rule fitted with confidence.
#include <array>
#include <bitset>
#include <cstring>
#include <map>

#include "vt106/detect/probe.hpp"
#include "vt106/detect/table.hpp"

namespace vt106::detect::probe_table {
namespace {

using table::Entry;
using table::Result;
using table::Rule;

class TableProbe final : public Probe {
 public:
  TableProbe() { index(); }
  std::string_view family() const override { return "table"; }
  bool runs_last() const override { return true; }
  std::span<const ProtocolInfo* const> protocols() const override {
    refresh();
    return infos_;
  }
  Match quick(const Bytes& b) const override {
    refresh();
    if (b.empty()) return Match::no;
    const std::uint64_t* marked = &marked_[first_row(b)];
    const std::uint64_t* loose = &loose_[first_row(b)];
    for (std::size_t w = 0; w < words_; ++w)
      if (marked[w] | loose[w]) return Match::maybe;
    return Match::no;
  }

  void examine(const ProbeInput& in, Findings& out) const override {
    // When another probe's framing proves where the first message ends (an HTTP request with
    // its body), the rules are judged on that message, whole: a rule that runs past it fails
    // rather than waits.
    // A code probe that already proved a tracker protocol's structure spares the rules without
    // a marker.
    std::size_t end = 0;
    bool confident_match = false;
    for (const Candidate& c : out.all()) {
      if (c.message_end != 0 && c.message_end <= in.client.size() && (end == 0 || c.message_end < end))
        end = c.message_end;
      confident_match = confident_match || (c.info->category == Category::tracker && c.confidence() >= level::structure);
    }
    const bool complete = end != 0;
    const Bytes b = complete ? in.client.first(end) : in.client;
    if (b.empty()) return;
    Scratch& s = scratch();
    s.best.clear();
    s.deferred.clear();
    s.counted = false;
    decide(b, s.fits);
    const std::string_view text = b.text();

    auto consider = [&](const Ref& ref, Result res) {
      const double level = level_of(*ref.r, res);
      if (level <= 0) return;
      confident_match = confident_match || (res.status == Result::full && level >= confident);
      const Entry* entry = ref.e;
      auto it = std::find_if(s.best.begin(), s.best.end(), [entry](const Best& x) { return x.ref->e == entry; });
      if (it == s.best.end()) s.best.emplace_back(&ref, std::move(res), level, ref.index);
      else if (level > it->level || (level == it->level && ref.index < it->order))
        *it = {&ref, std::move(res), level, std::min(ref.index, it->order)};
      else it->order = std::min(ref.index, it->order);
    };
    // One rule the decision table let through: the remaining cheap refusals, then the matcher.
    auto attempt = [&](const Ref& ref) {
      const Rule& r = *ref.r;
      const std::size_t marker = ref.marker;
      // A two-byte marker needs both bytes before it says anything.
      if (marker >= 2 && text.size() < 2) return;
      if (marker && !marker_fits(ref, text, std::min(marker, text.size()))) return;
      // A rule that cannot fit is still a near miss behind a whole two-byte marker: worth its
      // evidence only when nothing fits with confidence (decided after the loop).
      const bool near_miss = marker >= 2 && text.size() >= marker;
      if (!marker || complete) {
        // Where only a full match counts (no marker to wait behind, or a whole message), the
        // bytes must be as long as the rule's fewest, hold each of its literal characters as
        // often as its literals do, and its longest literal somewhere.
        if (!cannot_fit(s, text, ref)) {
          consider(ref, table::match(r, b, complete));
          return;
        }
        if (near_miss) s.deferred.push_back(&ref);
        return;
      }
      consider(ref, table::match(r, b, complete));
    };

    const std::size_t row = first_row(b);
    // Behind a marker, then (unless a marker rule fitted with confidence) without one.
    for_each_rule(s.fits.data(), &marked_[row], false, attempt);
    if (!confident_match) for_each_rule(s.fits.data(), &loose_[row], false, attempt);
    if (!confident_match) {
      // The near misses: marker rules the decision table refused or that cannot fit.
      for_each_rule(s.fits.data(), &marked_[row], true, [&](const Ref& ref) {
        const std::size_t marker = ref.marker;
        if (marker >= 2 && text.size() >= marker && marker_fits(ref, text, marker))
          consider(ref, table::match(*ref.r, b, complete));
      });
      for (const Ref* ref : s.deferred) consider(*ref, table::match(*ref->r, b, complete));
    }

    // Near misses show the closest families when nothing fits (the verdict shows three at most);
    // beside a confident match they would only cost their evidence.
    std::size_t misses = 0;
    std::sort(s.best.begin(), s.best.end(), [](const Best& a, const Best& c) {
      return a.res.status != c.res.status                 ? a.res.status > c.res.status
             : a.res.tokens_matched != c.res.tokens_matched ? a.res.tokens_matched > c.res.tokens_matched
                                                            : a.order < c.order;
    });
    for (auto& x : s.best) {
      if (x.res.status == Result::fail && (confident_match || ++misses > 3)) continue;
      Candidate& c = out.add(x.ref->e->info);
      describe(*x.ref, x.res, x.level, c);
      c.detail = &x;  // kept until this thread's next examination: the verdict's explanations
    }
  }

  // A quiet candidate's findings written out, from the result it was proposed on.
  void explain(const ProbeInput&, Candidate& c) const override {
    if (!c.detail) return;
    const auto& x = *static_cast<const Best*>(c.detail);
    Candidate aloud(*c.info);
    describe(*x.ref, x.res, x.level, aloud);
    c.evidence = std::move(aloud.evidence);
    c.headline = aloud.headline;
  }

 private:
  struct Ref {
    const Entry* e;
    const Rule* r;
    std::uint32_t index;  // the rule's place in the table
    std::uint32_t bit;    // its bit in the decision table and the first-byte sets
    std::uint32_t marker;  // the size of its leading literal (0: none)
    std::uint64_t head;    // the literal's first bytes (up to 8, little-endian)
    std::uint32_t needs_at = 0, needs_count = 0;  // its literal characters' counts in needs_flat_
  };
  // The best result of one entry's rules.
  struct Best {
    // (A constructor, so that emplace_back builds it in place: clang 14 has no aggregate
    // initialisation with parentheses.)
    Best(const Ref* r, Result&& x, double l, std::uint32_t o) : ref(r), res(std::move(x)), level(l), order(o) {}
    const Ref* ref;
    Result res;
    double level;
    std::uint32_t order;  // the entry's first rule that fitted
  };
  // One thread's working state, reused: no allocation per verdict once warm.
  struct Scratch {
    std::vector<Best> best;
    std::vector<std::uint64_t> fits;
    std::vector<const Ref*> deferred;
    std::array<std::uint32_t, 256> count{};  // each byte value's count, once a rule needs it
    bool counted = false;
  };
  static Scratch& scratch() {
    thread_local Scratch s;
    return s;
  }

  static std::size_t leading_literal(const Rule& r) {
    return !r.ops.empty() && r.ops[0].kind == table::Tok::lit ? r.ops[0].b : 0;
  }
  // The first n bytes (1-8) of s as a little-endian number.
  static std::uint64_t head_of(const char* s, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{static_cast<unsigned char>(s[i])} << (8 * i);
    return v;
  }
  // Whether text's first n bytes (n at most the marker's size and text's) are the marker's.
  static bool marker_fits(const Ref& ref, std::string_view text, std::size_t n) {
    if (n > 8) return std::memcmp(text.data(), ref.r->pool.data(), n) == 0;
    const std::uint64_t mask = n == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
    return head_of(text.data(), n) == (ref.head & mask);
  }

  // What a rule's result is worth (0: nothing to say).
  static double level_of(const Rule& r, const Result& res) {
    const std::size_t marker = leading_literal(r);
    if (res.status == Result::full) {
      // A rule without a marker whose checksum fails has nothing left to stand on.
      if (res.checks_failed && marker == 0) return 0;
      return res.checks_failed ? std::min(r.level, level::failed)
             : res.checks_ok   ? std::max(r.level, level::integrity)
                               : r.level;
    }
    // Waiting for more is worth saying only when a marker matched: a rule that starts with a
    // class would otherwise wait on any bytes.
    if (res.status == Result::need_more)
      return marker >= 2 ? level::signature : marker == 1 && res.tokens_matched >= 2 ? level::prefix : 0.0;
    return res.tokens_matched >= 1 && marker >= 2 ? 0.1 : 0.0;  // a near miss: the start fits, the rest does not
  }

  // A rule's result as a candidate: its level, identifier, lengths, and (unless quiet) evidence.
  static void describe(const Ref& ref, const Result& res, double level, Candidate& c) {
    const Entry& e = *ref.e;
    const Rule& r = *ref.r;
    const std::string form = c.quiet ? std::string() : quote(r.text, 72);
    if (res.status == Result::full) {
      c.at_least(std::min(level, r.level), "{} {}: {}", e.name, r.label, form);
      if (res.checks_ok) c.at_least(level, "its checksum is right");
      if (res.checks_failed) c.at_most(level::failed, "its checksum is wrong (clones do that)");
      c.uses(res.used);
      if (!res.id.empty()) {
        DeviceId id = res.id_bcd ? device_id_from_bcd(res.id) : device_id_from_text(res.id);
        if (res.id_integer) id.encoding = IdEncoding::integer;
        identify(c, std::move(id), "device id");
      }
    } else if (res.status == Result::need_more) {
      c.at_least(level, "the bytes so far begin {}'s {}: {}", e.name, r.label, form);
      c.wants(res.wanted);
    } else {
      c.at_least(level, "starts like {}'s {} ({} of its {} parts fit): {}", e.name, r.label, res.tokens_matched,
                 r.tokens.size(), form);
    }
  }

  // The bytes are shorter than the rule's fewest, or lack one of its literal characters
  // (counted) or its longest literal: a full match cannot be.
  bool cannot_fit(Scratch& s, std::string_view text, const Ref& ref) const {
    if (ref.r->min_size > text.size()) return true;
    if (!s.counted) {
      std::memset(s.count.data(), 0, sizeof s.count);
      const auto* p = reinterpret_cast<const unsigned char*>(text.data());
      std::size_t i = 0;
      for (; i + 4 <= text.size(); i += 4) {  // four at a time: a third of the loop's work
        ++s.count[p[i]];
        ++s.count[p[i + 1]];
        ++s.count[p[i + 2]];
        ++s.count[p[i + 3]];
      }
      for (; i < text.size(); ++i) ++s.count[p[i]];
      s.counted = true;
    }
    const auto* need = &needs_flat_[ref.needs_at];
    if (std::any_of(need, need + ref.needs_count, [&](const auto& n) { return s.count[n.first] < n.second; }))
      return true;
    return !ref.r->required.empty() && !holds(text, ref.r->required, s.count);
  }

  // Whether text holds lit (not empty) somewhere: the places of lit's rarest byte in text
  // (by `count`, each byte value's count in text) are the only ones worth comparing.
  static bool holds(std::string_view text, std::string_view lit, const std::array<std::uint32_t, 256>& count) {
    if (lit.size() > text.size()) return false;
    std::size_t k = 0;
    for (std::size_t i = 1; i < lit.size(); ++i)
      if (count[static_cast<unsigned char>(lit[i])] < count[static_cast<unsigned char>(lit[k])]) k = i;
    const char* d = text.data();
    const std::size_t last = text.size() - lit.size();  // the last place lit may start
    for (std::size_t from = k; from <= last + k;) {
      const void* hit = std::memchr(d + from, lit[k], last + k - from + 1);
      if (!hit) return false;
      const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - d) - k;
      if (text.compare(at, lit.size(), lit) == 0) return true;
      from = at + k + 1;
    }
    return false;
  }

  // Calls f for each rule, in the order of their bits, whose bit is set in `set` and (refused =
  // false) set or (refused = true) clear in `fits`.
  template <class F>
  void for_each_rule(const std::uint64_t* fits, const std::uint64_t* set, bool refused, F&& f) const {
    for (std::size_t w = 0; w < words_; ++w) {
      std::uint64_t bits = set[w] & (refused ? ~fits[w] : fits[w]);
      while (bits) {
        const auto bit = static_cast<std::size_t>(__builtin_ctzll(bits));
        bits &= bits - 1;
        f(by_bit_[w * 64 + bit]);
      }
    }
  }

  std::size_t first_row(const Bytes& b) const { return static_cast<std::size_t>(b.at(0)) * words_; }

  // The decision table and the first-byte sets over the active table (rebuilt when --table
  // changed it).
  void index() const {
    const table::Table& t = table::active();
    generation_ = table::generation();
    infos_.clear();
    rules_.clear();
    for (const auto& e : t.entries) infos_.push_back(&e.info);
    for (const auto& e : t.entries)
      for (const auto& r : e.rules) {
        const auto marker = static_cast<std::uint32_t>(leading_literal(r));
        rules_.push_back({&e, &r, static_cast<std::uint32_t>(rules_.size()), 0, marker,
                          marker ? head_of(r.pool.data(), std::min<std::size_t>(marker, 8)) : 0});
      }
    words_ = (rules_.size() + 63) / 64;
    // The rules' bits: those behind a marker grouped by its first byte, then the others by the
    // first byte they may start with, so that the rules of one first byte share few words.
    // (Within a pass the rules may be tried in any order: each entry keeps its best result,
    // ties going to the first rule in table order.)
    {
      std::vector<std::pair<unsigned, std::uint32_t>> keyed;
      for (const Ref& ref : rules_) {
        std::array<bool, 256> first{};
        table::first_bytes(*ref.r, first);
        const auto lowest = static_cast<unsigned>(std::find(first.begin(), first.end(), true) - first.begin());
        keyed.emplace_back((leading_literal(*ref.r) ? 0u : 256u) + lowest, ref.index);
      }
      std::stable_sort(keyed.begin(), keyed.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (std::size_t b = 0; b < keyed.size(); ++b) rules_[keyed[b].second].bit = static_cast<std::uint32_t>(b);
    }
    decision_.assign(table::positions * 256 * words_, 0);
    marked_.assign(256 * words_, 0);
    loose_.assign(256 * words_, 0);
    needs_.assign(rules_.size(), {});
    std::array<std::bitset<256>, table::positions> sets;
    for (const Ref& ref : rules_) {
      const Rule& r = *ref.r;
      const std::size_t word = ref.bit / 64;
      const std::uint64_t bit = std::uint64_t{1} << (ref.bit % 64);
      table::position_bytes(r, sets);
      // (A rule that allows any byte at a place has its bit in every row of that place.)
      for (std::size_t p = 0; p < table::positions; ++p)
        for (std::size_t c = sets[p]._Find_first(); c < 256; c = sets[p]._Find_next(c))
          decision_[(p * 256 + c) * words_ + word] |= bit;
      // Which first bytes it can start with, behind a marker or not.
      std::array<bool, 256> first{};
      table::first_bytes(r, first);
      auto& by_first = leading_literal(r) ? marked_ : loose_;
      for (std::size_t c = 0; c < 256; ++c)
        if (first[c]) by_first[c * words_ + word] |= bit;
      // The characters its literals hold, and how many times: a full match finds each literal
      // on bytes of its own.
      std::array<std::uint32_t, 256> chars{};
      for (const auto& tok : r.tokens)
        if (tok.kind == table::Tok::lit)
          for (const char ch : tok.lit) ++chars[static_cast<unsigned char>(ch)];
      for (std::size_t c = 0; c < 256; ++c)
        if (chars[c]) needs_[ref.index].emplace_back(static_cast<unsigned char>(c), chars[c]);
      // The least common characters first: those the bytes most likely lack.
      std::stable_sort(needs_[ref.index].begin(), needs_[ref.index].end(),
                       [](const auto& a, const auto& b) { return commonness(a.first) < commonness(b.first); });
    }
    // The rules in the order of their bits, each with its needs in one flat array: what a pass
    // reads of a rule before it runs the matcher is in one place.
    by_bit_.assign(rules_.size(), Ref{});
    needs_flat_.clear();
    for (const Ref& ref : rules_) {
      Ref& at = by_bit_[ref.bit];
      at = ref;
      at.needs_at = static_cast<std::uint32_t>(needs_flat_.size());
      at.needs_count = static_cast<std::uint32_t>(needs_[ref.index].size());
      needs_flat_.insert(needs_flat_.end(), needs_[ref.index].begin(), needs_[ref.index].end());
    }
    // The rows, each kept once (most bytes at most places allow the same rules): a few dozen
    // kilobytes a verdict's sixteen lookups share, instead of 256 rows for each place.
    std::map<std::vector<std::uint64_t>, std::uint16_t> ids;
    rows_.clear();
    row_of_.assign(table::positions * 256, 0);
    for (std::size_t at = 0; at < table::positions * 256; ++at) {
      std::vector<std::uint64_t> row(decision_.begin() + static_cast<std::ptrdiff_t>(at * words_),
                                     decision_.begin() + static_cast<std::ptrdiff_t>((at + 1) * words_));
      const auto [it, added] = ids.try_emplace(std::move(row), static_cast<std::uint16_t>(ids.size()));
      if (added) rows_.insert(rows_.end(), it->first.begin(), it->first.end());
      row_of_[at] = it->second;
    }
    decision_.clear();
    decision_.shrink_to_fit();
  }
  void refresh() const {
    if (generation_ != table::generation()) index();
  }

  // The rules whose fixed positions allow the bytes: one bit per rule. Only the rules that may
  // start with the first byte (marked_ or loose_) are ever asked about, so the bits of the others
  // are left clear.
  void decide(const Bytes& b, std::vector<std::uint64_t>& fits) const {
    fits.resize(words_);
    const std::size_t n = std::min(b.size(), table::positions);
    std::array<const std::uint64_t*, table::positions> rows;
    for (std::size_t p = 0; p < n; ++p)
      rows[p] = &rows_[std::size_t{row_of_[p * 256 + static_cast<std::size_t>(b.at(p))]} * words_];
    const std::size_t first = first_row(b);
    const std::size_t words = words_;
    std::uint64_t* out = fits.data();
    const std::uint64_t* marked = &marked_[first];
    const std::uint64_t* loose = &loose_[first];
    for (std::size_t w = 0; w < words; ++w) {
      std::uint64_t bits = marked[w] | loose[w];
      if (bits && n == table::positions) {  // the usual case: every place, without a branch each
        for (std::size_t p = 0; p < table::positions; ++p) bits &= rows[p][w];
      } else {
        for (std::size_t p = 0; p < n && bits; ++p) bits &= rows[p][w];
      }
      out[w] = bits;
    }
  }

  mutable std::uint64_t generation_ = 0;
  mutable std::vector<const ProtocolInfo*> infos_;
  mutable std::vector<Ref> rules_;               // every rule, in table order
  mutable std::vector<Ref> by_bit_;              // the rule of each bit of the sets below
  mutable std::vector<std::pair<unsigned char, std::uint32_t>> needs_flat_;  // their needs, by_bit_ order
  mutable std::size_t words_ = 0;                // 64-bit words per set of rules
  mutable std::vector<std::uint64_t> decision_;  // while indexing: [position][byte][word], the rules that allow it there
  mutable std::vector<std::uint64_t> rows_;      // the distinct rows of decision_, words_ each
  mutable std::vector<std::uint16_t> row_of_;    // [position][byte]: its row in rows_
  mutable std::vector<std::uint64_t> marked_;    // [first byte][word]: rules behind a marker starting so
  mutable std::vector<std::uint64_t> loose_;     // [first byte][word]: rules without a marker that may
  mutable std::vector<std::vector<std::pair<unsigned char, std::uint32_t>>> needs_;  // per rule
};

const TableProbe probe;
const ProbeRegistration registration(probe);

}  // namespace
}  // namespace vt106::detect::probe_table
