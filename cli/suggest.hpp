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

}  // namespace dkcli
