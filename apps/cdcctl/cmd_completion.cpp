// cdcctl completion bash|zsh|fish, and the hidden generate-docs that writes
// the checked-in completions/ and man/ files from the same definition.
#include <filesystem>

#include "app.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

namespace cdcctl::app {

namespace {

std::string completion_script(const std::string& shell, const output::CommandSpec& spec) {
  if (shell == "bash") return output::bash_completion(spec);
  if (shell == "zsh") return output::zsh_completion(spec);
  if (shell == "fish") return output::fish_completion(spec);
  throw Error::usage("unknown shell '" + shell + "'", {}, "use bash, zsh or fish");
}

}  // namespace

void add_completion_commands(CLI::App& app, AppContext& context) {
  auto* completion = app.add_subcommand("completion", "Print a shell completion script (bash, zsh or fish)");
  context.document(completion,
                   "Prints a completion script for the given shell. Context names are completed live by calling "
                   "cdcctl itself.\n"
                   "\n"
                   "bash: source <(cdcctl completion bash), or save it to /etc/bash_completion.d/cdcctl.\n"
                   "zsh: cdcctl completion zsh > \"${fpath[1]}/_cdcctl\".\n"
                   "fish: cdcctl completion fish > ~/.config/fish/completions/cdcctl.fish.",
                   {"source <(cdcctl completion bash)", "cdcctl completion zsh > \"${fpath[1]}/_cdcctl\""});
  auto shell = std::make_shared<std::string>();
  auto* positional = completion->add_option("shell", *shell, "bash, zsh or fish")->required();
  context.completions[positional] = {.choices = {"bash", "zsh", "fish"}};
  completion->callback([&context, &app, shell] {
    context.action = [&context, &app, shell] {
      *context.io.out << completion_script(*shell, command_spec(app, context));
      return ExitCode::Ok;
    };
  });

  // Hidden (no group): used by the build's `docs` target and the staleness test.
  auto* generate = app.add_subcommand("generate-docs", "Write completions/ and man/ into a directory");
  generate->group("");
  auto out_dir = std::make_shared<std::string>();
  generate->add_option("--out", *out_dir, "directory to write completions/ and man/ into")->required();
  generate->callback([&context, &app, out_dir] {
    context.action = [&context, &app, out_dir] {
      namespace fs = std::filesystem;
      const fs::path root(*out_dir);
      const auto spec = command_spec(app, context);
      const auto readable = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                            fs::perms::others_read;
      write_file_atomically(root / "completions" / "cdcctl.bash", output::bash_completion(spec), readable);
      write_file_atomically(root / "completions" / "_cdcctl", output::zsh_completion(spec), readable);
      write_file_atomically(root / "completions" / "cdcctl.fish", output::fish_completion(spec), readable);
      for (const auto& [name, text] : output::man_pages(spec, man_info())) {
        write_file_atomically(root / "man" / name, text, readable);
      }
      return ExitCode::Ok;
    };
  });
}

}  // namespace cdcctl::app
