// The doctor's checks. Each looks at the facts of one device (or of the whole capture) and says
// pass, warn, fail or not applicable, with evidence and a fix; the first failure in data-path
// order becomes the verdict.
#include "vt106/doctor/checks.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "vt106/detect/detect.hpp"
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
      {"protocol.detected", "the device speaks GOTOP (first-bytes detection)"},
      {"protocol.framing", "the frames decode (no junk, truncated frames or capture gaps)"},
      {"session.server_close", "the platform does not close the connection right after a message"},
      {"identity.imei", "the identifier sent is the one registered (--imei), one per connection"},
      {"content.positions", "positions arrive, not only heartbeats"},
      {"content.fix_valid", "fixes are valid (A) and not 0,0"},
      {"content.time_future", "fix times are not ahead of the capture time (device time zone)"},
      {"content.time_past", "fix times are not 1024 weeks back (GPS week rollover) or at a default date"},
      {"content.buffered_alarms", "alarms arrive when they happen, not from the device's buffer"},
      {"content.duplicates", "frames are not sent again identically"},
      {"content.interval", "the device reports more often than the platform's status timeout"},
  };
  return list;
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
std::string seconds_text(std::int64_t ns) { return fmt::format("{:.1f} s", static_cast<double>(ns) / 1e9); }

// Printable excerpt of raw bytes for evidence.
std::string excerpt(std::string_view raw, std::size_t limit = 96) {
  std::string out;
  for (std::size_t i = 0; i < raw.size() && out.size() < limit; ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c >= 0x20 && c < 0x7f) out.push_back(static_cast<char>(c));
    else out += fmt::format("\\x{:02x}", c);
  }
  if (out.size() >= limit) out += "...";
  return out;
}

std::string host_of(std::string_view endpoint) {
  if (!endpoint.empty() && endpoint.front() == '[') return std::string(endpoint.substr(0, endpoint.find(']') + 1));
  return std::string(endpoint.substr(0, endpoint.rfind(':')));
}

// The IMEI check digit, as the detector reads identifiers.
bool luhn_valid(std::string_view digits) {
  return detect::device_id_from_text(digits).luhn == detect::LuhnCheck::valid;
}

struct DeviceView {
  std::string key;                       // IMEI or host
  const DeviceFacts* facts = nullptr;    // null when it sent no GOTOP identifier
  std::vector<const FlowFacts*> flows;
  std::vector<const UnreachableFacts*> unreachable;
};

class Checker {
 public:
  Checker(const Facts& facts, const Options& options, Report& report)
      : facts_(facts), options_(options), report_(report) {}

  void run();

 private:
  Finding& add(std::string_view check, const DeviceView& d, Status status, std::string summary) {
    Finding f;
    f.check = std::string(check);
    f.device = d.key;
    f.status = status;
    f.summary = std::move(summary);
    report_.findings.push_back(std::move(f));
    return report_.findings.back();
  }
  void device_checks(const DeviceView& d);
  void reach(const DeviceView& d);
  void protocol(const DeviceView& d);
  void session(const DeviceView& d);
  void identity(const DeviceView& d);
  void content(const DeviceView& d);

  const Facts& facts_;
  const Options& options_;
  Report& report_;
  std::map<std::uint64_t, detect::Verdict> verdicts_;
};

void Checker::run() {
  // Devices: one per GOTOP identifier, plus one per address whose flows carried none.
  std::map<std::string, DeviceView> views;
  for (const auto& [id, f] : facts_.flows) {
    const std::string key = f.imeis.empty() ? host_of(f.client) : f.imeis.front();
    DeviceView& v = views[key];
    v.key = key;
    v.flows.push_back(&f);
    if (!f.imeis.empty()) v.facts = &facts_.devices.at(f.imeis.front());
  }
  for (const auto& u : facts_.unreachable) {
    // Attached to the device of the flow it quotes (its frames may have named it).
    std::string key = host_of(u.src);
    if (auto it = facts_.flows.find(u.flow); u.flow != 0 && it != facts_.flows.end() && !it->second.imeis.empty())
      key = it->second.imeis.front();
    DeviceView& v = views[key];
    v.key = key;
    v.unreachable.push_back(&u);
  }
  // Detection runs once per flow that carried device bytes.
  for (const auto& [id, f] : facts_.flows) {
    if (f.first_client_bytes.empty()) continue;
    detect::Hints hints;
    hints.transport = f.transport == "udp" ? detect::Transport::udp : detect::Transport::tcp;
    hints.server_port = f.server_port;
    const auto* c = reinterpret_cast<const std::byte*>(f.first_client_bytes.data());
    const auto* s = reinterpret_cast<const std::byte*>(f.first_server_bytes.data());
    verdicts_.emplace(id, detect::detect({c, f.first_client_bytes.size()}, {s, f.first_server_bytes.size()}, hints));
  }

  DeviceView all;
  all.key = "*";
  if (views.empty()) {
    auto& f = add("reach.traffic", all, Status::fail, "the capture holds no TCP or UDP traffic at all");
    f.fix = "capture on the platform's interface and port while the device should report (vt106 capture -i any "
            "--port 8888 -w device.pcap), and check that the device has GPRS and points at this platform";
    f.evidence.push_back({"packets", std::to_string(facts_.packets)});
  } else {
    std::uint64_t bytes = 0;
    for (const auto& [id, f] : facts_.flows) bytes += f.client_bytes;
    auto& f = add("reach.traffic", all, Status::pass,
                  fmt::format("{} flows from {} devices, {} bytes from the devices", facts_.flows.size(), views.size(),
                              bytes));
    f.evidence.push_back({"first", iso_ns(facts_.first_ns)});
    f.evidence.push_back({"last", iso_ns(facts_.last_ns)});
  }
  // The registered device may never appear at all.
  for (const auto& imei : options_.imeis) {
    if (views.count(imei)) continue;
    std::vector<std::string> seen;
    for (const auto& [key, v] : views)
      if (v.facts) seen.push_back(key);
    DeviceView ghost;
    ghost.key = imei;
    auto& f = add("identity.imei", ghost, Status::fail,
                  seen.empty() ? "this identifier never appears in the capture, and no GOTOP device does"
                               : fmt::format("this identifier never appears; the capture has {}", fmt::join(seen, ", ")));
    for (const auto& s : seen) f.evidence.push_back({"seen", s});
    f.fix = seen.empty() ? "check the device reaches this platform (the reach checks below)"
                         : "register the identifier the device sends, or correct it on the device";
  }
  for (const auto& [key, v] : views) device_checks(v);

  // The verdict: the first failure (else warning) in data-path order.
  const Finding* first = nullptr;
  for (const auto& f : report_.findings)
    if (f.status == Status::fail) {
      first = &f;
      break;
    }
  report_.failed = first != nullptr;
  if (!first)
    for (const auto& f : report_.findings)
      if (f.status == Status::warn) {
        first = &f;
        break;
      }
  std::string who = "VT-106";
  if (first && first->device != "*") who += " " + first->device;
  else if (!views.empty()) who += " " + views.begin()->first;
  if (!first) {
    report_.verdict = who + ": positions arrive, valid and on time; if the platform still does not show the device, "
                            "check that it is registered and enabled there";
  } else {
    report_.verdict = fmt::format("{}: {}", who, first->summary);
  }
}

void Checker::device_checks(const DeviceView& d) {
  reach(d);
  protocol(d);
  session(d);
  identity(d);
  content(d);
}

void Checker::reach(const DeviceView& d) {
  std::uint64_t tcp = 0, unanswered = 0, refused = 0, silent = 0, established = 0;
  const FlowFacts* example_unanswered = nullptr;
  const FlowFacts* example_refused = nullptr;
  const FlowFacts* example_silent = nullptr;
  for (const FlowFacts* f : d.flows) {
    if (f->transport != "tcp") continue;
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
    add("reach.handshake", d, Status::not_applicable, "no TCP connection from this device");
    add("reach.refused", d, Status::not_applicable, "no TCP connection from this device");
  } else {
    if (unanswered > 0) {
      auto& f = add("reach.handshake", d, established ? Status::warn : Status::fail,
                    fmt::format("{} of {} connection attempts (SYN) to {} got no answer", unanswered, tcp,
                                example_unanswered->server));
      f.flow = example_unanswered->id;
      f.evidence.push_back({"first_syn", iso_ns(example_unanswered->first_ns)});
      f.fix = "the platform port is filtered or not forwarded: check the firewall, port forwarding and the "
              "listener on " + example_unanswered->server;
    } else {
      add("reach.handshake", d, Status::pass, fmt::format("{} TCP connection attempts, all answered", tcp));
    }
    if (refused > 0) {
      auto& f = add("reach.refused", d, established ? Status::warn : Status::fail,
                    fmt::format("{} of {} connections to {} were refused: nothing listens there", refused, tcp,
                                example_refused->server));
      f.flow = example_refused->id;
      f.evidence.push_back({"first_refusal", iso_ns(example_refused->first_ns)});
      f.fix = "start the platform's listener on " + example_refused->server +
              ", or point the device at the port it listens on (vt106 craft server IP:PORT --apn APN)";
      f.command = "vt106 craft server IP:PORT --apn APN";
    } else {
      add("reach.refused", d, Status::pass, "no connection was refused");
    }
  }
  if (!d.unreachable.empty()) {
    const auto* u = d.unreachable.front();
    auto& f = add("reach.udp_unreachable", d, Status::fail,
                  fmt::format("{} datagrams to {} were refused with ICMP port unreachable: nothing listens on UDP there",
                              u->count, u->dst));
    f.evidence.push_back({"reporter", u->reporter});
    f.evidence.push_back({"first", iso_ns(u->ts_ns)});
    f.fix = "open UDP on the platform's port, or switch the device to TCP (vt106 craft server IP:PORT --apn APN "
            "without --udp)";
    f.command = "vt106 craft server IP:PORT --apn APN";
  } else {
    bool udp = false;
    for (const FlowFacts* fl : d.flows) udp = udp || fl->transport == "udp";
    add("reach.udp_unreachable", d, udp ? Status::pass : Status::not_applicable,
        udp ? "no ICMP port unreachable" : "no UDP from this device");
  }
  if (established == 0) {
    add("reach.silent", d, Status::not_applicable, "no established connection");
  } else if (silent > 0) {
    auto& f = add("reach.silent", d, silent == established ? Status::fail : Status::warn,
                  fmt::format("{} of {} connections carried no data from the device", silent, established));
    f.flow = example_silent->id;
    f.evidence.push_back({"opened", iso_ns(example_silent->first_ns)});
    f.evidence.push_back({"ended", example_silent->close_reason});
    f.fix = "the device connects but sends nothing: check its reporting mode and interval (vt106 craft track 30s) "
            "and whether a proxy or load balancer in front of the platform holds the data";
    f.command = "vt106 craft track 30s";
  } else {
    add("reach.silent", d, Status::pass, fmt::format("{} connections carried data", established));
  }
}

void Checker::protocol(const DeviceView& d) {
  const FlowFacts* foreign = nullptr;
  const detect::Verdict* foreign_verdict = nullptr;
  std::uint64_t gotop = 0, judged = 0;
  for (const FlowFacts* f : d.flows) {
    auto it = verdicts_.find(f->id);
    if (it == verdicts_.end()) continue;
    ++judged;
    const auto& v = it->second;
    if (v.protocol == "gotop" || (d.facts && f->messages > 0 && f->errors == 0)) {
      ++gotop;
    } else if (!foreign) {
      foreign = f;
      foreign_verdict = &v;
    }
  }
  if (judged == 0) {
    add("protocol.detected", d, Status::not_applicable, "the device sent no bytes to judge");
  } else if (!foreign) {
    add("protocol.detected", d, Status::pass, fmt::format("GOTOP on {} of {} flows", gotop, judged));
  } else {
    const auto& v = *foreign_verdict;
    std::string what;
    std::string fix;
    if (v.status == detect::Status::match && v.category == detect::Category::tracker) {
      std::uint16_t port = 0;
      for (const auto* p : detect::known_protocols())
        if (p->name == v.protocol) port = p->default_port;
      what = fmt::format("speaks {}, not GOTOP (confidence {:.2f})", v.protocol, v.confidence);
      fix = port ? fmt::format("this is a {} device: point it at the platform's {} port ({} in Traccar), or register "
                               "it under that protocol",
                               v.protocol, v.protocol, port)
                 : fmt::format("this is a {} device: point it at the platform's port for that protocol", v.protocol);
    } else if (v.status == detect::Status::match) {
      what = fmt::format("sends {} to the tracker port, not a tracker protocol", v.protocol);
      fix = v.protocol == "tls" ? "the client speaks TLS: disable encryption on the device/app or give it a TLS "
                                  "endpoint; the GOTOP port is plain text"
                                : "this is not a tracker: find the program sending it (a scanner, an app, a proxy "
                                  "health check) and keep it off the tracker port";
    } else {
      what = "sends bytes that are neither GOTOP nor any known tracker protocol";
      fix = "compare the first bytes with the device's manual; vt106 detect --hex shows the nearest protocols";
    }
    auto& f = add("protocol.detected", d, Status::fail, what);
    f.flow = foreign->id;
    f.evidence.push_back({"first_bytes", excerpt(foreign->first_client_bytes, 64)});
    for (const auto& e : v.evidence) f.evidence.push_back({"detect", e});
    if (v.device_id) f.evidence.push_back({"device_id", v.device_id->value});
    f.fix = fix;
  }
  // Framing: decode errors and capture gaps on GOTOP flows.
  std::uint64_t errors = 0, messages = 0, gaps = 0, missing = 0;
  std::map<std::string, std::uint64_t> codes;
  const FlowFacts* example = nullptr;
  for (const FlowFacts* f : d.flows) {
    if (f == foreign) continue;
    messages += f->messages;
    errors += f->errors;
    gaps += f->gaps;
    missing += f->bytes_missing;
    for (const auto& [c, n] : f->error_codes) codes[c] += n;
    if (!example && f->errors > 0) example = f;
  }
  if (messages == 0 && errors == 0) {
    add("protocol.framing", d, Status::not_applicable, "no GOTOP frames");
  } else if (errors == 0) {
    add("protocol.framing", d, Status::pass, fmt::format("{} messages, no decode errors", messages));
  } else {
    std::vector<std::string> parts;
    for (const auto& [c, n] : codes) parts.push_back(fmt::format("{} {}", n, c));
    auto& f = add("protocol.framing", d, errors > messages ? Status::fail : Status::warn,
                  fmt::format("{} problems beside {} messages: {}", errors, messages, fmt::join(parts, ", ")));
    if (example) {
      f.flow = example->id;
      f.evidence.push_back({"first_error", example->first_error});
    }
    if (gaps) f.evidence.push_back({"capture_gaps", fmt::format("{} gaps, {} bytes missing", gaps, missing)});
    f.fix = gaps && codes.size() == codes.count("gap") + codes.count("truncated") + codes.count("junk")
                ? "bytes are missing from the capture itself: capture with a larger buffer (-B) or closer to the platform"
                : "see the error records: vt106 decode FILE --event error";
  }
}

void Checker::session(const DeviceView& d) {
  std::uint64_t closes = 0, with_messages = 0;
  const FlowFacts* example = nullptr;
  for (const FlowFacts* f : d.flows) {
    if (f->transport != "tcp" || f->messages == 0) continue;
    ++with_messages;
    // The platform ended the connection first, within seconds of the device's first message.
    const bool server_first =
        f->server_end_ns != 0 && (f->client_end_ns == 0 || f->server_end_ns < f->client_end_ns);
    if (server_first && f->server_end_ns >= f->first_message_ns &&
        f->server_end_ns - f->first_message_ns < 5'000'000'000LL) {
      ++closes;
      if (!example) example = f;
    }
  }
  if (with_messages == 0) {
    add("session.server_close", d, Status::not_applicable, "no TCP connection carried messages");
  } else if (closes == 0) {
    add("session.server_close", d, Status::pass, "the platform kept its connections open");
  } else {
    auto& f = add("session.server_close", d, Status::fail,
                  fmt::format("the platform closes the connection right after the device's first message ({} of {} "
                              "connections, {} after it)",
                              closes, with_messages, seconds_text(example->server_end_ns - example->first_message_ns)));
    f.flow = example->id;
    f.evidence.push_back({"message", iso_ns(example->first_message_ns)});
    f.evidence.push_back({"closed", iso_ns(example->server_end_ns)});
    f.evidence.push_back({"how", example->server_rst ? "RST" : "FIN"});
    f.fix = "the platform rejects what it receives: look in its log at that time for a decoding error or an "
            "unknown-device message (is the port configured for GOTOP? is the IMEI registered?)";
  }
}

void Checker::identity(const DeviceView& d) {
  if (!d.facts) {
    add("identity.imei", d, Status::not_applicable, "no GOTOP identifier");
    return;
  }
  const std::string& imei = d.facts->imei;
  std::size_t many = 0;
  const FlowFacts* shared = nullptr;
  for (const FlowFacts* f : d.flows)
    if (f->imeis.size() > 1) {
      ++many;
      shared = f;
    }
  if (!options_.imeis.empty() && !options_.imeis.count(imei)) {
    const std::string& want = *options_.imeis.begin();
    std::string diff;
    for (std::size_t i = 0; i < std::min(want.size(), imei.size()); ++i)
      if (want[i] != imei[i]) {
        diff = fmt::format("; they first differ at digit {}", i + 1);
        break;
      }
    if (diff.empty() && want.size() != imei.size()) diff = fmt::format("; {} digits against {}", imei.size(), want.size());
    auto& f = add("identity.imei", d, Status::fail,
                  fmt::format("sends IMEI {}, but the platform has {} registered{}", imei, want, diff));
    f.evidence.push_back({"sent", imei});
    f.evidence.push_back({"registered", want});
    f.evidence.push_back({"luhn", luhn_valid(imei) ? "valid" : "not a valid IMEI check digit"});
    f.evidence.push_back({"frame", excerpt(d.facts->first_raw)});
    f.fix = fmt::format("register {} on the platform (the identifier is the first field of every frame)", imei);
    return;
  }
  if (many > 0) {
    auto& f = add("identity.imei", d, Status::warn,
                  fmt::format("{} connections carry several identifiers ({})", many, fmt::join(shared->imeis, ", ")));
    f.flow = shared->id;
    f.fix = "a platform binds a connection to its first identifier: frames of the others are attributed to it";
    return;
  }
  if (!luhn_valid(imei)) {
    auto& f = add("identity.imei", d, Status::warn,
                  fmt::format("identifier {} is not a 15-digit IMEI with a valid check digit", imei));
    f.fix = "register exactly the digits the device sends";
    return;
  }
  add("identity.imei", d, Status::pass,
      options_.imeis.empty() ? fmt::format("IMEI {} (valid check digit)", imei) : fmt::format("IMEI {} is registered", imei));
}

void Checker::content(const DeviceView& d) {
  static constexpr std::string_view content_checks[] = {"content.positions", "content.fix_valid", "content.time_future",
                                                         "content.time_past", "content.buffered_alarms",
                                                         "content.duplicates", "content.interval"};
  if (!d.facts) {
    for (auto c : content_checks) add(c, d, Status::not_applicable, "no GOTOP messages");
    return;
  }
  const DeviceFacts& x = *d.facts;
  // Positions at all?
  if (x.positions == 0) {
    std::vector<std::string> kinds;
    for (const auto& [e, n] : x.events) kinds.push_back(fmt::format("{} x{}", e, n));
    auto& f = add("content.positions", d, Status::fail,
                  fmt::format("only messages without a position arrive ({}), no positions", fmt::join(kinds, ", ")));
    f.evidence.push_back({"frame", excerpt(x.first_raw)});
    f.fix = "ask for a position and turn tracking on";
    f.command = "vt106 craft track 30s";
  } else {
    add("content.positions", d, Status::pass, fmt::format("{} positions in {} messages", x.positions, x.messages));
  }
  // Valid fixes?
  if (x.positions == 0) {
    add("content.fix_valid", d, Status::not_applicable, "no positions");
  } else if (x.usable == 0) {
    const Fix& ex = x.first_invalid ? *x.first_invalid : *x.first_zero;
    auto& f = add("content.fix_valid", d, Status::fail,
                  x.zero == x.positions
                      ? fmt::format("positions arrive but all {} are at 0,0", x.positions)
                      : fmt::format("positions arrive but none of {} is usable: {} without a valid GPS fix (V), {} at 0,0",
                                    x.positions, x.invalid, x.zero));
    f.flow = ex.flow;
    f.evidence.push_back({"invalid", std::to_string(x.invalid)});
    f.evidence.push_back({"zero", std::to_string(x.zero)});
    f.evidence.push_back({"frame", excerpt(ex.raw)});
    f.fix = "the receiver has no fix: move the device under open sky, check the GPS antenna; platforms with "
            "invalid/zero filters drop these positions";
    f.command = "vt106 craft locate";
  } else if (x.invalid > 0 || x.zero > 0) {
    auto& f = add("content.fix_valid", d, Status::warn,
                  fmt::format("{} of {} positions have no valid fix, {} are at 0,0", x.invalid, x.positions, x.zero));
    if (x.first_invalid) f.evidence.push_back({"frame", excerpt(x.first_invalid->raw)});
    f.fix = "platforms with invalid/zero filters drop these positions";
  } else {
    add("content.fix_valid", d, Status::pass, fmt::format("all {} fixes valid", x.positions));
  }
  // Time zone: fixes ahead of the capture time.
  std::int64_t mode_quarter = 0;
  std::uint64_t mode_count = 0;
  for (const auto& [q, n] : x.offset_quarters)
    if (n > mode_count) {
      mode_quarter = q;
      mode_count = n;
    }
  const std::int64_t typical = mode_quarter * 900;
  if (x.timed == 0) {
    add("content.time_future", d, Status::not_applicable, "no fix times");
  } else if (x.first_future) {
    const Fix& ex = *x.first_future;
    const std::int64_t ahead = ex.fix_s - ex.captured_ns / 1'000'000'000;
    const bool zone = typical > 0 && typical % 900 == 0 && typical <= 14 * 3600;
    const int hours = static_cast<int>(typical / 3600), minutes = static_cast<int>(typical % 3600 / 60);
    auto& f = add("content.time_future", d, Status::fail,
                  zone ? fmt::format("positions arrive but are dated {} ahead — the device reports local time (UTC+{:02d}:{:02d})",
                                     duration_text(typical), hours, minutes)
                       : fmt::format("positions arrive dated {} ahead of the capture time", duration_text(ahead)));
    f.flow = ex.flow;
    f.evidence.push_back({"fix_time", iso_s(ex.fix_s)});
    f.evidence.push_back({"received", iso_ns(ex.captured_ns)});
    f.evidence.push_back({"offset_s", std::to_string(ahead)});
    f.evidence.push_back({"frame", excerpt(ex.raw)});
    if (zone) {
      f.fix = fmt::format("make the device report UTC (or read it with vt106 decode --device-tz +{:02d}:{:02d}); "
                          "platforms drop or misplace positions from the future",
                          hours, minutes);
      f.command = "vt106 craft timezone +0";
    } else {
      f.fix = "set the device clock (vt106 craft set-clock is not needed on GPS units: check the time zone and "
              "the GPS time)";
      f.command = "vt106 craft timezone +0";
    }
  } else {
    add("content.time_future", d, Status::pass, fmt::format("fix times within {} of the capture time",
                                                             duration_text(future_tolerance_s)));
  }
  // Rollover and default dates.
  if (x.timed == 0) {
    add("content.time_past", d, Status::not_applicable, "no fix times");
  } else if (x.first_rollover || x.first_epoch) {
    const Fix& ex = x.first_rollover ? *x.first_rollover : *x.first_epoch;
    const std::int64_t behind = ex.captured_ns / 1'000'000'000 - ex.fix_s;
    auto& f = add("content.time_past", d, Status::fail,
                  x.first_rollover
                      ? fmt::format("positions are dated {} in the past: 1024 GPS weeks (week-number rollover)",
                                    duration_text(behind))
                      : fmt::format("positions are dated {}: the receiver has no time yet", iso_s(ex.fix_s)));
    f.flow = ex.flow;
    f.evidence.push_back({"fix_time", iso_s(ex.fix_s)});
    f.evidence.push_back({"received", iso_ns(ex.captured_ns)});
    f.evidence.push_back({"frame", excerpt(ex.raw)});
    f.fix = x.first_rollover ? "the GPS firmware counts weeks from the previous epoch: update the device firmware, or "
                               "have the platform add 1024 weeks to such fixes"
                             : "wait for a fix (valid A) before trusting the time, or check the GPS antenna";
  } else {
    add("content.time_past", d, Status::pass, "no rollover or default dates");
  }
  // Buffered alarms.
  if (x.late_alarms > 0) {
    const Fix& ex = *x.first_late_alarm;
    auto& f = add("content.buffered_alarms", d, Status::warn,
                  fmt::format("{} alarms arrived more than {} after their fix: sent from the device's buffer",
                              x.late_alarms, duration_text(late_alarm_s)));
    f.flow = ex.flow;
    f.evidence.push_back({"fix_time", iso_s(ex.fix_s)});
    f.evidence.push_back({"received", iso_ns(ex.captured_ns)});
    f.evidence.push_back({"frame", excerpt(ex.raw)});
    f.fix = "the device was offline when they happened; alarms are not real-time: compare fix_time with ts";
  } else {
    add("content.buffered_alarms", d, Status::pass, "no late alarms");
  }
  // Duplicates.
  if (x.duplicates > 0) {
    auto& f = add("content.duplicates", d, Status::warn,
                  fmt::format("{} of {} frames were sent again identically", x.duplicates, x.messages));
    f.evidence.push_back({"frame", excerpt(x.first_duplicate)});
    f.fix = "the device resends what it believes was not delivered; platforms with a duplicate filter drop them";
  } else {
    add("content.duplicates", d, Status::pass, "no repeated frames");
  }
  // Interval against the status timeout.
  const std::int64_t span = x.last_ns - x.first_ns;
  if (x.messages < 2) {
    add("content.interval", d, Status::not_applicable, "fewer than two messages");
  } else if (x.longest_gap_ns > options_.status_timeout_s * 1'000'000'000) {
    auto& f = add("content.interval", d, Status::warn,
                  fmt::format("the device was silent for {}, longer than the platform's status timeout of {}: it shows "
                              "offline in between",
                              duration_text(x.longest_gap_ns / 1'000'000'000), duration_text(options_.status_timeout_s)));
    f.fix = "report or send a heartbeat more often than the status timeout";
    f.command = "vt106 craft heartbeat 180";
  } else {
    add("content.interval", d, Status::pass,
        fmt::format("longest silence {} within the status timeout of {} (over {} of capture)",
                    seconds_text(x.longest_gap_ns), duration_text(options_.status_timeout_s), seconds_text(span)));
  }
}

}  // namespace

Report diagnose(const Facts& facts, const Options& options) {
  Report report;
  Checker(facts, options, report).run();
  return report;
}

}  // namespace vt106::doctor
