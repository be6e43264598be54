// Exercise 4.2: wait for a future (TaskRunner::block_on and FutureAwaiter::await_resume).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// A task runs its coroutine in steps (Exercise 4.1): awaiting a future that is not done ends
// the step, and the future's done callback, which the loop runs, steps the task again. The
// tests drive the loop one iteration at a time with iterate(): loop.stop(), then run_forever(),
// which then runs exactly one iteration as the running loop (sleep() asks for it). Time is an
// aio::ManualClock: it moves only when a test moves it.
//
// A task left waiting forever holds itself in a cycle (its future holds the task's step, the
// task holds the frame that holds the future), so every test completes the futures its tasks
// wait for and runs the loop until the tasks are done: otherwise LeakSanitizer (the asan preset)
// reports the cycle.
#include <gtest/gtest.h>

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <ostream>
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
#include "loop_harness.hpp"
#include "support/script.hpp"

namespace {

using aio::Coroutine;
using aio::EventLoop;
using aio::Future;
using aio::Task;
using aio::testing::on;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 4.2";

class DiskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

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
  } catch (const DiskError& e) {
    return std::string("DiskError: ") + e.what();
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

// What the exception handler received: the message, and what() of the exception.
struct Report {
  std::string message;
  std::string what;
  bool operator==(const Report&) const = default;
};

void PrintTo(const Report& report, std::ostream* out) {
  *out << "{\"" << report.message << "\", \"" << report.what << "\"}";
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

// True when `future` finished with a value (exception() would throw for a cancelled one).
template <class F>
bool finished_with_value(const F& future) {
  return future.done() && !future.cancelled() && !future.exception();
}

// ---- coroutines the tests run ----------------------------------------------------------------

Coroutine<int> traced_await(Future<int> future, Trace& trace) {
  trace.push_back("task awaits the future");
  const int value = co_await future;
  trace.push_back("task got " + std::to_string(value));
  co_return value;
}

// What awaiting `future` gave, in words: its value, or what the await threw.
Coroutine<std::string> await_and_describe(Future<int> future) {
  try {
    const int value = co_await future;
    co_return "value " + std::to_string(value);
  } catch (...) {
    co_return describe(std::current_exception());
  }
}

Coroutine<int> await_value(Future<int> future) {
  const int value = co_await future;
  co_return value;
}

Coroutine<void> await_void(Future<void> future, bool& woke) {
  co_await future;
  woke = true;
}

Coroutine<std::unique_ptr<int>> await_unique(Future<std::unique_ptr<int>> future) {
  std::unique_ptr<int> value = co_await future;
  co_return value;
}

Coroutine<int> await_task(Task<int> other, Trace& trace) {
  trace.push_back("outer awaits the inner task");
  const int value = co_await other;
  trace.push_back("outer got " + std::to_string(value));
  co_return value + 1;
}

// Awaits the task that runs it, once the test has stored its handle in `self`.
Coroutine<std::string> await_itself(const std::optional<Task<std::string>>* self) {
  try {
    co_await **self;
  } catch (const std::runtime_error& e) {
    co_return std::string("std::runtime_error: ") + e.what();
  }
  co_return "nothing";
}

Coroutine<double> sleep_then_note_time(double delay, EventLoop& loop) {
  co_await aio::sleep(delay);
  co_return loop.time();
}

Coroutine<void> ping_pong(std::string name, int rounds, Trace& trace) {
  for (int round = 0; round < rounds; ++round) {
    trace.push_back(name + std::to_string(round));
    co_await aio::sleep(0);
  }
}

class Ex42AwaitFuture : public ::testing::Test {
 protected:
  Ex42AwaitFuture() {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      std::string what;
      try {
        if (context.exception) std::rethrow_exception(context.exception);
      } catch (const std::exception& e) {
        what = e.what();
      }
      reports.push_back(Report{context.message, what});
    });
  }

  std::vector<Report> reports;  // declared before the loop: the loop's handler writes here
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  EventLoop loop{on(clock)};
};

}  // namespace

// ---- suspending on a future, and waking ------------------------------------------------------

TEST_F(Ex42AwaitFuture, AwaitingAPendingFutureSuspendsUntilItsDoneCallbackStepsTheTask) {
  Script script("a task awaits a pending future; the test sets its result", kLesson);
  Trace trace;
  const Future<int> future(loop);

  script.step("create_task(traced_await(future)); one iteration");
  const Task<int> task = aio::create_task(loop, traced_await(future, trace));
  iterate(loop);
  EXPECT_STEP_EQ(script, trace, Trace{"task awaits the future"},
                 "the task runs up to the co_await of a pending future and stops there");
  EXPECT_STEP_TRUE(script, !task.done(), "the task is waiting, not done");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{0},
                 "a waiting task schedules nothing: only the future's done callback will "
                 "step it again");

  script.step("two more iterations, with the future still pending");
  iterate(loop);
  iterate(loop);
  EXPECT_STEP_EQ(script, trace, Trace{"task awaits the future"},
                 "nothing wakes the task while the future is pending");

  script.step("future.set_result(7)");
  future.set_result(7);
  trace.push_back("test set the result");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{1},
                 "set_result() schedules the future's done callback, the one that wakes the "
                 "task, with call_soon()");

  script.step("one iteration");
  iterate(loop);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"task awaits the future", "test set the result", "task got 7"}),
                 "the iteration runs the done callback, which steps the task at once: the "
                 "coroutine goes on after its co_await with the future's value");
  EXPECT_STEP_TRUE(script, task.done(), "the coroutine ended: the task is done");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), 7, "its result is what the coroutine returned");
  }
}

TEST_F(Ex42AwaitFuture, AwaitRethrowsTheFuturesException) {
  Script script("a task awaits a future that fails with DiskError(\"disk full\")", kLesson);
  const Future<int> future(loop);

  script.step("create_task(await_and_describe(future)); one iteration");
  const Task<std::string> task = aio::create_task(loop, await_and_describe(future));
  iterate(loop);

  script.step("future.set_exception(DiskError(\"disk full\")); iterations until the task is done");
  future.set_exception(std::make_exception_ptr(DiskError("disk full")));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "the coroutine caught what its await threw");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), std::string("DiskError: disk full"),
                   "co_await on a failed future throws the future's exception into the "
                   "coroutine, at the await, with its own type");
  }
}

TEST_F(Ex42AwaitFuture, UncaughtExceptionOfTheFutureEndsTheTask) {
  Script script("a task awaits a future that fails; the coroutine does not catch", kLesson);
  const Future<int> future(loop);

  script.step("create_task(await_value(future)); one iteration; set_exception(DiskError)");
  const Task<int> task = aio::create_task(loop, await_value(future));
  iterate(loop);
  future.set_exception(std::make_exception_ptr(DiskError("disk full")));

  script.step("iterations until the task is done");
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("DiskError: disk full"),
                 "the exception went through the coroutine and ended the task with it");
  EXPECT_STEP_TRUE(script, !task.cancelled(), "a failure is not a cancellation");
}

TEST_F(Ex42AwaitFuture, AwaitOfACancelledFutureThrowsCancelledError) {
  Script script("a task awaits a future that is then cancelled with the message \"stop\"", kLesson);
  const Future<int> future(loop);

  script.step("create_task(await_and_describe(future)); one iteration");
  const Task<std::string> task = aio::create_task(loop, await_and_describe(future));
  iterate(loop);

  script.step("future.cancel(\"stop\"); iterations until the task is done");
  future.cancel("stop");
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "the coroutine caught what its await threw");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), std::string("aio::CancelledError: stop"),
                   "co_await on a cancelled future throws CancelledError with the message "
                   "given to cancel()");
  }
}

TEST_F(Ex42AwaitFuture, AwaitOfAFutureThatIsAlreadyDoneDoesNotSuspend) {
  Script script("a future is done before the task awaits it", kLesson);
  Trace trace;
  const Future<int> future(loop);

  script.step("future.set_result(3); create_task(traced_await(future)); one iteration");
  future.set_result(3);
  const Task<int> task = aio::create_task(loop, traced_await(future, trace));
  iterate(loop);
  EXPECT_STEP_EQ(script, trace, (Trace{"task awaits the future", "task got 3"}),
                 "a done future has its value already: co_await gives it without suspending");
  EXPECT_STEP_TRUE(script, task.done(),
                   "the task ended in its first step: it did not wait an iteration for a done "
                   "callback");
}

TEST_F(Ex42AwaitFuture, AwaitOfAFutureOfVoidWakesTheTask) {
  Script script("a task awaits a Future<void>", kLesson);
  bool woke = false;
  const Future<void> future(loop);

  script.step("create_task(await_void(future)); one iteration; set_result(); iterations");
  const Task<void> task = aio::create_task(loop, await_void(future, woke));
  iterate(loop);
  EXPECT_STEP_TRUE(script, !woke, "the task waits");
  future.set_result();
  run_until_done(loop, task);
  EXPECT_STEP_TRUE(script, woke, "a Future<void> wakes its task too; co_await gives nothing");
  EXPECT_STEP_TRUE(script, finished_with_value(task), "the task finished");
}

TEST_F(Ex42AwaitFuture, AwaitMovesAMoveOnlyResultOutOfTheFuture) {
  Script script("a task awaits a Future<std::unique_ptr<int>>", kLesson);
  const Future<std::unique_ptr<int>> future(loop);

  script.step("create_task(await_unique(future)); one iteration; set_result(unique 9)");
  const Task<std::unique_ptr<int>> task = aio::create_task(loop, await_unique(future));
  iterate(loop);
  future.set_result(std::make_unique<int>(9));

  script.step("iterations until the task is done");
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "the task finished with a value");
  if (finished_with_value(task)) {
    EXPECT_STEP_TRUE(script, task.result() != nullptr && *task.result() == 9,
                     "a move-only result cannot be copied: co_await moves it out of the "
                     "future (hand_on)");
  }
}

// ---- awaiting a task ---------------------------------------------------------------------------

TEST_F(Ex42AwaitFuture, AwaitingATaskWaitsUntilItIsDone) {
  Script script("an inner task waits for a gate future; an outer task awaits the inner task",
                kLesson);
  Trace trace;
  const Future<int> gate(loop);

  script.step("create_task(await_value(gate)), then create_task(await_task(inner)); one iteration");
  const Task<int> inner = aio::create_task(loop, await_value(gate));
  const Task<int> outer = aio::create_task(loop, await_task(inner, trace));
  iterate(loop);
  EXPECT_STEP_EQ(script, trace, Trace{"outer awaits the inner task"},
                 "a task is a future: awaiting it suspends the outer task");

  script.step("gate.set_result(7); one iteration");
  gate.set_result(7);
  iterate(loop);
  EXPECT_STEP_TRUE(script, inner.done(), "the gate's callback woke the inner task, which ended");
  EXPECT_STEP_EQ(script, trace, Trace{"outer awaits the inner task"},
                 "the outer task has not run yet: the inner task's end scheduled its done "
                 "callbacks, which run in the next iteration");

  script.step("one iteration");
  iterate(loop);
  EXPECT_STEP_EQ(script, trace, (Trace{"outer awaits the inner task", "outer got 7"}),
                 "the inner task's done callback woke the outer task with its result");
  if (finished_with_value(outer)) {
    EXPECT_STEP_EQ(script, outer.result(), 8, "the outer task returned 7 + 1");
  } else {
    ADD_FAILURE() << script.report("the outer task is done with a value");
  }
}

// ---- what an await refuses -------------------------------------------------------------------

TEST_F(Ex42AwaitFuture, AwaitingAFutureOfAnotherLoopThrowsIntoTheCoroutine) {
  Script script("a task awaits a future that belongs to another loop", kLesson);
  EventLoop other(on(std::make_shared<aio::ManualClock>()));
  const Future<int> foreign(other);

  script.step("create_task(await_and_describe(foreign)); one iteration");
  const Task<std::string> task = aio::create_task(loop, await_and_describe(foreign));
  iterate(loop);
  EXPECT_STEP_TRUE(script, task.done(),
                   "the await failed at once: nothing would ever step the task from the other "
                   "loop");
  if (finished_with_value(task)) {
    const std::string seen = task.result();
    EXPECT_STEP_TRUE(script,
                     seen.starts_with("std::runtime_error: ") &&
                         seen.find("attached to a different loop") != std::string::npos,
                     "the coroutine caught std::runtime_error \"... got Future attached to a "
                     "different loop\", thrown at its co_await (seen: \"" +
                         seen + "\")");
  }
}

TEST_F(Ex42AwaitFuture, TaskAwaitingItselfIsRefused) {
  Script script("a task awaits its own handle", kLesson);
  std::optional<Task<std::string>> self;

  script.step("create_task(await_itself(&self)); store the handle in self; one iteration");
  self = aio::create_task(loop, await_itself(&self));
  iterate(loop);
  EXPECT_STEP_TRUE(script, self->done(),
                   "a task that waited for itself would wait forever: the await throws instead");
  if (finished_with_value(*self)) {
    EXPECT_STEP_EQ(script, self->result(),
                   std::string("std::runtime_error: Task cannot await on itself"),
                   "the coroutine caught std::runtime_error \"Task cannot await on itself\" "
                   "(asyncio's words) at its co_await");
  } else {
    ADD_FAILURE() << script.report("the task finishes with a value", "a value",
                                   outcome([&] { self->result(); }));
  }
}

// ---- sleep -------------------------------------------------------------------------------------

TEST_F(Ex42AwaitFuture, SleepWakesTheTaskAtExactlyItsDelay) {
  Script script("a task sleeps 2.5 s, then notes loop.time()", kLesson);

  script.step("create_task(sleep_then_note_time(2.5)); one iteration");
  const Task<double> task = aio::create_task(loop, sleep_then_note_time(2.5, loop));
  iterate(loop);
  EXPECT_STEP_EQ(script, loop.timers().size() - loop.timers().cancelled_count(), std::size_t{1},
                 "sleep() scheduled one timer, with call_later()");

  script.step("advance the clock to 2.0; three iterations");
  clock->advance(2.0);
  iterate(loop);
  iterate(loop);
  iterate(loop);
  EXPECT_STEP_TRUE(script, !task.done(), "at 2.0 the task still sleeps");

  script.step("advance the clock to 2.5; two iterations");
  clock->advance(0.5);
  iterate(loop);
  iterate(loop);
  EXPECT_STEP_TRUE(script, task.done(),
                   "at 2.5 the timer completes the sleep's future, and its done callback wakes "
                   "the task in the next iteration");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), 2.5, "the task woke at exactly 2.5");
  } else {
    ADD_FAILURE() << script.report("the task finishes with a value", "a value",
                                   outcome([&] { task.result(); }));
  }
}

TEST_F(Ex42AwaitFuture, SleepZeroYieldsOneIterationToTheOtherReadyTasks) {
  Script script("tasks A and B each note a round, then sleep(0), three rounds", kLesson);
  Trace trace;

  script.step("create_task(ping_pong(A)), create_task(ping_pong(B)); one iteration");
  const Task<void> a = aio::create_task(loop, ping_pong("A", 3, trace));
  const Task<void> b = aio::create_task(loop, ping_pong("B", 3, trace));
  iterate(loop);
  EXPECT_STEP_EQ(script, trace, (Trace{"A0", "B0"}),
                 "sleep(0) ends the step: A lets B run before its next round");

  script.step("one iteration");
  iterate(loop);
  EXPECT_STEP_EQ(script, trace, (Trace{"A0", "B0", "A1", "B1"}),
                 "sleep(0) waits exactly one iteration: each task ran one more round");

  script.step("two iterations");
  iterate(loop);
  iterate(loop);
  EXPECT_STEP_EQ(script, trace, (Trace{"A0", "B0", "A1", "B1", "A2", "B2"}),
                 "the tasks take turns, in the order they were created");
  EXPECT_STEP_TRUE(script, a.done() && b.done(),
                   "the fourth iteration ran what followed each task's last sleep(0): both "
                   "are done");
  EXPECT_STEP_EQ(script, clock->now(), 0.0, "sleep(0) needs no timer: no time passed");
}

// ---- the task's own done callbacks -------------------------------------------------------------

TEST_F(Ex42AwaitFuture, ExceptionOfADoneCallbackOfATaskGoesToTheExceptionHandler) {
  Script script("a task's done callback throws DiskError(\"callback failed\")", kLesson);
  const Future<int> gate(loop);

  script.step("create_task(await_value(gate)); add a done callback named on_done that throws");
  const Task<int> task = aio::create_task(loop, await_value(gate));
  task.add_done_callback([](const Future<int>&) { throw DiskError("callback failed"); }, "on_done");

  script.step("one iteration; gate.set_result(5); iterations until the task is done; one more");
  iterate(loop);
  gate.set_result(5);
  run_until_done(loop, task);
  iterate(loop);
  EXPECT_STEP_TRUE(script, finished_with_value(task),
                   "the task finished with its value: a failing callback does not change it");
  EXPECT_STEP_EQ(script, reports,
                 (std::vector<Report>{{"Exception in callback on_done", "callback failed"}}),
                 "the callback runs on the loop, which hands what it threw to the exception "
                 "handler, as for any callback");
}
