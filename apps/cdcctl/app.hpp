#pragma once
// The cdcctl command line: global flags, the command tree, and the shared
// context every command runs with. Commands are thin: they read flags, call
// lib/, and render through lib/output.
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/environment.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "core/settings.hpp"
#include "core/terminal.hpp"
#include "output/docgen.hpp"
#include "output/render.hpp"

namespace cdcctl::app {

struct GlobalFlags {
  std::string context;
  std::string config_path;
  std::map<std::string, std::string> settings;      // bound to --connect-url, --pg, …
  std::map<std::string, CLI::Option*> setting_options;
  bool insecure = false;
  std::vector<std::string> kafka_properties;        // -X key=value
  std::string output = "table";
  int verbose = 0;
  bool quiet = false;
  bool no_color = false;
  bool show_secrets = false;
};

// Everything a command needs from its surroundings, injected so tests can
// run commands in-process with captured streams and a fixed environment.
struct IO {
  std::istream* in;
  std::ostream* out;
  std::ostream* err;
  EnvLookup env;
  TerminalInfo terminal;
};

class AppContext {
 public:
  explicit AppContext(IO io);

  IO io;
  GlobalFlags flags;
  std::function<ExitCode()> action;  // set by the chosen command's parse callback
  // Health and check commands exit 3 (UNKNOWN) on any error, bad flags
  // included, so a monitoring system never reads a usage error as CRITICAL.
  std::optional<int> error_exit_code;

  // Where the contexts file lives (--config > CDCCTL_CONFIG > XDG/HOME).
  std::filesystem::path config_path() const;
  // Settings given as flags on this command line (by key; -X as kafka.*).
  std::map<std::string, std::string> flag_settings() const;
  // Resolved settings with precedence flags > env > context > defaults.
  Settings settings() const;
  // The same for a named context instead of --context/the current one.
  Settings settings_for(const std::string& context_name) const;
  // Names of every context in the contexts file, sorted.
  std::vector<std::string> context_names() const;

  output::Format format() const;
  output::TableOptions table_options() const;
  bool color_stderr() const;
  const Logger& logger() const;
  // For long-running commands: JSON lines, or text lines with their time.
  void set_log_style(LogFormat format, bool timestamps);

  // Destructive-action guard: on a TTY asks "question [y/N]"; elsewhere
  // requires --yes. Returns false when the user declined.
  bool confirm(const std::string& question, bool yes) const;

  // Completion and man-page metadata attached to the CLI definition.
  std::map<const CLI::Option*, output::ValueCompletion> completions;
  std::map<const CLI::App*, std::pair<std::string, std::vector<std::string>>> docs;  // details, examples

  void document(const CLI::App* command, std::string details, std::vector<std::string> examples = {});

 private:
  mutable std::unique_ptr<Logger> logger_;
};

// Defines the global flags and every command on app.
void build_cli(CLI::App& app, AppContext& context);

// The CLI definition as a neutral tree, for completions and man pages.
output::CommandSpec command_spec(const CLI::App& app, const AppContext& context);
output::ManInfo man_info();

// Parses argv, runs the chosen command, prints errors; returns the exit code.
int run(int argc, const char* const* argv, IO io);

// Command groups, one file each.
void add_version_command(CLI::App& app, AppContext& context);
void add_completion_commands(CLI::App& app, AppContext& context);
void add_context_commands(CLI::App& app, AppContext& context);
void add_ping_command(CLI::App& app, AppContext& context);
void add_connectors_commands(CLI::App& app, AppContext& context);
void add_resnapshot_command(CLI::App& connectors, AppContext& context);
void add_cluster_commands(CLI::App& app, AppContext& context);
void add_health_command(CLI::App& app, AppContext& context);
void add_restart_commands(CLI::App& app, AppContext& context);
void add_offsets_commands(CLI::App& app, AppContext& context);
void add_slots_commands(CLI::App& app, AppContext& context);
void add_pg_commands(CLI::App& app, AppContext& context);
void add_topics_commands(CLI::App& app, AppContext& context);
void add_dlq_commands(CLI::App& app, AppContext& context);
void add_events_commands(CLI::App& app, AppContext& context);
void add_reconcile_command(CLI::App& app, AppContext& context);
void add_run_command(CLI::App& app, AppContext& context);

}  // namespace cdcctl::app
