#include <doctest/doctest.h>

#include <set>
#include <stdexcept>

#include "core/error.hpp"
#include "core/exit_codes.hpp"

using namespace cdcctl;

TEST_CASE("each error kind maps to its documented exit code") {
  CHECK(exit_code_for(Error::usage("x")) == ExitCode::Usage);
  CHECK(exit_code_for(Error::not_found("x")) == ExitCode::NotFound);
  CHECK(exit_code_for(Error::unreachable("x")) == ExitCode::Unreachable);
  CHECK(exit_code_for(Error::failed("x")) == ExitCode::Failed);
  CHECK(exit_code_for(std::runtime_error("other")) == ExitCode::Failed);
  CHECK(static_cast<int>(ExitCode::Usage) == 2);
  CHECK(static_cast<int>(ExitCode::Unreachable) == 3);
  CHECK(static_cast<int>(ExitCode::NotFound) == 4);
  CHECK(static_cast<int>(ExitCode::Interrupted) == 130);
}

TEST_CASE("errors print what, why and the hint on separate lines") {
  auto error = Error::not_found("connector 'orders' not found", "HTTP 404", "list them with: cdcctl connectors list");
  CHECK(format_error(error) ==
        "error: connector 'orders' not found: HTTP 404\nhint: list them with: cdcctl connectors list\n");
  CHECK(format_error(Error::failed("boom")) == "error: boom\n");
  CHECK(Error::failed("a").with_hint("do b").hint() == "do b");
  CHECK(Error::failed("a", "", "keep").with_hint("other").hint() == "keep");
}

TEST_CASE("the exit-code table is complete and unique") {
  std::set<int> codes;
  for (const auto& info : exit_code_table()) {
    CHECK(codes.insert(info.code).second);
    CHECK_FALSE(info.meaning.empty());
  }
  CHECK(codes == std::set<int>{0, 1, 2, 3, 4, 130});
  CHECK(check_status_table().size() == 4);
  CHECK(check_status_name(CheckStatus::Critical) == "CRITICAL");
}

TEST_CASE("check results aggregate to the worst") {
  CHECK(worst(CheckStatus::Ok, CheckStatus::Warning) == CheckStatus::Warning);
  CHECK(worst(CheckStatus::Critical, CheckStatus::Warning) == CheckStatus::Critical);
  CHECK(worst(CheckStatus::Unknown, CheckStatus::Ok) == CheckStatus::Unknown);
  CHECK(worst(CheckStatus::Warning, CheckStatus::Unknown) == CheckStatus::Warning);
  CHECK(worst(CheckStatus::Ok, CheckStatus::Ok) == CheckStatus::Ok);
}
