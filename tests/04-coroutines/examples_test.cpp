// The example programs of chapter 04 run, exit 0, and do what the tour promises.
// Timings are checked only from below (a timer never fires early); how late a loaded machine
// makes them is not checked, so the tests are not flaky. Nor is the order of lines of tasks
// that wake at nearby times: only what the loop's rules make certain. An example runs with
// --fast (delays ten times shorter) when nothing it shows is a race between two timers; the
// ones that show a timer beating another (a cancel before a sleep ends, a deadline before a
// slow chunk) run at full speed, where the two are a tenth of a second apart or more.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
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

// Every line that contains `part`, in order.
std::vector<std::string> lines_with(const std::vector<std::string>& lines,
                                    const std::string& part) {
  std::vector<std::string> found;
  std::copy_if(lines.begin(), lines.end(), std::back_inserter(found),
               [&](const std::string& line) { return contains(line, part); });
  return found;
}

// "t=0.101s  ..." -> 0.101
double time_of(const std::string& line) {
  return std::stod(line.substr(2));
}

// The time of the first line with `part` (the caller has checked that there is one).
double time_of(const ProgramOutput& run, const std::string& part) {
  return time_of(run.lines[static_cast<std::size_t>(line_with(run.lines, part))]);
}

// The index of the first line after line `after` that contains `part`, or -1.
int line_with_after(const std::vector<std::string>& lines, const std::string& part, int after) {
  for (std::size_t i = static_cast<std::size_t>(after + 1); i < lines.size(); ++i) {
    if (contains(lines[i], part)) return static_cast<int>(i);
  }
  return -1;
}

// Each of `parts` is on a line after the line of the part before it.
void expect_in_order(const ProgramOutput& run, const std::vector<std::string>& parts) {
  int previous = -1;
  std::string previous_part = "(the start)";
  for (const std::string& part : parts) {
    const int at = line_with_after(run.lines, part, previous);
    if (at == -1) {
      ADD_FAILURE() << (line_with(run.lines, part) == -1 ? "missing: \"" : "too early: \"") << part
                    << "\" should come after \"" << previous_part << "\"\n"
                    << run.output;
      return;
    }
    previous = at;
    previous_part = part;
  }
}

// ---- compute_print_sum --------------------------------------------------------------------

TEST(Examples, ComputePrintSumRunsBothCoroutinesInOneTaskAndSleepsOnce) {
  const ProgramOutput run = run_example("compute_print_sum", "--fast");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  expect_in_order(
      run, {"aio::run(print_sum(1, 2))", "print_sum: awaits compute(1, 2)", "Compute 1 + 2 ...",
            "compute: slept 0.1s, returns 3", "1 + 2 = 3", "aio::run returned"});
  // co_await of a coroutine makes no task: every line comes from print_sum's task.
  for (const std::string& line : lines_with(run.lines, "t=")) {
    EXPECT_TRUE(contains(line, "[Task-1]")) << "not in print_sum's task: " << line << "\n"
                                            << run.output;
  }
  EXPECT_GE(time_of(run, "1 + 2 = 3"), 0.099) << run.output;  // after the sleep, not before
}

// ---- take_your_time_task ------------------------------------------------------------------

TEST(Examples, TakeYourTimeTaskFinishesOneTaskAndCancelsAnother) {
  const ProgramOutput run = run_example("take_your_time_task");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  // create_task returns before the coroutine runs; the done callback (added first) runs
  // before the task that awaits it wakes up; cancel() only asks, and the coroutine sees the
  // request at its co_await before whoever awaits it gets the CancelledError.
  expect_in_order(run, {
                           "main: task created, done() = false; co_await task...",
                           "take_your_time: sleeps 1.0s",
                           "take_your_time: returns 42",
                           "done callback: the task holds 42",
                           "main: co_await task gave 42",
                           "-- 2. a task that is cancelled",
                           "take_your_time: sleeps 1.0s",
                           "main: unwanted.cancel(\"not needed after all\") = true",
                           "main: right after cancel(): done() = false",
                           "take_your_time: cancelled in its sleep (\"not needed after all\")",
                           "main: co_await threw aio::CancelledError: not needed after all",
                           "main: cancelled() = true",
                       });
  EXPECT_EQ(lines_with(run.lines, "take_your_time: returns 42").size(), 1U)
      << "the cancelled task must not finish its sleep\n"
      << run.output;
  EXPECT_GE(time_of(run, "take_your_time: returns 42"), 0.999) << run.output;
}

// ---- sleepy_coroutine ---------------------------------------------------------------------

TEST(Examples, SleepyCoroutinesWakeShortestFirstAndTakeTheLongestSleep) {
  const ProgramOutput run = run_example("sleepy_coroutine");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  // All four go to sleep before any wakes: gather started them together.
  EXPECT_EQ(lines_with(run.lines, "before sleep").size(), 4U) << run.output;
  EXPECT_LT(line_with(run.lines, "sleeper C: before sleep"), line_with(run.lines, "after sleep"))
      << run.output;
  expect_in_order(run,
                  {"sleeper A: after sleep", "sleeper B: after sleep", "sleeper C: after sleep",
                   "sleeper D: after sleep", "gather: woke at C", "total "});
  EXPECT_GE(time_of(run, "sleeper A: after sleep"), 0.2) << run.output;
  EXPECT_GE(time_of(run, "sleeper D: after sleep"), 0.6) << run.output;
  EXPECT_GE(time_of(run, "total "), 0.6) << run.output;
}

// ---- countdowns_gather --------------------------------------------------------------------

TEST(Examples, CountdownsInterleaveAndGatherGivesTheirResultsInArgumentOrder) {
  const ProgramOutput run = run_example("countdowns_gather", "--fast");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  // Each countdown's own lines in order.
  expect_in_order(run, {"A: 3", "A: 2", "A: 1", "A: liftoff"});
  expect_in_order(run, {"B: 2", "B: 1", "B: liftoff"});
  expect_in_order(run, {"C: 4", "C: 3", "C: 2", "C: 1", "C: liftoff"});
  // They run at the same time: every one has started before any lifts off.
  const int first_liftoff = line_with(run.lines, "liftoff");
  for (const char* start : {"A: 3", "B: 2", "C: 4"}) {
    EXPECT_LT(line_with(run.lines, start), first_liftoff) << start << "\n" << run.output;
  }
  expect_in_order(run, {"C: liftoff", "gather: A 3 ticks, B 2 ticks, C 4 ticks"});
  EXPECT_GE(time_of(run, "C: liftoff"), 0.14) << run.output;  // 4 periods of 0.035 s
}

TEST(Examples, GatherWithReturnExceptionsWaitsForEveryCountdownAndReportsTheFailure) {
  const ProgramOutput run = run_example("countdowns_gather", "--fast");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  // The failure does not stop the others (when it comes relative to their last ticks depends
  // on the timers, so it is not checked), and gather waits for all three.
  const std::string results = "gather: X 3 ticks; Y failed: Y: engine failure at 2; Z 2 ticks";
  expect_in_order(run, {"-- 2.", "Y: engine failure at 2!", results});
  expect_in_order(run, {"-- 2.", "X: liftoff", results});
  expect_in_order(run, {"-- 2.", "Z: liftoff", results});
  EXPECT_EQ(line_with(run.lines, "Y: liftoff"), -1) << run.output;
}

// ---- producer_consumer_queue --------------------------------------------------------------

TEST(Examples, ProducersAndConsumersHandOverEveryJobOnceThroughTheBoundedQueue) {
  const ProgramOutput run = run_example("producer_consumer_queue", "--fast");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  // Each producer puts its jobs in order, and each job is worked on exactly once.
  expect_in_order(run, {"put producer A-job1", "put producer A-job2", "put producer A-job3",
                        "put producer A-job4", "producer A: done"});
  expect_in_order(run, {"put producer B-job1", "put producer B-job2", "put producer B-job3",
                        "put producer B-job4", "producer B: done"});
  std::multiset<std::string> worked;
  for (const std::string& line : lines_with(run.lines, ": works on ")) {
    worked.insert(line.substr(line.find(": works on ") + 11));
  }
  const std::multiset<std::string> every_job = {
      "producer A-job1", "producer A-job2", "producer A-job3", "producer A-job4",
      "producer B-job1", "producer B-job2", "producer B-job3", "producer B-job4"};
  EXPECT_EQ(worked, every_job) << run.output;
  // The queue holds at most two: eight jobs put at once make the producers wait.
  EXPECT_EQ(lines_with(run.lines, "(queue size 3)").size(), 0U) << run.output;
  EXPECT_NE(line_with(run.lines, "the queue is full, waits to put"), -1) << run.output;
  // join() returns once every job is done, after the producers; then the consumers stop.
  expect_in_order(run, {"producer A: done",
                        "main: join() returned: 8 jobs worked on, the queue "
                        "is empty: true",
                        "main: 3 consumers cancelled"});
  expect_in_order(run, {"producer B: done", "main: join() returned"});
}

// ---- timeouts -----------------------------------------------------------------------------

// At full speed it takes some 2.5 s: its three tests share one run.
const ProgramOutput& timeouts_run() {
  static const ProgramOutput run = run_example("timeouts");
  return run;
}

TEST(Examples, WaitForCancelsTheSlowDownloadAndRaisesOnlyOnceItHasCleanedUp) {
  const ProgramOutput& run = timeouts_run();
  ASSERT_EQ(run.exit_status, 0) << run.output;
  expect_in_order(run, {"slow page: starts", "slow page: cancelled; closes its connection",
                        "main: aio::TimeoutError from wait_for", "fast page: starts",
                        "fast page: complete", "main: got fast page (complete)"});
  EXPECT_EQ(line_with(run.lines, "slow page: complete"), -1) << run.output;
  EXPECT_GE(time_of(run, "main: aio::TimeoutError from wait_for"), 0.5) << run.output;
}

TEST(Examples, ATimeoutScopeMovedAtEveryChunkExpiresAfterTheLongSilence) {
  const ProgramOutput& run = timeouts_run();
  ASSERT_EQ(run.exit_status, 0) << run.output;
  // Three chunks arrive in time, each one pushing the deadline back; the fourth is too late.
  expect_in_order(run,
                  {"-- 2.", "read_chunks: chunk 1", "read_chunks: chunk 2", "read_chunks: chunk 3",
                   "main: aio::TimeoutError from the scope; expired() = true"});
  EXPECT_EQ(line_with(run.lines, "read_chunks: chunk 4"), -1) << run.output;
  // Without the reschedules the scope would have expired 0.5 s after it started, before the
  // third chunk (0.2 + 0.25 + 0.15 s); with them, 0.5 s after the third.
  const double scope_start = time_of(run, "main: got fast page");
  EXPECT_GE(time_of(run, "from the scope") - scope_start, 0.6 + 0.5 - 0.001) << run.output;
}

TEST(Examples, ATaskGroupCancelsTheOtherTasksWhenOneFails) {
  const ProgramOutput& run = timeouts_run();
  ASSERT_EQ(run.exit_status, 0) << run.output;
  expect_in_order(run, {"-- 3.", "worker 2: fails", "worker 1: cancelled by the group",
                        "main: aio::ExceptionGroup: unhandled errors in a TaskGroup "
                        "(1 sub-exception)",
                        "main:   - worker 2 failed"});
  expect_in_order(
      run, {"worker 2: fails", "worker 3: cancelled by the group", "main: aio::ExceptionGroup"});
  EXPECT_EQ(line_with(run.lines, "worker 1: done"), -1) << run.output;
  EXPECT_EQ(line_with(run.lines, "worker 3: done"), -1) << run.output;
}

}  // namespace
