#pragma once
// `cdcctl run`'s exactly-once check under SIGKILLs, run against the
// embedded broker (run_test) and a real one (real_engine_test): a serial
// workload of 50,000 single-change transactions, one of 100,000 rows and
// 5,000 of ten changes, the worker killed three times (once inside the big
// transaction, twice while delivering it), then every change checked: none
// lost, none repeated beyond what the broker shows of an aborted Kafka
// transaction, per-key order kept, the table rebuilt from the topic.
#include "support/run_setup.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cdcctl::testsupport {

// One change a consumer sees in the data topic.
struct SeenChange {
  int run = 0;            // which worker process wrote it
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  char op = 0;
  std::uint64_t lsn = 0;  // source.lsn: unique per change in a serial workload (with op)
  std::int64_t tx_id = 0;
  std::optional<int> v;   // after.v
};

// The offset each restarted worker resumed from, in order, from its log.
std::vector<std::uint64_t> resume_points(const std::string& log);
// Each transaction's commit end position (txId → LSN), from a test_decoding slot never advanced.
std::map<std::int64_t, std::uint64_t> commit_positions(RunSetup& setup, const std::string& slot);
// Every change record of the topic, in partition and offset order.
std::vector<SeenChange> changes_in(const RunSetup& setup, const std::string& topic);
// The table t as id → v.
std::map<std::string, std::optional<int>> table_state(const RunSetup& setup);

// setup: a database with "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL,
// pad text)" and the topics srv.public.t, connect-offsets and
// __debezium-heartbeat.srv. broker_hides_aborted: the broker filters
// aborted transactions from read_committed consumers (a real one does;
// librdkafka's mock broker does not), so no repeat at all is allowed.
void check_exactly_once_across_sigkills(RunSetup& setup, bool broker_hides_aborted);

}  // namespace cdcctl::testsupport
