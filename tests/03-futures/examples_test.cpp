// The example programs of chapter 03 run, exit 0, and do what the tour promises.
// take_your_time runs with --fast (delays of 0.1 s and 0.05 s). Timings are checked only from
// below (a timer never fires early); how late a loaded machine makes them is not checked, so
// the tests are not flaky.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/programs.hpp"

namespace {

using aio::testing::ProgramOutput;
using aio::testing::run_example;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The index of the first line that contains `part`, or -1.
int line_with(const std::vector<std::string>& lines, const std::string& part) {
  const auto found = std::find_if(lines.begin(), lines.end(),
                                  [&](const std::string& line) { return contains(line, part); });
  return found == lines.end() ? -1 : static_cast<int>(found - lines.begin());
}

// "t=0.101s  timer: ..." -> 0.101
double time_of(const std::string& line) {
  return std::stod(line.substr(2));
}

// ---- take_your_time -----------------------------------------------------------------------

TEST(Examples, TakeYourTimeFinishesAFutureEachWayInOrder) {
  const ProgramOutput run = run_example("take_your_time", "--fast");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  // What happens, in the order it must happen. The done callback runs after set_result()
  // (through the loop, never inline) and before run_until_complete() returns.
  const std::vector<std::string> expected = {
      "done() = false; run_until_complete(future)...",
      "timer: set_result(\"Future is done!\")",
      "done callback: the future holds \"Future is done!\"",
      "run_until_complete returned \"Future is done!\"",
      "timer: set_exception(std::runtime_error)",
      "run_until_complete threw std::runtime_error: the operation failed",
      "timer: cancel(\"nobody waits any more\")",
      "done callback: cancelled() = true",
      "run_until_complete threw aio::CancelledError: nobody waits any more",
  };
  int previous = -1;
  for (const std::string& part : expected) {
    const int at = line_with(run.lines, part);
    ASSERT_NE(at, -1) << "missing: " << part << "\n" << run.output;
    EXPECT_GT(at, previous) << "out of order: " << part << "\n" << run.output;
    previous = at;
  }
  // The result was not there before its timer (0.1 s with --fast), nor the exception before
  // its own (0.05 s after that). A little slack for rounding to milliseconds.
  EXPECT_GE(time_of(run.lines[line_with(run.lines, "timer: set_result")]), 0.099) << run.output;
  EXPECT_GE(time_of(run.lines[line_with(run.lines, "timer: set_exception")]), 0.149) << run.output;
}

// ---- the same program in three styles -----------------------------------------------------

// What a style printed, without the last line, "finished after ...s", which tells the time.
struct StyleRun {
  ProgramOutput run;
  std::vector<std::string> lines;  // every line but the last
  double seconds = -1;             // from the last line
};

StyleRun run_style(const std::string& name, const std::string& args = "") {
  StyleRun style{run_example(name, args), {}, -1};
  std::vector<std::string> lines = style.run.lines;
  const std::string finished = "finished after ";
  if (!lines.empty() && lines.back().rfind(finished, 0) == 0) {
    style.seconds = std::stod(lines.back().substr(finished.size()));
    lines.pop_back();
  }
  style.lines = lines;
  return style;
}

const std::vector<std::string> kStyles = {"callback_hell", "deferred_chain", "coroutine_preview"};

// Every style must print exactly these lines: the same program, the same output.
class ThreeStyles : public testing::TestWithParam<std::string> {};

TEST_P(ThreeStyles, PrintsTheResultAfterBothWaits) {
  const StyleRun style = run_style(GetParam());
  ASSERT_EQ(style.run.exit_status, 0) << style.run.output;
  EXPECT_EQ(style.lines, (std::vector<std::string>{
                             "square 7 in three steps: wait 0.2s, compute, wait 0.2s",
                             "7 squared is 49",
                         }))
      << style.run.output;
  EXPECT_GE(style.seconds, 0.4) << style.run.output;  // 0.2 s + 0.2 s, rounded to 0.1 s
}

TEST_P(ThreeStyles, ReportsTheFailedStepAndSkipsTheRest) {
  const StyleRun style = run_style(GetParam(), "--fail");
  ASSERT_EQ(style.run.exit_status, 0) << style.run.output;  // the program handles its error
  EXPECT_EQ(style.lines, (std::vector<std::string>{
                             "square -7 in three steps: wait 0.2s, compute, wait 0.2s",
                             "error: square(-7): no negative numbers, please",
                         }))
      << style.run.output;
  EXPECT_GE(style.seconds, 0.2) << style.run.output;  // the first wait came before the failure
}

INSTANTIATE_TEST_SUITE_P(Examples, ThreeStyles, testing::ValuesIn(kStyles),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
