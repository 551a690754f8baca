// Rendering the report. The summary of many devices is bounded by the number of checks and of
// distinct fixes, never by the number of devices: one line per check, one line per fix group.
#include "vt106/doctor/render.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "vt106/util/time.hpp"

namespace vt106::doctor {

namespace {

std::string status_word(Status s) {
  if (s == Status::fail) return "FAIL";
  if (s == Status::warn) return "WARN";
  return std::string(to_string(s));
}

std::string inputs_words(const RenderOptions& o) {
  std::string out;
  for (const auto& i : o.inputs) {
    out += ' ';
    out += shell_quote(i);
  }
  return out;
}

std::string time_text(std::int64_t ns) {
  std::string s;
  util::append_iso8601(s, ns / 1'000'000'000);
  return s;
}

void finding_lines(std::string& out, const Finding& f, bool details) {
  out += fmt::format("  {:<4}  {:<24} {}\n", status_word(f.status), f.check, f.summary);
  if (!details || (f.status != Status::fail && f.status != Status::warn)) return;
  for (const auto& [k, v] : f.evidence) out += fmt::format("          {}: {}\n", k, v);
  if (f.flow) out += fmt::format("          flow: {}\n", *f.flow);
}

// Next steps: one entry per group, failures first, then by how many devices share it.
struct Group {
  const Finding* first = nullptr;
  Status status = Status::warn;
  std::vector<std::string> devices;
};

std::vector<Group> groups_of(const Report& r) {
  std::map<std::string, Group> by_key;
  std::vector<std::string> order;
  auto take = [&](const Finding& f) {
    if (f.status != Status::fail && f.status != Status::warn) return;
    const std::string key = f.group.empty() ? f.check + "|" + f.fix : f.group;
    auto [it, fresh] = by_key.try_emplace(key);
    if (fresh) {
      it->second.first = &f;
      order.push_back(key);
    }
    if (f.status == Status::fail) it->second.status = Status::fail;
    if (std::find(it->second.devices.begin(), it->second.devices.end(), f.device) == it->second.devices.end())
      it->second.devices.push_back(f.device);
  };
  for (const auto& f : r.input_findings) take(f);
  for (const auto& d : r.devices)
    for (const auto& f : d.findings) take(f);
  std::vector<Group> out;
  for (const auto& k : order) out.push_back(by_key[k]);
  std::stable_sort(out.begin(), out.end(), [](const Group& a, const Group& b) {
    if ((a.status == Status::fail) != (b.status == Status::fail)) return a.status == Status::fail;
    return a.devices.size() > b.devices.size();
  });
  return out;
}

std::string names(const std::vector<std::string>& devices, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < devices.size() && i < limit; ++i) out += (i ? ", " : "") + devices[i];
  if (devices.size() > limit) out += fmt::format(" and {} more", devices.size() - limit);
  return out;
}

void missing_lines(std::string& out, const Report& r) {
  for (const auto& m : r.missing) {
    out += fmt::format("{} is not in the input: no device sends it.\n", m.imei);
    if (m.check_digit_fails)
      out += fmt::format("  It fails the IMEI check digit: with its first 14 digits the check digit would be {}.\n",
                         m.right_check_digit);
    if (m.candidates.empty()) {
      out += fmt::format("  No device sends an identifier close to it ({} seen).\n", count_of(r.devices_seen, "device"));
    } else {
      out += m.candidates.size() == 1 ? "  The device it most likely is:\n" : "  The devices it most likely is, best first:\n";
      for (const auto& c : m.candidates)
        out += fmt::format("    {:<16} {}: {}\n", c.device, to_string(c.why), c.evidence);
    }
  }
  if (!r.missing.empty()) out += "\n";
}

std::string full(const Report& r) {
  std::string out = r.verdict + "\n\n";
  missing_lines(out, r);
  for (const auto& f : r.input_findings)
    if (f.check != "identity.imei") {
      out += "input\n";
      finding_lines(out, f, true);
    }
  for (const auto& d : r.devices) {
    out += d.label;
    if (!d.addresses.empty() && d.addresses.front() != d.name) out += fmt::format(" ({})", fmt::join(d.addresses, ", "));
    out += "\n";
    for (const auto& f : d.findings) finding_lines(out, f, true);
  }
  const auto groups = groups_of(r);
  if (!groups.empty()) {
    out += "\nNext:\n";
    int n = 0;
    for (const auto& g : groups) {
      const Finding& f = *g.first;
      const std::string who = g.devices.size() == 1 ? g.devices.front() : count_of(g.devices.size(), "device");
      out += fmt::format("  {}. {}: {} ({})\n", ++n, who, f.fix, f.check);
      if (!f.command.empty()) out += fmt::format("     {}\n", f.command);
    }
  }
  return out;
}

std::string summary(const Report& r, const RenderOptions& o) {
  std::string out;
  std::string span;
  if (r.first_ns && r.last_ns) span = fmt::format(", {} to {}", time_text(r.first_ns), time_text(r.last_ns));
  out += fmt::format("{}: {}, {}{}\n", o.what, count_of(r.devices.size(), "device"), count_of(r.flows, "connection"), span);
  out += "Verdict: " + r.verdict + "\n\n";
  // One row per check: how many devices pass, warn and fail, and the worst by name.
  out += fmt::format("  {:<24} {:>5} {:>5} {:>5}  {}\n", "check", "pass", "warn", "fail", "devices that fail (or warn)");
  for (const auto& entry : check_catalogue()) {
    const std::string_view code = entry.first;
    std::size_t pass = 0, warn = 0, fail = 0;
    std::vector<std::string> failing, warning;
    auto count = [&](const Finding& f) {
      if (f.check != code) return;
      if (f.status == Status::pass) ++pass;
      if (f.status == Status::warn) {
        ++warn;
        warning.push_back(f.device.empty() ? "the input" : f.device);
      }
      if (f.status == Status::fail) {
        ++fail;
        failing.push_back(f.device.empty() ? "the input" : f.device);
      }
    };
    if (code == "reach.traffic") {
      for (const auto& f : r.input_findings) count(f);
    } else {
      for (const auto& d : r.devices)
        for (const auto& f : d.findings) count(f);
    }
    if (pass + warn + fail == 0) continue;
    std::vector<std::string> worst = failing;
    worst.insert(worst.end(), warning.begin(), warning.end());
    out += fmt::format("  {:<24} {:>5} {:>5} {:>5}  {}\n", code, pass, warn, fail, names(worst, o.worst_names));
  }
  const auto groups = groups_of(r);
  if (!groups.empty()) {
    out += "\nNext steps, by fix:\n";
    std::size_t shown = 0, hidden = 0, hidden_devices = 0;
    for (const auto& g : groups) {
      if (shown == o.max_groups) {
        ++hidden;
        hidden_devices += g.devices.size();
        continue;
      }
      ++shown;
      const Finding& f = *g.first;
      std::string phrase = g.devices.size() == 1 ? f.group_one : f.group_many;
      if (phrase.empty()) phrase = "fail " + f.check;
      const std::string who = g.devices.size() == 1 ? g.devices.front() : count_of(g.devices.size(), "device");
      out += fmt::format("  {} {}: {}\n", who, phrase, f.command.empty() ? f.fix : f.command);
    }
    if (hidden)
      out += fmt::format("  {} more for {} (every device in full below)\n", count_of(hidden, "fix"),
                         count_of(hidden_devices, "device"));
  }
  out += "\n";
  std::string example;
  for (const auto& g : groups)
    if (!g.devices.empty() && !g.devices.front().empty()) {
      example = g.devices.front();
      break;
    }
  if (example.empty() && !r.devices.empty()) example = r.devices.front().name;
  if (!example.empty()) out += fmt::format("One device in full:   vt106 doctor{} --imei {}\n", inputs_words(o), example);
  out += fmt::format("Every device in full: vt106 doctor{} --all\n", inputs_words(o));
  return out;
}

void put_finding(nlohmann::ordered_json& j, const Finding& f) {
  j["check"] = f.check;
  j["status"] = to_string(f.status);
  j["device"] = f.device.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.device);
  j["flow"] = f.flow ? nlohmann::ordered_json(*f.flow) : nlohmann::ordered_json(nullptr);
  j["summary"] = f.summary;
  nlohmann::ordered_json ev = nlohmann::ordered_json::object();
  for (const auto& [k, v] : f.evidence) {
    if (!ev.contains(k)) ev[k] = v;
    else if (ev[k].is_array()) ev[k].push_back(v);
    else ev[k] = nlohmann::ordered_json::array({ev[k], v});
  }
  j["evidence"] = ev;
  j["fix"] = f.fix.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.fix);
  j["command"] = f.command.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.command);
}

template <typename Fn>
void each_finding(const Report& r, Fn fn) {
  for (const auto& f : r.input_findings) fn(f, nullptr);
  for (const auto& d : r.devices)
    for (const auto& f : d.findings) fn(f, &d);
}

void put_verdict(nlohmann::ordered_json& v, const Report& r) {
  v["verdict"] = r.verdict;
  v["failed"] = r.failed;
  v["devices_seen"] = r.devices_seen;
  v["devices"] = r.devices.size();
  std::size_t fail = 0, warn = 0, pass = 0;
  for (const auto& d : r.devices) {
    fail += d.worst == Status::fail;
    warn += d.worst == Status::warn;
    pass += d.worst == Status::pass;
  }
  v["fail"] = fail;
  v["warn"] = warn;
  v["pass"] = pass;
  nlohmann::ordered_json missing = nlohmann::ordered_json::array();
  for (const auto& m : r.missing) {
    nlohmann::ordered_json j;
    j["imei"] = m.imei;
    j["check_digit"] = m.imei.size() == 15 ? nlohmann::ordered_json(m.check_digit_fails ? "fails" : "valid")
                                            : nlohmann::ordered_json(nullptr);
    nlohmann::ordered_json cands = nlohmann::ordered_json::array();
    for (const auto& c : m.candidates)
      cands.push_back({{"device", c.device}, {"protocol", c.protocol}, {"why", to_string(c.why)}, {"evidence", c.evidence}});
    j["candidates"] = cands;
    missing.push_back(j);
  }
  v["missing"] = missing;
}

std::string dump(const nlohmann::ordered_json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string render_text(const Report& r, const RenderOptions& o) {
  const bool one = r.devices.size() <= 1 || !r.missing.empty();
  return one || o.all ? full(r) : summary(r, o);
}

std::string render_ndjson(const Report& r) {
  std::string out;
  each_finding(r, [&](const Finding& f, const Device* d) {
    nlohmann::ordered_json j;
    j["kind"] = "finding";
    put_finding(j, f);
    if (d) j["protocol"] = d->protocol.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(d->protocol);
    out += dump(j) + "\n";
  });
  nlohmann::ordered_json v;
  v["kind"] = "verdict";
  put_verdict(v, r);
  out += dump(v) + "\n";
  return out;
}

std::string render_json(const Report& r) {
  nlohmann::ordered_json doc;
  put_verdict(doc, r);
  nlohmann::ordered_json devices = nlohmann::ordered_json::array();
  for (const auto& d : r.devices) {
    nlohmann::ordered_json j;
    j["device"] = d.name;
    j["protocol"] = d.protocol.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(d.protocol);
    j["label"] = d.label;
    j["status"] = to_string(d.worst);
    j["addresses"] = d.addresses;
    devices.push_back(j);
  }
  doc["device_list"] = devices;
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  each_finding(r, [&](const Finding& f, const Device* d) {
    nlohmann::ordered_json j;
    put_finding(j, f);
    if (d) j["protocol"] = d->protocol.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(d->protocol);
    findings.push_back(j);
  });
  doc["findings"] = findings;
  return dump(doc, 2) + "\n";
}

}  // namespace vt106::doctor
