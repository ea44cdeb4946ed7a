#pragma once
// What the commands that run the stop → change → verify → restore flow
// (offsets reset/set/restore, connectors resnapshot) show and how they end:
// the same plan layout, the same step lines, the same failure report.
#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "app.hpp"
#include "core/error.hpp"
#include "core/secrets.hpp"
#include "core/units.hpp"
#include "ops/offsets.hpp"

namespace cdcctl::app {

// These commands print text steps or one JSON document; true for text.
inline bool text_or_json(AppContext& context, const std::string& command) {
  const auto format = context.format();
  if (format != output::Format::Table && format != output::Format::Wide && format != output::Format::Json) {
    throw Error::usage(command + " prints text or JSON", "-o " + context.flags.output);
  }
  return format != output::Format::Json;
}

inline std::chrono::milliseconds wait_timeout_flag(const std::string& text) {
  const auto timeout = parse_duration(text);
  if (timeout.count() <= 0) throw Error::usage("--wait-timeout must be longer than zero");
  return timeout;
}

// "NAME (what, STATE), N offset(s) now:", each offset decoded, then the numbered plan.
inline void print_offsets_and_plan(std::ostream& out, const std::string& name, const std::string& what,
                                   const ops::OffsetChange& change, const std::vector<std::string>& steps) {
  out << name << " (" << what << ", " << change.state_before << "), " << change.offsets_before.size() << " offset(s) now:\n";
  for (const auto& entry : change.offsets_before) {
    const auto partition = entry.value("partition", nlohmann::json());
    out << "  " << ops::describe_partition(partition) << ": "
        << ops::describe_offset(partition, entry.value("offset", nlohmann::json())) << "\n";
  }
  out << "plan:\n";
  for (std::size_t i = 0; i < steps.size(); ++i) out << "  " << i + 1 << ". " << steps[i] << "\n";
  out << std::flush;
}

// "12:00:01  stop: ok (detail)"; `prefix` names the connector when several are handled.
inline void print_step(std::ostream& out, const ops::OffsetStep& step, const std::string& prefix = {}) {
  out << format_timestamp(WallClock::now()).substr(11, 8) << "  " << prefix << step.step << ": " << step.status
      << (step.detail.empty() ? "" : " (" + mask_url_or_conninfo(step.detail) + ")") << std::endl;
}

// After Ctrl-C: a warning and 130 (the connector is back as it was). After a
// failed step: an error (`what_failed`, e.g. "offsets of X not reset") saying
// where the connector is left and what to run.
inline ExitCode report_failure(AppContext& context, const std::string& name, const ops::OffsetChangeOutcome& outcome,
                               const std::string& what_failed) {
  if (outcome.interrupted) {
    context.logger().warn(name + " " + outcome.error + "; it is " + outcome.state_after + " again");
    return ExitCode::Interrupted;
  }
  std::string hint;
  for (const auto& command : outcome.to_finish) hint += (hint.empty() ? "to finish by hand: " : "; then ") + command;
  throw Error::failed(what_failed, mask_url_or_conninfo(outcome.error) + "; " + name + " is left " + outcome.state_after, hint);
}

}  // namespace cdcctl::app
