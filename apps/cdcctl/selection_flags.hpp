#pragma once
// Choosing connectors on the command line the same way in every command:
// names, -e REGEX, or --all.
#include <optional>
#include <string>
#include <vector>

#include "app.hpp"
#include "ops/connectors.hpp"

namespace cdcctl::app {

inline const output::ValueCompletion kConnectorNames{.dynamic_args = "connectors list -o name"};

struct SelectionFlags {
  std::vector<std::string> names;
  std::string regex;
  bool all = false;
  bool given() const { return !names.empty() || !regex.empty() || all; }
  ops::Selection selection() const {
    return {names, regex.empty() ? std::nullopt : std::optional<std::string>(regex), all};
  }
};

inline void add_selection(CLI::App* command, AppContext& context, SelectionFlags& flags, bool allow_all = true) {
  auto* names = command->add_option("names", flags.names, "connector names");
  context.completions[names] = kConnectorNames;
  command->add_option("-e,--regex", flags.regex, "every connector whose whole name matches this regular expression")
      ->type_name("REGEX");
  if (allow_all) command->add_flag("--all", flags.all, "every connector of the cluster");
}

}  // namespace cdcctl::app
