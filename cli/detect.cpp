// vt106 detect: names the protocol of first bytes given as hex, text, files or standard input,
// one NDJSON verdict per input (or one readable line each with --format text).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "vt106/decode/flow_detector.hpp"
#include "vt106/net/capture_decoder.hpp"
#include "vt106/detect/detect.hpp"
#include "vt106/detect/table.hpp"
#include "vt106/output/json.hpp"
#include "vt106/output/verdict_json.hpp"
#include "vt106/source/byte_text.hpp"
#include "vt106/source/text_input.hpp"

namespace vt106::cli {

namespace {

struct DetectOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> texts, hexes;
  std::vector<std::string> tables;
  std::string server_text, server_hex;
  int port = 0;
  std::string transport;
  std::string format = "auto";
  bool pretty = false;
  bool list = false;
};

// A PROXY v2 header may carry up to 64 KiB of TLVs before the bytes detection looks at.
constexpr std::size_t read_limit = (1u << 16) + 16 + detect::max_inspect + 1;

std::span<const std::byte> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

std::string text_line(std::string_view input, const detect::Verdict& v) {
  std::string s = fmt::format("{}: {}", input, v.protocol);
  if (v.status != detect::Status::match) s += fmt::format(" ({})", detect::to_string(v.status));
  s += fmt::format(" confidence {:.2f}", v.confidence);
  if (v.device_id) {
    s += fmt::format(", device {}", v.device_id->value);
    if (v.device_id->luhn == detect::LuhnCheck::valid) s += " (IMEI, check digit valid)";
    else if (v.device_id->luhn == detect::LuhnCheck::invalid) s += " (IMEI check digit invalid)";
    else if (v.device_id->luhn == detect::LuhnCheck::completed) s += fmt::format(" (IMEI {})", v.device_id->imei);
  }
  for (std::size_t i = 0; i < v.evidence.size(); ++i) s += (i ? "; " : ": ") + v.evidence[i];
  if (!v.alternatives.empty()) {
    s += " | also";
    for (const auto& a : v.alternatives) s += fmt::format(" {} {:.2f}", a.protocol, a.confidence);
  }
  return s;
}

class Reporter {
 public:
  Reporter(const DetectOptions& o, bool text) : o_(o), text_(text) {}

  void flow_verdict(std::string_view input, const decode::FlowVerdict& fv) {
    if (text_) {
      std::fprintf(stdout, "%s\n",
                   text_line(fmt::format("{} flow {} {} {} -> {}", input, fv.flow, fv.transport, fv.client, fv.server),
                             fv.verdict)
                       .c_str());
      return;
    }
    std::string line;
    output::JsonWriter w(line);
    w.begin_object();
    w.key("input").string(input);
    w.key("flow").number(fv.flow);
    w.key("src").string(fv.client);
    w.key("dst").string(fv.server);
    w.key("transport").string(fv.transport);
    output::write_verdict_fields(w, fv.verdict);
    w.end_object();
    if (o_.pretty) line = output::pretty_json(line);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
  }

  void verdict(std::string_view input, const detect::Verdict& v) {
    if (text_) {
      std::fprintf(stdout, "%s\n", text_line(input, v).c_str());
      return;
    }
    std::string line;
    output::JsonWriter w(line);
    w.begin_object();
    w.key("input").string(input);
    if (!o_.transport.empty()) w.key("transport").string(o_.transport);
    if (o_.port) w.key("server_port").number(o_.port);
    output::write_verdict_fields(w, v);
    w.end_object();
    if (o_.pretty) line = output::pretty_json(line);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
  }

 private:
  const DetectOptions& o_;
  bool text_;
};

int list_protocols(bool text) {
  for (const auto* p : detect::known_protocols()) {
    const char* transports = p->tcp && p->udp ? "tcp+udp" : p->udp ? "udp" : "tcp";
    if (text) {
      std::fprintf(stdout, "%-12s %-7s %5s  %-7s  %.*s\n", std::string(p->name).c_str(),
                   std::string(detect::to_string(p->category)).c_str(),
                   p->default_port ? std::to_string(p->default_port).c_str() : "-", transports,
                   static_cast<int>(p->title.size()), p->title.data());
      continue;
    }
    std::string line;
    output::JsonWriter w(line);
    w.begin_object();
    w.key("protocol").string(p->name);
    w.key("category").string(detect::to_string(p->category));
    if (p->default_port) w.key("default_port").number(static_cast<unsigned>(p->default_port));
    w.key("transport").string(transports);
    w.key("title").string(p->title);
    w.key("family").string(detect::family_of(*p));
    w.end_object();
    std::fprintf(stdout, "%s\n", line.c_str());
  }
  return exit_ok;
}

int run_detect(const DetectOptions& o) {
  const bool text = o.format == "text" || (o.format == "auto" && isatty(fileno(stdout)));
  for (const auto& path : o.tables) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
      std::fprintf(stderr, "vt106 detect: --table %s: %s\n", path.c_str(), std::strerror(errno));
      return exit_usage;
    }
    std::string content;
    char buf[65536];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) content.append(buf, n);
    std::fclose(f);
    const auto errors = detect::table::add_text(content, path);
    for (const auto& e : errors) std::fprintf(stderr, "vt106 detect: %s\n", e.c_str());
    if (!errors.empty()) return exit_usage;
  }
  if (o.list) return list_protocols(text);

  detect::Hints hints;
  if (o.transport == "tcp") hints.transport = detect::Transport::tcp;
  if (o.transport == "udp") hints.transport = detect::Transport::udp;
  hints.server_port = static_cast<std::uint16_t>(o.port);

  std::string problem;
  std::string server = source::unescape_bytes(o.server_text);
  if (!o.server_hex.empty()) {
    auto bytes = source::hex_to_bytes(o.server_hex, problem, read_limit);
    if (!bytes) {
      std::fprintf(stderr, "vt106 detect: --server-hex: %s\n", problem.c_str());
      return exit_input;
    }
    server += *bytes;
  }

  Reporter report(o, text);
  int status = exit_ok;
  auto fail = [&](const std::string& what) {
    std::fflush(stdout);
    std::fprintf(stderr, "vt106 detect: %s\n", what.c_str());
    status = exit_input;
  };

  for (const auto& t : o.texts)
    report.verdict("--text", detect::detect(as_bytes(source::unescape_bytes(t)), as_bytes(server), hints));
  for (const auto& h : o.hexes) {
    auto bytes = source::hex_to_bytes(h, problem, read_limit);
    if (!bytes) {
      fail("--hex: " + problem);
      continue;
    }
    report.verdict("--hex", detect::detect(as_bytes(*bytes), as_bytes(server), hints));
  }

  std::vector<std::string> inputs = o.inputs;
  if (inputs.empty() && o.texts.empty() && o.hexes.empty()) inputs.push_back("-");
  for (const auto& name : inputs) {
    std::unique_ptr<std::FILE, FileCloser> file(name == "-" ? stdin : std::fopen(name.c_str(), "rb"));
    if (!file) {
      fail(fmt::format("{}: cannot open: {}", name, std::strerror(errno)));
      continue;
    }
    std::string data(read_limit, '\0');
    data.resize(std::fread(data.data(), 1, data.size(), file.get()));
    if (std::ferror(file.get())) {
      fail(fmt::format("{}: read error", name));
      continue;
    }
    switch (source::sniff_input(std::string_view(data).substr(0, 512))) {
      case source::InputKind::capture: {
        // One verdict per flow, from the first bytes each side sent.
        decode::FlowDetector flows([&](const decode::FlowVerdict& fv) { report.flow_verdict(name, fv); });
        net::CaptureOptions copts;
        if (o.port) copts.flows.server_ports = {static_cast<std::uint16_t>(o.port)};
        net::CaptureDecoder capture(flows, copts);
        const auto stats = capture.run(file.get(), data);
        if (stats.stopped_by_problem)
          fail(fmt::format("{}: the capture is damaged after packet {}; flows before the damage were judged", name,
                           stats.packets));
        continue;
      }
      case source::InputKind::hex: {
        // A dump longer than the limit is cut at its last separator, so no digit pair is split.
        if (data.size() == read_limit) {
          const auto cut = data.find_last_of(" \t\r\n:-");
          data.resize(cut == std::string::npos ? data.size() & ~std::size_t{1} : cut);
        }
        auto bytes = source::hex_to_bytes(data, problem, read_limit);
        if (!bytes) {
          fail(fmt::format("{}: {}", name, problem));
          continue;
        }
        data = std::move(*bytes);
        break;
      }
      default: break;
    }
    report.verdict(name, detect::detect(as_bytes(data), as_bytes(server), hints));
  }
  std::fflush(stdout);
  return status;
}

Runner setup_detect(CLI::App& app) {
  auto opts = std::make_shared<DetectOptions>();
  auto* cmd = app.add_subcommand("detect", "Name the protocol a device speaks from its first bytes");
  cmd->footer(R"(Examples:
  vt106 detect --hex '78 78 0d 01 03 52 88 70 71 91 19 98 00 04 79 d0 0d 0a'
  vt106 detect --text '*HQ,4300256455,V1,111817,A,1935.5128,N,04656.3243,E,0.00,100,170913,FFE7FBFF#'
  vt106 detect --port 5050 first-bytes.bin
  vt106 detect --list)");
  cmd->add_option("inputs", opts->inputs,
                  "Files holding a client's first bytes, raw or as a hex dump ('-' for standard input; the "
                  "default when nothing else is given)");
  // allow_extra_args(false): one value per option, and no "[a,b]" list syntax (watch frames
  // begin with '[' and end with ']').
  cmd->add_option("--hex", opts->hexes, "The client's first bytes as hex; spaces, ':' and 0x prefixes are ignored")
      ->type_name("HEX")
      ->allow_extra_args(false);
  cmd->add_option("--text", opts->texts, "The client's first bytes as text; \\r \\n \\t \\0 \\\\ and \\xHH escapes")
      ->type_name("TEXT")
      ->allow_extra_args(false);
  cmd->add_option("--server-hex", opts->server_hex, "The server's first answer, as hex (a dialogue proof)")
      ->type_name("HEX");
  cmd->add_option("--server-text", opts->server_text, "The server's first answer, as text with escapes")
      ->type_name("TEXT");
  cmd->add_option("--port", opts->port, "The server port the client connected to (a tie-breaker; a mismatch with "
                                        "the protocol's default port is reported)")
      ->check(CLI::Range(1, 65535))
      ->type_name("N");
  cmd->add_option("--transport", opts->transport, "How the bytes travelled")
      ->check(CLI::IsMember({"tcp", "udp"}))
      ->type_name("tcp|udp");
  cmd->add_option("--format", opts->format, "json: one NDJSON record per input; text: one line each (default: "
                                            "text on a terminal, json otherwise)")
      ->check(CLI::IsMember({"auto", "json", "text"}))
      ->type_name("auto|json|text");
  cmd->add_flag("--pretty", opts->pretty, "Indent each JSON record");
  cmd->add_flag("--list", opts->list, "List the protocols detection knows, with default ports");
  cmd->add_option("--table", opts->tables,
                  "Also use the protocol blocks of this table file (the grammar of lib/vt106/detect/protocols/; "
                  "a block replaces the built-in one of the same name; repeatable)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  return [opts] { return run_detect(*opts); };
}

}  // namespace

const Subcommand detect_registration{"detect", 30, setup_detect};

}  // namespace vt106::cli
