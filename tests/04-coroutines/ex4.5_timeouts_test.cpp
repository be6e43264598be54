// Exercise 4.5: timeout scopes (Timeout::reschedule, on_timeout, exit), and wait_for on top.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// A scope runs inside a task: `co_await scope.run(body())`. The loop's clock is an
// aio::ManualClock with auto_advance: when nothing is ready, the loop jumps straight to its
// next timer, so a deadline of seconds passes in no real time and every time a test reads is
// exact. run_until_done() runs the loop until a task is done, with a watchdog timer that stops
// it if nothing is left to do: a scope that never ends fails its test instead of hanging it.
//
// A task left waiting forever holds itself in a cycle, so the fixture cancels whatever a test
// left pending and runs the loop until it is done: otherwise LeakSanitizer (the asan preset)
// would report the cycle.
//
// The four wait_for tests with a timeout <= 0 do not go through a timeout scope (asyncio's
// wait_for has a path of its own for them: cancel at once and wait); they are here because
// they are part of wait_for's contract.
#include <gtest/gtest.h>

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
#include "aio/timeouts.hpp"
#include "loop_harness.hpp"
#include "support/script.hpp"

namespace {

using aio::AnyTask;
using aio::Coroutine;
using aio::EventLoop;
using aio::Future;
using aio::Task;
using aio::testing::finish_leftovers;
using aio::testing::now;
using aio::testing::on;
using aio::testing::run_until_done;
using aio::testing::Script;
using aio::testing::TestTimer;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 4.5";

class DiskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An exception in words: its kind and its message (only the kind for TimeoutError, whose
// message is the implementation's choice).
std::string describe(const std::exception_ptr& error) {
  if (!error) return "no exception";
  try {
    std::rethrow_exception(error);
  } catch (const aio::NotImplemented& e) {
    return std::string("aio::NotImplemented: ") + e.what();
  } catch (const aio::CancelledError& e) {
    return "aio::CancelledError: " + e.message();
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

// What a scope looked like once its run() was over.
struct ScopeSeen {
  std::string outcome = "not run";  // "value 42", or the exception in words
  std::string at;                   // when run() came back: "t=1"
  bool expired = false;
  std::optional<double> when;
};

// ---- bodies ----------------------------------------------------------------------------------

// Sleeps, then returns `value`. A CancelledError is noted in `trace` and rethrown.
Coroutine<int> body_sleeping(double delay, int value, Trace& trace) {
  try {
    co_await aio::sleep(delay);
  } catch (const aio::CancelledError&) {
    trace.push_back("body cancelled at " + now());
    throw;
  }
  co_return value;
}

// Sleeps; when cancelled, notes it, cleans up for `cleanup` seconds (it can still await: the
// cancellation was delivered), notes that too, and rethrows the CancelledError.
Coroutine<int> slow_to_cancel(double delay, double cleanup, int value, Trace& trace) {
  std::exception_ptr cancelled;
  try {
    co_await aio::sleep(delay);
    co_return value;
  } catch (const aio::CancelledError&) {
    trace.push_back("cancelled at " + now());
    cancelled = std::current_exception();  // (no co_await inside a handler: C++ forbids it)
  }
  co_await aio::sleep(cleanup);
  trace.push_back("cleaned up at " + now());
  std::rethrow_exception(cancelled);
}

// Sleeps; when cancelled, notes it and returns `value` anyway: the cancellation is swallowed.
Coroutine<int> swallow_cancel(double delay, int value, Trace& trace) {
  try {
    co_await aio::sleep(delay);
  } catch (const aio::CancelledError&) {
    trace.push_back("body swallowed the cancellation at " + now());
  }
  co_return value;
}

// Runs `body` in a scope of timeout(delay) and notes how it went.
Coroutine<void> in_scope(std::optional<double> delay, Coroutine<int> body, ScopeSeen& seen) {
  aio::Timeout scope = aio::timeout(delay);
  try {
    const int value = co_await scope.run(std::move(body));
    seen.outcome = "value " + std::to_string(value);
  } catch (...) {
    seen.outcome = describe(std::current_exception());
  }
  seen.at = now();
  seen.expired = scope.expired();
  seen.when = scope.when();
}

class Ex45Timeouts : public ::testing::Test {
 protected:
  Ex45Timeouts() {
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
  ScopeSeen seen;
  ScopeSeen inner_seen;  // the inner scope of the nested tests
  std::optional<int> cancelling_after;
  int started = 0;
  Trace reports;  // declared before the loop, which reports into it until its very end
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>(0.0, true);
  EventLoop loop{on(clock)};
};

}  // namespace

// ---- one scope -------------------------------------------------------------------------------

TEST_F(Ex45Timeouts, BodyThatFinishesInTimeGivesItsValue) {
  Script script("a task runs timeout(5).run(body) where the body sleeps 1 s and returns 42",
                kLesson);

  script.step("create_task(in_scope(5, body_sleeping(1, 42))); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, in_scope(5.0, body_sleeping(1, 42, trace), seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome, std::string("value 42"),
                 "a body that ends before the deadline gives its value through run()");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=1"), "as soon as the body ends");
  EXPECT_STEP_TRUE(script, !seen.expired, "expired() is false: the deadline never came");
  EXPECT_STEP_TRUE(script, seen.when == std::optional<double>(5.0),
                   "when() is the deadline on the loop's clock: now (0) + 5");
  EXPECT_STEP_EQ(script, trace, Trace{}, "nobody cancelled the body");
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"), "the task ends normally");
}

TEST_F(Ex45Timeouts, BodyTooSlowRaisesTimeoutErrorAfterTheBodySawCancelledError) {
  Script script("a task runs timeout(1).run(body) where the body sleeps 10 s", kLesson);

  script.step("create_task(in_scope(1, body_sleeping(10, 42))); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, in_scope(1.0, body_sleeping(10, 42, trace), seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, Trace{"body cancelled at t=1"},
                 "at the deadline the scope cancels its task: the body gets CancelledError at "
                 "its await, where it can clean up");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"),
                 "the CancelledError that comes out of the body is turned into TimeoutError");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=1"), "at the deadline, not after the 10 s");
  EXPECT_STEP_TRUE(script, seen.expired, "expired() is true");
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"),
                 "the task caught the TimeoutError and ended normally: the cancellation was the "
                 "scope's own, taken back (uncancel) when the scope ended");
  if (task.done()) {
    EXPECT_STEP_EQ(script, task.cancelling(), 0,
                   "the task's cancelling() is back to 0: no cancel request is left");
  }
}

TEST_F(Ex45Timeouts, BodyCleansUpBeforeTheTimeoutErrorComesOut) {
  Script script(
      "timeout(1).run(body): the body sleeps 10 s; cancelled, it cleans up for 0.5 s, then "
      "lets the CancelledError go",
      kLesson);

  script.step("create_task(in_scope(1, slow_to_cancel(10, 0.5, 42))); run the loop");
  const Task<void> task =
      aio::create_task(loop, in_scope(1.0, slow_to_cancel(10, 0.5, 42, trace), seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, (Trace{"cancelled at t=1", "cleaned up at t=1.5"}),
                 "the body got CancelledError at the deadline, and could await during its "
                 "clean-up");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"),
                 "the CancelledError it let go became TimeoutError");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=1.5"),
                 "run() came back once the body had ended, clean-up included");
}

TEST_F(Ex45Timeouts, BodyThatSwallowsTheCancellationGivesItsValueButTheScopeExpired) {
  Script script(
      "timeout(1).run(body): the body sleeps 10 s, catches the CancelledError and returns 7",
      kLesson);

  script.step("create_task(in_scope(1, swallow_cancel(10, 7))); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, in_scope(1.0, swallow_cancel(10, 7, trace), seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, Trace{"body swallowed the cancellation at t=1"},
                 "the deadline cancelled the body");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("value 7"),
                 "no CancelledError came out of the body, so there is nothing to turn into "
                 "TimeoutError: run() gives the body's value (as asyncio's __aexit__ does)");
  EXPECT_STEP_TRUE(script, seen.expired, "yet the deadline did pass: expired() is true");
  if (task.done()) {
    EXPECT_STEP_EQ(script, task.cancelling(), 0, "the scope took its cancel request back");
  }
}

// ---- deadlines that move ---------------------------------------------------------------------

// In a scope of timeout(delay): at once reschedule(now + new_delay) from inside the body, then
// sleep `sleep_for`.
Coroutine<void> rescheduled(std::optional<double> delay, std::optional<double> new_delay,
                            double sleep_for, ScopeSeen& seen, Trace& trace) {
  aio::Timeout scope = aio::timeout(delay);
  auto body = [&scope, new_delay, sleep_for, &trace]() -> Coroutine<int> {
    const EventLoop& loop = aio::get_running_loop();
    scope.reschedule(new_delay ? std::optional<double>(loop.time() + *new_delay) : std::nullopt);
    trace.push_back("rescheduled");
    co_await aio::sleep(sleep_for);
    co_return 1;
  };
  try {
    const int value = co_await scope.run(body());
    seen.outcome = "value " + std::to_string(value);
  } catch (...) {
    seen.outcome = describe(std::current_exception());
  }
  seen.at = now();
  seen.expired = scope.expired();
  seen.when = scope.when();
}

TEST_F(Ex45Timeouts, RescheduleFromInsideTheBodyExtendsTheDeadline) {
  Script script("timeout(1).run(body): the body calls reschedule(now + 5), then sleeps 3 s",
                kLesson);

  script.step("create_task(rescheduled(1, 5, 3)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, rescheduled(1, 5.0, 3, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, Trace{"rescheduled"}, "the body rescheduled the deadline");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("value 1"),
                 "the deadline moved from t=1 to t=5: the 3 s sleep ended in time");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=3"), "the body ended at t=3");
  EXPECT_STEP_TRUE(script, !seen.expired, "expired() is false");
  EXPECT_STEP_TRUE(script, seen.when == std::optional<double>(5.0), "when() is the new deadline");
}

TEST_F(Ex45Timeouts, RescheduleFromInsideTheBodyShortensTheDeadline) {
  Script script("timeout(10).run(body): the body calls reschedule(now + 1), then sleeps 3 s",
                kLesson);

  script.step("create_task(rescheduled(10, 1, 3)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, rescheduled(10, 1.0, 3, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"),
                 "the deadline moved from t=10 to t=1, before the sleep ends");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=1"), "at the new deadline");
  EXPECT_STEP_TRUE(script, seen.expired, "expired() is true");
}

TEST_F(Ex45Timeouts, RescheduleToNoneRemovesTheDeadline) {
  Script script("timeout(1).run(body): the body calls reschedule(none), then sleeps 100 s",
                kLesson);

  script.step("create_task(rescheduled(1, none, 100)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, rescheduled(1, std::nullopt, 100, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome, std::string("value 1"),
                 "reschedule(none) cancels the timer: the scope has no deadline any more");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=100"), "the body slept its 100 s");
  EXPECT_STEP_TRUE(script, !seen.expired && !seen.when.has_value(),
                   "expired() is false and when() is none");
}

TEST_F(Ex45Timeouts, NoDeadlineNeverExpires) {
  Script script("timeout(none).run(body) where the body sleeps 1000 s and returns 42", kLesson);

  script.step("create_task(in_scope(none, body_sleeping(1000, 42))); run the loop");
  const Task<void> task =
      aio::create_task(loop, in_scope(std::nullopt, body_sleeping(1000, 42, trace), seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome, std::string("value 42"),
                 "timeout(none) sets no deadline: the body takes as long as it takes");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=1000"), "it ended after its 1000 s");
  EXPECT_STEP_TRUE(script, !seen.expired && !seen.when.has_value(),
                   "expired() is false and when() is none");
}

TEST_F(Ex45Timeouts, NoDeadlineScopeGetsOneWithReschedule) {
  Script script("timeout(none).run(body): the body calls reschedule(now + 2), then sleeps 100 s",
                kLesson);

  script.step("create_task(rescheduled(none, 2, 100)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, rescheduled(std::nullopt, 2.0, 100, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"),
                 "a deadline set later works as one set at the start");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=2"), "at t=2");
}

// In a scope of timeout_at(when): notes the clock, then awaits a 1 s sleep.
Coroutine<void> at_deadline(double when, ScopeSeen& seen, Trace& trace) {
  aio::Timeout scope = aio::timeout_at(when);
  try {
    const int value = co_await scope.run(body_sleeping(1, 1, trace));
    seen.outcome = "value " + std::to_string(value);
  } catch (...) {
    seen.outcome = describe(std::current_exception());
  }
  seen.at = now();
  seen.expired = scope.expired();
}

TEST_F(Ex45Timeouts, DeadlineInThePastExpiresAtTheNextIteration) {
  Script script("at t=0, timeout_at(-1).run(body) where the body sleeps 1 s", kLesson);

  script.step("create_task(at_deadline(-1)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, at_deadline(-1, seen, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, Trace{"body cancelled at t=0"},
                 "a deadline already past cancels the task at the next iteration (call_soon, "
                 "not a timer): the body is cancelled at its first await");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"), "TimeoutError");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=0"),
                 "the clock never moved: the body's 1 s sleep did not run its course");
  EXPECT_STEP_TRUE(script, seen.expired, "expired() is true");
}

TEST_F(Ex45Timeouts, RescheduleOutsideTheScopeIsRefused) {
  Script script("a Timeout made with timeout_at(5) but never run; then reschedule(6)", kLesson);
  aio::Timeout scope = aio::timeout_at(5.0);

  script.step("scope.reschedule(6) before the scope was entered");
  std::string seen = "nothing";
  try {
    scope.reschedule(6.0);
  } catch (...) {
    seen = describe(std::current_exception());
  }
  EXPECT_STEP_TRUE(
      script, seen.starts_with("std::runtime_error"),
      "a deadline can move only while the scope runs: std::runtime_error (seen: " + seen + ")");
  EXPECT_STEP_TRUE(script, scope.when() == std::optional<double>(5.0), "when() did not change");
}

// ---- cancellations that are not the scope's ----------------------------------------------------

// Runs body_sleeping(100) in a scope of timeout(delay); notes how it went, lets it propagate.
Coroutine<void> scope_then_rethrow(double delay, ScopeSeen& seen, Trace& trace) {
  aio::Timeout scope = aio::timeout(delay);
  try {
    co_await scope.run(body_sleeping(100, 1, trace));
    seen.outcome = "nothing";
  } catch (...) {
    seen.outcome = describe(std::current_exception());
    seen.at = now();
    seen.expired = scope.expired();
    throw;
  }
}

TEST_F(Ex45Timeouts, CancellationFromOutsideStaysACancelledError) {
  Script script("a task runs timeout(10).run(body sleeping 100 s); at t=1 the task is cancelled",
                kLesson);

  script.step("create_task(scope_then_rethrow(10)); at t=1 task.cancel(\"from outside\")");
  const Task<void> task = aio::create_task(loop, scope_then_rethrow(10, seen, trace));
  const TestTimer timer(loop.call_at(1.0, [&task] { task.cancel("from outside"); }));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, Trace{"body cancelled at t=1"}, "the body was cancelled at t=1");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::CancelledError: from outside"),
                 "the scope did not cancel it (its deadline was t=10): the CancelledError goes "
                 "through the scope as it is, never turned into TimeoutError");
  EXPECT_STEP_TRUE(script, !seen.expired, "expired() is false");
  EXPECT_STEP_EQ(script, state_of(task), std::string("cancelled"),
                 "the CancelledError came out of the task's coroutine: the task ends cancelled");
}

TEST_F(Ex45Timeouts, DeadlineAndOutsideCancelTogetherStayACancellation) {
  Script script(
      "a task runs timeout(1).run(body sleeping 100 s); at t=1 the task is also cancelled "
      "from outside",
      kLesson);

  script.step("at t=1 task.cancel(); create_task(scope_then_rethrow(1)); run the loop");
  std::optional<Task<void>> task;
  // Set before the task starts, so due before the scope's own timer at t=1.
  const TestTimer timer(loop.call_at(1.0, [&task] { task->cancel("from outside"); }));
  task = aio::create_task(loop, scope_then_rethrow(1, seen, trace));
  run_until_done(loop, *task);
  EXPECT_STEP_TRUE(script, seen.outcome.starts_with("aio::CancelledError"),
                   "two cancel requests reached the task, the scope's and another: after the "
                   "scope takes its own back (uncancel), one is left, so the CancelledError "
                   "goes on as a cancellation, not a TimeoutError (seen: " +
                       seen.outcome + ")");
  EXPECT_STEP_TRUE(script, seen.expired, "the deadline did pass: expired() is true");
  EXPECT_STEP_EQ(script, state_of(*task), std::string("cancelled"), "the task ends cancelled");
}

// ---- nested scopes ---------------------------------------------------------------------------

// The inner scope's body: a scope of timeout(inner_delay) around a 5 s sleep; its TimeoutError
// is caught and noted, its CancelledError noted and let go. Then 1 s more and 7.
Coroutine<int> outer_body(double inner_delay, ScopeSeen& inner_seen, Trace& trace) {
  aio::Timeout inner = aio::timeout(inner_delay);
  try {
    co_await inner.run(body_sleeping(5, 1, trace));
    trace.push_back("inner scope ended at " + now());
  } catch (const aio::TimeoutError&) {
    trace.push_back("inner scope raised TimeoutError at " + now());
  } catch (const aio::CancelledError&) {
    trace.push_back("inner scope let CancelledError through at " + now());
    inner_seen.expired = inner.expired();
    throw;
  }
  inner_seen.expired = inner.expired();
  co_await aio::sleep(1);
  co_return 7;
}

TEST_F(Ex45Timeouts, InnerDeadlineRaisesTimeoutErrorOnlyInTheInnerScope) {
  Script script(
      "timeout(10).run(outer body); the outer body runs timeout(1).run(sleep 5 s), catches its "
      "TimeoutError, sleeps 1 s more and returns 7",
      kLesson);

  script.step("create_task(in_scope(10, outer_body(1))); run the loop until it is done");
  const Task<void> task =
      aio::create_task(loop, in_scope(10, outer_body(1, inner_seen, trace), seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"body cancelled at t=1", "inner scope raised TimeoutError at t=1"}),
                 "the inner deadline cancelled the body; the inner scope turned that into "
                 "TimeoutError");
  EXPECT_STEP_TRUE(script, inner_seen.expired, "the inner scope expired");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("value 7"),
                 "the outer scope saw no cancellation at all: its body went on and returned 7");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=2"), "at t=2");
  EXPECT_STEP_TRUE(script, !seen.expired, "the outer scope did not expire");
}

TEST_F(Ex45Timeouts, OuterDeadlineInsideTheInnerScopeRaisesTimeoutErrorOutside) {
  Script script("timeout(1).run(outer body); the outer body runs timeout(10).run(sleep 5 s)",
                kLesson);

  script.step("create_task(in_scope(1, outer_body(10))); run the loop until it is done");
  const Task<void> task =
      aio::create_task(loop, in_scope(1, outer_body(10, inner_seen, trace), seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"body cancelled at t=1", "inner scope let CancelledError through at t=1"}),
                 "the outer deadline cancelled the task; the inner scope did not ask for that "
                 "cancellation (its deadline is t=10), so it let the CancelledError through");
  EXPECT_STEP_TRUE(script, !inner_seen.expired, "the inner scope did not expire");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"),
                 "the outer scope, whose deadline it was, raised TimeoutError");
  EXPECT_STEP_TRUE(script, seen.expired, "the outer scope expired");
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"),
                 "the task caught the TimeoutError and ended normally");
}

// ---- wait_for --------------------------------------------------------------------------------

// co_await wait_for(aw, timeout), noted in `seen`.
template <class A>
Coroutine<void> wait_for_noted(A awaitable, std::optional<double> timeout, ScopeSeen& seen) {
  try {
    const int value = co_await aio::wait_for(std::move(awaitable), timeout);
    seen.outcome = "value " + std::to_string(value);
  } catch (...) {
    seen.outcome = describe(std::current_exception());
  }
  seen.at = now();
}

TEST_F(Ex45Timeouts, WaitForGivesTheValueOfAnAwaitableThatEndsInTime) {
  Script script("a task awaits wait_for(body sleeping 1 s -> 42, 5)", kLesson);

  script.step("create_task(wait_for_noted(body_sleeping(1, 42), 5)); run the loop");
  const Task<void> task =
      aio::create_task(loop, wait_for_noted(body_sleeping(1, 42, trace), 5.0, seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome, std::string("value 42"), "wait_for gives the value");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=1"), "as soon as it is there");
}

TEST_F(Ex45Timeouts, WaitForPassesTheAwaitablesErrorOn) {
  Script script("a task awaits wait_for(a task that fails at t=1, 5)", kLesson);
  auto fail_soon = []() -> Coroutine<int> {
    co_await aio::sleep(1);
    throw DiskError("disk full");
  };

  script.step("failing = create_task(fail_soon()); create_task(wait_for_noted(failing, 5))");
  const Task<int> failing = aio::create_task(loop, fail_soon());
  const Task<void> task = aio::create_task(loop, wait_for_noted(failing, 5.0, seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome, std::string("DiskError: disk full"),
                 "an error of the awaitable comes out of wait_for as it is");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=1"), "when it happens");
}

// wait_for(slow task, 1), where the task takes 1 s to clean up once cancelled.
Coroutine<void> wait_for_slow_task(Trace& trace, ScopeSeen& seen, std::optional<Task<int>>& slow,
                                   std::optional<int>& cancelling_after) {
  slow = aio::create_task(slow_to_cancel(10, 1, 5, trace));
  try {
    co_await aio::wait_for(*slow, 1.0);
    seen.outcome = "nothing";
  } catch (...) {
    seen.outcome = describe(std::current_exception());
  }
  seen.at = now();
  trace.push_back("wait_for came back at " + seen.at);
  cancelling_after = aio::current_task()->cancelling();
}

TEST_F(Ex45Timeouts, WaitForTimingOutCancelsTheTaskAndWaitsForItToEnd) {
  Script script(
      "a task awaits wait_for(slow, 1); slow sleeps 10 s and, once cancelled, cleans up for "
      "1 s",
      kLesson);
  std::optional<Task<int>> slow;

  script.step("create_task(wait_for_slow_task(...)); run the loop until it is done");
  const Task<void> task =
      aio::create_task(loop, wait_for_slow_task(trace, seen, slow, cancelling_after));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"cancelled at t=1", "cleaned up at t=2", "wait_for came back at t=2"}),
                 "at t=1 wait_for cancels the slow task, then waits for it to end: it comes "
                 "back only after the clean-up, at t=2, never leaving a task half-cancelled "
                 "behind");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"), "and raises TimeoutError");
  EXPECT_STEP_TRUE(script, slow.has_value() && slow->cancelled(), "the slow task ended cancelled");
  EXPECT_STEP_TRUE(script, cancelling_after == std::optional<int>(0),
                   "the awaiting task has no cancel request left (cancelling() == 0): the one "
                   "the timeout made was taken back");
}

TEST_F(Ex45Timeouts, WaitForTimingOutOnACoroutineWaitsForItsCleanUp) {
  Script script(
      "a task awaits wait_for(coroutine, 1); the coroutine sleeps 10 s and, once cancelled, "
      "cleans up for 1 s",
      kLesson);

  script.step("create_task(wait_for_noted(slow_to_cancel(10, 1, 5), 1)); run the loop");
  const Task<void> task =
      aio::create_task(loop, wait_for_noted(slow_to_cancel(10, 1, 5, trace), 1.0, seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, (Trace{"cancelled at t=1", "cleaned up at t=2"}),
                 "the coroutine runs inside the awaiting task; the timeout cancels that task, "
                 "and the coroutine cleans up");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"), "TimeoutError");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=2"), "after the clean-up");
}

TEST_F(Ex45Timeouts, WaitForWithNoTimeoutWaitsUntilTheTaskEnds) {
  Script script("a task awaits wait_for(a task sleeping 1000 s -> 42, none)", kLesson);

  script.step("sleeper = create_task(body_sleeping(1000, 42)); create_task(wait_for_noted(...))");
  const Task<int> sleeper = aio::create_task(loop, body_sleeping(1000, 42, trace));
  const Task<void> task = aio::create_task(loop, wait_for_noted(sleeper, std::nullopt, seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome, std::string("value 42"),
                 "with no timeout, wait_for waits as long as it takes");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=1000"), "here 1000 s");
}

// ---- wait_for with a timeout <= 0 --------------------------------------------------------------

TEST_F(Ex45Timeouts, WaitForWithZeroTimeoutGivesTheResultOfADoneFuture) {
  Script script("a future that has its result 5; a task awaits wait_for(it, 0)", kLesson);
  const Future<int> ready(loop);
  ready.set_result(5);

  script.step("create_task(wait_for_noted(ready, 0)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, wait_for_noted(ready, 0.0, seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome, std::string("value 5"),
                 "a future done already needs no time: its result comes back");
}

TEST_F(Ex45Timeouts, WaitForWithZeroTimeoutCancelsAPendingFuture) {
  Script script("a pending future; a task awaits wait_for(it, 0)", kLesson);
  const Future<int> pending(loop);

  script.step("create_task(wait_for_noted(pending, 0)); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, wait_for_noted(pending, 0.0, seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"),
                 "no time at all: a pending future times out at once");
  EXPECT_STEP_TRUE(script, pending.cancelled(), "and wait_for cancelled it");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=0"), "the clock did not move");
}

// Counts its starts, sleeps 1 s, returns 1.
Coroutine<int> count_start(int& started) {
  ++started;
  co_await aio::sleep(1);
  co_return 1;
}

TEST_F(Ex45Timeouts, WaitForWithNegativeTimeoutNeverStartsACoroutine) {
  Script script("a task awaits wait_for(body sleeping 1 s, -1)", kLesson);

  script.step("create_task(wait_for_noted(count_start(started), -1)); run the loop");
  const Task<void> task = aio::create_task(loop, wait_for_noted(count_start(started), -1.0, seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"), "TimeoutError");
  EXPECT_STEP_EQ(script, started, 0,
                 "the coroutine became a task that was cancelled before its first step: its "
                 "body never ran");
}

TEST_F(Ex45Timeouts, WaitForWithZeroTimeoutWaitsForTheCancelledTaskToCleanUp) {
  Script script(
      "a task slow to cancel (1 s of clean-up) has started; another awaits wait_for(it, 0)",
      kLesson);

  script.step("slow = create_task(slow_to_cancel(10, 1, 5)); create_task(wait_for_noted(...))");
  const Task<int> slow = aio::create_task(loop, slow_to_cancel(10, 1, 5, trace));
  const Task<void> task = aio::create_task(loop, wait_for_noted(slow, 0.0, seen));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, (Trace{"cancelled at t=0", "cleaned up at t=1"}),
                 "the task was cancelled at once and cleaned up");
  EXPECT_STEP_EQ(script, seen.outcome, std::string("aio::TimeoutError"), "TimeoutError");
  EXPECT_STEP_EQ(script, seen.at, std::string("t=1"), "once the clean-up was over");
}
