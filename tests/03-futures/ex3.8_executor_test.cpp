// Exercise 3.8: run_in_executor returns a Future.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// The function runs on a worker thread of the loop's pool (chapter 02's run_in_executor); its
// result comes back to the loop's thread, which completes the future. The tests wait for the
// future with run_until_complete (Exercise 3.4) on the real clock: the loop sleeps in its
// selector until the worker wakes it. A watchdog timer stops the loop if a future never
// completes, so a wrong implementation fails instead of hanging.
//
// Threads meet through flags, never through sleeps. These tests must pass under
// ThreadSanitizer (the tsan preset): the future is touched on the loop's thread only.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/executor.hpp"
#include "aio/future.hpp"
#include "aio/run_until_complete.hpp"
#include "support/flag.hpp"
#include "support/script.hpp"

namespace {

using aio::EventLoop;
using aio::Future;
using aio::testing::Flag;
using aio::testing::outcome_of;
using aio::testing::Script;
using Trace = std::vector<std::string>;
using namespace std::chrono_literals;

constexpr const char* kLesson = "Exercise 3.8";
constexpr auto kWatchdog = 5s;  // never reached when the code is right
constexpr double kWatchdogSeconds = 5.0;

// Sets a flag when the scope ends, however it ends: a job blocked on the flag is released
// even when the test stopped early, so the loop's pool can join its workers.
struct SetOnExit {
  Flag& flag;
  ~SetOnExit() { flag.set(); }
};

// run_until_complete(loop, future) with a watchdog: a timer that stops the loop if the future
// is still pending after kWatchdogSeconds, so that run_until_complete throws instead of
// waiting forever. A correct run_in_executor never lets it fire.
template <class T>
T complete(EventLoop& loop, const Future<T>& future) {
  const aio::TimerHandlePtr watchdog = loop.call_later(
      kWatchdogSeconds, [&loop] { loop.stop(); }, "watchdog");
  struct CancelOnExit {
    const aio::TimerHandlePtr& timer;
    ~CancelOnExit() { timer->cancel(); }
  } cancel_on_exit{watchdog};
  return aio::run_until_complete(loop, future);
}

EventLoop::Options with(std::size_t workers, bool debug = false) {
  EventLoop::Options options;
  options.executor_workers = workers;
  options.debug = debug;
  return options;
}

// Every test keeps what its loop reports to the exception handler (the loop's thread calls
// it), and ends with nothing there: a done callback that set the result of a cancelled future
// would be reported there as an InvalidStateError.
class Ex38Executor : public ::testing::Test {
 protected:
  void watch(EventLoop& loop) {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      std::string what;
      try {
        if (context.exception) std::rethrow_exception(context.exception);
      } catch (const std::exception& e) {
        what = e.what();
      }
      reports.push_back(context.message + ": " + what);
    });
    // Debug mode logs slow callbacks: a slow machine is not this exercise's business.
    loop.set_log([](std::string_view) {});
  }

  void TearDown() override {
    EXPECT_EQ(reports, Trace{})
        << "the loop's exception handler was called, and this test expected no report";
  }

  Trace reports;  // declared before every loop of the test, which report into it
};

}  // namespace

TEST_F(Ex38Executor, ValueArrivesInTheFutureCompletedOnTheLoopsThread) {
  Script script("f = run_in_executor(loop, return 42), on a loop in debug mode", kLesson);
  const std::thread::id test_thread = std::this_thread::get_id();
  std::thread::id job_thread;
  std::thread::id callback_thread;
  Flag loop_running;  // declared before the loop: the loop's worker waits on it
  // Debug mode refuses to let a thread that does not run the loop complete a future, while
  // the loop runs: the job waits until it does.
  EventLoop loop(with(4, /*debug=*/true));
  watch(loop);
  const SetOnExit release_on_exit{loop_running};

  script.step(
      "f = run_in_executor(loop, a function that waits until the loop runs, notes its "
      "thread and returns 42); f.add_done_callback(note the thread)");
  Future<int> f = aio::run_in_executor(loop, [&loop_running, &job_thread] {
    loop_running.wait_for(kWatchdog);
    job_thread = std::this_thread::get_id();
    return 42;
  });
  static_assert(std::is_same_v<decltype(f), Future<int>>,
                "a function that returns int gives a Future<int>");
  f.add_done_callback(
      [&callback_thread](const Future<int>&) { callback_thread = std::this_thread::get_id(); });
  EXPECT_STEP_TRUE(script, !f.done(),
                   "run_in_executor() returns at once, before the function has run");

  script.step("call_soon(tell the job the loop runs); run_until_complete(loop, f)");
  loop.call_soon([&loop_running] { loop_running.set(); });
  int value = 0;
  EXPECT_STEP_EQ(script, outcome_of([&] { value = complete(loop, f); }), std::string("nothing"),
                 "the future completes, with a value");
  EXPECT_STEP_EQ(script, value, 42, "the future's value is what the function returned");
  EXPECT_STEP_TRUE(script, job_thread != std::thread::id{} && job_thread != test_thread,
                   "the function ran on another thread (a worker of the loop's pool)");
  EXPECT_STEP_TRUE(script, callback_thread == test_thread,
                   "the future was completed on the loop's thread, the test's, where its done "
                   "callback ran: a future is not thread-safe, so the worker only hands the "
                   "value over (debug mode refuses set_result() from the worker)");
}

TEST_F(Ex38Executor, ExceptionThrownByTheFunctionArrivesInTheFuture) {
  Script script("f = run_in_executor(loop, throw runtime_error(\"disk on fire\"))", kLesson);
  EventLoop loop(with(4));
  watch(loop);

  script.step("f = run_in_executor(loop, a function that throws); run_until_complete(loop, f)");
  Future<int> f =
      aio::run_in_executor(loop, []() -> int { throw std::runtime_error("disk on fire"); });
  EXPECT_STEP_EQ(script, outcome_of([&] { complete(loop, f); }),
                 std::string("std::runtime_error: disk on fire"),
                 "what the function threw on the worker is the future's exception, thrown "
                 "again by run_until_complete() on the loop's thread");
}

TEST_F(Ex38Executor, VoidFunctionGivesAFutureOfVoid) {
  Script script("f = run_in_executor(loop, a function that returns nothing)", kLesson);
  bool ran = false;
  EventLoop loop(with(4));
  watch(loop);

  script.step("f = run_in_executor(loop, set ran); run_until_complete(loop, f)");
  Future<void> f = aio::run_in_executor(loop, [&ran] { ran = true; });
  EXPECT_STEP_EQ(script, outcome_of([&] { complete(loop, f); }), std::string("nothing"),
                 "a void function gives a Future<void> that finishes without a value");
  EXPECT_STEP_TRUE(script, ran, "the function ran before the future finished");
}

TEST_F(Ex38Executor, MoveOnlyResultArrivesInTheFuture) {
  Script script("f = run_in_executor(loop, return std::make_unique<int>(7))", kLesson);
  EventLoop loop(with(4));
  watch(loop);

  script.step("f = run_in_executor(loop, make a unique_ptr); p = run_until_complete(loop, f)");
  Future<std::unique_ptr<int>> f =
      aio::run_in_executor(loop, [] { return std::make_unique<int>(7); });
  std::unique_ptr<int> p;
  EXPECT_STEP_EQ(script, outcome_of([&] { p = complete(loop, f); }), std::string("nothing"),
                 "a result that can only be moved is moved through, never copied");
  EXPECT_STEP_TRUE(script, p != nullptr && *p == 7, "and it arrives whole: *p == 7");
}

TEST_F(Ex38Executor, FutureCancelledBeforeTheJobFinishesStaysCancelled) {
  Script script("cancel the future of a job that is still running, then let the job end", kLesson);
  Flag release;  // declared before the loop: the loop's worker waits on it
  // One worker runs the jobs in order: when the second job's future is done, the first job's
  // result has reached the loop before it.
  EventLoop loop(with(1));
  watch(loop);
  const SetOnExit release_on_exit{release};

  script.step("first = run_in_executor(loop, wait for `release`, then return 1)");
  Future<int> first = aio::run_in_executor(loop, [&release] {
    release.wait_for(kWatchdog);
    return 1;
  });

  script.step("first.cancel()");
  EXPECT_STEP_TRUE(script, first.cancel(),
                   "the job is still running: its future can be "
                   "cancelled");

  script.step(
      "set `release`; second = run_in_executor(loop, return 2); "
      "run_until_complete(loop, second)");
  release.set();
  Future<int> second = aio::run_in_executor(loop, [] { return 2; });
  EXPECT_STEP_EQ(script, outcome_of([&] { complete(loop, second); }), std::string("nothing"),
                 "the loop goes on; nothing throws when the first job's value comes back to a "
                 "cancelled future");
  EXPECT_STEP_TRUE(script, first.cancelled(),
                   "the first future stays cancelled: the value that came back too late is "
                   "dropped (a done callback that set it anyway would raise InvalidStateError, "
                   "reported to the exception handler)");
}

TEST_F(Ex38Executor, ManyJobsAllCompleteWithTheRightValues) {
  Script script("100 jobs, job i returns i * i", kLesson);
  constexpr int kJobs = 100;
  EventLoop loop(with(4));
  watch(loop);

  script.step("run_in_executor(loop, return i * i) for i in 0..99; run_until_complete each");
  std::vector<Future<int>> futures;
  for (int i = 0; i < kJobs; ++i) {
    futures.push_back(aio::run_in_executor(loop, [i] { return i * i; }));
  }
  std::vector<int> seen;
  std::vector<int> expected;
  for (int i = 0; i < kJobs; ++i) {
    expected.push_back(i * i);
    seen.push_back(complete(loop, futures[i]));
  }
  EXPECT_STEP_EQ(script, seen, expected,
                 "every job's value reaches its own future, whatever order the four workers "
                 "finish them in");
}
