// Exercise 1.5: aio::RoundRobin, a scheduler of generators (jobs) that take turns.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// The jobs are free functions whose state is in their parameters (copied into the frame). A
// lambda with captures would dangle: `[&] () -> aio::Job { ... }()` destroys the lambda, and
// its captures, right after the call, while the job still runs later.
#include <gtest/gtest.h>

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/round_robin.hpp"
#include "support/script.hpp"

namespace {

using aio::Job;
using aio::RoundRobin;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 1.5";

// ---- jobs --------------------------------------------------------------------------------

// Writes name1, name2, ... into the trace, one entry per turn, then ends.
Job worker(std::string name, int turns, Trace* trace) {
  for (int i = 1; i <= turns; ++i) {
    trace->push_back(name + std::to_string(i));
    co_yield aio::next_turn;
  }
}

// Works one turn, then fails.
Job fails_on_second_turn(std::string name, Trace* trace) {
  trace->push_back(name + "1");
  co_yield aio::next_turn;
  throw std::runtime_error(name + " lost its connection");
}

// Fails in its first turn, before it yields anything.
Job fails_at_once(std::string name, Trace* trace) {
  trace->push_back(name + " starts");
  throw std::runtime_error(name + " cannot start");
  co_yield aio::next_turn;  // (never reached; makes the function a generator)
}

// Spawns a worker in its first turn.
Job spawner(RoundRobin* scheduler, Trace* trace) {
  trace->push_back("p1");
  scheduler->spawn("child", worker("c", 2, trace));
  co_yield aio::next_turn;
  trace->push_back("p2");
  co_yield aio::next_turn;
}

// Never yields: it keeps the processor until it ends.
Job hog(Trace* trace) {
  for (int i = 1; i <= 3; ++i) trace->push_back("hog" + std::to_string(i));
  co_return;
}

// Records every report of a failed job as "name: what()".
struct Reports {
  std::vector<std::string> lines;

  RoundRobin::ErrorReporter reporter() {
    return [this](const std::string& job, std::exception_ptr error) {
      try {
        std::rethrow_exception(error);
      } catch (const aio::NotImplemented& e) {
        lines.push_back(job + ": aio::NotImplemented: " + e.what());
      } catch (const std::runtime_error& e) {
        lines.push_back(job + ": " + e.what());
      }
    };
  }
};

}  // namespace

// ---- turns -------------------------------------------------------------------------------

TEST(Ex15RoundRobin, ThreeJobsTakeTurnsOneStepEach) {
  Script script("jobs a, b and c, three turns of work each", kLesson);
  Trace trace;
  RoundRobin scheduler;

  script.step("spawn a, b and c, then run()");
  scheduler.spawn("a", worker("a", 3, &trace));
  scheduler.spawn("b", worker("b", 3, &trace));
  scheduler.spawn("c", worker("c", 3, &trace));
  scheduler.run();

  EXPECT_STEP_EQ(script, trace, (Trace{"a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "c3"}),
                 "each turn resumes the job at the front until it yields, then sends it to the "
                 "back of the queue: the jobs interleave, first come first served");
  EXPECT_STEP_EQ(script, scheduler.size(), std::size_t{0}, "run() returns when every job is done");
}

TEST(Ex15RoundRobin, SpawnRunsNothingUntilATurnIsGiven) {
  Script script("spawn two jobs, then give turns one at a time", kLesson);
  Trace trace;
  RoundRobin scheduler;

  script.step("spawn a and b");
  scheduler.spawn("a", worker("a", 2, &trace));
  scheduler.spawn("b", worker("b", 2, &trace));
  EXPECT_STEP_EQ(script, trace, Trace{},
                 "spawn() only queues the job (asyncio: create_task); none of its body runs");
  EXPECT_STEP_EQ(script, scheduler.size(), std::size_t{2}, "both jobs are queued");

  script.step("run_once()");
  EXPECT_STEP_TRUE(script, scheduler.run_once(), "run_once() returns true: a job had a turn");
  EXPECT_STEP_EQ(script, trace, Trace{"a1"}, "one turn runs the front job up to its co_yield");

  script.step("run_once()");
  scheduler.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a1", "b1"}), "the next turn goes to the next job");
}

TEST(Ex15RoundRobin, RunReturnsTheNumberOfTurns) {
  Script script("count the turns of jobs of 0, 1 and 3 yields", kLesson);
  Trace trace;

  script.step("run() a job that yields 3 times");
  RoundRobin one;
  one.spawn("a", worker("a", 3, &trace));
  EXPECT_STEP_EQ(script, one.run(), std::size_t{4},
                 "a job that yields n times takes n + 1 turns: the last turn runs it to its end");

  script.step("run() a job that never yields, plus a job that yields once");
  RoundRobin two;
  two.spawn("hog", hog(&trace));
  two.spawn("b", worker("b", 1, &trace));
  EXPECT_STEP_EQ(script, two.run(), std::size_t{3},
                 "1 turn for the job that never yields, 2 for b");

  script.step("run() with no job at all");
  RoundRobin none;
  EXPECT_STEP_EQ(script, none.run(), std::size_t{0}, "no job, no turn");
}

TEST(Ex15RoundRobin, RunOnceOnAnEmptySchedulerReturnsFalse) {
  Script script("run_once() with nothing to run", kLesson);
  Trace trace;
  RoundRobin scheduler;

  script.step("run_once() on a new scheduler");
  EXPECT_STEP_TRUE(script, !scheduler.run_once(), "run_once() returns false when no job is queued");

  script.step("spawn a job that yields once; run_once() twice (it ends)");
  scheduler.spawn("a", worker("a", 1, &trace));
  EXPECT_STEP_TRUE(script, scheduler.run_once(), "the first turn runs the job to its co_yield");
  EXPECT_STEP_TRUE(script, scheduler.run_once(), "the second turn runs it to its end");

  script.step("run_once() again");
  EXPECT_STEP_TRUE(script, !scheduler.run_once(),
                   "a finished job left the queue: there is nothing to run");
}

TEST(Ex15RoundRobin, FinishedJobLeavesTheQueue) {
  Script script("a (1 yield) and b (3 yields); watch size() after every turn", kLesson);
  Trace trace;
  RoundRobin scheduler;
  scheduler.spawn("a", worker("a", 1, &trace));
  scheduler.spawn("b", worker("b", 3, &trace));

  script.step("run_once() until it returns false, noting size() after each turn");
  std::vector<std::size_t> sizes;
  while (scheduler.run_once()) sizes.push_back(scheduler.size());
  EXPECT_STEP_EQ(script, sizes, (std::vector<std::size_t>{2, 2, 1, 1, 1, 0}),
                 "a job that yields goes back to the queue; a job that finishes leaves it "
                 "(a ends on turn 3, b on turn 6)");
  EXPECT_STEP_EQ(script, trace, (Trace{"a1", "b1", "b2", "b3"}), "the turns ran in order");
}

TEST(Ex15RoundRobin, CooperativeJobThatNeverYieldsKeepsTheProcessor) {
  Script script("a job that never yields, between two that do", kLesson);
  Trace trace;
  RoundRobin scheduler;

  script.step("spawn a, hog, b; run()");
  scheduler.spawn("a", worker("a", 2, &trace));
  scheduler.spawn("hog", hog(&trace));
  scheduler.spawn("b", worker("b", 2, &trace));
  scheduler.run();
  EXPECT_STEP_EQ(script, trace, (Trace{"a1", "hog1", "hog2", "hog3", "b1", "a2", "b2"}),
                 "no job is interrupted: a job runs until it yields or ends (cooperative "
                 "multitasking, as in asyncio)");
}

// ---- failures ----------------------------------------------------------------------------

TEST(Ex15RoundRobin, JobThatThrowsIsReportedAndTheOthersGoOn) {
  Script script("job 'bad' throws on its second turn, between a and c", kLesson);
  Trace trace;
  Reports reports;
  RoundRobin scheduler(reports.reporter());

  script.step("spawn a, bad, c; run()");
  scheduler.spawn("a", worker("a", 3, &trace));
  scheduler.spawn("bad", fails_on_second_turn("bad", &trace));
  scheduler.spawn("c", worker("c", 3, &trace));
  const std::string outcome = [&]() -> std::string {
    try {
      scheduler.run();
    } catch (const std::runtime_error& e) {
      return std::string("run() threw: ") + e.what();
    }
    return "run() returned";
  }();

  EXPECT_STEP_EQ(script, outcome, std::string("run() returned"),
                 "a job's exception never escapes the scheduler: it goes to the ErrorReporter");
  EXPECT_STEP_EQ(script, reports.lines, Trace{"bad: bad lost its connection"},
                 "the ErrorReporter is called once, with the job's name and what escaped it");
  EXPECT_STEP_EQ(script, trace, (Trace{"a1", "bad1", "c1", "a2", "c2", "a3", "c3"}),
                 "the failed job leaves the queue; the others keep their turns");
  EXPECT_STEP_EQ(script, scheduler.size(), std::size_t{0}, "every job has left");
}

TEST(Ex15RoundRobin, JobThatThrowsBeforeItsFirstYieldIsReported) {
  Script script("job 'broken' throws in its very first turn", kLesson);
  Trace trace;
  Reports reports;
  RoundRobin scheduler(reports.reporter());
  scheduler.spawn("a", worker("a", 2, &trace));
  scheduler.spawn("broken", fails_at_once("broken", &trace));

  script.step("run_once() twice (a's turn, then broken's first turn)");
  scheduler.run_once();
  scheduler.run_once();
  EXPECT_STEP_EQ(script, reports.lines, Trace{"broken: broken cannot start"},
                 "an exception from the first turn (begin() threw) is reported like any other");
  EXPECT_STEP_EQ(script, scheduler.size(), std::size_t{1}, "the broken job left the queue");

  script.step("run()");
  scheduler.run();
  EXPECT_STEP_EQ(script, trace, (Trace{"a1", "broken starts", "a2"}), "a is unaffected");
}

// ---- spawning from a job -----------------------------------------------------------------

TEST(Ex15RoundRobin, JobSpawnedByARunningJobGoesToTheBack) {
  Script script("job p spawns job c in its first turn, while a waits", kLesson);
  Trace trace;
  RoundRobin scheduler;

  script.step("spawn p (spawner) and a (2 turns of work); run()");
  scheduler.spawn("p", spawner(&scheduler, &trace));
  scheduler.spawn("a", worker("a", 3, &trace));
  const std::size_t turns = scheduler.run();

  EXPECT_STEP_EQ(script, trace, (Trace{"p1", "a1", "c1", "p2", "a2", "c2", "a3"}),
                 "a job spawned during a turn joins the back of the queue, behind the jobs "
                 "already there; the running job, which was taken out first, goes behind it");
  EXPECT_STEP_EQ(script, turns, std::size_t{10}, "p: 3 turns, a: 4, c: 3");
}

TEST(Ex15RoundRobin, JobsKeepCopiesOfTheirParameters) {
  Script script("spawn jobs whose name strings die before the jobs run", kLesson);
  Trace trace;
  RoundRobin scheduler;

  script.step("for i in 1..3: std::string name = \"w\" + i; spawn(name, worker(name, 2, ...))");
  for (int i = 1; i <= 3; ++i) {
    std::string name = "w";     // "w1-", "w2-", "w3-" (built with +=: GCC 12's -O3 gives a
    name += std::to_string(i);  // false -Wrestrict warning on "w" + std::to_string(i))
    name += '-';
    scheduler.spawn(name, worker(name, 2, &trace));
  }  // every `name` is gone here

  script.step("run()");
  scheduler.run();
  EXPECT_STEP_EQ(script, trace, (Trace{"w1-1", "w2-1", "w3-1", "w1-2", "w2-2", "w3-2"}),
                 "a generator's parameters are copied into its frame when it is called, so a "
                 "job may outlive the variables it was called with");
}
