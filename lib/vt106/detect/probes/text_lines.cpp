// Plain text lines with no protocol signature: nmap's GenericLines probe ("\r\n\r\n"), "HELP",
// a person typing into a socket. Weak on purpose: every text protocol is also text lines.
#include <array>

#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_text_lines {
namespace {

constexpr ProtocolInfo text_lines{"text_lines", "plain text lines, no protocol signature", Category::other, 0, true,
                                  true, false};
constexpr const ProtocolInfo* family_protocols[] = {&text_lines};

// What each byte is to a text line: printable ASCII, CR and tab are text.
enum class Kind : std::uint8_t { text, newline, binary };
constexpr std::array<Kind, 256> kinds = [] {
  std::array<Kind, 256> k{};
  for (int c = 0; c < 256; ++c)
    k[static_cast<std::size_t>(c)] = c == '\n'                                  ? Kind::newline
                                     : (c >= 0x20 && c < 0x7f) || c == '\r' || c == '\t' ? Kind::text
                                                                                 : Kind::binary;
  return k;
}();

class TextLinesProbe final : public Probe {
 public:
  std::string_view family() const override { return "text_lines"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return (c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t'; }
  Match quick(const Bytes& b) const override {
    const int c = b.at(0);
    return is_printable(c) || c == '\r' || c == '\n' || c == '\t' ? Match::maybe : Match::no;
  }
  // Text that starts with a character of a line and is not nmap's Help probe gets 0.25 at most.
  bool may_defer() const override { return true; }
  double deferred_bound(const Bytes& b) const override {
    if (b.at(0) == '\r' || b.at(0) == '\n' || b.text() == "HELP\r\n") return -1;
    return 0.25;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    const std::string_view text = b.text();
    const auto* d = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t lines = 0, blank = 0, line_start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      switch (kinds[d[i]]) {
        case Kind::text: break;
        case Kind::newline: {
          ++lines;
          const std::size_t length = i - line_start;
          if (length == 0 || (length == 1 && d[line_start] == '\r')) ++blank;
          line_start = i + 1;
          break;
        }
        case Kind::binary: return;
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
