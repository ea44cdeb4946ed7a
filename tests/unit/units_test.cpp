#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/units.hpp"

using namespace cdcctl;
using namespace std::chrono_literals;

TEST_CASE("durations as operators type them") {
  CHECK(parse_duration("250ms") == 250ms);
  CHECK(parse_duration("30s") == 30s);
  CHECK(parse_duration("10m") == 10min);
  CHECK(parse_duration("2h") == 2h);
  CHECK(parse_duration("1d") == 24h);
  CHECK(parse_duration("1h30m") == 90min);
  CHECK(parse_duration("1.5s") == 1500ms);
  CHECK(parse_duration("45") == 45s);  // bare number: seconds
}

TEST_CASE("bad durations are usage errors that show the accepted forms") {
  for (const char* bad : {"", "s", "10x", "ten minutes", "5m3", "-5s"}) {
    CAPTURE(bad);
    try {
      parse_duration(bad);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::Usage);
      CHECK(std::string(e.what()).find(bad) != std::string::npos);
      CHECK(e.hint().find("30s") != std::string::npos);
    }
  }
}

TEST_CASE("sizes in powers of 1024, with or without the i") {
  CHECK(parse_size("512") == 512);
  CHECK(parse_size("1kB") == 1024);
  CHECK(parse_size("1MB") == 1024 * 1024);
  CHECK(parse_size("1MiB") == 1024 * 1024);
  CHECK(parse_size("10GB") == 10ull * 1024 * 1024 * 1024);
  CHECK(parse_size("1.5GiB") == 1536ull * 1024 * 1024);
  CHECK(parse_size("2 TB") == 2ull << 40);
  CHECK_THROWS_AS(parse_size("1XB"), Error);
  CHECK_THROWS_AS(parse_size("GB"), Error);
}

TEST_CASE("human forms") {
  CHECK(format_duration(0ms) == "0s");
  CHECK(format_duration(250ms) == "250ms");
  CHECK(format_duration(45s) == "45s");
  CHECK(format_duration(90min) == "1h30m");
  CHECK(format_duration(26h + 5min + 3s) == "1d2h");
  CHECK(format_bytes(0) == "0 B");
  CHECK(format_bytes(1023) == "1023 B");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(10ull << 30) == "10.0 GiB");
}

TEST_CASE("points in time: RFC 3339 with a zone, a date, or epoch milliseconds") {
  CHECK(parse_timestamp_ms("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_timestamp_ms("2026-11-22T10:00:00Z") == 1795341600000);
  CHECK(parse_timestamp_ms("2026-11-22 11:00:00+01:00") == 1795341600000);
  CHECK(parse_timestamp_ms("2026-11-22T05:30:00-04:30") == 1795341600000);
  CHECK(parse_timestamp_ms("2026-11-22T10:00:00.25Z") == 1795341600250);
  CHECK(parse_timestamp_ms("2026-11-22T10:00:00.123456789Z") == 1795341600123);
  CHECK(parse_timestamp_ms("2026-11-22T10:00Z") == 1795341600000);
  CHECK(parse_timestamp_ms("2026-11-22") == 1795305600000);
  CHECK(parse_timestamp_ms("2024-02-29T00:00:00Z") == 1709164800000);
  CHECK(parse_timestamp_ms("1795341600000") == 1795341600000);
  // Round trip with the formatter used everywhere else.
  CHECK(format_timestamp(WallClock::time_point(std::chrono::milliseconds(parse_timestamp_ms("2026-11-22T10:00:00Z")))) ==
        "2026-11-22T10:00:00Z");
}

TEST_CASE("a time without a zone, or garbage, is refused with the accepted forms") {
  for (const char* bad : {"2026-11-22T10:00:00", "yesterday", "2026-13-01", "2026-11-22T25:00:00Z", "2026-11-22T10:00:00Q",
                          "2026-11-22T10:00:00Z extra", "", "2026-11-22T10:00:00.Z"}) {
    CAPTURE(bad);
    try {
      parse_timestamp_ms(bad);
      FAIL("accepted");
    } catch (const Error& error) {
      CHECK(error.code() == ExitCode::Usage);
      CHECK(std::string(error.hint()).find("RFC 3339") != std::string::npos);
    }
  }
  try {
    parse_timestamp_ms("2026-11-22T10:00:00");
  } catch (const Error& error) {
    CHECK(std::string(error.why()).find("no zone") != std::string::npos);
  }
}

TEST_CASE("comma-separated lists: items trimmed, empty ones dropped") {
  CHECK(split_list("a, b,,c ") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_list("") == std::vector<std::string>{});
  CHECK(split_list(" , ") == std::vector<std::string>{});
  CHECK(split_list("inventory\\.orders") == std::vector<std::string>{"inventory\\.orders"});
}

TEST_CASE("ascii_lower folds only ASCII letters, whatever the locale") {
  CHECK(ascii_lower("Public.ORDERS_2") == "public.orders_2");
  CHECK(ascii_lower("") == "");
  // UTF-8 bytes above 0x7F pass through untouched.
  CHECK(ascii_lower("\xC3\x84RGER") == "\xC3\x84rger");
}

TEST_CASE("utc_from_micros agrees with gmtime_r, before and after 1970, across leap days and centuries") {
  std::vector<std::int64_t> seconds_list = {0, -1, 86399, 86400, -86400, -86401, 951782400 /* 2000-02-29 */,
                                            4107542399 /* 2100-02-28 23:59:59 */, 4107542400, -2208988800 /* 1900 */,
                                            253402300799 /* 9999-12-31 23:59:59 */, -62135596800 /* 0001-01-01 */};
  std::uint64_t state = 12345;
  for (int i = 0; i < 20000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    seconds_list.push_back(static_cast<std::int64_t>(state >> 20) % 400'000'000'000LL - 200'000'000'000LL);
  }
  for (const auto seconds : seconds_list) {
    const auto got = utc_from_micros(seconds * 1000000 + 123456);
    std::tm expected{};
    const auto time = static_cast<std::time_t>(seconds);
    ::gmtime_r(&time, &expected);
    INFO(seconds);
    CHECK(got.micros == 123456);
    CHECK(got.time.tm_year == expected.tm_year);
    CHECK(got.time.tm_mon == expected.tm_mon);
    CHECK(got.time.tm_mday == expected.tm_mday);
    CHECK(got.time.tm_hour == expected.tm_hour);
    CHECK(got.time.tm_min == expected.tm_min);
    CHECK(got.time.tm_sec == expected.tm_sec);
    CHECK(got.time.tm_wday == expected.tm_wday);
    CHECK(got.time.tm_yday == expected.tm_yday);
  }
  CHECK(utc_from_micros(-1).time.tm_sec == 59);
  CHECK(utc_from_micros(-1).micros == 999999);
}
