#pragma once
// Debezium change events read back for people: what a record on a CDC topic
// is (a change, a tombstone, a heartbeat, a transaction boundary), which
// table and key it is about, and for an update the columns that changed.
// Takes the JSON converter's output with or without the schema wrapper.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cdcctl::cdc {

struct ColumnChange {
  std::string column{};
  std::string before{};  // compact JSON of the value
  std::string after{};
};

struct EventSummary {
  enum class Kind { Change, Tombstone, Heartbeat, Transaction, Other } kind = Kind::Other;
  std::string op{};     // c, u, d, r, t (changes); BEGIN, END (transactions)
  std::string table{};  // schema.table from the source block, else from the topic
  std::string key{};    // compact JSON of the key payload, "null" without a key
  std::vector<ColumnChange> changes{};  // updates: the columns whose value changed
  std::string row{};    // c/r: the new row, d: the old row (compact JSON), when present
  std::optional<std::int64_t> ts_ms{};  // the event's ts_ms (source commit time for transactions)
  std::string detail{}; // transactions: "tx 556 (3 events)"; others: why it was not understood
};

EventSummary summarize_event(std::string_view topic, std::optional<std::string_view> key,
                             std::optional<std::string_view> value);

std::string_view kind_name(EventSummary::Kind kind);  // change, tombstone, heartbeat, transaction, other

// One line: "u  public.customers  {"id":1001}  email: "a@x" -> "b@x"", cut at max_width
// columns when max_width > 0.
std::string event_line(const EventSummary& event, std::size_t max_width = 0);

}  // namespace cdcctl::cdc
