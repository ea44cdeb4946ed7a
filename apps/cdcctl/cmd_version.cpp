// cdcctl version / --version: cdcctl's version and the libraries it runs on,
// the first thing a bug report needs.
#include <nlohmann/json.hpp>

#include "app.hpp"
#include "ops/version.hpp"

namespace cdcctl::app {

namespace {

nlohmann::json version_data() { return ops::dependency_versions(); }

std::string version_text() {
  const auto data = version_data();
  std::string text = "cdcctl " + data["cdcctl"].get<std::string>() + "\n";
  for (const char* key : {"librdkafka", "libpq", "libcurl", "compiler"}) {
    text += std::string("  ") + key + " " + data[key].get<std::string>() + "\n";
  }
  return text;
}

}  // namespace

void add_version_command(CLI::App& app, AppContext& context) {
  app.set_version_flag("--version", [] {
    auto text = version_text();
    text.pop_back();  // CLI11 adds the newline
    return text;
  }, "show the version and exit");
  app.get_option("--version")->group("Global options");

  auto* command = app.add_subcommand("version", "Show the version of cdcctl and of the libraries it uses");
  context.document(command, "Prints the version of cdcctl and of librdkafka, libpq and libcurl it runs with.",
                   {"cdcctl version", "cdcctl version -o json"});
  command->callback([&context] {
    context.action = [&context] {
      const auto format = context.format();
      if (format == output::Format::Json || format == output::Format::Yaml) {
        output::Document document{.data = version_data()};
        output::render(document, format, context.table_options(), *context.io.out);
      } else if (format == output::Format::Name) {
        *context.io.out << CDCCTL_VERSION << "\n";
      } else {
        *context.io.out << version_text();
      }
      return ExitCode::Ok;
    };
  });
}

}  // namespace cdcctl::app
