// Plain text lines with no protocol signature: nmap's GenericLines probe ("\r\n\r\n"), "HELP",
// a person typing into a socket. Weak on purpose: every text protocol is also text lines.
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_text_lines {
namespace {

constexpr ProtocolInfo text_lines{"text_lines", "plain text lines, no protocol signature", Category::other, 0, true,
                                  true, false};
constexpr const ProtocolInfo* family_protocols[] = {&text_lines};

class TextLinesProbe final : public Probe {
 public:
  std::string_view family() const override { return "text_lines"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  Match quick(const Bytes& b) const override {
    const int c = b.at(0);
    return is_printable(c) || c == '\r' || c == '\n' || c == '\t' ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    std::size_t lines = 0, blank = 0, line_start = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
      const int c = b.at(i);
      if (c == '\n') {
        ++lines;
        const std::string_view line = b.text(line_start, i - line_start);
        if (line.empty() || line == "\r") ++blank;
        line_start = i + 1;
      } else if (!is_printable(c) && c != '\r' && c != '\t') {
        return;  // binary
      }
    }
    if (lines == 0) return;
    auto& c = out.add(text_lines);
    c.uses(line_start);
    if (b.text() == "\r\n\r\n") {
      c.at_least(0.7, "exactly \"\\r\\n\\r\\n\": nmap's GenericLines probe (a service scan)");
    } else if (b.text() == "HELP\r\n") {
      c.at_least(0.6, "\"HELP\\r\\n\": nmap's Help probe");
    } else if (blank == lines) {
      c.at_least(0.5, "{} empty line(s) and nothing else", lines);
    } else {
      c.at_least(0.25, "{} line(s) of printable text without a known signature", lines);
    }
  }
};

const TextLinesProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_text_lines
