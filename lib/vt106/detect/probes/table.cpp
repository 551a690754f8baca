// The probe over every entry of the protocol table (lib/vt106/detect/protocols.table): the first
// byte picks the rules worth running, each rule's match becomes a candidate with its evidence.
#include <array>

#include "vt106/detect/probe.hpp"
#include "vt106/detect/table.hpp"

namespace vt106::detect {
namespace {

using table::Entry;
using table::Result;
using table::Rule;

// The probe over every table entry: the first byte picks the rules worth running.
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
    if (!by_first_[static_cast<unsigned char>(b.at(0))].empty() ||
        !by_first_loose_[static_cast<unsigned char>(b.at(0))].empty())
      return Match::maybe;
    return b.size() >= 2 && find_two(b) ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    struct Best {
      const Entry* e;
      const Rule* r;
      Result res;
      double level;
    };
    thread_local std::vector<Best> best;  // reused: no allocation per verdict once warm
    best.clear();
    const std::string_view text = b.text();
    const auto* by_two = b.size() >= 2 ? find_two(b) : nullptr;
    const auto& by_one = by_first_[static_cast<unsigned char>(b.at(0))];
    const auto& loose = by_first_loose_[static_cast<unsigned char>(b.at(0))];
    // Rules behind a marker first; the rules without one (a class or an integer first, which
    // fit far more bytes) only when no marker rule fitted with confidence.
    const std::size_t marked = (by_two ? by_two->size() : 0) + by_one.size();
    // A code probe that already proved a protocol's structure spares the rules without a marker.
    bool confident_match = std::any_of(out.all().begin(), out.all().end(),
                                       [](const Candidate& c) {
                                         return c.info->category == Category::tracker && c.confidence() >= level::structure;
                                       });
    for (std::size_t i = 0; i < marked + loose.size(); ++i) {
      if (i == marked && confident_match) break;
      const auto& [e, r] = i < by_one.size()            ? by_one[i]
                           : i < marked                 ? (*by_two)[i - by_one.size()]
                                                        : loose[i - marked];
      // Cheap refusals before the matcher: a leading marker that is not there; a rule without
      // one (which never waits for more) whose longest literal is nowhere in the bytes.
      const std::size_t marker = leading_literal(*r);
      if (marker && text.substr(0, marker) != std::string_view(r->tokens[0].lit).substr(0, std::min(marker, text.size())))
        continue;
      if (!marker && !r->required.empty() && text.find(r->required) == std::string_view::npos) continue;
      Result res = table::match(*r, b);
      double level = 0;
      if (res.status == Result::full) {
        // A rule without a marker whose checksum fails has nothing left to stand on.
        if (res.checks_failed && leading_literal(*r) == 0) continue;
        level = res.checks_failed ? std::min(r->level, level::failed)
                : res.checks_ok   ? std::max(r->level, level::integrity)
                                  : r->level;
      } else if (res.status == Result::need_more) {
        // Waiting for more is worth saying only when a marker matched: a rule that starts with
        // a class would otherwise wait on any bytes.
        level = marker >= 2 ? level::signature : marker == 1 && res.tokens_matched >= 2 ? level::prefix : 0.0;
      } else if (res.tokens_matched >= 1 && leading_literal(*r) >= 2) {
        level = 0.1;  // a near miss: the start fits, the rest does not
      }
      if (level <= 0) continue;
      confident_match = confident_match || (res.status == Result::full && level >= confident);
      const Entry* entry = e;  // a structured binding cannot be captured before C++20 compilers catch up
      auto it = std::find_if(best.begin(), best.end(), [entry](const Best& x) { return x.e == entry; });
      if (it == best.end()) best.push_back({e, r, std::move(res), level});
      else if (level > it->level) *it = {e, r, std::move(res), level};
    }
    // Near misses show the closest families when nothing fits (the verdict shows three at most);
    // beside a confident match they would only cost their evidence.
    std::size_t misses = 0;
    std::stable_sort(best.begin(), best.end(), [](const Best& a, const Best& c) {
      return a.res.status != c.res.status ? a.res.status > c.res.status : a.res.tokens_matched > c.res.tokens_matched;
    });
    for (auto& x : best) {
      if (x.res.status == Result::fail && (confident_match || ++misses > 3)) continue;
      auto& c = out.add(x.e->info);
      const std::string form = quote(x.r->text, 72);
      if (x.res.status == Result::full) {
        c.at_least(std::min(x.level, x.r->level), "{} {}: {}", x.e->name, x.r->label, form);
        if (x.res.checks_ok) c.at_least(x.level, "its checksum is right");
        if (x.res.checks_failed) c.at_most(level::failed, "its checksum is wrong (clones do that)");
        c.uses(x.res.used);
        if (!x.res.id.empty()) {
          DeviceId id = x.res.id_bcd ? device_id_from_bcd(x.res.id)
                        : x.res.id_integer ? device_id_from_text(x.res.id)
                                           : device_id_from_text(x.res.id);
          if (x.res.id_integer) id.encoding = IdEncoding::integer;
          identify(c, std::move(id), "device id");
        }
      } else if (x.res.status == Result::need_more) {
        c.at_least(x.level, "the bytes so far begin {}'s {}: {}", x.e->name, x.r->label, form);
        c.wants(x.res.wanted);
      } else {
        c.at_least(x.level, "starts like {}'s {} ({} of its {} parts fit): {}", x.e->name, x.r->label,
                   x.res.tokens_matched, x.r->tokens.size(), form);
      }
    }
  }

 private:
  static std::size_t leading_literal(const Rule& r) {
    return !r.tokens.empty() && r.tokens[0].kind == table::Tok::lit ? r.tokens[0].lit.size() : 0;
  }

  // The first-byte index over the active table (rebuilt when --table changed it).
  void index() const {
    const table::Table& t = table::active();
    generation_ = table::generation();
    infos_.clear();
    for (auto& list : by_first_) list.clear();
    for (auto& list : by_first_loose_) list.clear();
    by_two_.clear();
    for (const auto& e : t.entries) infos_.push_back(&e.info);
    for (const auto& e : t.entries)
      for (const auto& r : e.rules) {
        if (leading_literal(r) >= 2) {  // a two-byte marker: indexed by both bytes
          const auto key = static_cast<std::uint16_t>(static_cast<unsigned char>(r.tokens[0].lit[0]) << 8 |
                                                      static_cast<unsigned char>(r.tokens[0].lit[1]));
          auto it = std::lower_bound(by_two_.begin(), by_two_.end(), key,
                                     [](const auto& x, std::uint16_t k) { return x.first < k; });
          if (it == by_two_.end() || it->first != key) it = by_two_.insert(it, {key, {}});
          it->second.push_back({&e, &r});
          continue;
        }
        std::array<bool, 256> first{};
        table::first_bytes(r, first);
        for (std::size_t b = 0; b < 256; ++b)
          if (first[b]) (leading_literal(r) ? by_first_ : by_first_loose_)[b].push_back({&e, &r});
      }
  }
  void refresh() const {
    if (generation_ != table::generation()) index();
  }

  using RuleList = std::vector<std::pair<const Entry*, const Rule*>>;
  const RuleList* find_two(const Bytes& b) const {
    const auto key = static_cast<std::uint16_t>(b.at(0) << 8 | b.at(1));
    auto it = std::lower_bound(by_two_.begin(), by_two_.end(), key,
                               [](const auto& x, std::uint16_t k) { return x.first < k; });
    return it != by_two_.end() && it->first == key ? &it->second : nullptr;
  }

  mutable std::vector<std::pair<std::uint16_t, RuleList>> by_two_;  // sorted by the two bytes
  mutable std::array<RuleList, 256> by_first_loose_{};             // no leading marker
  mutable std::uint64_t generation_ = 0;
  mutable std::vector<const ProtocolInfo*> infos_;
  mutable std::array<std::vector<std::pair<const Entry*, const Rule*>>, 256> by_first_{};
};

const TableProbe probe;
const ProbeRegistration registration(probe);

}  // namespace
}  // namespace vt106::detect

