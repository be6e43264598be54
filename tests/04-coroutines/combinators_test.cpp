// shield and as_completed: combinators of chapter 04 that come with the course (no exercise of
// their own). They build on tasks, their cancellation and done callbacks (Exercises 4.1 to
// 4.3), not on gather or timeout scopes.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// The loop's clock is an aio::ManualClock with auto_advance: when nothing is ready, the loop
// jumps straight to its next timer, so sleeps take no real time and every time a test reads is
// exact. run_until_done() runs the loop until a task is done, with a watchdog timer that stops
// it if nothing is left to do: a bug fails the test instead of hanging it.
//
// A task left waiting forever holds itself in a cycle, so the fixture cancels whatever a test
// left pending and runs the loop until it is done: otherwise LeakSanitizer (the asan preset)
// would report the cycle.
#include <gtest/gtest.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "aio/as_completed.hpp"
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

// No exercise of their own: a failure names the exercises whose code they run on.
constexpr const char* kLesson = "Exercises 4.1 to 4.3";

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
  } catch (const std::out_of_range&) {
    return "std::out_of_range";
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

// Sleeps, notes "<value> at t=<time>" (or its cancellation), returns `value`.
Coroutine<int> value_after(double delay, int value, Trace& trace) {
  try {
    co_await aio::sleep(delay);
  } catch (const aio::CancelledError&) {
    trace.push_back(std::to_string(value) + " cancelled at " + now());
    throw;
  }
  trace.push_back(std::to_string(value) + " at " + now());
  co_return value;
}

Coroutine<int> fail_after(double delay, std::string what) {
  co_await aio::sleep(delay);
  throw DiskError(what);
}

// co_await `awaitable`, noted in `trace` as "got <value> at t=..." or "<exception> at t=...".
template <class A>
Coroutine<void> await_noted(A awaitable, Trace& trace) {
  try {
    const int value = co_await std::move(awaitable);
    trace.push_back("got " + std::to_string(value) + " at " + now());
  } catch (...) {
    trace.push_back(describe(std::current_exception()) + " at " + now());
    throw;
  }
}

class CombinatorsTest : public ::testing::Test {
 protected:
  CombinatorsTest() {
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
  Trace reports;  // declared before the loop, which reports into it until its very end
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>(0.0, true);
  EventLoop loop{on(clock)};
};

class Shield : public CombinatorsTest {};
class AsCompleted : public CombinatorsTest {};

}  // namespace

// ---- shield ----------------------------------------------------------------------------------

TEST_F(Shield, GivesTheInnerTasksResult) {
  Script script("inner sleeps 1 s -> 5; a task awaits shield(inner)", kLesson);

  script.step("inner = create_task(value_after(1, 5)); create_task(await_noted(shield(inner)))");
  const Task<int> inner = aio::create_task(loop, value_after(1, 5, trace));
  const Task<void> task = aio::create_task(loop, await_noted(aio::shield(inner), trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, (Trace{"5 at t=1", "got 5 at t=1"}),
                 "nobody cancelled anything: the shield gives the inner task's result");
}

Coroutine<void> shield_a_coroutine(Trace& trace) {
  co_await await_noted(aio::shield(value_after(1, 5, trace)), trace);
}

TEST_F(Shield, WrapsACoroutineInATask) {
  Script script("a task awaits shield(value_after(1, 5)), a coroutine", kLesson);

  script.step("create_task(shield_a_coroutine()); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, shield_a_coroutine(trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, (Trace{"5 at t=1", "got 5 at t=1"}),
                 "the coroutine became a task, whose result the shield gives");
}

TEST_F(Shield, CancellingTheShieldLeavesTheInnerTaskRunning) {
  Script script("inner sleeps 1 s -> 5; shielded = shield(inner); shielded.cancel()", kLesson);

  script.step("inner = create_task(value_after(1, 5)); shielded = shield(inner)");
  const Task<int> inner = aio::create_task(loop, value_after(1, 5, trace));
  const Future<int> shielded = aio::shield(inner);

  script.step("shielded.cancel()");
  EXPECT_STEP_TRUE(script, shielded.cancel(), "cancel() of the pending shield returns true");
  EXPECT_STEP_TRUE(script, shielded.cancelled(), "the shield itself is cancelled");

  script.step("run the loop until inner is done");
  run_until_done(loop, inner);
  EXPECT_STEP_EQ(script, trace, Trace{"5 at t=1"},
                 "the cancellation stopped at the shield: the inner task ran to its end");
  EXPECT_STEP_EQ(script, state_of(inner), std::string("finished"),
                 "and finished with its value, not cancelled");
}

TEST_F(Shield, CancellingTheAwaitingTaskLeavesTheInnerTaskRunning) {
  Script script("inner sleeps 2 s -> 5; a task awaits shield(inner); at t=1 the task is cancelled",
                kLesson);

  script.step("inner = create_task(value_after(2, 5)); task awaits shield(inner)");
  const Task<int> inner = aio::create_task(loop, value_after(2, 5, trace));
  const Task<void> task = aio::create_task(loop, await_noted(aio::shield(inner), trace));

  script.step("at t=1 task.cancel(\"stop\"); run the loop until the task is done");
  const TestTimer timer(loop.call_at(1.0, [&task] { task.cancel("stop"); }));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, state_of(task), std::string("cancelled"),
                 "the task waited for the shield, so its cancel() cancelled the shield: the task "
                 "woke with CancelledError and ended cancelled");
  EXPECT_STEP_EQ(script, trace, Trace{"aio::CancelledError: stop at t=1"},
                 "at t=1, while the inner task slept on");

  script.step("run the loop until inner is done");
  run_until_done(loop, inner);
  EXPECT_STEP_EQ(script, trace, (Trace{"aio::CancelledError: stop at t=1", "5 at t=2"}),
                 "the inner task never saw the cancellation: it ran to its end");
  EXPECT_STEP_EQ(script, state_of(inner), std::string("finished"), "with its value");
}

TEST_F(Shield, InnersErrorReachesTheShield) {
  Script script("inner fails at t=1; shielded = shield(inner)", kLesson);

  script.step("inner = create_task(fail_after(1)); shielded = shield(inner); run the loop");
  const Task<int> inner = aio::create_task(loop, fail_after(1, "disk full"));
  const Future<int> shielded = aio::shield(inner);
  run_until_done(loop, inner);
  run_until_done(loop, shielded);
  EXPECT_STEP_EQ(script, state_of(shielded), std::string("exception DiskError: disk full"),
                 "the shield stops cancellations going in, not results coming out: the inner "
                 "task's exception is the shield's");
  EXPECT_STEP_EQ(script, state_of(inner), std::string("exception DiskError: disk full"),
                 "(the inner task failed)");
}

TEST_F(Shield, InnerTaskCancelledCancelsTheShield) {
  Script script("inner sleeps 5 s; shielded = shield(inner); at t=1 inner.cancel()", kLesson);

  script.step(
      "inner = create_task(value_after(5, 5)); shielded = shield(inner); at t=1 cancel "
      "inner");
  const Task<int> inner = aio::create_task(loop, value_after(5, 5, trace));
  const Future<int> shielded = aio::shield(inner);
  const TestTimer timer(loop.call_at(1.0, [&inner] { inner.cancel(); }));
  run_until_done(loop, inner);
  run_until_done(loop, shielded);
  EXPECT_STEP_EQ(script, state_of(shielded), std::string("cancelled"),
                 "the inner task was cancelled (directly, not through the shield): the shield "
                 "follows it");
}

// ---- as_completed ----------------------------------------------------------------------------

Coroutine<void> take_in_completion_order(Trace& trace) {
  std::vector<Coroutine<int>> coroutines;
  coroutines.push_back(value_after(3, 30, trace));
  coroutines.push_back(fail_after(2, "disk full"));
  coroutines.push_back(value_after(1, 10, trace));
  auto finished = aio::as_completed(std::move(coroutines));
  trace.push_back("size " + std::to_string(finished.size()));
  for (std::size_t i = 0; i < finished.size(); ++i) {
    try {
      const int value = co_await finished.next();
      trace.push_back("next gave " + std::to_string(value) + " at " + now());
    } catch (...) {
      trace.push_back("next threw " + describe(std::current_exception()) + " at " + now());
    }
  }
}

TEST_F(AsCompleted, GivesTheResultsInTheOrderTheyFinish) {
  Script script(
      "a task takes as_completed(sleep 3 -> 30, fail at t=2, sleep 1 -> 10) with next(), "
      "three times",
      kLesson);

  script.step("create_task(take_in_completion_order()); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, take_in_completion_order(trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(
      script, trace,
      (Trace{"size 3", "10 at t=1", "next gave 10 at t=1", "next threw DiskError: disk full at t=2",
             "30 at t=3", "next gave 30 at t=3"}),
      "each next() gives the earliest result not given yet, as soon as it is "
      "there; a failure comes out of its next() as its exception");
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"), "the task ends normally");
}

Coroutine<void> take_with_timeout(std::vector<Future<int>> futures, Trace& trace) {
  auto finished = aio::as_completed(std::move(futures), 2.0);
  for (std::size_t i = 0; i < finished.size(); ++i) {
    try {
      const int value = co_await finished.next();
      trace.push_back("next gave " + std::to_string(value) + " at " + now());
    } catch (...) {
      trace.push_back("next threw " + describe(std::current_exception()) + " at " + now());
    }
  }
}

TEST_F(AsCompleted, TimeoutRaisesTimeoutErrorForEveryNextLeft) {
  Script script(
      "tasks sleeping 1, 5 and 6 s; a task takes as_completed(them, timeout 2) with next(), "
      "three times",
      kLesson);

  script.step("create the three tasks; create_task(take_with_timeout(...)); run the loop");
  const Task<int> fast = aio::create_task(loop, value_after(1, 10, trace));
  const Task<int> slow = aio::create_task(loop, value_after(5, 50, trace));
  const Task<int> slower = aio::create_task(loop, value_after(6, 60, trace));
  const Task<void> task = aio::create_task(
      loop, take_with_timeout(std::vector<Future<int>>{fast, slow, slower}, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"10 at t=1", "next gave 10 at t=1", "next threw aio::TimeoutError at t=2",
                        "next threw aio::TimeoutError at t=2"}),
                 "the first result came in time; at the timeout (t=2), the next() waiting then "
                 "and every later one raise TimeoutError");

  script.step("run the loop until the slower task is done");
  run_until_done(loop, slower);
  EXPECT_STEP_EQ(script, state_of(slow) + ", " + state_of(slower),
                 std::string("finished, finished"),
                 "the timeout cancels nothing: the tasks went on to their end (as asyncio's)");
}

Coroutine<void> take_one_too_many(Trace& trace) {
  std::vector<Coroutine<int>> coroutines;
  coroutines.push_back(value_after(1, 10, trace));
  auto finished = aio::as_completed(std::move(coroutines));
  for (int i = 0; i < 2; ++i) {
    try {
      const int value = co_await finished.next();
      trace.push_back("next gave " + std::to_string(value));
    } catch (...) {
      trace.push_back("next threw " + describe(std::current_exception()));
    }
  }
}

TEST_F(AsCompleted, NextBeyondTheSizeThrowsOutOfRange) {
  Script script("a task takes as_completed(one coroutine) with next(), twice", kLesson);

  script.step("create_task(take_one_too_many()); run the loop until it is done");
  const Task<void> task = aio::create_task(loop, take_one_too_many(trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"10 at t=1", "next gave 10", "next threw std::out_of_range"}),
                 "there are as many results as awaitables: a next() beyond them is "
                 "std::out_of_range (it would wait forever)");
}

Coroutine<void> take_one_noted(aio::AsCompleted<int>& finished, std::string who, Trace& trace) {
  try {
    const int value = co_await finished.next();
    trace.push_back(who + " got " + std::to_string(value) + " at " + now());
  } catch (...) {
    trace.push_back(who + " threw " + describe(std::current_exception()) + " at " + now());
    throw;
  }
}

TEST_F(AsCompleted, TwoTasksWaitingInNextEachGetAResult) {
  Script script("as_completed(sleep 1 -> 10, sleep 2 -> 20); tasks A and B each call next()",
                kLesson);

  script.step("finished = as_completed(...); create_task(A: next()), create_task(B: next())");
  const Task<int> first = aio::create_task(loop, value_after(1, 10, trace));
  const Task<int> second = aio::create_task(loop, value_after(2, 20, trace));
  auto finished = aio::as_completed(std::vector<Future<int>>{first, second});
  const Task<void> a = aio::create_task(loop, take_one_noted(finished, "A", trace));
  const Task<void> b = aio::create_task(loop, take_one_noted(finished, "B", trace));

  script.step("run the loop until A and B are done");
  run_until_done(loop, b);
  run_until_done(loop, a);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"10 at t=1", "A got 10 at t=1", "20 at t=2", "B got 20 at t=2"}),
                 "each result goes to one waiting next(), first come first served: A, which "
                 "waited first, gets the first; B is not forgotten and gets the second");
}

TEST_F(AsCompleted, ANextCancelledWhileWaitingTakesNothing) {
  Script script("as_completed(sleep 1 -> 10); A calls next(), is cancelled; then B calls next()",
                kLesson);

  script.step("finished = as_completed(...); create_task(A: next()); one iteration; A.cancel()");
  const Task<int> only = aio::create_task(loop, value_after(1, 10, trace));
  auto finished = aio::as_completed(std::vector<Future<int>>{only});
  const Task<void> a = aio::create_task(loop, take_one_noted(finished, "A", trace));
  loop.stop();
  loop.run_forever();  // one iteration, with the loop running (sleep() asks for it)
  a.cancel();
  run_until_done(loop, a);
  EXPECT_STEP_EQ(script, state_of(a), std::string("cancelled"), "A was cancelled in next()");

  script.step("create_task(B: next()); run the loop until B is done");
  const Task<void> b = aio::create_task(loop, take_one_noted(finished, "B", trace));
  run_until_done(loop, b);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"A threw aio::CancelledError:  at t=0", "10 at t=1", "B got 10 at t=1"}),
                 "the cancelled next() took no result and used up no turn: B's next() gets "
                 "the one result (not std::out_of_range)");
}
