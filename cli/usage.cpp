// The parser's errors, read and told again: which subcommand, which option, which value, what
// would have been valid and what was probably meant.
#include "usage.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>

#include <fmt/format.h>

#include "commands.hpp"
#include "vt106/util/text.hpp"

namespace vt106::cli {

namespace {

// The deepest subcommand the arguments name, and where its own arguments begin.
struct Where {
  CLI::App* app;
  std::string path;  // "vt106 craft track"
  std::size_t next = 0;
};

std::vector<CLI::App*> subcommands_of(CLI::App* app) {
  return app->get_subcommands([](CLI::App*) { return true; });
}

Where locate(CLI::App& top, const std::vector<std::string>& args, const std::string& root) {
  Where w{&top, root, 0};
  for (std::size_t i = 0; i < args.size() && args[i] != "--"; ++i)
    for (CLI::App* sub : subcommands_of(w.app))
      if (sub->get_name() == args[i]) {
        w.app = sub;
        w.path += " " + args[i];
        w.next = i + 1;
        break;
      }
  return w;
}

std::vector<std::string> subcommand_names(CLI::App* app) {
  std::vector<std::string> out;
  for (CLI::App* sub : subcommands_of(app)) out.push_back(sub->get_name());
  return out;
}

std::vector<std::string> option_names(CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::Option* o : app->get_options()) {
    for (const auto& l : o->get_lnames()) out.push_back("--" + l);
    for (const auto& s : o->get_snames()) out.push_back("-" + s);
  }
  return out;
}

const CLI::Option* find_option(CLI::App* app, std::string_view name) {
  for (const CLI::Option* o : app->get_options()) {
    for (const auto& l : o->get_lnames())
      if (name == "--" + l) return o;
    for (const auto& s : o->get_snames())
      if (name == "-" + s) return o;
  }
  return nullptr;
}

std::string join(const std::vector<std::string>& words, std::string_view sep = ", ") {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : std::string(sep)) + w;
  return out;
}

// "1000000000.000000" → "1000000000", "0.000100" → "0.0001".
std::string plain_number(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// The text between `open` and `close` in s, after `from`.
std::string between(std::string_view s, std::string_view open, std::string_view close, std::size_t from = 0) {
  const auto a = s.find(open, from);
  if (a == std::string_view::npos) return {};
  const auto b = s.find(close, a + open.size());
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(a + open.size(), b - a - open.size()));
}

std::vector<std::string> split_on(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto at = s.find(sep, start);
    const auto piece = s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start);
    if (!piece.empty()) out.emplace_back(piece);
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

// What the parser said about one option's value ("--speed: Value abc not in range 1 to 10",
// "--format: cvs not in {ndjson,csv}"), in our words.
std::string value_problem(CLI::App* app, const std::string& what) {
  const auto colon = what.find(": ");
  if (colon == std::string::npos || what.empty() || what[0] != '-') return what;
  const std::string option = what.substr(0, colon);
  const std::string rest = what.substr(colon + 2);
  if (const auto set = between(rest, "{", "}"); !set.empty()) {
    const std::string value = rest.substr(0, rest.find(" not in {"));
    const auto choices = split_on(set, ',');
    return fmt::format("{} '{}' is not one of {}{}", option, value, join(choices), util::did_you_mean(value, choices));
  }
  if (rest.rfind("Value ", 0) == 0 && rest.find(" not in range ") != std::string::npos) {
    const auto at = rest.find(" not in range ");
    const std::string value = rest.substr(6, at - 6);
    const std::string range = rest.substr(at + 14);
    const auto to = range.find(" to ");
    const std::string lo = plain_number(range.substr(0, to)), hi = to == std::string::npos ? "" : plain_number(range.substr(to + 4));
    const bool numeric = util::parse_decimal(value).has_value() || util::parse_int<long long>(value).has_value();
    return fmt::format("{} '{}' is {}: it goes from {} to {}", option, value, numeric ? "out of range" : "not a number",
                       lo, hi);
  }
  (void)app;
  return option + ": " + rest;
}

}  // namespace

int report_parse_error(CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args) {
  if (e.get_exit_code() == 0) return app.exit(e) == 0 ? exit_ok : exit_usage;  // --help, --version
  std::fprintf(stderr, "%s\n", parse_error_text(app, e, args).c_str());
  return exit_usage;
}

std::string parse_error_text(CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args,
                             const std::string& root) {
  if (e.get_exit_code() == 0) return {};
  const Where w = locate(app, args, root);
  const std::string what = e.what();
  const std::string help = fmt::format("run '{} --help' for", w.path);
  std::string message;
  auto unknown_option = [&](const std::string& arg) {
    const std::string name = arg.substr(0, arg.find('='));
    std::string out = fmt::format("unknown option '{}'{}", name, util::did_you_mean(name, option_names(w.app)));
    return out + fmt::format(" ({} the options)", help);
  };
  auto unknown_word = [&](const std::string& word) {
    const auto subs = subcommand_names(w.app);
    if (!subs.empty())
      return fmt::format("'{}' is not a subcommand of {}{} (the subcommands: {})", word, w.path,
                         util::did_you_mean(word, subs), join(subs));
    return fmt::format("unexpected argument '{}' ({} its arguments)", word, help);
  };

  if (what.find("subcommand is required") != std::string::npos) {
    std::string first;
    for (std::size_t i = w.next; i < args.size() && first.empty(); ++i) first = args[i];
    if (first.empty())
      message = fmt::format("give a subcommand: {} ({} what each does)", join(subcommand_names(w.app)), help);
    else if (first[0] == '-' && first.size() > 1 && !find_option(w.app, first.substr(0, first.find('='))))
      message = unknown_option(first);
    else
      message = unknown_word(first);
  } else if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    auto words = split_on(what.substr(what.find(": ") + 2), ' ');
    std::reverse(words.begin(), words.end());  // the parser read them last first
    const std::string first = words.empty() ? std::string() : words.front();
    message = !first.empty() && first[0] == '-' && first.size() > 1 ? unknown_option(first) : unknown_word(first);
    if (words.size() > 1) message += fmt::format("; also not expected: {}", join({words.begin() + 1, words.end()}, " "));
  } else if (dynamic_cast<const CLI::ValidationError*>(&e) != nullptr) {
    message = value_problem(w.app, what);
  } else if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr && what.find(" missing") != std::string::npos) {
    // "--format: 1 required FORMAT:{ndjson,json} missing"
    const std::string option = what.substr(0, what.find(':'));
    const auto set = between(what, "{", "}");
    const CLI::Option* o = find_option(w.app, option);
    std::string type = o ? o->get_type_name() : std::string();
    if (type == "TEXT") type.clear();  // the parser's placeholder says nothing
    message = !set.empty() ? fmt::format("{} needs a value: one of {}", option, join(split_on(set, ',')))
              : !type.empty() ? fmt::format("{} needs a value ({})", option, type)
                              : fmt::format("{} needs a value", option);
  } else if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr && what.find(" = ") != std::string::npos) {
    // "Could not convert: --port = 99999"
    const std::string option = between(what, ": ", " = ");
    const std::string value = what.substr(what.find(" = ") + 3);
    const CLI::Option* o = find_option(w.app, option);
    message = fmt::format("{} '{}' is not a valid {}", option, value,
                          o && !o->get_type_name().empty() ? o->get_type_name() : std::string("value"));
  } else if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    message = fmt::format("{} ({} its arguments and examples)", what, help);
  } else {
    message = what;
  }
  return w.path + ": " + message;
}

}  // namespace vt106::cli
