// Misconceptions about coroutines and tasks that asyncio and C++ coroutine users really have
// (the course's research/misconceptions.md, chapter 04). Each test shows what really happens;
// its failure message says, in a sentence, what people expect and why it is not so.
//
// The tests need Exercises 4.1 to 4.3. They drive the loop one iteration at a time with
// iterate(): loop.stop(), then run_forever(), which then runs exactly one iteration as the
// running loop (sleep() and current_task() ask for it). Time is an aio::ManualClock, except
// in the one test that measures a real blocking call.
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
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
#include "support/lifetime.hpp"
#include "support/script.hpp"

namespace {

using aio::CancelledError;
using aio::Coroutine;
using aio::EventLoop;
using aio::Future;
using aio::Task;
using aio::testing::Lifetimes;
using aio::testing::on;
using aio::testing::Script;
using aio::testing::Tracked;
using Trace = std::vector<std::string>;

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

// task.cancel(message), or false if it threw (a starter's stub): the test then fails on what
// follows instead of ending here.
template <class T>
bool try_cancel(const Task<T>& task, std::string message) {
  try {
    return task.cancel(std::move(message));
  } catch (const std::exception&) {
    return false;
  }
}

// True when `future` finished with a value (exception() would throw for a cancelled one).
template <class F>
bool finished_with_value(const F& future) {
  return future.done() && !future.cancelled() && !future.exception();
}

// ---- coroutines the tests run ----------------------------------------------------------------

Coroutine<void> send_email(int& sent) {
  ++sent;
  co_return;
}

Coroutine<void> forget_to_await(int& sent) {
  {
    // The mistake: the coroutine is made and dropped. (Coroutine is [[nodiscard]], so a bare
    // `send_email(sent);` does not even compile here: the warning is an error.)
    const Coroutine<void> forgotten = send_email(sent);
  }
  co_return;
}

Coroutine<void> remember_to_await(int& sent) {
  co_await send_email(sent);
}

Coroutine<void> tick(int rounds, int& ticks) {
  for (int round = 0; round < rounds; ++round) {
    ++ticks;
    co_await aio::sleep(0);
  }
}

// Blocks the thread for `pause`, inside the coroutine: what a blocking call (a sync HTTP
// client, a file read, std::this_thread::sleep_for) does to the loop.
Coroutine<void> block_for(std::chrono::milliseconds pause, const int& ticks, int& ticks_during) {
  const int before = ticks;
  std::this_thread::sleep_for(pause);
  ticks_during = ticks - before;
  co_return;
}

// The cooperative version of a pause: every await gives the loop back.
Coroutine<void> await_for(int yields, const int& ticks, int& ticks_during) {
  const int before = ticks;
  for (int i = 0; i < yields; ++i) co_await aio::sleep(0);
  ticks_during = ticks - before;
}

Coroutine<void> block_in_a_step(std::chrono::milliseconds pause) {
  std::this_thread::sleep_for(pause);
  co_return;
}

Coroutine<std::string> greet(std::string name, Lifetimes& lifetimes) {
  const Tracked tracked(lifetimes, "frame local");
  co_await aio::sleep(0);
  co_return "hello " + name;
}

Coroutine<void> sleep_then_set(double delay, bool& done) {
  co_await aio::sleep(delay);
  done = true;
}

Coroutine<int> keep_working_after_cancel(Future<int> future, Trace& trace) {
  try {
    co_await future;
  } catch (const CancelledError&) {
    trace.push_back("caught CancelledError");
  }
  for (int round = 0; round < 3; ++round) {
    co_await aio::sleep(0);
    trace.push_back("still working");
  }
  co_return 7;
}

// The well-meant `catch (const std::exception&)` around an await.
Coroutine<int> catch_every_error(Future<int> future, Trace& trace) {
  try {
    co_await future;
  } catch (const std::exception& e) {
    trace.push_back(std::string("swallowed: ") + e.what());
  }
  co_return -1;
}

class Ch04Misconceptions : public ::testing::Test {
 protected:
  Ch04Misconceptions() {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      reports.push_back(context.message);
    });
  }

  std::vector<std::string> reports;  // declared before the loop: the loop's handler writes here
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  EventLoop loop{on(clock)};
};

}  // namespace

// research/misconceptions.md 18: "calling an async function starts the work".
TEST_F(Ch04Misconceptions, CallingACoroutineWithoutAwaitingItDoesNothing) {
  Script script("one task calls send_email(sent) and drops it; another awaits it", "Exercise 4.1");
  int sent = 0;

  script.step("create_task(forget_to_await(sent)); iterations until it is done");
  const Task<void> forgetful = aio::create_task(loop, forget_to_await(sent));
  run_until_done(loop, forgetful);
  EXPECT_STEP_TRUE(script, forgetful.done(), "the task ran to its end");
  EXPECT_STEP_EQ(script, sent, 0,
                 "no email was sent: calling a coroutine function only builds its frame, it "
                 "does not start the work; the body runs when you co_await the coroutine or "
                 "hand it to create_task");
  EXPECT_STEP_TRUE(script,
                   reports.size() == 1 && reports[0].find("was never awaited") != std::string::npos,
                   "the loop said so: \"coroutine '...send_email...' was never awaited\"");

  script.step("create_task(remember_to_await(sent)); iterations until it is done");
  const Task<void> careful = aio::create_task(loop, remember_to_await(sent));
  run_until_done(loop, careful);
  EXPECT_STEP_EQ(script, sent, 1, "co_await send_email(sent) ran the body: one email sent");
}

// research/misconceptions.md 7: "a blocking call only delays the coroutine that makes it".
TEST_F(Ch04Misconceptions, BlockingCallInsideACoroutineStallsEveryOtherTask) {
  Script script("a ticker task ticks once per iteration; another task pauses in two ways",
                "Exercise 4.2");
  int ticks = 0;
  int ticks_while_blocked = -1;
  int ticks_while_awaiting = -1;

  script.step("create_task(tick(20)); create_task(block_for(20 ms)); iterations until done");
  const Task<void> ticker = aio::create_task(loop, tick(20, ticks));
  const Task<void> blocker =
      aio::create_task(loop, block_for(std::chrono::milliseconds(20), ticks, ticks_while_blocked));
  run_until_done(loop, blocker);
  EXPECT_STEP_EQ(script, ticks_while_blocked, 0,
                 "the ticker did not tick once during the 20 ms: a blocking call inside a "
                 "coroutine blocks the loop's only thread, so no other task, timer or callback "
                 "runs until it returns; await something instead (aio::sleep, a future, "
                 "run_in_executor for blocking work)");

  script.step("create_task(await_for(3 yields)); iterations until done");
  const Task<void> awaiter = aio::create_task(loop, await_for(3, ticks, ticks_while_awaiting));
  run_until_done(loop, awaiter);
  EXPECT_STEP_EQ(script, ticks_while_awaiting, 3,
                 "an awaiting pause gives the loop back at every await: the ticker ticked once "
                 "per sleep(0)");
  run_until_done(loop, ticker);
}

// The same lesson seen from the loop: debug mode names the step that blocked it.
TEST(Ch04MisconceptionsRealClock, DebugModeReportsAStepThatBlockedTheLoop) {
  Script script("a task blocks its step for 20 ms in a loop in debug mode", "Exercise 4.2");
  std::vector<std::string> log;
  EventLoop loop;  // the real monotonic clock: the blocking call is the point of this test
  loop.set_debug(true);
  loop.slow_callback_duration = 0.010;
  loop.set_log([&log](std::string_view line) { log.emplace_back(line); });

  script.step("create_task(block_in_a_step(20 ms)); one iteration");
  const Task<void> task = aio::create_task(loop, block_in_a_step(std::chrono::milliseconds(20)));
  iterate(loop);
  EXPECT_STEP_TRUE(script, task.done(), "the step ran the whole coroutine");
  bool reported = false;
  for (const std::string& line : log) {
    if (line.starts_with("Executing Task.step") && line.find(" took ") != std::string::npos) {
      reported = true;
    }
  }
  EXPECT_STEP_TRUE(script, reported,
                   "the loop logged \"Executing Task.step ... took 0.02x seconds\": a task's "
                   "step is a callback like any other, and one that takes longer than "
                   "slow_callback_duration held up everything else; set_debug(true) is how to "
                   "find such a step");
}

// research/misconceptions.md 22: "a coroutine lambda's captures live as long as its frame".
//
// The dangling shape, which this test does NOT run (it is undefined behaviour):
//
//   aio::create_task(loop, [name = std::string("ada")]() -> Coroutine<std::string> {
//     co_await aio::sleep(0);
//     co_return "hello " + name;  // reads a destroyed closure
//   }());
//
// The lambda's captures live in the closure object, a temporary that dies at the end of the
// full expression. The coroutine frame keeps only a pointer to it (`this`), so after the first
// suspension the body reads freed memory. Parameters are different: they are copied into the
// frame. The safe shapes: pass values as parameters, or keep the lambda alive in a variable
// that outlives the task.
TEST_F(Ch04Misconceptions, LambdaCapturesDieWithTheTemporaryLambdaParametersLiveInTheFrame) {
  Script script("coroutine lambdas, called as temporaries and kept in variables", "Exercise 4.1");
  Lifetimes captures;
  Lifetimes locals;

  script.step(
      "create_task(a temporary lambda that captures a Tracked by value and never touches it)");
  const Task<int> temporary = aio::create_task(
      loop, [tracked = Tracked(captures, "capture")]() -> Coroutine<int> { co_return 1; }());
  EXPECT_STEP_EQ(script, captures.alive(), 0,
                 "the captured object is already destroyed, before the coroutine has even "
                 "started: captures live in the temporary lambda, not in the coroutine frame "
                 "(this body never reads its capture; one that did would read freed memory)");
  run_until_done(loop, temporary);

  script.step("safe shape 1: a lambda without captures that takes its values as parameters");
  const auto greet_lambda = [](std::string name, Lifetimes& lifetimes) -> Coroutine<std::string> {
    const Tracked tracked(lifetimes, "frame local");
    co_await aio::sleep(0);
    co_return "hello " + name;
  };
  const Task<std::string> by_parameter = aio::create_task(loop, greet_lambda("ada", locals));
  run_until_done(loop, by_parameter);
  EXPECT_STEP_TRUE(script, finished_with_value(by_parameter), "the task finished");
  if (finished_with_value(by_parameter)) {
    EXPECT_STEP_EQ(script, by_parameter.result(), std::string("hello ada"),
                   "parameters are copied into the coroutine frame: they live as long as it");
  }

  script.step("safe shape 2: a capturing lambda kept in a variable that outlives the task");
  const auto counter = [tracked = Tracked(captures, "kept capture"),
                        &captures]() -> Coroutine<int> {
    co_await aio::sleep(0);
    co_return captures.alive();  // after a suspension, the capture is still there
  };
  const Task<int> kept = aio::create_task(loop, counter());
  run_until_done(loop, kept);
  if (finished_with_value(kept)) {
    EXPECT_STEP_EQ(script, kept.result(), 1,
                   "the lambda object lives in a variable of the test, so its capture was "
                   "alive when the body resumed");
  } else {
    ADD_FAILURE() << script.report("the task of the kept lambda finished with a value");
  }

  script.step("safe shape 3: a plain coroutine function with parameters");
  const Task<std::string> plain = aio::create_task(loop, greet("grace", locals));
  run_until_done(loop, plain);
  if (finished_with_value(plain)) {
    EXPECT_STEP_EQ(script, plain.result(), std::string("hello grace"),
                   "a named coroutine function has no closure to lose");
  } else {
    ADD_FAILURE() << script.report("the task of greet() finished with a value");
  }
}

// research/misconceptions.md 19: "a task nobody keeps a handle to may vanish".
TEST_F(Ch04Misconceptions, TaskWhoseHandleIsDroppedStillRunsToItsEnd) {
  Script script("create_task(sleep_then_set(1 s)) without keeping the task", "Exercise 4.2");
  bool done = false;

  script.step("aio::create_task(loop, sleep_then_set(1, done)); the handle is dropped at once");
  aio::create_task(loop, sleep_then_set(1, done));
  iterate(loop);

  script.step("advance the clock by 1 s; iterations until done is set (at most 10)");
  clock->advance(1);
  for (int i = 0; i < 10 && !done; ++i) iterate(loop);
  EXPECT_STEP_TRUE(script, done,
                   "the task ran to its end: here the loop holds a running task (its next step, "
                   "or the callback of the future it waits for), so a task does not need a "
                   "handle to live; CPython keeps only a weak reference and asks you to keep "
                   "one yourself");
  EXPECT_STEP_TRUE(script, aio::all_tasks(loop).empty(), "no task is left pending");
  EXPECT_STEP_TRUE(script, reports.empty(),
                   "and none was destroyed while pending (no \"Task was destroyed but it is "
                   "pending!\")");
}

// research/misconceptions.md 20: "cancel() kills the task".
TEST_F(Ch04Misconceptions, CancellationIsARequestThatTheTaskMayRefuse) {
  Script script("a task awaits a future, catches CancelledError, and keeps working",
                "Exercise 4.3");
  Trace trace;
  const Future<int> future(loop);

  script.step("create_task(keep_working_after_cancel(future)); one iteration; task.cancel()");
  const Task<int> task = aio::create_task(loop, keep_working_after_cancel(future, trace));
  iterate(loop);
  EXPECT_STEP_TRUE(script, try_cancel(task, "stop"), "cancel() of a pending task returns true");
  EXPECT_STEP_TRUE(script, !task.done(),
                   "right after cancel() the task is not done: cancel() only asks, and the task "
                   "hears it when it runs again");

  script.step("iterations until the task is done");
  run_until_done(loop, task);
  EXPECT_STEP_EQ(
      script, trace,
      (Trace{"caught CancelledError", "still working", "still working", "still working"}),
      "the task caught the CancelledError and went on working: cancellation is an "
      "exception thrown in at an await, not a kill");
  EXPECT_STEP_TRUE(script, task.done() && !task.cancelled(),
                   "a task that swallows its cancellation is not cancelled: it finishes");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), 7, "with its own result");
  } else {
    ADD_FAILURE() << script.report("the task finished with a value");
  }
}

// errors.hpp: CancelledError derives from std::exception (Python 3.8 moved it out of Exception).
TEST_F(Ch04Misconceptions, CatchingStdExceptionAlsoCatchesTheCancellation) {
  Script script("a task wraps its await in catch (const std::exception&); the test cancels it",
                "Exercise 4.3");
  Trace trace;
  const Future<int> future(loop);

  script.step("create_task(catch_every_error(future)); one iteration; task.cancel(\"stop\")");
  const Task<int> task = aio::create_task(loop, catch_every_error(future, trace));
  iterate(loop);
  try_cancel(task, "stop");

  script.step("iterations until the task is done");
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, Trace{"swallowed: stop"},
                 "catch (const std::exception&) caught the CancelledError too: in C++ it is a "
                 "std::exception like any error; catch CancelledError first and rethrow it "
                 "when you mean to handle errors only");
  EXPECT_STEP_TRUE(script, task.done() && !task.cancelled(),
                   "so the cancellation was lost: the task finished as if nobody had asked");
}
