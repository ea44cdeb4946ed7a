#include "connect/retry.hpp"

#include <algorithm>
#include <cmath>

namespace cdcctl::connect {

bool is_rebalance(const Attempt& attempt) {
  if (!attempt.status) return false;
  // 409 also means "connector already exists": a final answer, not a rebalance.
  if (*attempt.status == 409) return attempt.message.find("already exists") == std::string::npos;
  return *attempt.status == 500 && attempt.message.find("rebalance is expected") != std::string::npos;
}

bool should_retry(bool idempotent, const Attempt& attempt) {
  if (attempt.transport_failure) return attempt.never_sent || idempotent;
  if (!attempt.status) return false;
  if (is_rebalance(attempt)) return true;
  const long status = *attempt.status;
  // A 500 carrying Connect's own message ("Failed to find any class …") is
  // a final answer, except a herder timeout, which may pass.
  if (status == 500 && !attempt.message.empty() && attempt.message.find("timed out") == std::string::npos) return false;
  // 502/503/504 come from proxies and starting workers; a 500 without a
  // message, or a timeout, may have been applied: only idempotent requests retry.
  if (status >= 500) return idempotent;
  return false;
}

std::chrono::milliseconds Backoff::delay(int retry, double jitter) const {
  const double base = static_cast<double>(initial.count()) * std::pow(multiplier, std::max(0, retry - 1));
  const double capped = std::min(base, static_cast<double>(max.count()));
  const double factor = 0.8 + 0.4 * std::clamp(jitter, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(capped * factor));
}

}  // namespace cdcctl::connect
