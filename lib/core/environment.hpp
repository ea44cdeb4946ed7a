#pragma once
// Environment access behind a function so precedence rules can be tested
// without touching the process environment.
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace cdcctl {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

EnvLookup process_environment();
EnvLookup fixed_environment(std::map<std::string, std::string> variables);

}  // namespace cdcctl
