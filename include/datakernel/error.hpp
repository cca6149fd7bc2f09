// Error types shared by the whole library.
//
// InputError: the user's input is wrong (bad file, bad option value, inconsistent models). The message
// names the file (and row, where it applies) and the problem; the CLI maps it to exit code 2.
// ComputeError: a numerical stage could not finish (e.g. the eigen-solver did not converge); exit code 3.
// Cancelled: the caller asked the run to stop.
#pragma once

#include <stdexcept>
#include <string>

namespace dk {

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
