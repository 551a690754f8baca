// Fuzz target: a command line as typed on `vt106 listen`'s standard input after the IMEI, read by
// craft's grammar (craft_from_words). Invariants: it never throws; either it refuses with a
// message and no frame, or it makes one GOTOP command frame (':' password ... '#') that the
// parser decodes as a downlink command; `raw` (any text after the password, by design unchecked)
// need only be framed.
#include <string>
#include <vector>

#include "../../cli/commands.hpp"
#include "fuzz_support.hpp"
#include "vt106/gotop/parser.hpp"

// The registry the command-line objects expect (main.cpp defines it in the binary).
namespace vt106::cli {
std::vector<RegisteredSubcommand>& registered_subcommands() {
  static std::vector<RegisteredSubcommand> all;
  return all;
}
Subcommand::Subcommand(const char* name, int order, Setup setup) { registered_subcommands().push_back({name, order, setup}); }
}  // namespace vt106::cli

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), data == nullptr ? 0 : size);
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  if (!word.empty()) words.push_back(word);
  if (words.size() > 16) words.resize(16);
  const auto crafted = vt106::cli::craft_from_words(words, "123456");
  if (!crafted.problem.empty()) {
    vt106::fuzz::check(crafted.frame.empty(), "a refused command with a frame");
    return 0;
  }
  const std::string& f = crafted.frame;
  vt106::fuzz::check(f.size() >= 9 && f.front() == ':' && f.back() == '#', "not a command frame", f);
  if (!words.empty() && words.front() == "raw") {
    vt106::fuzz::check(f.compare(0, 7, ":123456") == 0 && f.find('#') == f.size() - 1, "a raw frame not framed", f);
    return 0;
  }
  vt106::gotop::Parser parser;
  vt106::gotop::Message m;
  vt106::gotop::DecodeError err;
  vt106::fuzz::check(parser.parse_frame(std::string_view(f).substr(0, f.size() - 1), m, err) &&
                         m.dir == vt106::gotop::Direction::down,
                     "a crafted frame that does not decode as a command", f);
  return 0;
}
