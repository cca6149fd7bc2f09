#include "cli_support.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

#include "suggest.hpp"

namespace dkcli {

namespace {

const char* const kPrefix = "datakernel: error: ";
constexpr std::size_t kHelpWidth = 80;

// A value as quoted in a message: at most 40 characters.
std::string quote_value(const std::string& text) {
  return "'" + (text.size() > 40 ? text.substr(0, 37) + "..." : text) + "'";
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
  return out;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  return parts;
}

bool parse_integer(const std::string& text, long long& value, bool& overflow) {
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  overflow = result.ec == std::errc::result_out_of_range && result.ptr == end;
  return !text.empty() && result.ec == std::errc() && result.ptr == end;
}

bool parse_number(const std::string& text, double& value) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(value);
}

std::string format_number(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

// Greedy word wrap to `width` columns; existing line breaks are kept.
std::string wrap(const std::string& text, std::size_t width) {
  std::string out;
  for (const std::string& paragraph : split(text, '\n')) {
    if (!out.empty()) out += '\n';
    std::size_t column = 0;
    std::istringstream words(paragraph);
    std::string word;
    while (words >> word) {
      if (column > 0 && column + 1 + word.size() > width) {
        out += '\n';
        column = 0;
      } else if (column > 0) {
        out += ' ';
        ++column;
      }
      out += word;
      column += word.size();
    }
  }
  return out;
}

// A flag (--quiet) takes no value; CLI11 marks it by expecting 0 values.
bool takes_value(const CLI::Option* opt) { return opt->get_type_size() != 0 && opt->get_expected_max() != 0; }

class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter() {
    column_width(32);
    label("Positionals", "Arguments");
    label("SUBCOMMAND", "COMMAND");
    label("Usage", "usage");
  }

  std::string make_option_opts(const CLI::Option* opt) const override {
    if (!opt->get_option_text().empty()) return " " + opt->get_option_text();
    if (!takes_value(opt)) return "";
    std::string out = " " + opt->get_type_name();
    if (opt->get_items_expected_max() >= CLI::detail::expected_max_vector_size && opt->get_delimiter() == '\0')
      out += " ...";
    return out;
  }

  // Positional arguments in the usage line by their type: "datakernel compare [OPTIONS] FILE...".
  std::string make_option_usage(const CLI::Option* opt) const override {
    std::string out = opt->get_type_name().empty() ? opt->get_name(true, false) : opt->get_type_name();
    if (opt->get_items_expected_max() >= CLI::detail::expected_max_vector_size) out += "...";
    return opt->get_required() ? out : "[" + out + "]";
  }

  // One blank line between groups (CLI11 puts two).
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override {
    std::string text = CLI::Formatter::make_help(app, std::move(name), mode);
    for (std::size_t at; (at = text.find("\n\n\n")) != std::string::npos;) text.erase(at, 1);
    return text;
  }

  std::string make_option_desc(const CLI::Option* opt) const override {
    std::string desc = opt->get_description();
    if (opt->get_required())
      desc += " (required)";
    else if (takes_value(opt) && !opt->get_default_str().empty())
      desc += " [default: " + opt->get_default_str() + "]";
    return wrap(desc, kHelpWidth - column_width_);
  }
};

// Options of an app as typed on the command line (--long and -s), help and version included.
std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    if (!opt->nonpositional()) continue;
    for (const auto& name : opt->get_lnames()) names.push_back("--" + name);
    for (const auto& name : opt->get_snames()) names.push_back("-" + name);
  }
  return names;
}

std::vector<const CLI::App*> commands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_name().empty() && !sub->get_disabled(); });
}

bool looks_like_option(const std::string& arg) {
  double number = 0;
  return arg.size() > 1 && arg[0] == '-' && !parse_number(arg, number);
}

// What the shell should complete for an option of this type name: choices ("a|b|c": the lower-case
// alternatives), files, directories, or nothing.
struct ValueCompletion {
  enum Kind { none, words, files, dirs } kind = none;
  std::vector<std::string> words_list;
};

ValueCompletion value_completion(const std::string& type_name) {
  ValueCompletion result;
  if (type_name == "FILE" || type_name == "FILE.csv") return {ValueCompletion::files, {}};
  if (type_name == "DIR") return {ValueCompletion::dirs, {}};
  // Choices are written "a|b|c" (or one word); upper-case alternatives are placeholders ("auto|N").
  for (const auto& word : split(type_name, '|')) {
    const bool lower = !word.empty() && std::all_of(word.begin(), word.end(), [](unsigned char c) {
      return std::islower(c) || c == '-' || c == '_';
    });
    if (lower) result.words_list.push_back(word);
  }
  if (!result.words_list.empty()) result.kind = ValueCompletion::words;
  return result;
}

std::string roff_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  // A line starting with '.' or '\'' would be read as a request.
  std::string guarded;
  for (const auto& line : split(out, '\n')) {
    if (!guarded.empty()) guarded += '\n';
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) guarded += "\\&";
    guarded += line;
  }
  return guarded;
}

// The groups of an app's non-positional options in first-seen order.
std::vector<std::string> option_groups(const CLI::App& app) {
  std::vector<std::string> groups;
  for (const CLI::Option* opt : app.get_options())
    if (opt->nonpositional() && !opt->get_group().empty() &&
        std::find(groups.begin(), groups.end(), opt->get_group()) == groups.end())
      groups.push_back(opt->get_group());
  return groups;
}

}  // namespace

CLI::Validator integer_in(long long low, long long high) {
  std::string what = low == 1 && high == INT_MAX   ? "a positive integer"
                     : low == 0 && high == INT_MAX ? "a non-negative integer"
                     : low == INT_MIN && high == INT_MAX
                         ? "an integer"
                         : "an integer from " + std::to_string(low) + " to " + std::to_string(high);
  return CLI::Validator(
      [low, high, what](std::string& text) -> std::string {
        long long value = 0;
        bool overflow = false;
        if (!parse_integer(text, value, overflow)) {
          if (overflow && text[0] != '-' && high == INT_MAX)
            return quote_value(text) + " is too large for " + what + " (at most " + std::to_string(high) + ")";
          return quote_value(text) + " is not " + what;
        }
        if (value < low || value > high) {
          if (value > high && high == INT_MAX)
            return quote_value(text) + " is too large (at most " + std::to_string(high) + ")";
          return quote_value(text) + " is not " + what;
        }
        return "";
      },
      "");
}

CLI::Validator positive_integer() { return integer_in(1, INT_MAX); }
CLI::Validator non_negative_integer() { return integer_in(0, INT_MAX); }
CLI::Validator any_integer() { return integer_in(INT_MIN, INT_MAX); }

CLI::Validator number_in(double low, double high) {
  const std::string what = "a number from " + format_number(low) + " to " + format_number(high);
  return CLI::Validator(
      [low, high, what](std::string& text) -> std::string {
        double value = 0;
        if (!parse_number(text, value) || value < low || value > high) return quote_value(text) + " is not " + what;
        return "";
      },
      "");
}

CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!parse_number(text, value) || value <= 0) return quote_value(text) + " is not a positive number";
        return "";
      },
      "");
}

CLI::Validator any_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        if (!parse_number(text, value)) return quote_value(text) + " is not a number";
        return "";
      },
      "");
}

CLI::Option* choice(CLI::Option* option, const std::vector<std::string>& values,
                    const std::vector<std::string>& aliases) {
  std::vector<std::string> accepted = values;
  accepted.insert(accepted.end(), aliases.begin(), aliases.end());
  option->type_name(join(values, "|"));
  option->check(CLI::Validator(
      [values, accepted](std::string& text) -> std::string {
        if (std::find(accepted.begin(), accepted.end(), text) != accepted.end()) return "";
        const std::string guess = did_you_mean(suggest_all(text, values));
        return quote_value(text) + " is not one of " + join(values, ", ") + (guess.empty() ? "" : "; " + guess);
      },
      ""));
  return option;
}

std::shared_ptr<CLI::Formatter> help_formatter() { return std::make_shared<HelpFormatter>(); }

const std::vector<std::pair<int, std::string>>& exit_codes() {
  static const std::vector<std::pair<int, std::string>> codes = {
      {0, "success (warnings may have been printed)"},
      {1, "usage error: unknown command or option, bad option value"},
      {2, "bad input: the message names the file (and row) and the problem"},
      {3, "resources or computation: not enough memory, no convergence, output not written"},
      {130, "interrupted (SIGINT/SIGTERM)"},
  };
  return codes;
}

std::string root_footer() {
  std::string out =
      "Examples:\n"
      "  datakernel compare a.npy b.npy c.npy --names A,B,C --out results/\n"
      "  datakernel compare base.npy tuned.npy --reference base --out results/\n"
      "  datakernel report results/\n"
      "  datakernel simulate --models 4 --n 2000 --out sim/\n"
      "\n"
      "Exit status:\n";
  for (const auto& [code, meaning] : exit_codes()) {
    const std::string number = std::to_string(code);
    out += "  " + number + std::string(5 - number.size(), ' ') + meaning + "\n";
  }
  out += "  (on 2, 3 and 130 nothing is written)\n";
  out +=
      "\n"
      "Run 'datakernel COMMAND --help' for the options of a command.\n"
      "Shell completion: datakernel completion bash; man page: datakernel manpage.";
  return out;
}

std::string compare_footer() {
  return "Examples:\n"
         "  # distances, model map and a per-datum test of every pair\n"
         "  datakernel compare a.npy b.npy c.npy --names A,B,C --out results/\n"
         "  # which data moved between a base model and its fine-tune\n"
         "  datakernel compare base.npy tuned.npy --reference base --out results/\n"
         "  # the paper's omnibus test with a bootstrap null, 2000 replicates\n"
         "  datakernel compare a.npy b.npy --test omnibus --null paper \\\n"
         "      --bootstrap 2000 --out results/\n"
         "  # an .npz member, a safetensors tensor, a CSV; metrics to correlate with\n"
         "  datakernel compare m1.npz:emb m2.safetensors:vectors m3.csv \\\n"
         "      --metrics acc.csv --out results/";
}

std::string simulate_footer() {
  return "Example:\n"
         "  datakernel simulate --models 5 --n 2000 --dims 96,64,128 --seed 7 --out sim/";
}

std::string report_footer() {
  return "Example:\n"
         "  datakernel report results/";
}

int report_parse_error(CLI::App& app, const CLI::ParseError& error, int usage_exit) {
  if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version, an early CLI::Success
  const std::string program = app.get_name().empty() ? "datakernel" : app.get_name();
  const std::vector<CLI::App*> selected = app.get_subcommands();
  CLI::App* sub = selected.empty() ? nullptr : selected.front();
  std::vector<std::string> lines;

  // Unknown words before the command (or no command): report the first, with a suggestion.
  std::vector<std::string> command_names;
  for (const CLI::App* command : commands(app)) command_names.push_back(command->get_name());
  for (const std::string& arg : app.remaining(false)) {
    if (looks_like_option(arg)) {
      const std::string name = arg.substr(0, arg.find('='));
      std::string owner;
      for (const CLI::App* command : commands(app)) {
        const auto names = option_names(*command);
        if (owner.empty() && std::find(names.begin(), names.end(), name) != names.end()) owner = command->get_name();
      }
      if (!owner.empty()) {
        lines.push_back("option " + quote_value(name) + " goes after the command: " + program + " " + owner +
                        " ... " + name);
      } else {
        const std::string guess = did_you_mean(suggest_all(name, option_names(app)));
        lines.push_back("unknown option " + quote_value(name) + (guess.empty() ? "" : "; " + guess) + " (see '" +
                        program + " --help')");
      }
    } else if (sub == nullptr) {
      const std::string guess = arg == "help" ? did_you_mean({program + " --help"})
                                              : did_you_mean(suggest_all(arg, command_names));
      lines.push_back("unknown command " + quote_value(arg) +
                      (guess.empty() ? "; commands: " + join(command_names, ", ") : "; " + guess));
    } else {
      lines.push_back("unexpected argument " + quote_value(arg) + " (see '" + program + " --help')");
    }
    break;
  }
  // Unknown options of the command, each with a suggestion, before any missing required option.
  if (lines.empty() && sub != nullptr) {
    const std::string command = program + " " + sub->get_name();
    for (const std::string& arg : sub->remaining(false)) {
      if (looks_like_option(arg)) {
        const std::string name = arg.substr(0, arg.find('='));
        const std::string guess = did_you_mean(suggest_all(name, option_names(*sub)));
        lines.push_back("unknown option " + quote_value(name) + " for '" + command + "'" +
                        (guess.empty() ? " (see '" + command + " --help')" : "; " + guess));
      } else {
        lines.push_back("unexpected argument " + quote_value(arg) + " for '" + command + "' (see '" + command +
                        " --help')");
      }
    }
  }
  if (!lines.empty()) {
    for (const auto& line : lines) std::cerr << kPrefix << line << "\n";
    return usage_exit;
  }

  // `datakernel` alone: the list of commands.
  if (sub == nullptr && dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) {
    std::cout << app.get_description() << "\n\nusage: " << program << " COMMAND [OPTIONS]\n\ncommands:\n";
    std::size_t width = 0;
    for (const CLI::App* command : commands(app)) width = std::max(width, command->get_name().size());
    for (const CLI::App* command : commands(app))
      std::cout << "  " << command->get_name() << std::string(width + 2 - command->get_name().size(), ' ')
                << command->get_description() << "\n";
    std::cout << "\nRun '" << program << " COMMAND --help' for the options of a command, '" << program
              << " --help' for examples and exit codes.\n";
    return usage_exit;
  }

  // Anything else: CLI11's message, made shorter where it is technical, with the prefix on every line.
  std::string message = error.what();
  if (const auto* required = dynamic_cast<const CLI::RequiredError*>(&error); required != nullptr && sub != nullptr) {
    // "inputs is required": say which argument is missing as the usage line names it.
    const std::string suffix = " is required";
    if (message.size() > suffix.size() && message.compare(message.size() - suffix.size(), suffix.size(), suffix) == 0) {
      const CLI::Option* opt = sub->get_option_no_throw(message.substr(0, message.size() - suffix.size()));
      if (opt != nullptr && !opt->nonpositional())
        message = "missing argument " + HelpFormatter().make_option_usage(opt);
    }
  }
  static const std::regex missing_value(R"(^(\S+): \d+ required (\S+) missing$)");
  std::smatch match;
  if (std::regex_match(message, match, missing_value))
    message = match[1].str() + " needs a value (" + match[2].str() + ")";
  const std::string help = sub ? program + " " + sub->get_name() + " --help" : program + " --help";
  const std::vector<std::string> parts = split(message, '\n');
  for (std::size_t i = 0; i < parts.size(); ++i)
    std::cerr << kPrefix << parts[i] << (i + 1 == parts.size() ? " (see '" + help + "')" : "") << "\n";
  return usage_exit;
}

std::string bash_completion(const CLI::App& app) {
  const std::string program = app.get_name().empty() ? "datakernel" : app.get_name();
  std::vector<std::string> names;
  for (const CLI::App* command : commands(app)) names.push_back(command->get_name());
  std::ostringstream out;
  out << "# bash completion for " << program << " (generated by `" << program << " completion bash`).\n"
      << "# Load it with: source <(" << program << " completion bash), or install it as\n"
      << "# ~/.local/share/bash-completion/completions/" << program << ".\n"
      << "_" << program << "_files() { compopt -o filenames 2> /dev/null; COMPREPLY=($(compgen -f -- \"$1\")); }\n"
      << "_" << program << "_dirs() { compopt -o filenames 2> /dev/null; COMPREPLY=($(compgen -d -- \"$1\")); }\n"
      << "_" << program << "() {\n"
      << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\" command=\"\" i\n"
      << "  ((COMP_CWORD > 0)) && prev=\"${COMP_WORDS[COMP_CWORD - 1]}\"\n"
      << "  # --option=value: bash splits the word at '='\n"
      << "  if [[ $cur == \"=\" ]]; then cur=\"\"; elif [[ $prev == \"=\" ]] && ((COMP_CWORD > 1)); then\n"
      << "    prev=\"${COMP_WORDS[COMP_CWORD - 2]}\"\n"
      << "  fi\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    case \"${COMP_WORDS[i]}\" in\n"
      << "      " << join(names, "|") << ") command=\"${COMP_WORDS[i]}\"; break ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  COMPREPLY=()\n"
      << "  case \"$command\" in\n"
      << "    \"\")\n"
      << "      COMPREPLY=($(compgen -W \"" << join(names, " ") << " " << join(option_names(app), " ")
      << "\" -- \"$cur\")) ;;\n";
  for (const CLI::App* command : commands(app)) {
    out << "    " << command->get_name() << ")\n";
    // The value of an option: its choices, a file or directory, or nothing to complete.
    std::map<std::string, std::vector<std::string>> by_pattern;  // case pattern body -> option names
    std::vector<std::string> no_completion;
    for (const CLI::Option* opt : command->get_options()) {
      if (!opt->nonpositional() || !takes_value(opt)) continue;
      std::vector<std::string> spelled;
      for (const auto& name : opt->get_lnames()) spelled.push_back("--" + name);
      for (const auto& name : opt->get_snames()) spelled.push_back("-" + name);
      const ValueCompletion value = value_completion(opt->get_type_name());
      std::string action;
      if (value.kind == ValueCompletion::words)
        action = "COMPREPLY=($(compgen -W \"" + join(value.words_list, " ") + "\" -- \"$cur\"))";
      else if (value.kind == ValueCompletion::files)
        action = "_" + program + "_files \"$cur\"";
      else if (value.kind == ValueCompletion::dirs)
        action = "_" + program + "_dirs \"$cur\"";
      if (action.empty())
        no_completion.insert(no_completion.end(), spelled.begin(), spelled.end());
      else
        by_pattern[action].insert(by_pattern[action].end(), spelled.begin(), spelled.end());
    }
    out << "      case \"$prev\" in\n";
    for (const auto& [action, spelled] : by_pattern)
      out << "        " << join(spelled, "|") << ") " << action << "; return 0 ;;\n";
    if (!no_completion.empty()) out << "        " << join(no_completion, "|") << ") return 0 ;;\n";
    out << "      esac\n";
    // Otherwise an option name, or the command's positional argument.
    std::string positional;
    for (const CLI::Option* opt : command->get_options())
      if (opt->get_positional() && !opt->nonpositional()) {
        const ValueCompletion value = value_completion(opt->get_type_name());
        if (value.kind == ValueCompletion::words)
          positional = "COMPREPLY=($(compgen -W \"" + join(value.words_list, " ") + "\" -- \"$cur\"))";
        else if (value.kind == ValueCompletion::files)
          positional = "_" + program + "_files \"$cur\"";
        else if (value.kind == ValueCompletion::dirs)
          positional = "_" + program + "_dirs \"$cur\"";
      }
    out << "      if [[ $cur == -* ]]; then\n"
        << "        COMPREPLY=($(compgen -W \"" << join(option_names(*command), " ") << "\" -- \"$cur\"))\n";
    if (!positional.empty()) out << "      else\n        " << positional << "\n";
    out << "      fi ;;\n";
  }
  out << "  esac\n"
      << "  return 0\n"
      << "}\n"
      << "complete -F _" << program << " " << program << "\n";
  return out.str();
}

std::string man_page(const CLI::App& app, const std::string& version) {
  const std::string program = app.get_name().empty() ? "datakernel" : app.get_name();
  std::string upper = program;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  std::string summary = app.get_description();
  if (summary.rfind(program + ": ", 0) == 0) summary = summary.substr(program.size() + 2);
  std::ostringstream out;
  out << ".\\\" Generated by `" << program << " manpage` from the command's option table.\n"
      << ".TH " << upper << " 1 \"\" \"" << program << " " << version << "\" \"User Commands\"\n"
      << ".SH NAME\n"
      << program << " \\- " << roff_escape(summary) << "\n"
      << ".SH SYNOPSIS\n";
  for (const CLI::App* command : commands(app)) {
    out << ".B " << program << " " << command->get_name() << "\n";
    std::string args = "[\\fIOPTIONS\\fR]";
    for (const CLI::Option* opt : command->get_options())
      if (opt->get_positional() && !opt->nonpositional())
        args += " \\fI" + roff_escape(opt->get_type_name()) + "\\fR" +
                (opt->get_items_expected_max() >= CLI::detail::expected_max_vector_size ? "..." : "");
    out << args << "\n.br\n";
  }
  out << ".SH DESCRIPTION\n" << roff_escape(summary) << ".\n"
      << "Every option is described below with its default; \\fBdocs/cli.md\\fR has the full reference.\n"
      << ".SH COMMANDS\n";
  for (const CLI::App* command : commands(app)) {
    out << ".SS \"" << program << " " << command->get_name() << "\"\n" << roff_escape(command->get_description())
        << ".\n";
    auto print_option = [&](const CLI::Option* opt, bool positional) {
      out << ".TP\n";
      if (positional) {
        out << "\\fI" << roff_escape(opt->get_type_name()) << "\\fR"
            << (opt->get_items_expected_max() >= CLI::detail::expected_max_vector_size ? "..." : "") << "\n";
      } else {
        std::vector<std::string> spelled;
        for (const auto& name : opt->get_snames()) spelled.push_back("\\fB\\-" + roff_escape(name) + "\\fR");
        for (const auto& name : opt->get_lnames()) spelled.push_back("\\fB\\-\\-" + roff_escape(name) + "\\fR");
        out << join(spelled, ", ");
        if (takes_value(opt)) out << " \\fI" << roff_escape(opt->get_type_name()) << "\\fR";
        out << "\n";
      }
      std::string desc = opt->get_description();
      if (opt->get_required())
        desc += " (required)";
      else if (takes_value(opt) && !opt->get_default_str().empty())
        desc += " [default: " + opt->get_default_str() + "]";
      out << roff_escape(desc) << "\n";
    };
    for (const CLI::Option* opt : command->get_options())
      if (opt->get_positional() && !opt->nonpositional()) print_option(opt, true);
    for (const std::string& group : option_groups(*command)) {
      const auto in_group = command->get_options([&](const CLI::Option* opt) {
        return opt->nonpositional() && opt->get_group() == group && opt != command->get_help_ptr();
      });
      if (in_group.empty()) continue;
      out << ".PP\n\\fI" << roff_escape(group) << ":\\fR\n";
      for (const CLI::Option* opt : in_group) print_option(opt, false);
    }
    if (!command->get_footer().empty()) out << ".PP\n.nf\n" << roff_escape(command->get_footer()) << "\n.fi\n";
  }
  out << ".SH OPTIONS\n";
  for (const CLI::Option* opt : app.get_options()) {
    if (!opt->nonpositional()) continue;
    std::vector<std::string> spelled;
    for (const auto& name : opt->get_snames()) spelled.push_back("\\fB\\-" + roff_escape(name) + "\\fR");
    for (const auto& name : opt->get_lnames()) spelled.push_back("\\fB\\-\\-" + roff_escape(name) + "\\fR");
    out << ".TP\n" << join(spelled, ", ") << "\n" << roff_escape(opt->get_description()) << "\n";
  }
  out << ".SH EXIT STATUS\n";
  for (const auto& [code, meaning] : exit_codes()) out << ".TP\n.B " << code << "\n" << roff_escape(meaning) << "\n";
  out << ".PP\nOn exit 2, 3 and 130 nothing is written.\n";
  out << ".SH EXAMPLES\n.nf\n";
  for (const auto& line : split(root_footer(), '\n')) {
    if (line == "Exit status:") break;
    if (line == "Examples:" || line.empty()) continue;
    out << roff_escape(line.substr(line.find_first_not_of(' '))) << "\n";
  }
  out << ".fi\n"
      << ".SH FILES\n"
      << "A run writes report.html, summary.json, model_distances.csv, model_distances_<measure>.csv, manifold.csv, "
         "datum_shift.csv, datum_tests.csv and latent_2d.csv to the directory given by \\fB\\-\\-out\\fR.\n"
      << ".SH SEE ALSO\n"
      << "The bash completion script: \\fB" << program << " completion bash\\fR.\n";
  return out.str();
}

}  // namespace dkcli
