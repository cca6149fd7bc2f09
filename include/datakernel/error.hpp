// Error types shared by the whole library.
//
// InputError: the user's input is wrong (bad file, bad option value, inconsistent models). The message
// names the file (and row, where it applies) and the problem; the CLI maps it to exit code 2.
// ComputeError: a numerical stage could not finish (e.g. the eigen-solver did not converge); exit code 3.
// Cancelled: the caller asked the run to stop.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace dk {

// Messages of the library (errors and warnings) name options by their key in the options object, in braces:
// "{max_dim} must be in [2, 1000]", "use {metric=cosine}". Each front-end renders them in its own terms:
//   OptionStyle::cli     --max-dim, --metric cosine
//   OptionStyle::python  max_dim, metric='cosine'
// Only the known keys below are rendered, so braces in file names or ids pass through unchanged.
enum class OptionStyle { cli, python };
std::string render_option_names(std::string_view message, OptionStyle style);
// The option keys render_option_names knows (snake_case, as in CompareConfig and the Python API).
const char* const* option_keys();

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ComputeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Not enough memory (or another resource) for the requested run; exit code 3.
class ResourceError : public ComputeError {
 public:
  using ComputeError::ComputeError;
};

// The run was interrupted (Ctrl-C from Python, a cancelled progress sink); nothing was written.
class Cancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace dk
