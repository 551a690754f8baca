// The detection run: PROXY header (stage 0), every registered probe's quick look (stage 1) and
// examination (stages 2-3), then ranking by confidence with the port as a tie-breaker only.
#include "vt106/detect/detect.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "vt106/detect/probe.hpp"

namespace vt106::detect {

namespace {

constexpr ProtocolInfo proxy_info{"proxy", "PROXY protocol header (HAProxy)", Category::other, 0, true, false, false};
constexpr double min_match = 0.2;  // below this a candidate is only a near miss
constexpr double need_more_cap = 0.5;
// Two candidates this strong and this close are a tie: both are held at ambiguous_cap.
constexpr double ambiguous_floor = 0.75, ambiguous_margin = 0.05, ambiguous_cap = 0.7;
constexpr std::size_t max_alternatives = 3;

std::vector<const Probe*>& probe_list() {
  static std::vector<const Probe*> all;
  return all;
}

// For each first byte, the probes that may start with it (Probe::may_start_with), in order.
// Probes register before main; the lists are made on first use.
struct Asked {
  const Probe* probe;
  bool may_defer;  // Probe::may_defer
};
using ProbesByByte = std::array<std::vector<Asked>, 256>;
const ProbesByByte& probes_by_first_byte() {
  static const ProbesByByte index = [] {
    ProbesByByte x;
    for (int c = 0; c < 256; ++c)
      for (const auto* p : probe_list())
        if (p->may_start_with(c)) x[static_cast<std::size_t>(c)].push_back({p, p->may_defer()});
    return x;
  }();
  return index;
}

double round2(double c) { return std::round(c * 100) / 100; }

// "1 byte", "2 bytes".
std::string bytes_count(std::size_t n) { return fmt::format("{} byte{}", n, n == 1 ? "" : "s"); }

struct Ranked {
  Candidate* c;
  double confidence;
  bool port_match;
  bool need_more = false;      // the candidate waits for more bytes (unless they run past those inspected)
  bool off_transport = false;  // its protocol is not carried over the flow's transport
  bool runs_past = false;      // its first message runs past the bytes inspected
  bool explained = false;
};

std::string port_evidence(const ProtocolInfo& p, std::uint16_t port) {
  if (port == 0 || p.default_port == 0) return {};
  if (port == p.default_port) return fmt::format("server port {} is {}'s default", port, p.name);
  for (const auto* probe : probe_list())
    for (const auto* other : probe->protocols())
      if (other->default_port == port)
        return fmt::format("server port {} is the default of {}, not of {} ({})", port, other->name, p.name,
                           p.default_port);
  return fmt::format("server port {} is not {}'s default ({})", port, p.name, p.default_port);
}

std::string describe_unknown(const Bytes& b) {
  std::size_t printable = 0;
  for (std::size_t i = 0; i < b.size(); ++i)
    if (is_printable(b.at(i)) || b.at(i) == '\r' || b.at(i) == '\n' || b.at(i) == '\t') ++printable;
  return fmt::format("no signature matched {} starting {} ({}% printable)", bytes_count(b.size()), hex_prefix(b, 8),
                     printable * 100 / b.size());
}

}  // namespace

std::string_view to_string(Transport t) {
  switch (t) {
    case Transport::unknown: return "unknown";
    case Transport::tcp: return "tcp";
    case Transport::udp: return "udp";
  }
  return "unknown";
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::match: return "match";
    case Status::need_more: return "need_more";
    case Status::unknown: return "unknown";
    case Status::empty: return "empty";
  }
  return "unknown";
}

std::string_view to_string(Category c) { return c == Category::tracker ? "tracker" : "other"; }

void register_probe(const Probe& p) {
  auto& all = probe_list();
  const auto at = std::upper_bound(all.begin(), all.end(), &p, [](const Probe* a, const Probe* q) {
    return a->runs_last() != q->runs_last() ? q->runs_last() : a->family() < q->family();
  });
  all.insert(at, &p);
}

std::span<const Probe* const> registered_probes() { return probe_list(); }

std::vector<const ProtocolInfo*> known_protocols() {
  std::vector<const ProtocolInfo*> out;
  for (const auto* p : probe_list()) out.insert(out.end(), p->protocols().begin(), p->protocols().end());
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
  return out;
}

std::string_view family_of(const ProtocolInfo& p) {
  for (const auto* probe : probe_list())
    for (const auto* q : probe->protocols())
      if (q == &p) return probe->family();
  return {};
}

std::string hex_prefix(const Bytes& b, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n && i < b.size(); ++i) s += fmt::format("{}{:02x}", i ? " " : "", b.at(i));
  if (b.size() > n) s += " …";
  return s;
}

void Probe::explain(const ProbeInput& in, Candidate& c) const {
  thread_local Findings aloud(false);
  aloud.clear();
  examine(in, aloud);
  if (c.ordinal >= aloud.size()) return;
  const Candidate& same = aloud[c.ordinal];
  c.evidence.assign(same.evidence.begin(), same.evidence.end());
  c.headline = same.headline;
}

void identify(Candidate& c, DeviceId&& id, std::string_view what) {
  switch (id.luhn) {
    case LuhnCheck::valid:
      c.note("{} {}: 15 digits with a valid IMEI check digit", what, id.value);
      c.adjust(0.02);
      break;
    case LuhnCheck::invalid: c.note("{} {}: 15 digits, but the IMEI check digit is wrong", what, id.value); break;
    case LuhnCheck::completed: c.note("{} {}: 14 digits, IMEI {} with its check digit", what, id.value, id.imei); break;
    case LuhnCheck::not_imei: c.note("{} {}", what, id.value); break;
  }
  c.device_id = std::move(id);
}

Verdict detect(std::span<const std::byte> first_client_bytes, std::span<const std::byte> first_server_bytes,
               const Hints& hints, Detail detail) {
  Verdict v;
  const bool aloud = detail == Detail::evidence;
  Hints h = hints;
  const Bytes all(first_client_bytes);
  std::vector<std::string> stage0;
  // Every probe speaks quietly first; the candidates shown are explained after the ranking.
  thread_local Findings found(true);
  found.clear();

  // Stage 0: a PROXY header is stripped and reported; its destination port is the real one.
  ProxyHeader proxy;
  std::string problem;
  std::size_t skip = 0;
  switch (parse_proxy_header(all, proxy, problem)) {
    case ProxyParse::ok:
      skip = proxy.length;
      if (aloud)
        stage0.push_back(proxy.src.empty()
                           ? fmt::format("PROXY v{} header ({} bytes, {}{}) stripped", proxy.version, proxy.length,
                                         proxy.family, proxy.local ? ", LOCAL" : "")
                           : fmt::format("PROXY v{} header ({} bytes) stripped: client {} to {}", proxy.version,
                                         proxy.length, proxy.src, proxy.dst));
      if (proxy.dst_port && !h.server_port) h.server_port = proxy.dst_port;
      v.proxy = std::move(proxy);
      break;
    case ProxyParse::need_more: {
      auto& c = found.add(proxy_info);
      c.quiet = false;
      c.at_least(level::prefix, "the bytes begin a PROXY protocol header").wants(0);
      break;
    }
    case ProxyParse::invalid: {
      auto& c = found.add(proxy_info);
      c.quiet = false;
      c.at_least(level::signature, "{}", problem);
      break;
    }
    case ProxyParse::absent: break;
  }

  const Bytes rest = all.from(skip);
  ProbeInput in{rest.first(max_inspect), Bytes(first_server_bytes).first(max_inspect), h, rest.size() > max_inspect};
  v.bytes_seen = in.client.size();
  std::string server_bytes;  // "N bytes: …" when the server's first bytes are known
  if (aloud && !in.server.empty())
    server_bytes = fmt::format("{}: {}", bytes_count(first_server_bytes.size()),
                               in.server.printable_at(0) >= std::min<std::size_t>(in.server.size(), 8)
                                   ? fmt::format("\"{}\"", quote(in.server.text(), 32))
                                   : hex_prefix(in.server, 12));

  if (in.client.empty()) {
    v.status = Status::empty;
    v.protocol = "empty";
    v.confidence = 1;
    if (!aloud) return v;
    v.evidence = std::move(stage0);
    v.evidence.push_back(v.proxy ? "the client sent nothing after its PROXY header" : "the client sent no bytes");
    if (v.proxy && v.proxy->local) v.evidence.push_back("PROXY LOCAL command: the load balancer's own health check");
    if (!server_bytes.empty()) v.evidence.push_back("the server spoke first, " + server_bytes);
    return v;
  }

  // The probes, in order; those that may wait (deferred_bound) are examined only when the
  // verdict could show their candidates.
  thread_local std::vector<const Probe*> waiting;
  waiting.clear();
  double deferred = -1;  // the highest confidence a waiting probe could give
  auto examine = [&](const Probe* p) {
    const std::size_t before = found.size();
    p->examine(in, found);
    for (std::size_t i = before; i < found.size(); ++i) {
      found[i].probe = p;
      found[i].ordinal = i - before;
    }
  };
  for (const auto& [p, may_defer] : probes_by_first_byte()[static_cast<std::size_t>(in.client.at(0))]) {
    if (p->quick(in.client) == Match::no) continue;
    if (may_defer) {
      if (const double bound = p->deferred_bound(in.client); bound >= 0) {
        deferred = std::max(deferred, bound);
        waiting.push_back(p);
        continue;
      }
    }
    examine(p);
  }

  thread_local std::vector<Ranked> ranked;
  thread_local std::vector<Ranked> unique;
  // Ranks the candidates: best first in `ranked`, one entry per protocol in `unique`. (A
  // candidate's place among equals does not depend on where it is in `found`: the order is
  // total between protocols, and stable within one.)
  auto rank = [&] {
    ranked.clear();
    for (auto& c : found.all()) {
      double conf = c.confidence();
      if (conf <= 0) continue;
      Ranked r{&c, 0, h.server_port != 0 && h.server_port == c.info->default_port};
      r.need_more = c.need_more;
      if ((h.transport == Transport::udp && !c.info->udp) || (h.transport == Transport::tcp && !c.info->tcp)) {
        conf *= 0.6;
        r.off_transport = true;
      }
      if (r.need_more && in.clipped && (c.bytes_wanted == 0 || c.bytes_wanted > in.client.size())) {
        r.need_more = false;
        r.runs_past = true;
      }
      if (r.need_more) conf = std::min(conf, need_more_cap);
      r.confidence = round2(std::clamp(conf, 0.0, 0.99));
      ranked.push_back(r);
    }
    // A stable insertion sort: a handful of candidates, and no buffer to allocate.
    auto before = [](const Ranked& a, const Ranked& b) {
      // A tracker protocol proven on top of a generic carrier (OsmAnd over HTTP, a tracker over
      // MQTT) is the answer, not the carrier.
      const bool a_tracker = a.confidence >= confident && a.c->info->category == Category::tracker;
      const bool b_tracker = b.confidence >= confident && b.c->info->category == Category::tracker;
      if (a_tracker != b_tracker && std::min(a.confidence, b.confidence) >= confident) return a_tracker;
      if (a.confidence != b.confidence) return a.confidence > b.confidence;
      if (a.port_match != b.port_match) return a.port_match;
      if (a.need_more != b.need_more) return !a.need_more;
      if (a.c->info->common != b.c->info->common) return a.c->info->common;
      return a.c->info->name < b.c->info->name;
    };
    for (std::size_t i = 1; i < ranked.size(); ++i) {
      const Ranked r = ranked[i];
      std::size_t j = i;
      for (; j > 0 && before(r, ranked[j - 1]); --j) ranked[j] = ranked[j - 1];
      ranked[j] = r;
    }
    // One entry per protocol: the best of its candidates.
    unique.clear();
    for (const auto& r : ranked)
      if (std::none_of(unique.begin(), unique.end(), [&](const Ranked& u) { return u.c->info == r.c->info; }))
        unique.push_back(r);
  };
  // Whether the two best protocols are a tie (see below).
  auto tied = [&] {
    return unique.size() >= 2 && unique[1].confidence >= ambiguous_floor &&
           unique[0].c->info->category == Category::tracker && unique[1].c->info->category == Category::tracker &&
           unique[0].confidence - unique[1].confidence < ambiguous_margin;
  };
  rank();
  if (!waiting.empty()) {
    // A candidate of `deferred` or less is shown neither as the verdict nor among the
    // alternatives of a winner more than three times as confident (nor is it part of a tie).
    const double top = unique.empty() ? 0 : tied() ? std::min(unique[0].confidence, ambiguous_cap) : unique[0].confidence;
    if (top < min_match || deferred >= std::max(0.1, top / 3)) {
      for (const auto* p : waiting) examine(p);
      rank();
    }
  }
  // What the ranking settled: a first message that runs past the bytes inspected is not waited
  // for; a candidate uses at most the bytes seen.
  for (const auto& r : ranked) {
    Candidate& c = *r.c;
    if (r.runs_past) c.need_more = false;
    if (c.bytes_used == 0 || c.bytes_used > in.client.size()) c.bytes_used = in.client.size();
  }
  // The evidence of a candidate that is shown: its probe's, then what the ranking saw.
  auto explain = [&](Ranked& r) {
    if (!aloud || r.explained) return;
    r.explained = true;
    Candidate& c = *r.c;
    if (c.quiet && c.probe) {
      c.quiet = false;
      c.probe->explain(in, c);
    }
    if (r.off_transport) c.note("{} is not carried over {}", c.info->name, to_string(h.transport));
    if (r.runs_past)
      c.note("the first message runs past the {} bytes inspected; its end and checks were not examined",
             in.client.size());
  };

  // Two protocols that both fit well: neither is named with confidence; the evidence names both
  // and what each rests on, so that the grammar that would separate them can be checked.
  std::string tie;
  // A tracker protocol carried over a generic one (OsmAnd over HTTP) is not a tie with it.
  if (tied()) {
    explain(unique[0]);
    explain(unique[1]);
    const Candidate& a = *unique[0].c;
    const Candidate& b = *unique[1].c;
    if (aloud)
      tie = fmt::format("both {} ({:.2f}: {}) and {} ({:.2f}: {}) fit this message; confidence is held below {:.2f}",
                      a.info->name, unique[0].confidence, a.evidence.empty() ? "" : a.evidence[a.headline],
                      b.info->name, unique[1].confidence, b.evidence.empty() ? "" : b.evidence[b.headline],
                      ambiguous_floor);
    unique[0].confidence = std::min(unique[0].confidence, ambiguous_cap);
    unique[1].confidence = std::min(unique[1].confidence, ambiguous_cap);
  }
  const bool decided = !unique.empty() && unique.front().confidence >= min_match;
  std::size_t first_alt = 0;
  v.evidence = std::move(stage0);
  if (decided) {
    explain(unique.front());
    Candidate& w = *unique.front().c;
    v.status = w.need_more ? Status::need_more : Status::match;
    v.protocol = w.info->name;
    v.category = w.info->category;
    v.confidence = unique.front().confidence;
    v.device_id = std::move(w.device_id);
    if (v.device_id) add_variants(*v.device_id);
    v.bytes_used = w.bytes_used;
    v.bytes_wanted = w.need_more ? w.bytes_wanted : 0;
    first_alt = 1;
    if (aloud) {
      for (auto& e : w.evidence) v.evidence.push_back(std::move(e));
      if (auto pe = port_evidence(*w.info, h.server_port); !pe.empty()) v.evidence.push_back(std::move(pe));
      if (!tie.empty()) v.evidence.push_back(tie);
      if (w.need_more)
        v.evidence.push_back(w.bytes_wanted ? fmt::format("{} of the {} the first message declares have arrived",
                                                          in.client.size(), bytes_count(w.bytes_wanted))
                                            : fmt::format("the first message has not ended after {}",
                                                          bytes_count(in.client.size())));
      else
        v.evidence.push_back(fmt::format("decided on {} of {}", v.bytes_used, bytes_count(v.bytes_seen)));
    }
  } else {
    if (aloud) v.evidence.push_back(describe_unknown(in.client));
    v.bytes_used = in.client.size();
  }
  if (!server_bytes.empty()) v.evidence.push_back("the server answered " + server_bytes);
  for (std::size_t i = first_alt; i < unique.size() && v.alternatives.size() < max_alternatives; ++i) {
    const Candidate& c = *unique[i].c;
    // Runners-up worth a look: not the faint near misses of a clear winner.
    if (decided && unique[i].confidence < std::max(0.1, v.confidence / 3)) break;
    explain(unique[i]);
    v.alternatives.push_back(
        {c.info->name, unique[i].confidence, c.need_more,
         !aloud || c.evidence.empty() ? std::string{} : c.evidence[c.headline]});
  }
  return v;
}

}  // namespace vt106::detect
