// The doctor's checks. Each looks at the facts of one device (or of the whole input) and says
// pass, warn, fail or not applicable, with evidence, a fix and the group its next step joins;
// the first failure in data-path order is the device's verdict.
#include "vt106/doctor/checks.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "vt106/util/time.hpp"

namespace vt106::doctor {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::pass: return "pass";
    case Status::warn: return "warn";
    case Status::fail: return "fail";
    case Status::not_applicable: return "n/a";
  }
  return "n/a";
}

const std::vector<std::pair<std::string_view, std::string_view>>& check_catalogue() {
  static const std::vector<std::pair<std::string_view, std::string_view>> list = {
      {"reach.traffic", "anything reached the platform at all"},
      {"reach.handshake", "TCP connection attempts were answered"},
      {"reach.refused", "connections were not refused (RST to the SYN)"},
      {"reach.udp_unreachable", "UDP datagrams were not refused with ICMP port unreachable"},
      {"reach.silent", "connections carried data from the device"},
      {"protocol.detected", "the device speaks GOTOP (first-bytes detection names what it speaks instead)"},
      {"protocol.framing", "the frames decode (no junk, truncated frames or capture gaps)"},
      {"session.server_close", "the platform does not close or reset the connection right after a message"},
      {"session.ended", "connections end cleanly: no resets, no idle timeouts (and who ended them)"},
      {"identity.imei", "one 15-digit IMEI with a valid check digit per device and connection"},
      {"content.positions", "positions arrive, not only heartbeats"},
      {"content.fix_valid", "fixes are valid (A) and not 0,0"},
      {"content.time_future", "fix times are not ahead of the arrival time (device time zone)"},
      {"content.time_past", "fix times are current: not 1024 weeks back, not a default date, not days old"},
      {"content.buffered_alarms", "alarms arrive when they happen, not from the device's buffer"},
      {"content.duplicates", "frames are not sent again (same content and fix time), no retransmission flood"},
      {"content.interval", "the device reports more often than the platform's status timeout"},
  };
  return list;
}

std::string count_of(std::uint64_t n, std::string_view noun) {
  if (n == 1) return fmt::format("1 {}", noun);
  const bool sibilant = noun.ends_with("s") || noun.ends_with("x") || noun.ends_with("ch") || noun.ends_with("sh");
  if (sibilant) return fmt::format("{} {}es", n, noun);
  return fmt::format("{} {}s", n, noun);
}

std::string shell_quote(std::string_view word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-_./:,+=@%").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  out += "'";
  return out;
}

namespace {

std::string iso_ns(std::int64_t ns) {
  std::string s;
  util::append_iso8601_us(s, ns);
  return s;
}
std::string iso_s(std::int64_t s) {
  std::string out;
  util::append_iso8601(out, s);
  return out;
}

// "8 h", "8 h 30 min", "45 s", "19.6 years" for a non-negative number of seconds.
std::string duration_text(std::int64_t s) {
  if (s >= 365LL * 86400) return fmt::format("{:.1f} years", static_cast<double>(s) / (365.25 * 86400));
  if (s >= 2 * 86400) return fmt::format("{} days", s / 86400);
  if (s >= 3600) return s % 3600 >= 60 ? fmt::format("{} h {} min", s / 3600, s % 3600 / 60) : fmt::format("{} h", s / 3600);
  if (s >= 60) return fmt::format("{} min", s / 60);
  return fmt::format("{} s", s);
}
std::int64_t floor_seconds(std::int64_t ns) { return ns / 1'000'000'000 - (ns % 1'000'000'000 < 0); }
std::string seconds_text(std::int64_t ns) { return fmt::format("{:.1f} s", static_cast<double>(ns) / 1e9); }

// "GOTOP", "GT06", "TLS", "Teltonika": how the report names a protocol.
std::string protocol_title(std::string_view name) {
  std::string out(name);
  if (out.size() <= 6) {
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  } else if (!out.empty()) {
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  }
  return out;
}


// "the only connection", "all 3 connections", "2 of 3 connections"; and the verb that agrees.
std::string part_of(std::uint64_t k, std::uint64_t n, std::string_view noun) {
  if (n == 1) return fmt::format("the only {}", noun);
  if (k == n) return fmt::format("all {}", count_of(n, noun));
  return fmt::format("{} of {}", k, count_of(n, noun));
}
std::string_view was(std::uint64_t k, std::uint64_t n) { return n == 1 || (k == 1 && k != n) ? "was" : "were"; }

struct View {
  std::string name, protocol;
  const DeviceFacts* facts = nullptr;           // GOTOP devices
  std::vector<const FlowFacts*> flows;          // ascending ids
  std::vector<const UnreachableFacts*> unreachable;
  std::vector<std::string> addresses;
  bool identified = false;
};

class Checker {
 public:
  Checker(const Facts& facts, const Options& options, Report& report)
      : facts_(facts), options_(options), report_(report) {}

  void run();

 private:
  Finding& add(std::string_view check, Status status, std::string summary) {
    Finding f;
    f.check = std::string(check);
    f.device = current_->name;
    f.status = status;
    f.summary = std::move(summary);
    current_findings_->push_back(std::move(f));
    return current_findings_->back();
  }
  static void group(Finding& f, std::string key, std::string one, std::string many) {
    f.group = std::move(key);
    f.group_one = std::move(one);
    f.group_many = std::move(many);
  }
  void build_views();
  std::vector<View*> select();
  void device_checks(View& v, Device& out);
  void reach(const View& d);
  void protocol(const View& d);
  void session(const View& d);
  void identity(const View& d);
  void content(const View& d);
  std::string inputs_words() const {
    std::string out;
    for (const auto& i : options_.inputs) out += " " + shell_quote(i);
    return out;
  }
  std::string verdict_of(const Device& d) const;

  const Facts& facts_;
  const Options& options_;
  Report& report_;
  std::map<std::string, View> views_;
  std::vector<const FlowFacts*> sorted_flows_;
  std::string listening_;   // an address:port where some device delivered GOTOP data (IPv4)
  const View* current_ = nullptr;
  std::vector<Finding>* current_findings_ = nullptr;
};

void Checker::build_views() {
  for (const auto& [id, f] : facts_.flows) sorted_flows_.push_back(&f);
  std::sort(sorted_flows_.begin(), sorted_flows_.end(), [](auto* a, auto* b) { return a->id < b->id; });
  auto add_address = [](View& v, const std::string& host) {
    if (!host.empty() && std::find(v.addresses.begin(), v.addresses.end(), host) == v.addresses.end())
      v.addresses.push_back(host);
  };
  // GOTOP devices: one per identifier, with every flow that carried it.
  for (const auto& [imei, d] : facts_.devices) {
    View& v = views_[imei];
    v.name = imei;
    v.protocol = "gotop";
    v.facts = &d;
    v.identified = true;
    if (!d.last_src.empty()) add_address(v, host_of(d.last_src));
  }
  std::map<std::string, std::vector<std::string>> hosts;  // client address → identified devices using it
  std::vector<const FlowFacts*> unnamed;
  for (const FlowFacts* f : sorted_flows_) {
    if (!f->imeis.empty()) {
      for (const auto& imei : f->imeis) {
        View& v = views_[imei];
        v.flows.push_back(f);
        add_address(v, f->client_host);
      }
      if (listening_.empty() && f->uplink_messages > 0 && !f->udp && f->server.find('[') == std::string::npos &&
          !f->from_log)
        listening_ = f->server;
    } else if (!f->device_id.empty()) {
      View& v = views_[f->device_id];
      v.name = f->device_id;
      v.protocol = std::string(f->protocol);
      v.identified = true;
      v.flows.push_back(f);
      add_address(v, f->client_host);
    } else {
      unnamed.push_back(f);
    }
  }
  for (auto& [name, v] : views_)
    if (v.identified)
      for (const auto& a : v.addresses) {
        auto& list = hosts[a];
        if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
      }
  // Connections that carried no identifier: the device of that address when only one
  // identified device used it and the connection carried no bytes (refused, unanswered,
  // silent); else a client of its own, named by its address.
  for (const FlowFacts* f : unnamed) {
    auto h = hosts.find(f->client_host);
    std::string key;
    if (f->client_bytes == 0 && h != hosts.end() && h->second.size() == 1) key = h->second.front();
    else key = f->client_host;
    View& v = views_[key];
    if (v.name.empty()) v.name = key;
    if (v.protocol.empty() && !f->protocol.empty()) v.protocol = std::string(f->protocol);
    v.flows.push_back(f);
    add_address(v, f->client_host);
  }
  for (const auto& u : facts_.unreachable) {
    std::string key = host_of(u.src);
    if (u.flow != 0)
      if (auto it = facts_.flows.find(u.flow); it != facts_.flows.end()) {
        if (!it->second.imeis.empty()) key = it->second.imeis.front();
        else if (!it->second.device_id.empty()) key = it->second.device_id;
      }
    View& v = views_[key];
    if (v.name.empty()) v.name = key;
    v.unreachable.push_back(&u);
    add_address(v, host_of(u.src));
  }
  for (auto& [name, v] : views_)
    std::sort(v.flows.begin(), v.flows.end(), [](auto* a, auto* b) { return a->id < b->id; });
}

// The views asked for (--imei), or all; names the --imei values that match nothing.
std::vector<View*> Checker::select() {
  std::vector<View*> out;
  if (options_.imeis.empty()) {
    for (auto& [name, v] : views_) out.push_back(&v);
    return out;
  }
  for (const auto& want : options_.imeis) {
    View* match = nullptr;
    if (auto it = views_.find(want); it != views_.end()) match = &it->second;
    if (!match)
      for (auto& [name, v] : views_)
        for (const FlowFacts* f : v.flows)
          if (!f->device_id.empty() && (f->device_imei == want || f->device_id == want) && v.name == f->device_id)
            match = &v;
    if (match) {
      if (std::find(out.begin(), out.end(), match) == out.end()) out.push_back(match);
      continue;
    }
    Missing m;
    m.imei = want;
    if (want.size() == 15 && !imei_check_digit_ok(want)) {
      m.check_digit_fails = true;
      m.right_check_digit = imei_check_digit(want.substr(0, 14)).value_or('?');
    }
    std::vector<SeenId> seen;
    for (const auto& [name, v] : views_) {
      if (!v.identified) continue;
      seen.push_back({v.name, v.name, v.protocol});
      for (const FlowFacts* f : v.flows)
        if (!f->device_imei.empty() && f->device_imei != v.name) {
          seen.push_back({f->device_imei, v.name, v.protocol});
          break;
        }
    }
    m.candidates = likely_devices(want, seen);
    report_.missing.push_back(std::move(m));
  }
  return out;
}

void Checker::run() {
  build_views();
  report_.devices_seen = views_.size();
  report_.flows = facts_.flows.size();
  report_.first_ns = facts_.first_ns;
  report_.last_ns = facts_.last_ns;

  // The input as a whole.
  View all;
  current_ = &all;
  current_findings_ = &report_.input_findings;
  if (views_.empty()) {
    auto& f = add("reach.traffic", Status::fail, "the input holds no traffic from any device at all");
    f.device.clear();
    f.fix = "capture on the platform's interface and port while the device should report, and check that the "
            "device has a data connection and points at this platform";
    f.command = "vt106 capture -i any --port 8888 --duration 600 -w device.pcap";
    f.evidence.push_back({"packets", std::to_string(facts_.packets)});
    if (facts_.log_lines) f.evidence.push_back({"log_lines", std::to_string(facts_.log_lines)});
  } else {
    std::uint64_t bytes = 0;
    for (const auto& [id, f] : facts_.flows) bytes += f.client_bytes;
    auto& f = add("reach.traffic", Status::pass,
                  facts_.flows.empty()
                      ? fmt::format("{} in log lines (no connections)", count_of(views_.size(), "device"))
                      : fmt::format("{} from {}, {} from the devices", count_of(facts_.flows.size(), "connection"),
                                    count_of(views_.size(), "device"), count_of(bytes, "byte")));
    f.device.clear();
    f.evidence.push_back({"first", iso_ns(facts_.first_ns)});
    f.evidence.push_back({"last", iso_ns(facts_.last_ns)});
  }

  for (View* v : select()) {
    Device d;
    d.name = v->name;
    d.protocol = v->protocol;
    d.addresses = v->addresses;
    if (v->protocol == "gotop" || (v->protocol.empty() && v->facts)) d.label = "GOTOP device " + v->name;
    else if (v->identified) d.label = fmt::format("{} device {}", protocol_title(v->protocol), v->name);
    else if (!v->protocol.empty() && v->protocol != "unknown")
      d.label = fmt::format("{} client {}", protocol_title(v->protocol), v->name);
    else d.label = fmt::format("client {}", v->name);
    device_checks(*v, d);
    report_.devices.push_back(std::move(d));
  }

  // Missing devices are findings too (identity.imei, failed), first in the report.
  std::vector<Finding> missing;
  for (const auto& m : report_.missing) {
    Finding f;
    f.check = "identity.imei";
    f.status = Status::fail;
    f.device = m.imei;
    if (m.candidates.empty())
      f.summary = fmt::format("{} is not in the input, and no device sends an identifier close to it", m.imei);
    else
      f.summary = fmt::format("{} is not in the input; most likely it is {} ({})", m.imei, m.candidates.front().device,
                              m.candidates.front().evidence);
    if (m.check_digit_fails)
      f.evidence.push_back({"check_digit", fmt::format("{} fails the IMEI check digit: with these first 14 digits it "
                                                       "would be {}", m.imei, m.right_check_digit)});
    for (const auto& c : m.candidates)
      f.evidence.push_back({"candidate", fmt::format("{} ({} device): {}", c.device, protocol_title(c.protocol), c.evidence)});
    f.evidence.push_back({"devices_seen", std::to_string(views_.size())});
    if (!m.candidates.empty()) {
      f.fix = "correct the identifier registered on the platform (or on the device), then look at that device";
      f.command = fmt::format("vt106 doctor{} --imei {}", inputs_words(), m.candidates.front().device);
    } else {
      f.fix = "the device with this identifier sent nothing the input holds: check that it reaches this platform "
              "(the devices without an identifier, if any, are listed by address)";
    }
    group(f, "identity.missing", "is not in the input", "are not in the input");
    missing.push_back(std::move(f));
  }
  report_.input_findings.insert(report_.input_findings.begin() + (report_.input_findings.empty() ? 0 : 1),
                                missing.begin(), missing.end());

  // The verdict.
  std::size_t failing = 0, warning = 0;
  for (const auto& d : report_.devices) {
    failing += d.worst == Status::fail;
    warning += d.worst == Status::warn;
  }
  report_.failed = failing > 0 || !report_.missing.empty() ||
                   std::any_of(report_.input_findings.begin(), report_.input_findings.end(),
                               [](const Finding& f) { return f.status == Status::fail; });
  std::vector<std::string> parts;
  for (const auto& f : missing) parts.push_back(f.summary);
  if (report_.devices.empty() && missing.empty()) {
    parts.push_back(report_.input_findings.front().summary);
  } else if (report_.devices.size() == 1 || !options_.imeis.empty()) {
    for (const auto& d : report_.devices) parts.push_back(verdict_of(d));
  } else {
    // Many devices: how many fail, and the most common problem.
    std::map<std::string, std::pair<std::size_t, const Finding*>> groups;
    for (const auto& d : report_.devices)
      for (const auto& f : d.findings)
        if (f.status == d.worst && (f.status == Status::fail || f.status == Status::warn)) {
          auto& g = groups[f.group.empty() ? f.check : f.group];
          if (!g.second) g.second = &f;
          ++g.first;
          break;
        }
    const std::pair<std::size_t, const Finding*>* top = nullptr;
    for (const auto& [k, g] : groups)
      if (!top || g.first > top->first || (g.first == top->first && g.second->status == Status::fail &&
                                          top->second->status != Status::fail))
        top = &g;
    const std::size_t n = report_.devices.size();
    if (failing == 0 && warning == 0) {
      parts.push_back(fmt::format("all {} pass: positions arrive, valid and on time", count_of(n, "device")));
    } else {
      std::string head = failing ? fmt::format("{} of {} fail a check", failing, count_of(n, "device"))
                                 : fmt::format("none of {} fails a check", count_of(n, "device"));
      if (warning) head += fmt::format(", {} more {}", warning, warning == 1 ? "warns" : "warn");
      if (top) {
        const Finding& f = *top->second;
        head += fmt::format("; the most common: {} {}", count_of(top->first, "device"),
                            top->first == 1 ? f.group_one : f.group_many);
      }
      parts.push_back(head);
    }
  }
  report_.verdict = fmt::format("{}", fmt::join(parts, "; "));
}

std::string Checker::verdict_of(const Device& d) const {
  const Finding* first = nullptr;
  for (const auto& f : d.findings)
    if (f.status == Status::fail) {
      first = &f;
      break;
    }
  if (!first)
    for (const auto& f : d.findings)
      if (f.status == Status::warn) {
        first = &f;
        break;
      }
  if (!first)
    return d.label + ": positions arrive, valid and on time; if the platform still does not show the device, "
                     "check that it is registered and enabled there";
  return fmt::format("{}: {}", d.label, first->summary);
}

void Checker::device_checks(View& v, Device& out) {
  current_ = &v;
  current_findings_ = &out.findings;
  reach(v);
  protocol(v);
  session(v);
  identity(v);
  content(v);
  out.worst = Status::pass;
  for (const auto& f : out.findings) {
    if (f.status == Status::fail) out.worst = Status::fail;
    else if (f.status == Status::warn && out.worst != Status::fail) out.worst = Status::warn;
  }
}

void Checker::reach(const View& d) {
  std::uint64_t tcp = 0, unanswered = 0, refused = 0, silent = 0, established = 0;
  const FlowFacts* example_unanswered = nullptr;
  const FlowFacts* example_refused = nullptr;
  const FlowFacts* example_silent = nullptr;
  for (const FlowFacts* f : d.flows) {
    if (f->udp || f->from_log) continue;
    ++tcp;
    const bool answered = f->syn_ack || (!f->syn && (f->client_bytes > 0 || f->server_packets > 0));
    if (f->syn && !f->syn_ack && f->server_rst && f->client_bytes == 0) {
      ++refused;
      if (!example_refused) example_refused = f;
    } else if (f->syn && !answered) {
      ++unanswered;
      if (!example_unanswered) example_unanswered = f;
    } else {
      ++established;
      if (f->client_bytes == 0) {
        ++silent;
        if (!example_silent) example_silent = f;
      }
    }
  }
  if (tcp == 0) {
    add("reach.handshake", Status::not_applicable, "no TCP connection from this device");
    add("reach.refused", Status::not_applicable, "no TCP connection from this device");
  } else {
    if (unanswered > 0) {
      auto& f = add("reach.handshake", established ? Status::warn : Status::fail,
                    fmt::format("{} to {} got no answer", part_of(unanswered, tcp, "connection attempt"),
                                example_unanswered->server));
      f.flow = example_unanswered->id;
      f.evidence.push_back({"first_syn", iso_ns(example_unanswered->first_ns)});
      f.fix = "the platform port is filtered or not forwarded: check the firewall, port forwarding and the "
              "listener on " + example_unanswered->server;
      group(f, "reach.handshake:" + example_unanswered->server,
            "gets no answer to its connection attempts to " + example_unanswered->server,
            "get no answer to their connection attempts to " + example_unanswered->server);
    } else {
      add("reach.handshake", Status::pass,
          tcp == 1 ? std::string("1 TCP connection attempt, answered")
                   : fmt::format("{}, all answered", count_of(tcp, "TCP connection attempt")));
    }
    if (refused > 0) {
      auto& f = add("reach.refused", established ? Status::warn : Status::fail,
                    fmt::format("{} to {} {} refused (RST from the platform's side): nothing listens there",
                                part_of(refused, tcp, "connection attempt"), example_refused->server,
                                was(refused, tcp)));
      f.flow = example_refused->id;
      f.evidence.push_back({"first_refusal", iso_ns(example_refused->first_ns)});
      f.evidence.push_back({"refused_by", example_refused->server});
      if (!listening_.empty() && listening_ != example_refused->server) {
        f.fix = fmt::format("the platform listens on {}, not on {}: point the device there (replace internet with "
                            "the APN of its SIM card), or start a listener on {}",
                            listening_, example_refused->server, example_refused->server);
        f.command = fmt::format("vt106 craft server {} --apn internet", listening_);
      } else {
        f.fix = "start the platform's listener on " + example_refused->server +
                ", or point the device at the port the platform listens on";
      }
      group(f, "reach.refused:" + example_refused->server, "is refused on " + example_refused->server,
            "are refused on " + example_refused->server);
    } else {
      add("reach.refused", Status::pass, "no connection was refused");
    }
  }
  if (!d.unreachable.empty()) {
    const auto* u = d.unreachable.front();
    std::uint64_t count = 0;
    for (const auto* x : d.unreachable) count += x->count;
    auto& f = add("reach.udp_unreachable", Status::fail,
                  fmt::format("{} to {} {} refused with ICMP port unreachable: nothing listens on UDP there",
                              count_of(count, "datagram"), u->dst, count == 1 ? "was" : "were"));
    if (u->flow) f.flow = u->flow;
    f.evidence.push_back({"reporter", u->reporter});
    f.evidence.push_back({"first", iso_ns(u->ts_ns)});
    if (!listening_.empty()) {
      f.fix = fmt::format("the platform takes TCP on {}: switch the device to TCP there (replace internet with the "
                          "APN of its SIM card), or open UDP on {}", listening_, u->dst);
      f.command = fmt::format("vt106 craft server {} --apn internet", listening_);
    } else {
      f.fix = "open UDP on the platform's port " + u->dst + ", or switch the device to TCP";
    }
    group(f, "reach.udp_unreachable:" + u->dst, "sends UDP to " + u->dst + ", where nothing listens",
          "send UDP to " + u->dst + ", where nothing listens");
  } else {
    bool udp = false;
    for (const FlowFacts* fl : d.flows) udp = udp || fl->udp;
    add("reach.udp_unreachable", udp ? Status::pass : Status::not_applicable,
        udp ? "no ICMP port unreachable" : "no UDP from this device");
  }
  if (established == 0) {
    add("reach.silent", Status::not_applicable, "no established connection");
  } else if (silent > 0) {
    auto& f = add("reach.silent", silent == established ? Status::fail : Status::warn,
                  fmt::format("{} carried no data from the device", part_of(silent, established, "connection")));
    f.flow = example_silent->id;
    f.evidence.push_back({"opened", iso_ns(example_silent->first_ns)});
    f.evidence.push_back({"ended", std::string(example_silent->close_reason)});
    f.fix = "the device connects but sends nothing: check its reporting mode and interval, and whether a proxy or "
            "load balancer in front of the platform holds the data";
    f.command = "vt106 craft track 30s";
    group(f, "reach.silent", "connects but sends nothing", "connect but send nothing");
  } else {
    add("reach.silent", Status::pass, fmt::format("{} carried data", count_of(established, "connection")));
  }
}

void Checker::protocol(const View& d) {
  const FlowFacts* foreign = nullptr;
  std::uint64_t gotop = 0, judged = 0;
  for (const FlowFacts* f : d.flows) {
    if (f->protocol.empty()) continue;
    ++judged;
    if (f->protocol == "gotop" || f->uplink_messages > 0) ++gotop;
    else if (!foreign) foreign = f;
  }
  if (judged == 0 && d.facts && d.flows.empty()) {
    add("protocol.detected", Status::pass, "GOTOP frames (from a log)");
  } else if (judged == 0) {
    add("protocol.detected", Status::not_applicable, "the device sent no bytes to judge");
  } else if (!foreign) {
    add("protocol.detected", Status::pass,
        judged == 1 ? std::string("GOTOP on its connection") : fmt::format("GOTOP on all {} connections", judged));
  } else {
    const auto& v = *foreign;
    std::string what, fix, one, many;
    const std::string title = protocol_title(v.protocol);
    if (v.detect_status == detect::Status::match && v.category == detect::Category::tracker) {
      std::uint16_t port = 0;
      for (const auto* p : detect::known_protocols())
        if (p->name == v.protocol) port = p->default_port;
      what = fmt::format("speaks {}, not GOTOP (confidence {:.2f})", title, v.confidence);
      fix = port ? fmt::format("this is a {} device: point it at the platform's {} port ({} in Traccar), or register "
                               "it under that protocol",
                               title, title, port)
                 : fmt::format("this is a {} device: point it at the platform's port for that protocol", title);
      one = fmt::format("speaks {}, not GOTOP", title);
      many = fmt::format("speak {}, not GOTOP", title);
    } else if (v.detect_status == detect::Status::match) {
      what = fmt::format("sends {} to the tracker port, not a tracker protocol", title);
      fix = v.protocol == "tls" ? "the client speaks TLS: disable encryption on the device or app, or give it a TLS "
                                  "endpoint; the GOTOP port is plain text"
                                : "this is not a tracker: find the program sending it (a scanner, an app, a proxy "
                                  "health check) and keep it off the tracker port";
      one = fmt::format("sends {}, not a tracker protocol", title);
      many = fmt::format("send {}, not a tracker protocol", title);
    } else {
      what = "sends bytes that are neither GOTOP nor any known tracker protocol";
      fix = "compare the first bytes with the device's manual; the command shows the nearest protocols";
      one = "sends bytes no known protocol matches";
      many = "send bytes no known protocol matches";
    }
    if (!v.platform_protocol.empty()) what += fmt::format(" (the platform decoded it as {})", v.platform_protocol);
    auto& f = add("protocol.detected", Status::fail, what);
    f.flow = v.id;
    f.evidence.push_back({"protocol", std::string(v.protocol)});
    f.evidence.push_back({"first_bytes", v.first_bytes});
    for (const auto& e : v.detect_evidence) f.evidence.push_back({"detect", e});
    if (!v.device_id.empty()) f.evidence.push_back({"device_id", v.device_id});
    if (!v.device_imei.empty() && v.device_imei != v.device_id) f.evidence.push_back({"imei", v.device_imei});
    f.fix = fix;
    if (!v.first_hex.empty()) f.command = fmt::format("vt106 detect --hex {}", v.first_hex);
    group(f, "protocol.detected:" + std::string(v.protocol), one, many);
  }
  // Framing: decode errors and capture gaps on GOTOP flows.
  std::uint64_t errors = 0, messages = 0, gaps = 0, missing = 0;
  std::map<std::string, std::uint64_t> codes;
  const FlowFacts* example = nullptr;
  for (const FlowFacts* f : d.flows) {
    if (f == foreign || (!f->protocol.empty() && f->protocol != "gotop" && f->uplink_messages == 0)) continue;
    messages += f->messages;
    errors += f->errors;
    gaps += f->gaps;
    missing += f->bytes_missing;
    for (const auto& [c, n] : f->error_codes) codes[c] += n;
    if (!example && f->errors > 0) example = f;
  }
  if (d.facts && d.flows.empty()) messages = d.facts->messages;
  if (messages == 0 && errors == 0) {
    add("protocol.framing", Status::not_applicable, "no GOTOP frames");
  } else if (errors == 0) {
    add("protocol.framing", Status::pass, fmt::format("{}, no decode errors", count_of(messages, "message")));
  } else {
    std::vector<std::string> parts;
    for (const auto& [c, n] : codes) parts.push_back(fmt::format("{} {}", n, c));
    auto& f = add("protocol.framing", errors > messages ? Status::fail : Status::warn,
                  fmt::format("{} beside {}: {}", count_of(errors, "problem"), count_of(messages, "message"),
                              fmt::join(parts, ", ")));
    if (example) {
      f.flow = example->id;
      f.evidence.push_back({"first_error", example->first_error});
    }
    if (gaps) f.evidence.push_back({"capture_gaps", fmt::format("{}, {} missing", count_of(gaps, "gap"), count_of(missing, "byte"))});
    const bool capture_only = gaps && codes.size() == codes.count("gap") + codes.count("truncated") + codes.count("junk");
    if (capture_only) {
      f.fix = "bytes are missing from the capture itself: capture with a larger buffer or closer to the platform";
      group(f, "protocol.framing:capture", "has bytes missing from the capture", "have bytes missing from the capture");
    } else {
      f.fix = "the error records say what each frame lacks";
      f.command = fmt::format("vt106 decode{}{} --event error", inputs_words(),
                              d.facts ? " --imei " + d.name : std::string());
      group(f, "protocol.framing", "sends frames that do not decode", "send frames that do not decode");
    }
  }
}

void Checker::session(const View& d) {
  std::uint64_t with_messages = 0, tcp = 0;
  std::uint64_t closes = 0, resets = 0;
  const FlowFacts* example = nullptr;
  // How the other connections ended.
  std::uint64_t device_fin = 0, device_rst = 0, platform_fin = 0, platform_rst = 0, platform_idle = 0, timeouts = 0,
                open = 0, log_ended = 0;
  const FlowFacts *ex_device_rst = nullptr, *ex_platform_rst = nullptr, *ex_platform_idle = nullptr, *ex_timeout = nullptr;
  std::int64_t idle_ns = 0;
  for (const FlowFacts* f : d.flows) {
    if (f->udp || f->client_bytes == 0) continue;
    ++tcp;
    const std::int64_t c_end = f->end_ns(true), s_end = f->end_ns(false);
    const bool server_first = s_end != 0 && (c_end == 0 || s_end < c_end);
    bool right_after = false;
    if (f->messages > 0 || f->uplink_messages > 0) {
      ++with_messages;
      // The platform ended the connection first, within seconds of the device's first message,
      // while the device had not gone quiet.
      right_after = server_first && f->first_message_ns != 0 && s_end >= f->first_message_ns &&
                    s_end - f->first_message_ns < 5'000'000'000LL && s_end - f->last_client_data_ns < 1'000'000'000LL;
      if (right_after) {
        const bool rst = f->server_rst && (!f->server_fin || f->server_rst_ns <= f->server_fin_ns);
        ++(rst ? resets : closes);
        if (!example) example = f;
        continue;
      }
    }
    if (f->from_log) {
      ++log_ended;
      continue;
    }
    if (server_first) {
      const bool rst = f->server_rst && (!f->server_fin || f->server_rst_ns <= f->server_fin_ns);
      const std::int64_t quiet = s_end - f->last_client_data_ns;
      if (!rst && f->last_client_data_ns != 0 && quiet >= 1'000'000'000LL) {
        ++platform_idle;
        if (!ex_platform_idle) {
          ex_platform_idle = f;
          idle_ns = quiet;
        }
      } else if (rst) {
        ++platform_rst;
        if (!ex_platform_rst) ex_platform_rst = f;
      } else {
        ++platform_fin;
      }
    } else if (c_end != 0) {
      const bool rst = f->client_rst && (!f->client_fin || f->client_rst_ns <= f->client_fin_ns);
      if (rst) {
        ++device_rst;
        if (!ex_device_rst) ex_device_rst = f;
      } else {
        ++device_fin;
      }
    } else if (f->close_reason == "idle_timeout") {
      ++timeouts;
      if (!ex_timeout) ex_timeout = f;
    } else {
      ++open;
    }
  }
  if (with_messages == 0) {
    add("session.server_close", Status::not_applicable, "no TCP connection carried messages");
  } else if (closes + resets == 0) {
    add("session.server_close", Status::pass, "the platform kept the connections open after the device's messages");
  } else {
    const bool rst = example->server_rst && (!example->server_fin || example->server_rst_ns < example->server_fin_ns);
    const std::string mixed = resets && closes ? fmt::format(" ({} closed (FIN), {} reset (RST))", closes, resets) : "";
    auto& f = add("session.server_close", Status::fail,
                  fmt::format("the platform {} right after the device's first message: on {}{}, {} after the message",
                              rst ? "resets the connection (RST)" : "closes the connection (FIN)",
                              part_of(closes + resets, with_messages, "connection"), mixed,
                              seconds_text(example->end_ns(false) - example->first_message_ns)));
    f.flow = example->id;
    f.evidence.push_back({"message", iso_ns(example->first_message_ns)});
    f.evidence.push_back({rst ? "reset" : "closed", iso_ns(example->end_ns(false))});
    f.evidence.push_back({"by", "platform " + example->server});
    f.evidence.push_back({"how", rst ? "RST" : "FIN"});
    f.fix = "the platform rejects what it receives: look in its log at that time for a decoding error or an "
            "unknown-device message (is the port set to GOTOP? is the IMEI registered?)";
    if (rst) group(f, "session.server_close:rst", "is reset (RST) by the platform right after its first message",
                   "are reset (RST) by the platform right after their first message");
    else group(f, "session.server_close:fin", "is disconnected (FIN) by the platform right after its first message",
               "are disconnected (FIN) by the platform right after their first message");
  }
  // How the rest ended, and who ended them.
  std::vector<std::string> how;
  if (device_fin) how.push_back(fmt::format("{} closed by the device (FIN)", device_fin));
  if (platform_fin) how.push_back(fmt::format("{} closed by the platform (FIN)", platform_fin));
  if (device_rst) how.push_back(fmt::format("{} reset by the device (RST)", device_rst));
  if (platform_rst) how.push_back(fmt::format("{} reset by the platform (RST)", platform_rst));
  if (platform_idle) how.push_back(fmt::format("{} closed by the platform after the device went quiet", platform_idle));
  if (timeouts) how.push_back(fmt::format("{} timed out (no packet, no FIN or RST)", timeouts));
  if (open) how.push_back(fmt::format("{} still open at the end", open));
  if (log_ended) how.push_back(fmt::format("{} ended in the log", log_ended));
  const std::uint64_t rest = tcp - closes - resets;
  if (rest == 0) {
    add("session.ended", Status::not_applicable, "no other TCP connection carried data");
  } else if (platform_idle + device_rst + platform_rst + timeouts == 0) {
    add("session.ended", Status::pass, fmt::format("{}: {}", count_of(rest, "connection"), fmt::join(how, ", ")));
  } else {
    std::string lead;
    if (platform_idle)
      lead = fmt::format("the platform closed {} after the device had been quiet for {} (an idle timeout)",
                         platform_idle == 1 ? std::string("a connection") : count_of(platform_idle, "connection"),
                         seconds_text(idle_ns));
    else if (platform_rst)
      lead = fmt::format("the platform reset (RST) {}", platform_rst == 1 ? std::string("a connection")
                                                                          : count_of(platform_rst, "connection"));
    else if (device_rst)
      lead = fmt::format("the device reset (RST) {} instead of closing {}",
                         device_rst == 1 ? std::string("a connection") : count_of(device_rst, "connection"),
                         device_rst == 1 ? "it" : "them");
    else
      lead = fmt::format("{} timed out: no packet, and no FIN or RST from either side",
                         timeouts == 1 ? std::string("a connection") : count_of(timeouts, "connection"));
    auto& f = add("session.ended", Status::warn, lead);
    f.evidence.push_back({"connections", fmt::format("{}: {}", count_of(rest, "connection"), fmt::join(how, ", "))});
    if (platform_idle) {
      f.flow = ex_platform_idle->id;
      f.evidence.push_back({"last_data", iso_ns(ex_platform_idle->last_client_data_ns)});
      f.evidence.push_back({"closed", iso_ns(ex_platform_idle->end_ns(false))});
      f.evidence.push_back({"by", "platform " + ex_platform_idle->server});
      f.evidence.push_back({"how", "FIN"});
      f.evidence.push_back({"quiet_for", seconds_text(idle_ns)});
      f.fix = fmt::format("the platform drops connections that stay quiet ({} here): send heartbeats more often than "
                          "its idle timeout, or raise the timeout", seconds_text(idle_ns));
      group(f, "session.ended:platform_idle", "is disconnected by the platform when it goes quiet (idle timeout)",
            "are disconnected by the platform when they go quiet (idle timeout)");
    } else if (platform_rst) {
      f.flow = ex_platform_rst->id;
      f.evidence.push_back({"reset", iso_ns(ex_platform_rst->end_ns(false))});
      f.evidence.push_back({"by", "platform " + ex_platform_rst->server});
      f.evidence.push_back({"how", "RST"});
      f.fix = "the platform aborts these connections: its log at that time says why";
      group(f, "session.ended:platform_rst", "has connections reset (RST) by the platform",
            "have connections reset (RST) by the platform");
    } else if (device_rst) {
      f.flow = ex_device_rst->id;
      f.evidence.push_back({"reset", iso_ns(ex_device_rst->end_ns(true))});
      f.evidence.push_back({"by", "device " + ex_device_rst->client});
      f.evidence.push_back({"how", "RST"});
      f.fix = "the device aborts its connections instead of closing them (a modem reset or a lost data session): "
              "check its power and signal; frames in flight may be lost";
      group(f, "session.ended:device_rst", "resets its connections (RST) instead of closing them",
            "reset their connections (RST) instead of closing them");
    } else {
      f.flow = ex_timeout->id;
      f.evidence.push_back({"last_packet", iso_ns(ex_timeout->last_ns)});
      f.evidence.push_back({"how", "timeout"});
      f.fix = "the connection went silent without a FIN or RST: a mobile network or NAT dropped it; heartbeats "
              "keep it alive";
      group(f, "session.ended:timeout", "loses connections silently (timeout)", "lose connections silently (timeout)");
    }
  }
}

void Checker::identity(const View& d) {
  if (!d.facts) {
    if (!d.identified) {
      add("identity.imei", Status::not_applicable, "no identifier");
      return;
    }
    const bool imei = imei_check_digit_ok(d.name);
    add("identity.imei", imei ? Status::pass : Status::not_applicable,
        imei ? fmt::format("{} {} (valid IMEI check digit)", protocol_title(d.protocol), d.name)
             : fmt::format("{} identifier {}", protocol_title(d.protocol), d.name));
    return;
  }
  const std::string& imei = d.facts->imei;
  std::size_t many = 0;
  const FlowFacts* shared = nullptr;
  for (const FlowFacts* f : d.flows)
    if (f->imeis.size() > 1) {
      ++many;
      if (!shared) shared = f;
    }
  if (many > 0) {
    auto& f = add("identity.imei", Status::warn,
                  fmt::format("{} {} several identifiers ({})", count_of(many, "connection"), many == 1 ? "carries" : "carry",
                              fmt::join(shared->imeis, ", ")));
    f.flow = shared->id;
    f.fix = "a platform binds a connection to its first identifier: frames of the others are attributed to it; "
            "check for a device sending on behalf of others (a gateway) or a misconfigured identifier";
    group(f, "identity.imei:several", "sends several identifiers on one connection",
          "send several identifiers on one connection");
    return;
  }
  const bool digits = std::all_of(imei.begin(), imei.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (imei.size() == 15 && digits && !imei_check_digit_ok(imei)) {
    auto& f = add("identity.imei", Status::warn,
                  fmt::format("IMEI {} fails its check digit (with these first 14 digits it would be {})", imei,
                              imei_check_digit(std::string_view(imei).substr(0, 14)).value_or('?')));
    f.evidence.push_back({"frame", d.facts->first_raw.substr(0, 96)});
    f.fix = "platforms that validate IMEIs reject it: register exactly the digits the device sends, and check the "
            "label on the device";
    group(f, "identity.imei:check_digit", "sends an IMEI whose check digit fails",
          "send IMEIs whose check digit fails");
    return;
  }
  if (imei.size() != 15 || !digits) {
    auto& f = add("identity.imei", Status::warn,
                  fmt::format("identifier {} has {}, not the 15 of an IMEI", imei, count_of(imei.size(), "character")));
    f.evidence.push_back({"frame", d.facts->first_raw.substr(0, 96)});
    f.fix = "register exactly the digits the device sends (not the 15-digit IMEI from its label)";
    group(f, "identity.imei:short", "sends an identifier that is not a 15-digit IMEI",
          "send identifiers that are not 15-digit IMEIs");
    return;
  }
  add("identity.imei", Status::pass, fmt::format("IMEI {} (valid check digit)", imei));
}

void Checker::content(const View& d) {
  static constexpr std::string_view content_checks[] = {"content.positions", "content.fix_valid", "content.time_future",
                                                         "content.time_past", "content.buffered_alarms",
                                                         "content.duplicates", "content.interval"};
  if (!d.facts) {
    for (auto c : content_checks) add(c, Status::not_applicable, "no GOTOP messages");
    return;
  }
  const DeviceFacts& x = *d.facts;
  auto excerpt = [](const std::string& raw) { return raw.size() > 120 ? raw.substr(0, 120) + "..." : raw; };
  // Positions at all?
  if (x.positions == 0) {
    std::vector<std::string> kinds;
    for (std::size_t e = 0; e < x.events.size(); ++e)
      if (x.events[e]) kinds.push_back(fmt::format("{} x{}", gotop::to_string(static_cast<gotop::Event>(e)), x.events[e]));
    auto& f = add("content.positions", Status::fail,
                  fmt::format("only messages without a position arrive ({}), no positions", fmt::join(kinds, ", ")));
    f.evidence.push_back({"frame", excerpt(x.first_raw)});
    f.fix = "turn tracking on: the device then reports a position at that interval";
    f.command = "vt106 craft track 30s";
    const bool heartbeats = x.events[static_cast<std::size_t>(gotop::Event::heartbeat)] == x.messages;
    group(f, "content.positions", heartbeats ? "sends only heartbeats, no positions" : "sends no positions",
          heartbeats ? "send only heartbeats, no positions" : "send no positions");
  } else {
    add("content.positions", Status::pass,
        fmt::format("{} in {}", count_of(x.positions, "position"), count_of(x.messages, "message")));
  }
  // Valid fixes?
  if (x.positions == 0) {
    add("content.fix_valid", Status::not_applicable, "no positions");
  } else if (x.usable == 0) {
    const FixNote& ex = x.first_invalid ? *x.first_invalid : *x.first_zero;
    auto& f = add("content.fix_valid", Status::fail,
                  x.zero == x.positions
                      ? fmt::format("positions arrive but {} at 0,0", x.positions == 1 ? "it is" : fmt::format("all {} are", x.positions))
                      : fmt::format("positions arrive but none of {} is usable: {} without a valid GPS fix (V), {} at 0,0",
                                    x.positions, x.invalid, x.zero));
    if (ex.flow) f.flow = ex.flow;
    f.evidence.push_back({"invalid", std::to_string(x.invalid)});
    f.evidence.push_back({"zero", std::to_string(x.zero)});
    f.evidence.push_back({"frame", excerpt(ex.raw)});
    f.fix = "the receiver has no fix: move the device under open sky and check the GPS antenna, then ask for a "
            "position; platforms with invalid/zero filters drop these positions";
    f.command = "vt106 craft locate";
    group(f, "content.fix_valid", "has no valid GPS fix", "have no valid GPS fix");
  } else if (x.invalid > 0 || x.zero > 0) {
    auto& f = add("content.fix_valid", Status::warn,
                  fmt::format("{} of {} have no valid fix, {} {} at 0,0", x.invalid, count_of(x.positions, "position"),
                              x.zero, x.zero == 1 ? "is" : "are"));
    if (x.first_invalid) f.evidence.push_back({"frame", excerpt(x.first_invalid->raw)});
    f.fix = "platforms with invalid/zero filters drop these positions";
    group(f, "content.fix_valid:some", "sends some positions without a valid fix",
          "send some positions without a valid fix");
  } else {
    add("content.fix_valid", Status::pass,
        x.positions == 1 ? std::string("the 1 fix is valid") : fmt::format("all {} fixes valid", x.positions));
  }
  // Time zone: fixes ahead of the arrival time.
  std::int64_t mode_quarter = 0;
  std::uint64_t mode_count = 0;
  for (std::size_t i = 0; i < x.offset_quarters.size(); ++i)
    if (x.offset_quarters[i] > mode_count) {
      mode_quarter = static_cast<std::int64_t>(i) - zone_quarters;
      mode_count = x.offset_quarters[i];
    }
  const std::int64_t typical = mode_quarter * 900;
  if (x.timed == 0) {
    add("content.time_future", Status::not_applicable, "no fix times");
  } else if (x.first_future) {
    const FixNote& ex = *x.first_future;
    const std::int64_t ahead = ex.fix_s - floor_seconds(ex.captured_ns);
    const bool zone = typical > future_tolerance_s && typical <= 14 * 3600 && mode_count * 2 > x.timed;
    const int hours = static_cast<int>(typical / 3600), minutes = static_cast<int>(typical % 3600 / 60);
    const std::string offset = fmt::format("UTC+{:02d}:{:02d}", hours, minutes);
    auto& f = add("content.time_future", Status::fail,
                  zone ? fmt::format("positions arrive dated {} ahead: the device reports local time ({})",
                                     duration_text(typical), offset)
                       : fmt::format("{} of {} {} dated up to {} ahead of their arrival", x.future,
                                     count_of(x.timed, "fix"), x.timed == 1 ? "is" : "are", duration_text(ahead)));
    if (ex.flow) f.flow = ex.flow;
    f.evidence.push_back({"fix_time", iso_s(ex.fix_s)});
    f.evidence.push_back({"received", iso_ns(ex.captured_ns)});
    f.evidence.push_back({"offset_s", std::to_string(ahead)});
    f.evidence.push_back({"frame", excerpt(ex.raw)});
    if (zone) {
      f.fix = fmt::format("make the device report UTC (or read its times with --device-tz +{:02d}:{:02d}); platforms "
                          "drop or misplace positions from the future",
                          hours, minutes);
      f.command = "vt106 craft timezone +0";
      group(f, "content.time_future:" + offset, fmt::format("reports local time ({})", offset),
            fmt::format("report local time ({})", offset));
    } else {
      f.fix = "the device's clock runs ahead of the platform's: check its time zone setting and that its GPS has a "
              "fix (the time comes from GPS)";
      f.command = "vt106 craft timezone +0";
      group(f, "content.time_future:clock", "sends fix times ahead of their arrival",
            "send fix times ahead of their arrival");
    }
  } else {
    add("content.time_future", Status::pass,
        fmt::format("fix times within {} of their arrival", duration_text(future_tolerance_s)));
  }
  // Rollover, default dates, stale fixes.
  const bool newest_stale =
      x.newest_fix_s != INT64_MIN && floor_seconds(x.newest_fix_captured_ns) - x.newest_fix_s > stale_fix_s;
  if (x.timed == 0) {
    add("content.time_past", Status::not_applicable, "no fix times");
  } else if (x.first_rollover || x.first_default) {
    const FixNote& ex = x.first_rollover ? *x.first_rollover : *x.first_default;
    const std::int64_t behind = floor_seconds(ex.captured_ns) - ex.fix_s;
    auto& f = add("content.time_past", Status::fail,
                  x.first_rollover
                      ? fmt::format("positions are dated {} in the past: 1024 GPS weeks (week-number rollover)",
                                    duration_text(behind))
                      : fmt::format("positions are dated {}, a default date: the receiver has no time yet", iso_s(ex.fix_s)));
    if (ex.flow) f.flow = ex.flow;
    f.evidence.push_back({"fix_time", iso_s(ex.fix_s)});
    f.evidence.push_back({"received", iso_ns(ex.captured_ns)});
    f.evidence.push_back({"frames", std::to_string(x.first_rollover ? x.rollover : x.defaults)});
    f.evidence.push_back({"frame", excerpt(ex.raw)});
    if (x.first_rollover) {
      f.fix = "the GPS firmware counts weeks from the previous epoch: update the device firmware, or have the "
              "platform add 1024 weeks to such fixes";
      group(f, "content.time_past:rollover", "dates its fixes 1024 weeks back (GPS week rollover)",
            "date their fixes 1024 weeks back (GPS week rollover)");
    } else {
      f.fix = "the receiver has not had a fix since it started, so it sends its default date: check the GPS "
              "antenna and sky view, then ask for a position";
      f.command = "vt106 craft locate";
      group(f, "content.time_past:default", "sends fixes at a default date (no GPS time yet)",
            "send fixes at a default date (no GPS time yet)");
    }
  } else if (x.first_stale) {
    const FixNote& ex = *x.first_stale;
    const std::int64_t behind = floor_seconds(ex.captured_ns) - ex.fix_s;
    const bool valid = ex.valid;
    std::string cause;
    if (newest_stale && !valid)
      cause = "the receiver has no fix and repeats the last one it had";
    else if (newest_stale)
      cause = "the device sends old positions only: its clock or GPS time is wrong, or it is emptying a buffer "
              "and has not caught up";
    else
      cause = "sent from the device's buffer after it was offline; newer fixes are current";
    auto& f = add("content.time_past", newest_stale ? Status::fail : Status::warn,
                  fmt::format("{} of {} {} dated more than a day before {} arrival ({} before the first): {}", x.stale,
                              count_of(x.timed, "fix"), x.timed == 1 ? "is" : "are", x.stale == 1 ? "its" : "their",
                              duration_text(behind), cause));
    if (ex.flow) f.flow = ex.flow;
    f.evidence.push_back({"fix_time", iso_s(ex.fix_s)});
    f.evidence.push_back({"received", iso_ns(ex.captured_ns)});
    f.evidence.push_back({"newest_fix", iso_s(x.newest_fix_s)});
    f.evidence.push_back({"frame", excerpt(ex.raw)});
    if (newest_stale && !valid) {
      f.fix = "the receiver lost its fix: check the GPS antenna and sky view, then ask for a position";
      f.command = "vt106 craft locate";
    } else if (newest_stale) {
      f.fix = "the platform files these positions days back, so the device looks offline: check the device's date "
              "and time source, and whether it is still sending a backlog";
    } else {
      f.fix = "nothing to fix if the device was out of coverage: the platform files these positions in the past";
    }
    if (newest_stale)
      group(f, "content.time_past:stale", "sends only fixes more than a day old", "send only fixes more than a day old");
    else
      group(f, "content.time_past:backlog", "sends some fixes more than a day old (a backlog)",
            "send some fixes more than a day old (a backlog)");
  } else {
    add("content.time_past", Status::pass, "no rollover, default date or stale fix");
  }
  // Buffered alarms.
  if (x.late_alarms > 0) {
    const FixNote& ex = *x.first_late_alarm;
    auto& f = add("content.buffered_alarms", Status::warn,
                  fmt::format("{} arrived more than {} after {} fix: sent from the device's buffer",
                              count_of(x.late_alarms, "alarm"), duration_text(late_alarm_s),
                              x.late_alarms == 1 ? "its" : "their"));
    if (ex.flow) f.flow = ex.flow;
    f.evidence.push_back({"fix_time", iso_s(ex.fix_s)});
    f.evidence.push_back({"received", iso_ns(ex.captured_ns)});
    f.evidence.push_back({"frame", excerpt(ex.raw)});
    f.fix = "the device was offline when they happened; alarms are not real-time: compare fix_time with ts";
    group(f, "content.buffered_alarms", "sends alarms late, from its buffer", "send alarms late, from their buffer");
  } else {
    add("content.buffered_alarms", Status::pass, "no late alarms");
  }
  // Duplicates: the same frame with the same fix time again, or a retransmission flood.
  std::uint64_t retransmitted = 0, client_bytes = 0;
  const FlowFacts* flood = nullptr;
  for (const FlowFacts* f : d.flows) {
    retransmitted += f->retransmitted_bytes;
    client_bytes += f->client_bytes;
    if (!flood && f->retransmitted_bytes >= 2048 && f->retransmitted_bytes * 5 >= f->client_bytes) flood = f;
  }
  if (x.repeats > 0) {
    const FixNote& ex = *x.first_repeat;
    auto& f = add("content.duplicates", Status::warn,
                  fmt::format("{} of {} with a fix time {} sent again identically (same content, same fix time)",
                              x.repeats, count_of(x.repeat_candidates, "frame"), x.repeats == 1 ? "was" : "were"));
    if (ex.flow) f.flow = ex.flow;
    f.evidence.push_back({"fix_time", iso_s(ex.fix_s)});
    f.evidence.push_back({"received", iso_ns(ex.captured_ns)});
    f.evidence.push_back({"frame", excerpt(ex.raw)});
    f.fix = "the device resends what it believes was not delivered (the platform does not acknowledge?); platforms "
            "with a duplicate filter drop them";
    group(f, "content.duplicates", "sends the same frames again", "send the same frames again");
  } else if (flood) {
    auto& f = add("content.duplicates", Status::warn,
                  fmt::format("{} of {} from the device were TCP retransmissions", count_of(retransmitted, "byte"),
                              count_of(client_bytes + retransmitted, "byte")));
    f.flow = flood->id;
    f.fix = "the link loses packets (weak signal or a congested path): frames arrive late";
    group(f, "content.duplicates:retransmissions", "retransmits heavily (a lossy link)",
          "retransmit heavily (a lossy link)");
  } else {
    add("content.duplicates", Status::pass,
        x.repeat_candidates ? "no frame sent again (heartbeats, which repeat by nature, are not counted)"
                            : "no frame with a fix time to compare");
  }
  // Interval against the status timeout.
  const std::int64_t span = x.last_ns - x.first_ns;
  if (x.messages < 2) {
    add("content.interval", Status::not_applicable, "fewer than two messages");
  } else if (x.longest_gap_ns > options_.status_timeout_s * 1'000'000'000) {
    auto& f = add("content.interval", Status::warn,
                  fmt::format("the device was silent for {}, longer than the platform's status timeout of {}: it shows "
                              "offline in between",
                              duration_text(x.longest_gap_ns / 1'000'000'000), duration_text(options_.status_timeout_s)));
    f.evidence.push_back({"silence_ended", iso_ns(x.longest_gap_end_ns)});
    const std::int64_t beat = std::clamp<std::int64_t>(options_.status_timeout_s / 2, 60, 600);
    f.fix = "send a heartbeat (or a position) more often than the status timeout";
    f.command = fmt::format("vt106 craft heartbeat {}", beat);
    group(f, "content.interval", "stays silent longer than the status timeout", "stay silent longer than the status timeout");
  } else {
    add("content.interval", Status::pass,
        fmt::format("longest silence {} within the status timeout of {} (over {})", seconds_text(x.longest_gap_ns),
                    duration_text(options_.status_timeout_s), seconds_text(span)));
  }
}

}  // namespace

Report diagnose(const Facts& facts, const Options& options) {
  Report report;
  Checker(facts, options, report).run();
  return report;
}

}  // namespace vt106::doctor
