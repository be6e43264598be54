// Exercise 3.4: run_until_complete, run the loop until one future is done.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// run_until_complete() waits through a done callback on the future, so these tests need
// Exercises 3.1 and 3.2 as well. Time is an aio::ManualClock with auto_advance: when the loop
// has nothing to do but wait for a timer, its time jumps to that timer, so a future completed
// by call_later(5, ...) is done at time 5, at once. Every test also arms a watchdog timer that
// stops the loop after 1000 s of loop time: a run that would never end by itself fails the test
// instead of hanging it.
#include <gtest/gtest.h>

#include <cstddef>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/run_until_complete.hpp"
#include "support/script.hpp"

namespace {

using aio::EventLoop;
using aio::Future;
using aio::run_until_complete;
using aio::testing::outcome_of;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 3.4";
constexpr double kWatchdog = 1000;  // seconds of loop time, far later than any test's timers

class DiskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a call threw, in words: outcome_of() names a starter's stub, std::logic_error and
// std::runtime_error; the errors of futures are named more precisely here.
template <class F>
std::string outcome(F&& call) {
  std::string precise;
  const std::string seen = outcome_of([&] {
    try {
      call();
    } catch (const aio::InvalidStateError& e) {
      precise = std::string("aio::InvalidStateError: ") + e.what();
    } catch (const aio::CancelledError& e) {
      precise = "aio::CancelledError: " + e.message();
    } catch (const std::invalid_argument& e) {
      precise = std::string("std::invalid_argument: ") + e.what();
    }
  });
  return precise.empty() ? seen : precise;
}

// The kind of error an outcome names ("std::runtime_error"), without its message. A
// starter's stub keeps its whole text: it says what to read.
std::string kind_of(const std::string& seen) {
  if (seen.starts_with("aio::NotImplemented")) return seen;
  return seen.substr(0, seen.find(": "));
}

EventLoop::Options on(std::shared_ptr<aio::Clock> clock) {
  EventLoop::Options options;
  options.clock = std::move(clock);
  return options;
}

// A callback that writes `name` into the trace.
aio::Callback note(Trace& trace, std::string name) {
  return [&trace, name] { trace.push_back(name); };
}

class Ex34RunUntilComplete : public ::testing::Test {
 protected:
  Ex34RunUntilComplete() { arm_watchdog(); }

  void TearDown() override {
    EXPECT_EQ(watchdog_stops, 0) << "the watchdog had to stop the loop (after " << kWatchdog
                                 << " s of loop time): a run did not end by itself. Re-read: \""
                                 << kLesson << "\" in the lesson.";
  }

  // Stops the loop after kWatchdog seconds of loop time, and again after every restart.
  void arm_watchdog() {
    loop.call_later(
        kWatchdog,
        [this] {
          ++watchdog_stops;
          loop.stop();
          arm_watchdog();
        },
        "watchdog");
  }

  std::shared_ptr<aio::ManualClock> clock =
      std::make_shared<aio::ManualClock>(0.0, /*auto_advance=*/true);
  EventLoop loop{on(clock)};
  int watchdog_stops = 0;
};

}  // namespace

// ---- what it returns -----------------------------------------------------------------------

TEST_F(Ex34RunUntilComplete, ReturnsTheResultAsSoonAsTheFutureIsDone) {
  Script script("a timer completes the future at 5; another timer is due at 10", kLesson);
  Trace trace;
  Future<int> future(loop);

  script.step("call_later(5, set_result(42)); call_later(10, late)");
  loop.call_later(5, [&] { future.set_result(42); });
  loop.call_later(10, note(trace, "late"));

  script.step("run_until_complete(loop, future)");
  int result = 0;
  EXPECT_STEP_EQ(script, outcome([&] { result = run_until_complete(loop, future); }),
                 std::string("nothing"),
                 "run_until_complete() of a future that succeeds throws "
                 "nothing");
  EXPECT_STEP_EQ(script, result, 42, "it returns the future's result");
  EXPECT_STEP_EQ(script, loop.time(), 5.0, "the loop ran until the future was done, at 5");
  EXPECT_STEP_EQ(script, trace, Trace{},
                 "and no longer: the timer due at 10 did not run (the future's done callback "
                 "stopped the loop)");
  EXPECT_STEP_TRUE(script, !loop.is_running(), "the loop is not running any more");
  EXPECT_STEP_EQ(script, future.result(), 42,
                 "an int result is copied out: the future keeps it, as Python shares the "
                 "object");
}

TEST_F(Ex34RunUntilComplete, RethrowsTheExceptionOfTheFuture) {
  Script script("call_soon fails the future with DiskError(\"disk on fire\")", kLesson);
  Future<int> future(loop);

  script.step("call_soon(set_exception(DiskError(\"disk on fire\"))); run_until_complete()");
  loop.call_soon([&] { future.set_exception(std::make_exception_ptr(DiskError("disk on fire"))); });
  std::string caught = "nothing";
  try {
    run_until_complete(loop, future);
  } catch (const DiskError& e) {
    caught = std::string("DiskError: ") + e.what();
  } catch (const std::exception& e) {
    caught = std::string("another exception: ") + e.what();
  }
  EXPECT_STEP_EQ(script, caught, std::string("DiskError: disk on fire"),
                 "run_until_complete() rethrows the future's exception, type and message, as "
                 "result() does");
  EXPECT_STEP_TRUE(script, !loop.is_running(), "the loop is not left running");
}

TEST_F(Ex34RunUntilComplete, CancelledFutureRaisesCancelledError) {
  Script script("call_soon cancels the future with the message \"shutdown\"", kLesson);
  Future<int> future(loop);

  script.step("call_soon(cancel(\"shutdown\")); run_until_complete()");
  loop.call_soon([&] { future.cancel("shutdown"); });
  EXPECT_STEP_EQ(script, outcome([&] { run_until_complete(loop, future); }),
                 std::string("aio::CancelledError: shutdown"),
                 "a cancelled future is done too: the run ends, and raises CancelledError");
}

TEST_F(Ex34RunUntilComplete, FutureAlreadyDoneReturnsAtOnce) {
  Script script("the future is done before run_until_complete() is called", kLesson);
  Trace trace;
  Future<int> future(loop);

  script.step("set_result(7); call_later(5, timer)");
  future.set_result(7);
  loop.call_later(5, note(trace, "timer"));

  script.step("run_until_complete(loop, future)");
  int result = 0;
  EXPECT_STEP_EQ(script, outcome([&] { result = run_until_complete(loop, future); }),
                 std::string("nothing"), "it throws nothing");
  EXPECT_STEP_EQ(script, result, 7, "it returns the result");
  EXPECT_STEP_EQ(script, loop.time(), 0.0,
                 "at once: the done callback of a done future is scheduled at once, so the "
                 "first iteration stops the loop, without waiting for any timer");
  EXPECT_STEP_EQ(script, trace, Trace{}, "the timer did not run");
}

TEST_F(Ex34RunUntilComplete, VoidFutureReturnsNothing) {
  Script script("a Future<void> completed by call_soon", kLesson);
  Future<void> future(loop);

  script.step("call_soon(set_result()); run_until_complete()");
  loop.call_soon([&] { future.set_result(); });
  EXPECT_STEP_EQ(script, outcome([&] { run_until_complete(loop, future); }), std::string("nothing"),
                 "run_until_complete() of a Future<void> returns once it is done");
  EXPECT_STEP_TRUE(script, future.done(), "the future is done");
}

TEST_F(Ex34RunUntilComplete, MoveOnlyResultIsMovedOut) {
  Script script("a Future<std::unique_ptr<int>> completed by call_soon", kLesson);
  Future<std::unique_ptr<int>> future(loop);

  script.step("call_soon(set_result(make_unique<int>(9))); p = run_until_complete()");
  loop.call_soon([&] { future.set_result(std::make_unique<int>(9)); });
  std::unique_ptr<int> taken;
  EXPECT_STEP_EQ(script, outcome([&] { taken = run_until_complete(loop, future); }),
                 std::string("nothing"), "it throws nothing");
  EXPECT_STEP_TRUE(script, taken != nullptr && *taken == 9,
                   "a result that cannot be copied is moved out to the caller");
  EXPECT_STEP_TRUE(script, future.done() && future.result() == nullptr,
                   "the future keeps the moved-from value");
}

// ---- refusals ------------------------------------------------------------------------------

TEST_F(Ex34RunUntilComplete, FutureOfAnotherLoopIsRefusedAndTheLoopDoesNotRun) {
  Script script("run_until_complete(loop, a future created on another loop)", kLesson);
  Trace trace;
  EventLoop other_loop;
  Future<int> foreign(other_loop);

  script.step("call_soon(a) on loop; run_until_complete(loop, foreign)");
  loop.call_soon(note(trace, "a"));
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { run_until_complete(loop, foreign); })),
                 std::string("std::invalid_argument"),
                 "a future of another loop is std::invalid_argument (asyncio's ValueError): "
                 "this loop would never complete it");
  EXPECT_STEP_EQ(script, trace, Trace{}, "refused before the loop ran: a did not run");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{1}, "a is still waiting");
}

TEST_F(Ex34RunUntilComplete, CallFromACallbackWhileTheLoopRunsIsRefused) {
  Script script("a callback calls run_until_complete() on the loop that runs it", kLesson);
  Future<int> inner(loop);
  std::string seen = "not run";

  script.step(
      "call_soon(cb); cb calls run_until_complete(loop, inner), then stop(); "
      "run_forever()");
  loop.call_soon([&] {
    seen = outcome([&] { run_until_complete(loop, inner); });
    loop.stop();
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, kind_of(seen), std::string("std::runtime_error"),
                 "the loop is already running: run_until_complete() raises "
                 "std::runtime_error (a loop cannot run inside itself; chapter 04's tasks "
                 "wait with await instead)");
  EXPECT_STEP_TRUE(script, !inner.done(), "the inner future was left alone");
}

TEST_F(Ex34RunUntilComplete, RunOnAClosedLoopFailsAndLeavesNoCallbackBehind) {
  Script script("run_until_complete() on a closed loop, then complete the future", kLesson);
  Future<int> future(loop);

  script.step("close(); run_until_complete(loop, future)");
  loop.close();
  EXPECT_STEP_EQ(script, outcome([&] { run_until_complete(loop, future); }),
                 std::string("std::runtime_error: Event loop is closed"),
                 "the loop cannot run: run_forever()'s error comes through");

  script.step("set_result(1)");
  EXPECT_STEP_EQ(script, outcome([&] { future.set_result(1); }), std::string("nothing"),
                 "run_until_complete() took its done callback off the future even though the "
                 "run threw (else set_result() would try to schedule it on the closed loop)");
}

// ---- stopped before the future is done -----------------------------------------------------

TEST_F(Ex34RunUntilComplete, StopBeforeTheFutureIsDoneIsAnErrorAndLeavesNoStopperBehind) {
  Script script("a callback stops the loop before the future is done", kLesson);
  Trace trace;
  Future<int> future(loop);

  script.step("call_soon(stop); run_until_complete(loop, future)");
  loop.call_soon([&] { loop.stop(); });
  EXPECT_STEP_EQ(script, outcome([&] { run_until_complete(loop, future); }),
                 std::string("std::runtime_error: Event loop stopped before Future completed."),
                 "the loop came back while the future is pending: there is no result to "
                 "return, so run_until_complete() raises std::runtime_error");
  EXPECT_STEP_TRUE(script, !future.done(), "the future is still pending");

  script.step(
      "call_soon(set_result(1)); call_later(1, t1); call_later(2, t2 then stop); "
      "run_forever()");
  loop.call_soon([&] { future.set_result(1); });
  loop.call_later(1, note(trace, "t1"));
  loop.call_later(2, [&] {
    trace.push_back("t2");
    loop.stop();
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, (Trace{"t1", "t2"}),
                 "the future's completion did not stop this later run: run_until_complete() "
                 "took its stopping callback off the future when it returned (a stale stopper "
                 "would cut the run short, before t1)");
  EXPECT_STEP_EQ(script, future.result(), 1, "the future completed in that run");
}

TEST_F(Ex34RunUntilComplete, LoopCanRunAgainAfterRunUntilComplete) {
  Script script("three runs of the same loop, one after the other", kLesson);
  Trace trace;
  Future<int> first(loop);
  Future<int> second(loop);
  Future<int> failing(loop);

  script.step("call_later(1, first.set_result(1)); run_until_complete(first)");
  loop.call_later(1, [&] { first.set_result(1); });
  EXPECT_STEP_EQ(script, run_until_complete(loop, first), 1, "the first run returns 1");

  script.step("call_soon(failing.set_exception(...)); run_until_complete(failing)");
  loop.call_soon([&] { failing.set_exception(std::make_exception_ptr(DiskError("failed"))); });
  EXPECT_STEP_EQ(script, outcome([&] { run_until_complete(loop, failing); }),
                 std::string("std::runtime_error: failed"), "the second run raises");

  script.step("call_later(1, second.set_result(2)); run_until_complete(second)");
  loop.call_later(1, [&] { second.set_result(2); });
  EXPECT_STEP_EQ(script, run_until_complete(loop, second), 2,
                 "the loop runs again after a run that returned and after one that raised: "
                 "each left it stopped and ready to run");
  EXPECT_STEP_EQ(script, loop.time(), 2.0, "each run waited for its own timer");
}
