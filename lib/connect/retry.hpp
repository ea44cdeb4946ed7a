#pragma once
// When a Connect request may be sent again, and how long to wait first.
//
// Connect refuses writes with 409 while the cluster rebalances and answers
// some GETs with 500 "rebalance is expected"; both mean "nothing happened,
// try again". A request that never reached a worker can always be retried.
// Anything else (a 5xx, a reset after sending) may have been acted on, so
// only idempotent requests are retried then: never a blind retry of a
// POST that creates or restarts something.
#include <chrono>
#include <optional>
#include <string>

namespace cdcctl::connect {

struct Attempt {
  std::optional<long> status{};   // the HTTP status, when a response came
  std::string message{};          // Connect's error message, if any
  bool transport_failure = false; // no response at all
  bool never_sent = false;        // ... and the request never left
};

bool should_retry(bool idempotent, const Attempt& attempt);

// True for Connect's "the cluster is rebalancing" answers (409, or 500 with
// the rebalance-expected message).
bool is_rebalance(const Attempt& attempt);

struct Backoff {
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{5'000};
  double multiplier = 2.0;

  // Delay before retry number `retry` (1-based), with ±20% jitter from
  // `jitter` in [0, 1) so several cron jobs do not retry in lockstep.
  std::chrono::milliseconds delay(int retry, double jitter) const;
};

}  // namespace cdcctl::connect
