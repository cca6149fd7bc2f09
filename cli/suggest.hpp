// Suggestions for mistyped subcommands, options and option values ("did you mean ...?").
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace dkcli {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of adjacent characters
// each cost 1 ("boostrap" -> "bootstrap" is 1, "comapre" -> "compare" is 1).
std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidate closest to `word`, or "" when none is close: within 1 edit for words of up to 4 characters,
// 2 up to 8, and a third of the length beyond; a unique candidate that `word` is a prefix of also counts
// ("--boot" -> "--bootstrap"). Ties go to the earlier candidate.
std::string suggest(const std::string& word, const std::vector<std::string>& candidates);

// Like suggest, but a prefix of several candidates gives them all (at most 3): "--boot" -> "--bootstrap",
// "--bootstrap-p". Empty when nothing is close.
std::vector<std::string> suggest_all(const std::string& word, const std::vector<std::string>& candidates);

// "did you mean 'a'?", "did you mean 'a' or 'b'?"; "" for no suggestions.
std::string did_you_mean(const std::vector<std::string>& suggestions);

}  // namespace dkcli
