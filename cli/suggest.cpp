#include "suggest.hpp"

#include <algorithm>
#include <limits>

namespace dkcli {

namespace {

// Candidates (without duplicates) whose bare form starts with `w`, when `w` has at least 2 characters.
template <typename Bare>
std::vector<std::string> prefix_of(const std::string& w, const std::vector<std::string>& candidates, Bare bare) {
  std::vector<std::string> found;
  if (w.size() < 2) return found;
  for (const auto& candidate : candidates)
    if (bare(candidate).rfind(w, 0) == 0 && std::find(found.begin(), found.end(), candidate) == found.end())
      found.push_back(candidate);
  return found;
}

}  // namespace

std::size_t edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::string suggest(const std::string& word, const std::vector<std::string>& candidates) {
  if (word.empty()) return "";
  // Compare the words without their leading dashes: "-bootstrap" is one edit from "--bootstrap".
  auto bare = [](const std::string& s) { return s.substr(std::min(s.find_first_not_of('-'), s.size())); };
  const std::string w = bare(word);
  const std::size_t allowed = w.size() <= 4 ? 1 : w.size() <= 8 ? 2 : w.size() / 3;
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(w, bare(candidate));
    if (distance < best_distance) best_distance = distance, best = candidate;
  }
  if (best_distance <= allowed && best_distance < std::max<std::size_t>(w.size(), 1)) return best;
  // A prefix of exactly one candidate (at least 2 characters, so "-" or "--" alone suggests nothing).
  const std::vector<std::string> prefixed = prefix_of(w, candidates, bare);
  return prefixed.size() == 1 ? prefixed.front() : "";
}

std::vector<std::string> suggest_all(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string one = suggest(word, candidates);
  if (!one.empty()) return {one};
  auto bare = [](const std::string& s) { return s.substr(std::min(s.find_first_not_of('-'), s.size())); };
  std::vector<std::string> prefixed = prefix_of(bare(word), candidates, bare);
  if (prefixed.size() > 3) prefixed.clear();
  return prefixed;
}

std::string did_you_mean(const std::vector<std::string>& suggestions) {
  if (suggestions.empty()) return "";
  std::string out = "did you mean ";
  for (std::size_t i = 0; i < suggestions.size(); ++i)
    out += (i == 0 ? "" : i + 1 == suggestions.size() ? " or " : ", ") + ("'" + suggestions[i] + "'");
  return out + "?";
}

}  // namespace dkcli
