// Exercise 4.7: aio::run (detail::shut_down: cancel the tasks left, wait for them, report their
// errors, close the loop).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// aio::run() makes its own loop, runs main() as its first task, and returns only once every
// task is over. Two guards keep a bug from hanging a test:
// - every test first checks, on a loop of its own, that tasks run and can be cancelled
//   (Exercises 4.1 to 4.3): without them main() would never run and aio::run() would wait for
//   it forever;
// - most tests give aio::run() a StallingClock: a manual clock that jumps to the next timer
//   when nothing is ready (as aio::ManualClock with auto_advance does), and throws when there
//   is no timer either, since such a loop would wait forever. The throw ends aio::run(), and
//   the test fails on it.
// The exception handler of aio::run()'s loop can only be set from inside main(), with
// get_running_loop().set_exception_handler(): the loop does not exist before.
#include <gtest/gtest.h>

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
#include "aio/runners.hpp"
#include "aio/sleep.hpp"
#include "aio/task.hpp"
#include "support/script.hpp"

namespace {

using aio::Coroutine;
using aio::EventLoop;
using aio::Future;
using aio::Task;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 4.7";

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
  } catch (...) {
    return "an exception that is not a std::exception";
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

// A manual clock for a loop nobody can reach from outside: when nothing is ready it jumps to
// the next timer; when no timer is left either, the loop would wait forever for I/O that never
// comes, so it throws instead, and the throw comes out of aio::run().
class StallingClock final : public aio::Clock {
 public:
  double now() const override { return now_; }
  double wait_budget(double timeout) override {
    if (timeout < 0) {
      throw std::runtime_error(
          "test: the loop would wait forever (nothing ready, no timer): a task never ends");
    }
    now_ += timeout;
    return 0;
  }

 private:
  double now_ = 0;
};

aio::RunOptions stalling_clock() {
  aio::RunOptions options;
  options.clock = std::make_shared<StallingClock>();
  return options;
}

// ---- the guard: do tasks work at all? --------------------------------------------------------

Coroutine<int> plus_one(Future<int> gate) {
  const int value = co_await gate;
  co_return value + 1;
}

Coroutine<int> through_a_child(Future<int> gate) {
  co_await aio::sleep(0);
  co_return co_await plus_one(gate);
}

// True if a task runs, awaits a coroutine and a future, and if a waiting task can be cancelled:
// what aio::run() needs from Exercises 4.1 to 4.3. Checked on a loop of its own.
bool tasks_work() {
  try {
    EventLoop loop{[] {
      EventLoop::Options options;
      options.clock = std::make_shared<aio::ManualClock>();
      return options;
    }()};
    loop.set_exception_handler([](EventLoop&, const aio::ExceptionContext&) {});
    const Future<int> gate(loop);
    const Future<int> never(loop);
    const Task<int> awaiting = aio::create_task(loop, through_a_child(gate));
    const Task<int> waiting = aio::create_task(loop, plus_one(never));
    auto iterate = [&loop](int times) {
      for (int i = 0; i < times; ++i) {
        loop.stop();
        loop.run_forever();
      }
    };
    iterate(3);
    gate.set_result(41);
    waiting.cancel();
    iterate(3);
    return awaiting.done() && !awaiting.cancelled() && !awaiting.exception() &&
           awaiting.result() == 42 && waiting.cancelled();
  } catch (...) {
    return false;
  }
}

class Ex47Run : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!tasks_work()) {
      GTEST_FAIL() << "aio::run() runs main() as a task: it needs tasks that run, await and can "
                      "be cancelled. Finish Exercises 4.1 to 4.3 first (course test 4 --mine "
                      "shows which of their tests fail).";
    }
  }
};

// ---- mains -----------------------------------------------------------------------------------

Coroutine<int> answer() {
  co_await aio::sleep(0);
  co_return 42;
}

Coroutine<void> set_flag(bool& flag) {
  co_await aio::sleep(1);
  flag = true;
}

// A task that main leaves behind: sleeps 100 s; once cancelled, cleans up for 1 s (it can still
// await) and lets the CancelledError go, or, if `fail_in_cleanup`, throws DiskError instead.
Coroutine<void> leftover(std::string name, Trace& trace, bool fail_in_cleanup) {
  trace.push_back(name + " started");
  std::exception_ptr cancelled;
  try {
    co_await aio::sleep(100);
  } catch (const aio::CancelledError&) {
    trace.push_back(name + " cancelled");
    cancelled = std::current_exception();  // (no co_await inside a handler: C++ forbids it)
  }
  co_await aio::sleep(1);
  trace.push_back(name + " cleaned up");
  if (fail_in_cleanup) throw DiskError(name + " failed in its clean-up");
  if (cancelled) std::rethrow_exception(cancelled);
}

// Starts "early", lets it run to its first await, and returns.
Coroutine<int> leave_tasks_behind(Trace& trace) {
  aio::create_task(leftover("early", trace, false));
  co_await aio::sleep(0);
  trace.push_back("main returns");
  co_return 7;
}

Coroutine<int> fail_leaving_a_task(Trace& trace) {
  aio::create_task(leftover("early", trace, false));
  co_await aio::sleep(0);
  trace.push_back("main throws");
  throw DiskError("main failed");
}

// Sets the loop's exception handler (the loop exists only now), then leaves a task behind that
// fails in its clean-up.
Coroutine<int> leave_a_failing_task(Trace& trace, Trace& reports) {
  aio::get_running_loop().set_exception_handler(
      [&reports](EventLoop&, const aio::ExceptionContext& context) {
        reports.push_back(context.message + " / " + describe(context.exception));
      });
  aio::create_task(leftover("failing", trace, true), "cleaner");
  co_await aio::sleep(0);
  co_return 1;
}

Coroutine<std::string> run_inside_run(Trace& reports) {
  aio::get_running_loop().set_exception_handler(
      [&reports](EventLoop&, const aio::ExceptionContext& context) {
        reports.push_back(context.message);
      });
  co_return outcome([] { aio::run(answer()); });
}

Coroutine<double> sleep_an_hour() {
  co_await aio::sleep(3600);
  co_return aio::get_running_loop().time();
}

}  // namespace

// ---- results ---------------------------------------------------------------------------------

TEST_F(Ex47Run, ReturnsWhatMainReturns) {
  Script script("aio::run(answer()), where answer() yields once and returns 42", kLesson);

  script.step("result = aio::run(answer()), with the default options");
  int result = 0;
  const std::string thrown = outcome([&result] { result = aio::run(answer()); });
  EXPECT_STEP_EQ(script, thrown, std::string("nothing"), "aio::run() returns normally");
  EXPECT_STEP_EQ(script, result, 42, "with main's result");
}

TEST_F(Ex47Run, RunsAVoidMainToItsEnd) {
  Script script("aio::run(set_flag(flag)), where set_flag sleeps 1 s and sets the flag", kLesson);
  bool flag = false;

  script.step("aio::run(set_flag(flag), with a manual clock)");
  const std::string thrown = outcome([&flag] { aio::run(set_flag(flag), stalling_clock()); });
  EXPECT_STEP_EQ(script, thrown, std::string("nothing"), "aio::run() returns normally");
  EXPECT_STEP_TRUE(script, flag, "main ran to its end before aio::run() returned");
}

TEST_F(Ex47Run, RethrowsWhatMainThrewAfterCancellingItsTasks) {
  Script script(
      "main starts a task that sleeps 100 s (and cleans up for 1 s once cancelled), then "
      "throws DiskError",
      kLesson);
  Trace trace;

  script.step("aio::run(fail_leaving_a_task(trace))");
  const std::string thrown =
      outcome([&trace] { aio::run(fail_leaving_a_task(trace), stalling_clock()); });
  EXPECT_STEP_EQ(script, thrown, std::string("DiskError: main failed"),
                 "aio::run() rethrows main's exception, the same type and message");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"early started", "main throws", "early cancelled", "early cleaned up"}),
                 "before it did, the task main left behind was cancelled and ran to its end");
}

// ---- the tasks main leaves behind ------------------------------------------------------------

TEST_F(Ex47Run, CancelsTheTasksMainLeftAndWaitsForThemToEnd) {
  Script script(
      "main starts task early (it sleeps 100 s, and cleans up for 1 s once cancelled), yields "
      "and returns 7",
      kLesson);
  Trace trace;

  script.step("result = aio::run(leave_tasks_behind(trace))");
  int result = 0;
  const std::string thrown = outcome(
      [&trace, &result] { result = aio::run(leave_tasks_behind(trace), stalling_clock()); });
  EXPECT_STEP_EQ(script, thrown, std::string("nothing"), "aio::run() returns normally");
  EXPECT_STEP_EQ(script, result, 7, "with main's result");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"early started", "main returns", "early cancelled", "early cleaned up"}),
                 "once main is done, every task still pending is cancelled, and aio::run() "
                 "waits until each has ended: early's catch block and its 1 s clean-up ran "
                 "before aio::run() returned");
}

TEST_F(Ex47Run, LeftoverThatFailsDuringShutdownGoesToTheExceptionHandler) {
  Script script(
      "main sets the loop's exception handler, starts task \"cleaner\" (once cancelled, it "
      "fails with DiskError), yields and returns 1",
      kLesson);
  Trace trace;
  Trace reports;

  script.step("result = aio::run(leave_a_failing_task(trace, reports))");
  int result = 0;
  const std::string thrown =
      outcome([&] { result = aio::run(leave_a_failing_task(trace, reports), stalling_clock()); });
  EXPECT_STEP_EQ(script, thrown, std::string("nothing"),
                 "a task that fails during the shutdown does not make aio::run() throw");
  EXPECT_STEP_EQ(script, result, 1, "aio::run() returns main's result");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"failing started", "failing cancelled", "failing cleaned up"}),
                 "the task was cancelled and ran its clean-up");
  EXPECT_STEP_EQ(script, reports.size(), std::size_t{1},
                 "its exception went to the loop's exception handler, once");
  if (reports.size() == 1) {
    EXPECT_STEP_TRUE(script,
                     reports[0].starts_with("unhandled exception during asyncio.run() shutdown") &&
                         reports[0].ends_with(" / DiskError: failing failed in its clean-up"),
                     "with asyncio's message, \"unhandled exception during asyncio.run() "
                     "shutdown\", and the task's exception (seen: \"" +
                         reports[0] + "\")");
  }
}

// ---- the loop --------------------------------------------------------------------------------

TEST_F(Ex47Run, RefusesToRunInsideARunningLoop) {
  Script script("main calls aio::run(answer()) from inside its own aio::run()", kLesson);
  Trace reports;

  script.step("outer = aio::run(run_inside_run(reports))");
  std::string inner = "main did not run";
  const std::string thrown =
      outcome([&inner, &reports] { inner = aio::run(run_inside_run(reports), stalling_clock()); });
  EXPECT_STEP_EQ(script, thrown, std::string("nothing"), "the outer aio::run() returns normally");
  EXPECT_STEP_EQ(script, inner,
                 std::string("std::runtime_error: asyncio.run() cannot be called from a running "
                             "event loop"),
                 "the inner aio::run() is std::runtime_error, with asyncio's message: a loop "
                 "already runs in this thread");
}

TEST_F(Ex47Run, NoLoopRunsOnceRunReturns) {
  Script script("aio::run(answer()), then get_running_loop(), then aio::run(answer()) again",
                kLesson);

  script.step("aio::run(answer())");
  const std::string first = outcome([] { aio::run(answer(), stalling_clock()); });
  EXPECT_STEP_EQ(script, first, std::string("nothing"), "aio::run() returns normally");

  script.step("get_running_loop()");
  const std::string running = outcome([] { aio::get_running_loop(); });
  EXPECT_STEP_TRUE(script, running.starts_with("std::runtime_error"),
                   "aio::run()'s loop was closed and is gone: no loop runs in this thread any "
                   "more, so get_running_loop() throws (seen: " +
                       running + ")");

  script.step("aio::run(answer()) again");
  int again = 0;
  const std::string second = outcome([&again] { again = aio::run(answer(), stalling_clock()); });
  EXPECT_STEP_EQ(script, second, std::string("nothing"),
                 "each aio::run() makes a loop of its own: it can run again");
  EXPECT_STEP_EQ(script, again, 42, "with the new main's result");
}

TEST_F(Ex47Run, RunOptionsWithAManualClockMakeTimeBasedMainsInstant) {
  Script script("aio::run(sleep_an_hour(), options with a ManualClock that auto-advances)",
                kLesson);

  script.step("options.clock = ManualClock(0, auto_advance); aio::run(sleep_an_hour(), options)");
  aio::RunOptions options;
  options.clock = std::make_shared<aio::ManualClock>(0.0, true);
  double result = -1;
  const std::string thrown =
      outcome([&result, &options] { result = aio::run(sleep_an_hour(), std::move(options)); });
  EXPECT_STEP_EQ(script, thrown, std::string("nothing"), "aio::run() returns normally");
  EXPECT_STEP_EQ(script, result, 3600.0,
                 "the loop aio::run() made used the clock of the options: main slept its hour "
                 "of loop time, in no real time");
}
