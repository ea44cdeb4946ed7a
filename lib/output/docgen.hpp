#pragma once
// Shell completions and man pages generated from the CLI definition. The CLI
// layer describes itself as a CommandSpec tree; everything here is text
// generation over that tree, so the checked-in files can be regenerated and a
// test can tell when they are stale.
#include <string>
#include <utility>
#include <vector>

namespace cdcctl::output {

// How a value is completed: a fixed list, file names, or the output of
// `cdcctl ARGS` (live names such as contexts).
struct ValueCompletion {
  std::vector<std::string> choices{};
  bool files = false;
  std::string dynamic_args{};  // e.g. "context list -o name"
};

struct OptionSpec {
  std::string short_name{};// "o" (no dash), may be empty
  std::string long_name{}; // "output" (no dashes), may be empty
  std::string value_name{};  // "FORMAT"; empty for a flag without value
  std::string description{};
  ValueCompletion completion{};
};

struct PositionalSpec {
  std::string name{};
  std::string description{};
  bool repeated = false;
  bool required = false;
  ValueCompletion completion{};
};

struct CommandSpec {
  std::string name{};
  std::string description{};
  std::string details{};  // longer text for the man page, paragraphs separated by blank lines
  std::vector<std::string> examples{};  // "cdcctl context use prod"
  std::vector<OptionSpec> options{};
  std::vector<PositionalSpec> positionals{};
  std::vector<CommandSpec> subcommands{};
};

struct ManSection {
  std::string title;
  std::vector<std::pair<std::string, std::string>> entries;  // term, text
};

struct ManInfo {
  std::string version;
  std::vector<ManSection> extra_sections;  // EXIT STATUS, ENVIRONMENT, FILES … for cdcctl(1)
};

std::string bash_completion(const CommandSpec& root);
std::string zsh_completion(const CommandSpec& root);
std::string fish_completion(const CommandSpec& root);

// (file name, roff text) for cdcctl.1 and one cdcctl-PATH.1 per command.
std::vector<std::pair<std::string, std::string>> man_pages(const CommandSpec& root, const ManInfo& info);

// Escapes text for roff: backslashes, leading dots/quotes, and '-' as \-.
std::string roff_escape(const std::string& text);

}  // namespace cdcctl::output
