#pragma once
// The one error type of cdcctl. It carries what failed, why, what to do next,
// and the exit code the process ends with, so every command reports failures
// the same way and scripts can rely on the code.
#include <stdexcept>
#include <string>

#include "core/exit_codes.hpp"

namespace cdcctl {

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string what, std::string why = {}, std::string hint = {});

  static Error usage(std::string what, std::string why = {}, std::string hint = {});
  static Error not_found(std::string what, std::string why = {}, std::string hint = {});
  static Error unreachable(std::string what, std::string why = {}, std::string hint = {});
  static Error failed(std::string what, std::string why = {}, std::string hint = {});

  ExitCode code() const { return code_; }
  const std::string& summary() const { return what_; }
  const std::string& why() const { return why_; }
  const std::string& hint() const { return hint_; }

  // "what: why" (or just what) on one line, for reports that hold many errors.
  std::string detail() const { return why_.empty() ? what_ : what_ + ": " + why_; }

  // A copy with a hint added (keeps an existing hint unless it is empty).
  Error with_hint(std::string hint) const;

 private:
  ExitCode code_;
  std::string what_;
  std::string why_;
  std::string hint_;
};

// "error: WHAT: WHY\nhint: HINT\n" — the text every command prints to stderr.
std::string format_error(const Error& error);

// Maps any exception to the exit code the process should end with.
ExitCode exit_code_for(const std::exception& error);

}  // namespace cdcctl
