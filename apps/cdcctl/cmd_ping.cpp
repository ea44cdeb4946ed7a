// cdcctl ping: reach and log in to every configured service and say what it is.
#include "app.hpp"
#include "core/error.hpp"
#include "core/units.hpp"
#include "ops/ping.hpp"

namespace cdcctl::app {

namespace {

ExitCode ping(AppContext& context, const std::vector<std::string>& services) {
  const auto settings = context.settings();
  const auto checks = ops::ping(settings, {services, context.io.env}, context.logger());
  const bool any_configured =
      std::any_of(checks.begin(), checks.end(), [](const auto& check) { return check.configured; });
  if (!any_configured) {
    throw Error::usage("nothing to ping: no service is configured", {},
                       "pass --connect-url, --bootstrap-servers or --pg, or create a context with cdcctl context set");
  }
  output::Document document;
  document.table.columns = {{"SERVICE"}, {"STATUS", false, false, false}, {"ENDPOINT"}, {"VERSION"},
                            {"LATENCY", false, true, false}, {"DETAIL"}, {"HINT", true}};
  document.data = {{"context", settings.context_name.empty() ? nlohmann::json(nullptr)
                                                             : nlohmann::json(settings.context_name)},
                   {"services", nlohmann::json::array()}};
  for (const auto& check : checks) {
    document.data["services"].push_back(ops::to_json(check));
    if (!check.configured) continue;
    const std::string status = check.ok ? "ok" : check.failure == ExitCode::Unreachable ? "unreachable" : "error";
    document.table.rows.push_back({check.service, {status, output::state_color(status)}, check.endpoint,
                                   check.version, format_duration(check.latency),
                                   check.ok ? check.detail : check.error, check.hint});
    if (check.ok) document.names.push_back(check.service);
  }
  output::render(document, context.format(), context.table_options(), *context.io.out);
  return ops::ping_exit_code(checks);
}

}  // namespace

void add_ping_command(CLI::App& app, AppContext& context) {
  auto* command = app.add_subcommand("ping", "Check that each configured service can be reached and logged in to");
  auto services = std::make_shared<std::vector<std::string>>();
  auto* positional = command->add_option("services", *services, "connect, kafka and/or postgres (default: all configured)");
  context.completions[positional] = {.choices = {"connect", "kafka", "postgres"}};
  context.document(command,
                   "Connects to each configured service, Kafka Connect (GET /), Kafka (metadata request) and "
                   "PostgreSQL (a login and a query of wal_level), and reports whether it answered, its version, "
                   "how long it took and a short description. Services that are not configured are skipped; "
                   "PostgreSQL is checked when --pg, PGHOST or PGDATABASE is set or when named.\n"
                   "\n"
                   "Exits 0 when every checked service answered, 3 when any could not be reached or refused the "
                   "credentials, 1 when one answered wrongly (an HTTP error, an unexpected reply), 2 when nothing "
                   "is configured or a named service is not.",
                   {"cdcctl ping", "cdcctl ping connect -o json",
                    "cdcctl ping postgres --pg 'host=db1 user=cdc dbname=app'"});
  command->callback([&context, services] { context.action = [&context, services] { return ping(context, *services); }; });
}

}  // namespace cdcctl::app
