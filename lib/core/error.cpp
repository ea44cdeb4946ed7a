#include "core/error.hpp"

namespace cdcctl {

namespace {
std::string compose(const std::string& what, const std::string& why) {
  return why.empty() ? what : what + ": " + why;
}
}  // namespace

Error::Error(ExitCode code, std::string what, std::string why, std::string hint)
    : std::runtime_error(compose(what, why)),
      code_(code),
      what_(std::move(what)),
      why_(std::move(why)),
      hint_(std::move(hint)) {}

Error Error::usage(std::string what, std::string why, std::string hint) {
  return {ExitCode::Usage, std::move(what), std::move(why), std::move(hint)};
}
Error Error::not_found(std::string what, std::string why, std::string hint) {
  return {ExitCode::NotFound, std::move(what), std::move(why), std::move(hint)};
}
Error Error::unreachable(std::string what, std::string why, std::string hint) {
  return {ExitCode::Unreachable, std::move(what), std::move(why), std::move(hint)};
}
Error Error::failed(std::string what, std::string why, std::string hint) {
  return {ExitCode::Failed, std::move(what), std::move(why), std::move(hint)};
}

Error Error::with_hint(std::string hint) const {
  if (!hint_.empty()) return *this;
  return {code_, what_, why_, std::move(hint)};
}

std::string format_error(const Error& error) {
  std::string text = "error: " + std::string(error.what()) + "\n";
  if (!error.hint().empty()) text += "hint: " + error.hint() + "\n";
  return text;
}

ExitCode exit_code_for(const std::exception& error) {
  if (const auto* ours = dynamic_cast<const Error*>(&error)) return ours->code();
  return ExitCode::Failed;
}

}  // namespace cdcctl
