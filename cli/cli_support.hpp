// The command line's presentation: option validators with short messages, the help formatter (option
// groups, defaults, examples), parse errors with the `datakernel: error:` prefix and suggestions for
// mistyped commands, options and values, and the bash completion script and man page, both generated
// from the option table (docs/cli.md).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dkcli {

// Option groups of `compare` (help headings, in this order).
inline constexpr const char* kGroupInputs = "Inputs";
inline constexpr const char* kGroupKernel = "kNN graph";
inline constexpr const char* kGroupEmbedding = "Embedding and model map";
inline constexpr const char* kGroupTest = "Per-datum test";
inline constexpr const char* kGroupOutput = "Output";
inline constexpr const char* kGroupResources = "Resources";
// Subcommand groups of `datakernel --help`.
inline constexpr const char* kGroupCommands = "Commands";
inline constexpr const char* kGroupShell = "Shell integration";

// Validators whose messages name the value and what was expected ("'abc' is not a positive integer"),
// never a type's full range. Their descriptions are empty: the option's type name says what it takes.
CLI::Validator integer_in(long long low, long long high);  // decimal integer in [low, high]
CLI::Validator positive_integer();                         // 1 .. 2^31 - 1
CLI::Validator non_negative_integer();                     // 0 .. 2^31 - 1
CLI::Validator any_integer();                              // an int
CLI::Validator number_in(double low, double high);         // finite decimal number in [low, high]
CLI::Validator positive_number();                          // finite, > 0
CLI::Validator any_number();                               // finite

// Restricts `option` to `values` (shown in help and completed by the shell as "a|b|c"); `aliases` are
// accepted too but not shown. A value not in the list gets a "did you mean" when one is close.
CLI::Option* choice(CLI::Option* option, const std::vector<std::string>& values,
                    const std::vector<std::string>& aliases = {});

// Help: options grouped under their group's heading, each with its type, description wrapped at 80
// columns and its default ("[default: 1000]"); the footer holds the examples.
std::shared_ptr<CLI::Formatter> help_formatter();

// Exit codes as documented (README "Bad input, errors and exit codes").
const std::vector<std::pair<int, std::string>>& exit_codes();
std::string root_footer();
std::string compare_footer();
std::string simulate_footer();
std::string report_footer();

// Reports a parse error on stderr, every line prefixed "datakernel: error: ", and returns the exit code:
// `usage_exit` for errors, 0 after --help / --version. Unknown commands and options are named first (with a
// suggestion when one is close), before any complaint about missing required options. `datakernel` alone
// prints the list of commands on stdout and returns `usage_exit`.
int report_parse_error(CLI::App& app, const CLI::ParseError& error, int usage_exit);

// `datakernel completion bash`: a bash completion script for every command, option and choice of `app`.
std::string bash_completion(const CLI::App& app);

// `datakernel manpage`: the man page (roff, section 1) of `app`.
std::string man_page(const CLI::App& app, const std::string& version);

}  // namespace dkcli
