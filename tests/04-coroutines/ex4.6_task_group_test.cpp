// Exercise 4.6: a task group (TaskGroup::on_task_done and TaskGroup::finish).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// A group runs inside a task: `co_await aio::task_group(body)`, where `body` is a coroutine
// lambda that receives the group. (The lambda is named before the co_await: g++ 12 miscompiles
// a lambda expression written inside a co_await expression.) The loop's clock is an
// aio::ManualClock with auto_advance: when nothing is ready, the loop jumps straight to its next
// timer, so sleeps take no real time and every time a test reads is exact. run_until_done()
// runs the loop until a task is done, with a watchdog timer that stops it if nothing is left
// to do: a group that never ends fails its test instead of hanging it.
//
// A task left waiting forever holds itself in a cycle, so the fixture cancels whatever a test
// left pending and runs the loop until it is done: otherwise LeakSanitizer (the asan preset)
// would report the cycle.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/coroutine.hpp"
#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/sleep.hpp"
#include "aio/task.hpp"
#include "aio/task_group.hpp"
#include "aio/timeouts.hpp"
#include "loop_harness.hpp"
#include "support/script.hpp"

namespace {

using aio::AnyTask;
using aio::Coroutine;
using aio::EventLoop;
using aio::Task;
using aio::TaskGroup;
using aio::testing::finish_leftovers;
using aio::testing::now;
using aio::testing::on;
using aio::testing::run_until_done;
using aio::testing::Script;
using aio::testing::TestTimer;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 4.6";

class DiskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An exception in words: its kind and its message (only the kind for TimeoutError); an
// ExceptionGroup lists what it holds, sorted (the order of errors that happen together is not
// part of the contract).
std::string describe(const std::exception_ptr& error) {
  if (!error) return "no exception";
  try {
    std::rethrow_exception(error);
  } catch (const aio::NotImplemented& e) {
    return std::string("aio::NotImplemented: ") + e.what();
  } catch (const aio::CancelledError& e) {
    return "aio::CancelledError: " + e.message();
  } catch (const aio::ExceptionGroup& group) {
    std::vector<std::string> inside;
    for (const std::exception_ptr& each : group.exceptions()) inside.push_back(describe(each));
    std::sort(inside.begin(), inside.end());
    std::string text = "ExceptionGroup[";
    for (std::size_t i = 0; i < inside.size(); ++i) text += (i > 0 ? ", " : "") + inside[i];
    return text + "]";
  } catch (const aio::TimeoutError&) {
    return "aio::TimeoutError";
  } catch (const aio::InvalidStateError& e) {
    return std::string("aio::InvalidStateError: ") + e.what();
  } catch (const DiskError& e) {
    return std::string("DiskError: ") + e.what();
  } catch (const std::logic_error& e) {
    return std::string("std::logic_error: ") + e.what();
  } catch (const std::runtime_error& e) {
    return std::string("std::runtime_error: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("std::exception: ") + e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

// A future or a task in words: "pending", "cancelled", "finished" or "exception <what>".
// Reading it retrieves its exception, as a caller would.
template <class F>
std::string state_of(const F& future) {
  if (!future.done()) return "pending";
  if (future.cancelled()) return "cancelled";
  if (const std::exception_ptr error = future.exception()) return "exception " + describe(error);
  return "finished";
}

// ---- coroutines the groups run ---------------------------------------------------------------

// Sleeps, notes "<name> done at t=..." (or "<name> cancelled at t=..." and rethrows), returns
// `value`.
Coroutine<int> sleeper(std::string name, double delay, int value, Trace& trace) {
  try {
    co_await aio::sleep(delay);
  } catch (const aio::CancelledError&) {
    trace.push_back(name + " cancelled at " + now());
    throw;
  }
  trace.push_back(name + " done at " + now());
  co_return value;
}

// Sleeps, notes "<name> fails at t=...", throws DiskError("<name> failed").
Coroutine<int> failer(std::string name, double delay, Trace& trace) {
  co_await aio::sleep(delay);
  trace.push_back(name + " fails at " + now());
  throw DiskError(name + " failed");
}

// Sleeps; once cancelled, cleans up for 1 s, then lets the CancelledError go.
Coroutine<int> slow_to_cancel(std::string name, double delay, Trace& trace) {
  std::exception_ptr cancelled;
  try {
    co_await aio::sleep(delay);
    co_return 0;
  } catch (const aio::CancelledError&) {
    trace.push_back(name + " cancelled at " + now());
    cancelled = std::current_exception();  // (no co_await inside a handler: C++ forbids it)
  }
  co_await aio::sleep(1);
  trace.push_back(name + " cleaned up at " + now());
  std::rethrow_exception(cancelled);
}

// Sleeps; once cancelled, returns `value` anyway (it swallows the cancellation).
Coroutine<int> swallower(std::string name, double delay, int value, Trace& trace) {
  try {
    co_await aio::sleep(delay);
  } catch (const aio::CancelledError&) {
    trace.push_back(name + " swallowed the cancellation at " + now());
  }
  co_return value;
}

// Sleeps; once cancelled, fails with DiskError("<name> failed while cancelled").
Coroutine<int> fails_when_cancelled(std::string name, double delay, Trace& trace) {
  try {
    co_await aio::sleep(delay);
  } catch (const aio::CancelledError&) {
    trace.push_back(name + " cancelled at " + now());
  }
  throw DiskError(name + " failed while cancelled");
}

// What the task around a group saw once the group was over.
struct GroupSeen {
  std::string outcome = "not run";   // "ended" or the exception in words
  std::size_t errors = 0;            // exceptions().size() of an ExceptionGroup
  bool first_is_disk_error = false;  // its first exception is a DiskError
  std::optional<int> cancelling;     // the task's cancelling() afterwards
};

// co_await task_group(body), noted in `seen` and `trace`. A CancelledError is noted and let go.
template <class F>
Coroutine<void> run_group(F body, GroupSeen& seen, Trace& trace) {
  std::exception_ptr cancelled;
  try {
    co_await aio::task_group(std::move(body));
    seen.outcome = "ended";
  } catch (const aio::ExceptionGroup& group) {
    seen.outcome = describe(std::current_exception());
    seen.errors = group.exceptions().size();
    if (!group.exceptions().empty()) {
      try {
        std::rethrow_exception(group.exceptions().front());
      } catch (const DiskError&) {
        seen.first_is_disk_error = true;
      } catch (...) {
      }
    }
  } catch (const aio::CancelledError&) {
    seen.outcome = describe(std::current_exception());
    cancelled = std::current_exception();
  } catch (...) {
    seen.outcome = describe(std::current_exception());
  }
  trace.push_back("group over at " + now());
  seen.cancelling = aio::current_task()->cancelling();
  if (cancelled) std::rethrow_exception(cancelled);
}

class Ex46TaskGroup : public ::testing::Test {
 protected:
  Ex46TaskGroup() {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      reports.push_back(context.message + ": " + describe(context.exception));
    });
  }

  void TearDown() override {
    finish_leftovers(loop);
    EXPECT_EQ(reports, Trace{})
        << "the loop's exception handler was called, and this test expected no report (an "
           "exception in a callback, or an exception that nobody retrieved)";
  }

  // What the tasks of a test write into lives here, not in the test's body: a task that a
  // failed test leaves behind is cancelled and run to its end in TearDown(), after the body.
  Trace trace;
  GroupSeen seen;
  std::string refused = "create_task was not called";
  bool group_alive = false;  // a callback must not touch a group that is gone
  Trace reports;             // declared before the loop, which reports into it until its very end
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>(0.0, true);
  EventLoop loop{on(clock)};
};

}  // namespace

// ---- a group waits for its tasks -------------------------------------------------------------

TEST_F(Ex46TaskGroup, GroupWaitsForEveryTaskAfterTheBodyReturns) {
  Script script(
      "a group whose body creates tasks a (1 s -> 10), b (3 s -> 30), c (2 s -> 20) and returns",
      kLesson);
  std::vector<Task<int>> tasks;
  auto body = [this, &tasks](TaskGroup& tg) -> Coroutine<void> {
    tasks.push_back(tg.create_task(sleeper("a", 1, 10, trace)));
    tasks.push_back(tg.create_task(sleeper("b", 3, 30, trace)));
    tasks.push_back(tg.create_task(sleeper("c", 2, 20, trace)));
    trace.push_back("body returns at " + now());
    co_return;
  };

  script.step("create_task(run_group(body)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, run_group(body, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"body returns at t=0", "a done at t=1", "c done at t=2", "b done at t=3",
                        "group over at t=3"}),
                 "the body returned at once, yet the group ended only when its last task had");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("ended"), "with no error");
  EXPECT_STEP_TRUE(script,
                   tasks.size() == 3 && tasks[0].done() && tasks[1].done() && tasks[2].done() &&
                       tasks[0].result() == 10 && tasks[1].result() == 30 &&
                       tasks[2].result() == 20,
                   "create_task() returned the tasks, which finished with their values");
}

// ---- failures --------------------------------------------------------------------------------

TEST_F(Ex46TaskGroup, FirstFailureCancelsTheOtherTasksAndTheBody) {
  Script script("a group: task a fails at t=1, task b sleeps 10 s, and the body sleeps 100 s",
                kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    tg.create_task(failer("a", 1, trace));
    tg.create_task(sleeper("b", 10, 2, trace));
    co_await sleeper("body", 100, 0, trace);
  };

  script.step("create_task(run_group(body)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, run_group(body, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(
      script, trace,
      (Trace{"a fails at t=1", "b cancelled at t=1", "body cancelled at t=1", "group over at t=1"}),
      "the first failure cancels every other task of the group and the body (the "
      "group cancels the task that runs it); the group ends once they are all over");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("ExceptionGroup[DiskError: a failed]"),
                 "the group raises an ExceptionGroup holding the failure; the cancellations "
                 "are not errors");
  EXPECT_STEP_EQ(script, seen.errors, std::size_t{1}, "exceptions() holds one exception");
  EXPECT_STEP_TRUE(script, seen.first_is_disk_error,
                   "of the type that was thrown (the exception itself, not a copy of its text)");
  EXPECT_STEP_TRUE(script, seen.cancelling == std::optional<int>(0),
                   "the group took back the cancel it asked of its task (uncancel): "
                   "cancelling() is 0, and the task goes on after the group");
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"),
                 "the task caught the ExceptionGroup and ended normally");
}

TEST_F(Ex46TaskGroup, TwoFailuresAreBothInTheGroup) {
  Script script("a group: tasks a and b both fail at t=1; task c sleeps 10 s", kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    tg.create_task(failer("a", 1, trace));
    tg.create_task(failer("b", 1, trace));
    tg.create_task(sleeper("c", 10, 3, trace));
    co_return;
  };

  script.step("create_task(run_group(body)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, run_group(body, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome,
                 std::string("ExceptionGroup[DiskError: a failed, DiskError: b failed]"),
                 "both failures are in the ExceptionGroup: the second one is not lost because "
                 "the group was already shutting down");
  EXPECT_STEP_EQ(script, seen.errors, std::size_t{2}, "exceptions() holds two exceptions");
  EXPECT_STEP_TRUE(script,
                   std::find(trace.begin(), trace.end(), "c cancelled at t=1") != trace.end(),
                   "the other task was cancelled");
}

TEST_F(Ex46TaskGroup, TaskThatFailsWhileCancelledJoinsTheGroup) {
  Script script(
      "a group: task a fails at t=1; task b, once cancelled, throws DiskError(\"b failed while "
      "cancelled\")",
      kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    tg.create_task(failer("a", 1, trace));
    tg.create_task(fails_when_cancelled("b", 10, trace));
    co_return;
  };

  script.step("create_task(run_group(body)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, run_group(body, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(
      script, seen.outcome,
      std::string("ExceptionGroup[DiskError: a failed, DiskError: b failed while cancelled]"),
      "an error raised while the group shuts down is an error all the same: it joins the first");
}

TEST_F(Ex46TaskGroup, BodyErrorCancelsTheTasksAndJoinsTheGroup) {
  Script script("a group: task b sleeps 10 s; the body sleeps 1 s, then throws DiskError", kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    tg.create_task(sleeper("b", 10, 2, trace));
    co_await aio::sleep(1);
    throw DiskError("body failed");
  };

  script.step("create_task(run_group(body)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, run_group(body, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, (Trace{"b cancelled at t=1", "group over at t=1"}),
                 "an error escaping the body cancels the group's tasks, which the group then "
                 "waits for");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("ExceptionGroup[DiskError: body failed]"),
                 "the body's error comes out in the ExceptionGroup, like a task's");
}

TEST_F(Ex46TaskGroup, TasksThatCleanUpWhenCancelledStillLetTheGroupEnd) {
  Script script(
      "a group: task a fails at t=1; task b, once cancelled, cleans up for 1 s; task c "
      "swallows its cancellation and returns 3",
      kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    tg.create_task(failer("a", 1, trace));
    tg.create_task(slow_to_cancel("b", 10, trace));
    tg.create_task(swallower("c", 10, 3, trace));
    co_return;
  };

  script.step("create_task(run_group(body)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, run_group(body, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(
      script, trace,
      (Trace{"a fails at t=1", "b cancelled at t=1", "c swallowed the cancellation at t=1",
             "b cleaned up at t=2", "group over at t=2"}),
      "the group waits for every task to be over, clean-up included (t=2), then ends");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("ExceptionGroup[DiskError: a failed]"),
                 "only a's failure is an error: b ended cancelled, c with a value");
}

// ---- cancellation from outside ---------------------------------------------------------------

TEST_F(Ex46TaskGroup, CancellationFromOutsideWhileTheBodyRunsStaysACancelledError) {
  Script script(
      "a group: tasks a and b sleep 10 s, the body sleeps 100 s; at t=1 the task running the "
      "group is cancelled",
      kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    tg.create_task(sleeper("a", 10, 1, trace));
    tg.create_task(sleeper("b", 10, 2, trace));
    co_await sleeper("body", 100, 0, trace);
  };

  script.step("create_task(run_group(body)); at t=1 task.cancel(\"stop\"); run the loop");
  const Task<void> task = aio::create_task(loop, run_group(body, seen, trace));
  const TestTimer timer(loop.call_at(1.0, [&task] { task.cancel("stop"); }));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"body cancelled at t=1", "a cancelled at t=1", "b cancelled at t=1",
                        "group over at t=1"}),
                 "the body got the CancelledError; the group then cancelled its tasks and "
                 "waited for them");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::CancelledError: stop"),
                 "the group lets the CancelledError go on: a cancellation is not an error, so "
                 "there is no ExceptionGroup");
  EXPECT_STEP_EQ(script, state_of(task), std::string("cancelled"),
                 "the task that ran the group ends cancelled");
}

TEST_F(Ex46TaskGroup, CancellationFromOutsideWhileTheGroupWaitsStaysACancelledError) {
  Script script(
      "a group: tasks a and b sleep 10 s, the body returns at once; at t=1 the task running "
      "the group is cancelled",
      kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    tg.create_task(sleeper("a", 10, 1, trace));
    tg.create_task(slow_to_cancel("b", 10, trace));
    co_return;
  };

  script.step("create_task(run_group(body)); at t=1 task.cancel(\"stop\"); run the loop");
  const Task<void> task = aio::create_task(loop, run_group(body, seen, trace));
  const TestTimer timer(loop.call_at(1.0, [&task] { task.cancel("stop"); }));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"a cancelled at t=1", "b cancelled at t=1", "b cleaned up at t=2",
                        "group over at t=2"}),
                 "the group was waiting for its tasks: the cancellation cancels them, and the "
                 "group goes on waiting until they are over (b's clean-up ends at t=2)");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::CancelledError: stop"),
                 "then the CancelledError goes on, not an ExceptionGroup");
  EXPECT_STEP_EQ(script, state_of(task), std::string("cancelled"),
                 "the task that ran the group ends cancelled");
}

// ---- create_task when the group no longer takes tasks ------------------------------------------

// run_group(), then `alive` = false: the group is gone once run_group() has come back.
template <class F>
Coroutine<void> run_group_noting_its_end(F body, GroupSeen& seen, Trace& trace, bool& alive) {
  try {
    co_await run_group(std::move(body), seen, trace);
  } catch (...) {
    alive = false;
    throw;
  }
  alive = false;
}

TEST_F(Ex46TaskGroup, CreateTaskOnceTheGroupIsFinishedIsRefused) {
  Script script(
      "a group: task a sleeps 1 s; the body returns; a's done callback, run after the group's "
      "own, calls tg.create_task()",
      kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    group_alive = true;
    const Task<int> a = tg.create_task(sleeper("a", 1, 1, trace));
    // Added after the group's own callback: it runs once the group knows a is over, so the
    // group has no task left and its body has returned: the group is finished.
    a.add_done_callback([this, &tg](const aio::Future<int>&) {
      if (!group_alive) return;
      try {
        tg.create_task(sleeper("late", 1, 2, trace));
        refused = "create_task succeeded";
      } catch (...) {
        refused = describe(std::current_exception());
      }
    });
    co_return;
  };

  script.step("create_task(run_group_noting_its_end(body)); run the loop until it is done");
  const Task<void> task =
      aio::create_task(loop, run_group_noting_its_end(body, seen, trace, group_alive));
  run_until_done(loop, task);
  EXPECT_STEP_TRUE(script, refused.starts_with("std::runtime_error"),
                   "a group with no task left whose body has returned is finished: "
                   "create_task() is std::runtime_error (seen: " +
                       refused + ")");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("ended"), "the group ended normally");
  EXPECT_STEP_TRUE(script,
                   reports.size() == 1 && reports[0].starts_with("coroutine '") &&
                       reports[0].find("was never awaited") != std::string::npos,
                   "the coroutine given to the refused create_task() never ran: it is reported "
                   "as never awaited, as asyncio 3.12 warns");
  reports.clear();
}

TEST_F(Ex46TaskGroup, CreateTaskWhileTheGroupShutsDownIsRefused) {
  Script script(
      "a group: task a fails at t=1; the body sleeps 100 s and, once cancelled, calls "
      "tg.create_task()",
      kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    tg.create_task(failer("a", 1, trace));
    try {
      co_await aio::sleep(100);
    } catch (const aio::CancelledError&) {
      try {
        tg.create_task(sleeper("late", 1, 2, trace));
        refused = "create_task succeeded";
      } catch (...) {
        refused = describe(std::current_exception());
      }
      throw;
    }
  };

  script.step("create_task(run_group(body)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, run_group(body, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_TRUE(script, refused.starts_with("std::runtime_error"),
                   "after a failure the group is shutting down: create_task() is "
                   "std::runtime_error (seen: " +
                       refused + ")");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("ExceptionGroup[DiskError: a failed]"),
                 "the group still ends with a's failure");
  EXPECT_STEP_TRUE(script,
                   reports.size() == 1 && reports[0].starts_with("coroutine '") &&
                       reports[0].find("was never awaited") != std::string::npos,
                   "the refused coroutine is reported as never awaited");
  reports.clear();
}

// ---- nested groups ---------------------------------------------------------------------------

// A task that runs a group of its own: tasks x (1 s) and y (2 s), or, if `fail`, x fails at 1 s.
Coroutine<void> inner_group(bool fail, Trace& trace) {
  auto body = [fail, &trace](TaskGroup& tg) -> Coroutine<void> {
    if (fail) {
      tg.create_task(failer("inner x", 1, trace));
    } else {
      tg.create_task(sleeper("inner x", 1, 1, trace));
    }
    tg.create_task(sleeper("inner y", 2, 2, trace));
    co_return;
  };
  co_await aio::task_group(body);
  trace.push_back("inner group over at " + now());
}

TEST_F(Ex46TaskGroup, NestedGroupsWaitForEachOther) {
  Script script(
      "an outer group: task o sleeps 3 s, task i runs an inner group of x (1 s) and y (2 s)",
      kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    tg.create_task(sleeper("o", 3, 3, trace));
    tg.create_task(inner_group(false, trace));
    co_return;
  };

  script.step("create_task(run_group(body)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, run_group(body, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"inner x done at t=1", "inner y done at t=2", "inner group over at t=2",
                        "o done at t=3", "group over at t=3"}),
                 "the inner group waits for its tasks, the outer group for its own, the inner "
                 "group's task among them");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("ended"), "with no error");
}

TEST_F(Ex46TaskGroup, FailureInAnInnerGroupReachesTheOuterGroup) {
  Script script(
      "an outer group: task o sleeps 10 s, task i runs an inner group where x fails at t=1 and "
      "y sleeps 2 s",
      kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    tg.create_task(sleeper("o", 10, 3, trace));
    tg.create_task(inner_group(true, trace));
    co_return;
  };

  script.step("create_task(run_group(body)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, run_group(body, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"inner x fails at t=1", "inner y cancelled at t=1", "o cancelled at t=1",
                        "group over at t=1"}),
                 "x's failure cancels y and ends the inner group with an ExceptionGroup, which "
                 "fails task i of the outer group, which then cancels o");
  EXPECT_STEP_EQ(script, seen.outcome,
                 std::string("ExceptionGroup[ExceptionGroup[DiskError: inner x failed]]"),
                 "the outer ExceptionGroup holds the inner one, which holds the DiskError");
}

// ---- a group inside a timeout scope ------------------------------------------------------------

template <class F>
Coroutine<void> group_in_timeout(double delay, F body, GroupSeen& seen, Trace& trace) {
  aio::Timeout scope = aio::timeout(delay);
  try {
    co_await scope.run(aio::task_group(std::move(body)));
    seen.outcome = "ended";
  } catch (...) {
    seen.outcome = describe(std::current_exception());
  }
  trace.push_back("scope over at " + now());
  seen.cancelling = aio::current_task()->cancelling();
}

TEST_F(Ex46TaskGroup, TimeoutAroundAGroupCancelsItsTasksAndRaisesTimeoutError) {
  Script script(
      "a task runs timeout(1).run(task_group(body)); the body creates task a (10 s) and task b "
      "(1 s of clean-up once cancelled), and returns",
      kLesson);
  auto body = [this](TaskGroup& tg) -> Coroutine<void> {
    tg.create_task(sleeper("a", 10, 1, trace));
    tg.create_task(slow_to_cancel("b", 10, trace));
    co_return;
  };

  script.step("create_task(group_in_timeout(1, body)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, group_in_timeout(1, body, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"a cancelled at t=1", "b cancelled at t=1", "b cleaned up at t=2",
                        "scope over at t=2"}),
                 "the deadline cancels the task that waits in the group; for the group that is a "
                 "cancellation from outside: it cancels its tasks and waits for them");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"),
                 "the group lets the CancelledError go (no ExceptionGroup: nothing failed), and "
                 "the scope, whose cancellation it was, turns it into TimeoutError");
  EXPECT_STEP_TRUE(script, seen.cancelling == std::optional<int>(0),
                   "no cancel request is left on the task");
}
