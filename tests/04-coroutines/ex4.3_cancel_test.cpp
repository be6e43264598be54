// Exercise 4.3: cancel a task (TaskRunner::request_cancel, as asyncio's Task.cancel(msg)).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// Cancelling a task is a request: if the task waits for a future, that future is cancelled and
// the task wakes up with its CancelledError at the await; otherwise the task's next step
// throws CancelledError in. The coroutine may catch it. The tests need Exercises 4.1 (the
// step) and 4.2 (waiting for a future) as well. They drive the loop one iteration at a time
// with iterate(): loop.stop(), then run_forever(), which then runs exactly one iteration as the
// running loop (sleep() and current_task() ask for it). Time is an aio::ManualClock: it moves
// only when a test moves it.
//
// A task left waiting forever holds itself in a cycle (its future holds the task's step, the
// task holds the frame that holds the future), so every test ends with every task done:
// otherwise LeakSanitizer (the asan preset) reports the cycle.
#include <gtest/gtest.h>

#include <cstddef>
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

using aio::CancelledError;
using aio::Coroutine;
using aio::EventLoop;
using aio::Future;
using aio::Task;
using aio::testing::on;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 4.3";

// An exception in words: its kind and its message.
std::string describe(const std::exception_ptr& error) {
  if (!error) return "no exception";
  try {
    std::rethrow_exception(error);
  } catch (const aio::NotImplemented& e) {
    return std::string("aio::NotImplemented: ") + e.what();
  } catch (const aio::CancelledError& e) {
    return "aio::CancelledError: " + e.message();
  } catch (const aio::InvalidStateError& e) {
    return std::string("aio::InvalidStateError: ") + e.what();
  } catch (const std::logic_error& e) {
    return std::string("std::logic_error: ") + e.what();
  } catch (const std::runtime_error& e) {
    return std::string("std::runtime_error: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("std::exception: ") + e.what();
  }
}

// What a call threw, in words, or "nothing".
template <class F>
std::string outcome(F&& call) {
  try {
    call();
  } catch (...) {
    return describe(std::current_exception());
  }
  return "nothing";
}

// One iteration of the loop, with the loop as the running loop.
void iterate(EventLoop& loop) {
  loop.stop();
  loop.run_forever();
}

// Iterations until `future` is done, at most `limit` (a bug fails the test, never hangs it).
template <class F>
void run_until_done(EventLoop& loop, const F& future, int limit = 100) {
  for (int i = 0; i < limit && !future.done(); ++i) iterate(loop);
}

// task.cancel(message), with what it threw in words ("nothing" when it returned), so that a
// stub fails the test with its message instead of ending it.
struct CancelCall {
  std::string threw;
  bool accepted = false;
};

template <class T>
CancelCall cancel(const Task<T>& task, std::string message) {
  CancelCall call;
  call.threw = outcome([&] { call.accepted = task.cancel(std::move(message)); });
  return call;
}

// True when `future` finished with a value (exception() would throw for a cancelled one).
template <class F>
bool finished_with_value(const F& future) {
  return future.done() && !future.cancelled() && !future.exception();
}

// ---- coroutines the tests run ----------------------------------------------------------------

Coroutine<int> await_value(Future<int> future) {
  const int value = co_await future;
  co_return value;
}

// Notes what its await threw, then lets it go on.
Coroutine<int> note_and_rethrow(Future<int> future, Trace& trace) {
  trace.push_back("task awaits the future");
  try {
    const int value = co_await future;
    trace.push_back("task got " + std::to_string(value));
    co_return value;
  } catch (const CancelledError& e) {
    trace.push_back("task caught CancelledError(" + e.message() + ")");
    throw;
  }
}

// Catches the cancellation, cleans up (an await of its own: outside the catch handler, where
// C++ does not allow co_await), then raises it again.
Coroutine<int> clean_up_then_reraise(Future<int> future, Trace& trace) {
  std::exception_ptr cancelled;
  try {
    const int value = co_await future;
    co_return value;
  } catch (const CancelledError&) {
    cancelled = std::current_exception();
  }
  trace.push_back("cleaning up");
  co_await aio::sleep(0);
  trace.push_back("cleaned up, raising again");
  std::rethrow_exception(cancelled);
}

// Catches the cancellation and goes on as if nothing happened.
Coroutine<int> swallow_cancellation(Future<int> future, Trace& trace) {
  try {
    const int value = co_await future;
    co_return value;
  } catch (const CancelledError&) {
    trace.push_back("task caught CancelledError and goes on");
  }
  co_await aio::sleep(0);
  trace.push_back("task still runs");
  co_return 99;
}

Coroutine<int> count_runs(int& runs) {
  ++runs;
  co_return 1;
}

Coroutine<int> await_task(Task<int> inner) {
  const int value = co_await inner;
  co_return value;
}

Coroutine<std::string> cancel_itself_then_await(Future<int> future, Trace& trace) {
  aio::current_task()->cancel("by itself");
  trace.push_back("task asked to cancel itself, and still runs");
  try {
    co_await future;
  } catch (const CancelledError& e) {
    trace.push_back("task caught CancelledError(" + e.message() + ")");
    throw;
  }
  co_return "not cancelled";
}

Coroutine<int> cancel_itself_then_return(Trace& trace) {
  aio::current_task()->cancel("too late for any await");
  trace.push_back("task asked to cancel itself, then returns");
  co_return 1;
}

Coroutine<void> sleep_and_note(double delay, Trace& trace) {
  try {
    co_await aio::sleep(delay);
    trace.push_back("woke up");
  } catch (const CancelledError&) {
    trace.push_back("sleep cancelled");
    throw;
  }
}

Coroutine<void> await_and_keep(Future<int> future, int& kept) {
  kept = co_await future;
}

Coroutine<void> await_shielded(Task<void> inner) {
  co_await aio::shield(inner);
}

// Live timers: cancelled ones stay in the queue until they reach its top.
std::size_t live_timers(const EventLoop& loop) {
  return loop.timers().size() - loop.timers().cancelled_count();
}

class Ex43Cancel : public ::testing::Test {
 protected:
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  EventLoop loop{on(clock)};
};

}  // namespace

// ---- cancelling a task that waits for a future -----------------------------------------------

TEST_F(Ex43Cancel, CancelOfATaskThatAwaitsAFutureCancelsTheFutureAndThrowsAtTheAwait) {
  Script script("a task awaits a pending future; the test cancels the task", kLesson);
  Trace trace;
  const Future<int> future(loop);

  script.step("create_task(note_and_rethrow(future)); one iteration");
  const Task<int> task = aio::create_task(loop, note_and_rethrow(future, trace));
  iterate(loop);

  script.step("task.cancel(\"shutdown\")");
  const CancelCall call = cancel(task, "shutdown");
  EXPECT_STEP_EQ(script, call.threw, std::string("nothing"), "cancel() throws nothing");
  EXPECT_STEP_TRUE(script, call.accepted, "cancel() of a pending task returns true");
  EXPECT_STEP_EQ(script, task.cancelling(), 1, "cancelling() counts the request");
  EXPECT_STEP_TRUE(script, future.cancelled(),
                   "the task waits for the future, so cancel() cancels the future, at once");
  EXPECT_STEP_TRUE(script, !task.done(),
                   "the task itself is not done yet: cancel() is a request that the coroutine "
                   "receives when it runs again");

  script.step("one iteration");
  iterate(loop);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"task awaits the future", "task caught CancelledError(shutdown)"}),
                 "the cancelled future's done callback woke the task, and its co_await threw "
                 "CancelledError with the message given to cancel()");
  EXPECT_STEP_TRUE(script, task.cancelled(),
                   "the CancelledError left the coroutine: the task ends cancelled");
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }),
                 std::string("aio::CancelledError: shutdown"),
                 "task.result() throws CancelledError with the message");
}

TEST_F(Ex43Cancel, CoroutineCanCleanUpAfterCancelledErrorAndRaiseItAgain) {
  Script script("a cancelled task catches CancelledError, cleans up with an await, re-raises",
                kLesson);
  Trace trace;
  const Future<int> future(loop);

  script.step("create_task(clean_up_then_reraise(future)); one iteration; task.cancel()");
  const Task<int> task = aio::create_task(loop, clean_up_then_reraise(future, trace));
  iterate(loop);
  const CancelCall call = cancel(task, "stop");
  EXPECT_STEP_EQ(script, call.threw, std::string("nothing"), "cancel() throws nothing");

  script.step("iterations until the task is done");
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, (Trace{"cleaning up", "cleaned up, raising again"}),
                 "the coroutine caught the CancelledError and could still await during its "
                 "clean-up: the request was delivered once, it does not cancel every await");
  EXPECT_STEP_TRUE(script, task.cancelled(),
                   "raising CancelledError again ends the task cancelled, as it should: the "
                   "caller asked for it");
}

TEST_F(Ex43Cancel, TaskThatSwallowsTheCancellationFinishesWithItsResult) {
  Script script("a cancelled task catches CancelledError and does not raise it again", kLesson);
  Trace trace;
  const Future<int> future(loop);

  script.step("create_task(swallow_cancellation(future)); one iteration; task.cancel()");
  const Task<int> task = aio::create_task(loop, swallow_cancellation(future, trace));
  iterate(loop);
  const CancelCall call = cancel(task, "stop");
  EXPECT_STEP_EQ(script, call.threw, std::string("nothing"), "cancel() throws nothing");

  script.step("iterations until the task is done");
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"task caught CancelledError and goes on", "task still runs"}),
                 "a cancellation is an exception the coroutine may catch: it went on");
  EXPECT_STEP_TRUE(script, task.done() && !task.cancelled(),
                   "the task finished normally, not cancelled");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), 99, "with the coroutine's result");
  } else {
    ADD_FAILURE() << script.report("the task finishes with a value", "a value",
                                   outcome([&] { task.result(); }));
  }
  EXPECT_STEP_EQ(script, task.cancelling(), 1,
                 "cancelling() still counts the request: only uncancel() takes it back");

  script.step("task.uncancel()");
  EXPECT_STEP_EQ(script, task.uncancel(), 0, "uncancel() returns the requests left");
  EXPECT_STEP_EQ(script, task.cancelling(), 0, "cancelling() is 0 again");
}

// ---- when the request arrives ------------------------------------------------------------------

TEST_F(Ex43Cancel, CancelBeforeTheFirstStepRunsNoneOfTheBody) {
  Script script("a task is cancelled before its first step", kLesson);
  int runs = 0;

  script.step("create_task(count_runs(runs)); task.cancel(\"early\")");
  const Task<int> task = aio::create_task(loop, count_runs(runs));
  const CancelCall call = cancel(task, "early");
  EXPECT_STEP_EQ(script, call.threw, std::string("nothing"), "cancel() throws nothing");
  EXPECT_STEP_TRUE(script, call.accepted, "cancel() of a pending task returns true");
  EXPECT_STEP_TRUE(script, !task.done(), "the cancellation takes effect at the task's next step");

  script.step("one iteration");
  iterate(loop);
  EXPECT_STEP_EQ(script, runs, 0, "a task cancelled before it started never runs its body");
  EXPECT_STEP_TRUE(script, task.cancelled(), "the task ends cancelled in its first step");
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("aio::CancelledError: early"),
                 "with the message given to cancel()");
}

TEST_F(Ex43Cancel, CancellingAFinishedTaskReturnsFalse) {
  Script script("a task finishes, then the test cancels it", kLesson);
  int runs = 0;

  script.step("create_task(count_runs(runs)); one iteration; task.cancel()");
  const Task<int> task = aio::create_task(loop, count_runs(runs));
  iterate(loop);
  const CancelCall call = cancel(task, "too late");
  EXPECT_STEP_EQ(script, call.threw, std::string("nothing"), "cancel() throws nothing");
  EXPECT_STEP_TRUE(script, !call.accepted,
                   "cancel() of a task that is done returns false: there is nothing to stop");
  EXPECT_STEP_EQ(script, task.cancelling(), 0, "and it counts no request");
  EXPECT_STEP_TRUE(script, task.done() && !task.cancelled(), "the task stays finished");
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "with its result");
}

TEST_F(Ex43Cancel, CancellingTwiceCountsTwoRequests) {
  Script script("a task awaits a future; the test cancels it twice", kLesson);
  const Future<int> future(loop);

  script.step("create_task(await_value(future)); one iteration; cancel() twice");
  const Task<int> task = aio::create_task(loop, await_value(future));
  iterate(loop);
  const CancelCall first = cancel(task, "first");
  const CancelCall second = cancel(task, "second");
  EXPECT_STEP_EQ(script, first.threw + ", " + second.threw, std::string("nothing, nothing"),
                 "cancel() throws nothing");
  EXPECT_STEP_TRUE(script, first.accepted && second.accepted,
                   "both calls return true: the task is still pending");
  EXPECT_STEP_EQ(script, task.cancelling(), 2, "cancelling() counts every request");

  script.step("iterations until the task is done");
  run_until_done(loop, task);
  EXPECT_STEP_TRUE(script, task.cancelled(), "the task ends cancelled");
}

TEST_F(Ex43Cancel, CancellingATaskCancelsTheTaskItAwaits) {
  Script script("an outer task awaits an inner task, which awaits a gate; cancel the outer",
                kLesson);
  const Future<int> gate(loop);

  script.step("create_task(await_value(gate)); create_task(await_task(inner)); one iteration");
  const Task<int> inner = aio::create_task(loop, await_value(gate));
  const Task<int> outer = aio::create_task(loop, await_task(inner));
  iterate(loop);

  script.step("outer.cancel(\"stop\"); iterations until both are done");
  const CancelCall call = cancel(outer, "stop");
  EXPECT_STEP_EQ(script, call.threw, std::string("nothing"), "cancel() throws nothing");
  run_until_done(loop, outer);
  run_until_done(loop, inner);
  EXPECT_STEP_TRUE(script, inner.cancelled(),
                   "the outer task waited for the inner one, so cancelling the outer cancelled "
                   "the inner task (a task is the future it waits for)");
  EXPECT_STEP_TRUE(script, gate.cancelled(), "which cancelled the gate it waited for in turn");
  EXPECT_STEP_TRUE(script, outer.cancelled(),
                   "the inner task's CancelledError came out of the outer task's await: the "
                   "outer task ends cancelled too");
}

TEST_F(Ex43Cancel, TaskThatCancelsItselfIsCancelledAtItsNextAwait) {
  Script script("a task calls current_task()->cancel(), then awaits a future", kLesson);
  Trace trace;
  const Future<int> future(loop);

  script.step("create_task(cancel_itself_then_await(future)); iterations until it is done");
  const Task<std::string> task = aio::create_task(loop, cancel_itself_then_await(future, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"task asked to cancel itself, and still runs",
                        "task caught CancelledError(by itself)"}),
                 "cancel() from inside does not stop the code that called it: the request "
                 "waits for the next await, which throws CancelledError");
  EXPECT_STEP_TRUE(script, future.cancelled(),
                   "the future that the next await waited for was cancelled, as by a cancel() "
                   "from outside");
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }),
                 std::string("aio::CancelledError: by itself"),
                 "the task ends cancelled, with the message it gave");
}

TEST_F(Ex43Cancel, TaskThatCancelsItselfAndReturnsEndsCancelled) {
  Script script("a task calls current_task()->cancel(), then returns without any await", kLesson);
  Trace trace;

  script.step("create_task(cancel_itself_then_return()); one iteration");
  const Task<int> task = aio::create_task(loop, cancel_itself_then_return(trace));
  iterate(loop);
  EXPECT_STEP_EQ(script, trace, Trace{"task asked to cancel itself, then returns"},
                 "the coroutine ran to its end");
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }),
                 std::string("aio::CancelledError: too late for any await"),
                 "no await was left to throw in the request, but it is not lost: the task "
                 "ends cancelled, with the message, instead of with the coroutine's value");
}

// ---- cancelling a sleep, and a shield ----------------------------------------------------------

TEST_F(Ex43Cancel, CancellingASleepingTaskCancelsItsTimer) {
  Script script("a task sleeps 10 s; the test cancels it at once", kLesson);
  Trace trace;

  script.step("create_task(sleep_and_note(10)); one iteration");
  const Task<void> task = aio::create_task(loop, sleep_and_note(10, trace));
  iterate(loop);
  EXPECT_STEP_EQ(script, live_timers(loop), std::size_t{1}, "sleep() scheduled its timer");

  script.step("task.cancel(); iterations until the task is done");
  const CancelCall call = cancel(task, "wake up");
  EXPECT_STEP_EQ(script, call.threw, std::string("nothing"), "cancel() throws nothing");
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, Trace{"sleep cancelled"},
                 "the sleep's await threw CancelledError at once, long before its 10 s");
  EXPECT_STEP_TRUE(script, task.cancelled(), "the task ends cancelled");
  EXPECT_STEP_EQ(script, live_timers(loop), std::size_t{0},
                 "the cancelled sleep cancelled its timer: nothing is left for the loop to "
                 "run at 10 s");
  EXPECT_STEP_EQ(script, clock->now(), 0.0, "and no time passed");
}

TEST_F(Ex43Cancel, ShieldKeepsTheInnerTaskRunningWhenTheOuterIsCancelled) {
  Script script("an outer task awaits shield(inner); inner awaits a gate; cancel the outer",
                kLesson);
  const Future<int> gate(loop);
  int kept = 0;

  script.step("create_task(await_and_keep(gate)); create_task(await_shielded(inner)); iteration");
  const Task<void> inner = aio::create_task(loop, await_and_keep(gate, kept));
  const Task<void> outer = aio::create_task(loop, await_shielded(inner));
  iterate(loop);

  script.step("outer.cancel(); iterations until the outer task is done");
  const CancelCall call = cancel(outer, "stop");
  EXPECT_STEP_EQ(script, call.threw, std::string("nothing"), "cancel() throws nothing");
  run_until_done(loop, outer);
  EXPECT_STEP_TRUE(script, outer.cancelled(),
                   "the outer task was cancelled: it waited for the shield, which was cancelled");
  EXPECT_STEP_TRUE(script, !inner.done(),
                   "the shield kept the cancellation from the inner task: it still waits");

  script.step("gate.set_result(4); iterations until the inner task is done");
  gate.set_result(4);
  run_until_done(loop, inner);
  EXPECT_STEP_TRUE(script, inner.done() && !inner.cancelled(), "the inner task completed");
  EXPECT_STEP_EQ(script, kept, 4, "it went on past its await with the gate's value");
}
