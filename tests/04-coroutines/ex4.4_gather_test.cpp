// Exercise 4.4: gather, for tasks (GatherCore::cancel_children and GatherCore::on_child_done).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// Most scenarios run inside a task, the way asyncio code awaits gather: gather() turns its
// coroutines into tasks on the running loop, so it must be called from a coroutine. The loop's
// clock is an aio::ManualClock with auto_advance: when nothing is ready, the loop jumps straight
// to its next timer, so sleeps of seconds take no real time and every time a test reads is
// exact. run_until_done() runs the loop until a task is done, with a watchdog timer that stops
// it if nothing is left to do: a gather that never finishes fails its test instead of hanging.
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
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "aio/clock.hpp"
#include "aio/coroutine.hpp"
#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/gather_tasks.hpp"
#include "aio/outcome.hpp"
#include "aio/sleep.hpp"
#include "aio/task.hpp"
#include "loop_harness.hpp"
#include "support/script.hpp"

namespace {

using aio::AnyTask;
using aio::Coroutine;
using aio::EventLoop;
using aio::Future;
using aio::Outcome;
using aio::Task;
using aio::testing::finish_leftovers;
using aio::testing::now;
using aio::testing::on;
using aio::testing::run_until_done;
using aio::testing::Script;
using aio::testing::TestTimer;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 4.4";

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

// A future or a task in words: "pending", "cancelled", "finished" or "exception <what>".
// Reading it retrieves its exception, as a caller would.
template <class F>
std::string state_of(const F& future) {
  if (!future.done()) return "pending";
  if (future.cancelled()) return "cancelled";
  if (const std::exception_ptr error = future.exception()) return "exception " + describe(error);
  return "finished";
}

template <class F>
bool has_value(const F& future) {
  return state_of(future) == "finished";
}

std::string text_of(Outcome<int>& item) {
  return item.has_value() ? "value " + std::to_string(item.value())
                          : "exception " + describe(item.exception());
}

// ---- coroutines the tests gather -------------------------------------------------------------

// Sleeps, notes "<value> at t=<time>", returns `value`.
Coroutine<int> value_after(double delay, int value, Trace& trace) {
  co_await aio::sleep(delay);
  trace.push_back(std::to_string(value) + " at " + now());
  co_return value;
}

Coroutine<int> plain_value_after(double delay, int value) {
  co_await aio::sleep(delay);
  co_return value;
}

// Sleeps, then throws DiskError(what).
Coroutine<int> fail_after(double delay, std::string what) {
  co_await aio::sleep(delay);
  throw DiskError(what);
}

Coroutine<void> nothing_after(double delay) {
  co_await aio::sleep(delay);
}

// Notes its task and start time, sleeps, returns `value`.
Coroutine<int> traced_child(double delay, int value, std::vector<AnyTask>& tasks, Trace& starts) {
  tasks.push_back(*aio::current_task());
  starts.push_back(std::to_string(value) + " starts at " + now());
  co_await aio::sleep(delay);
  co_return value;
}

// Sleeps; a cancellation is noted "<name> cancelled (<message>) at t=<time>", then goes on.
Coroutine<int> cancellable(std::string name, double delay, int value, Trace& trace) {
  try {
    co_await aio::sleep(delay);
  } catch (const aio::CancelledError& e) {
    trace.push_back(name + " cancelled (" + e.message() + ") at " + now());
    throw;
  }
  co_return value;
}

// Sleeps, then cancels `victim` with `message`.
Coroutine<void> cancel_after(double delay, Task<int> victim, std::string message) {
  co_await aio::sleep(delay);
  victim.cancel(message);
}

class Ex44Gather : public ::testing::Test {
 protected:
  Ex44Gather() {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      reports.push_back(context.message + ": " + describe(context.exception));
    });
  }

  void TearDown() override {
    finish_leftovers(loop);
    EXPECT_EQ(reports, Trace{})
        << "the loop's exception handler was called, and this test expected no report (an "
           "exception in a callback, or a child's exception that nobody retrieved)";
  }

  // What the tasks of a test write into lives here, not in the test's body: a task that a
  // failed test leaves behind is cancelled and run to its end in TearDown(), after the body.
  Trace trace;
  Trace reports;  // declared before the loop, which reports into it until its very end
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>(0.0, true);
  EventLoop loop{on(clock)};
};

}  // namespace

// ---- results ---------------------------------------------------------------------------------

Coroutine<std::tuple<int, int, int>> gather_three(Trace& trace) {
  co_return co_await aio::gather(value_after(3, 30, trace), value_after(1, 10, trace),
                                 value_after(2, 20, trace));
}

TEST_F(Ex44Gather, ResultsComeInArgumentOrderWhateverTheCompletionOrder) {
  Script script("a task awaits gather(sleep 3 -> 30, sleep 1 -> 10, sleep 2 -> 20)", kLesson);

  script.step("create_task(gather_three(...)); run the loop until the task is done");
  const Task<std::tuple<int, int, int>> task = aio::create_task(loop, gather_three(trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, (Trace{"10 at t=1", "20 at t=2", "30 at t=3"}),
                 "the children finish in the order of their sleeps");
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"),
                 "the gather finished once all three had, with their results");
  if (has_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), std::make_tuple(30, 10, 20),
                   "the tuple holds the results in the order of the arguments, not in the "
                   "order the children finished");
  }
}

Coroutine<std::tuple<int, int, int>> gather_traced(std::vector<AnyTask>& tasks, Trace& starts) {
  co_return co_await aio::gather(traced_child(3, 30, tasks, starts),
                                 traced_child(1, 10, tasks, starts),
                                 traced_child(2, 20, tasks, starts));
}

TEST_F(Ex44Gather, CoroutinesBecomeTasksThatRunAtTheSameTime) {
  Script script("a task awaits gather of three coroutines that sleep 3, 1 and 2 seconds", kLesson);
  std::vector<AnyTask> tasks;

  script.step("create_task(gather_traced(...)); run the loop until the task is done");
  const Task<std::tuple<int, int, int>> task = aio::create_task(loop, gather_traced(tasks, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace, (Trace{"30 starts at t=0", "10 starts at t=0", "20 starts at t=0"}),
                 "the three coroutines start together, in the order given: gather wraps them in "
                 "tasks one after the other, from the first argument to the last, so their first "
                 "steps run in that order (as asyncio's do)");
  EXPECT_STEP_TRUE(script,
                   tasks.size() == 3 && !(tasks[0] == task) && !(tasks[1] == task) &&
                       !(tasks[2] == task) && !(tasks[0] == tasks[1]) && !(tasks[1] == tasks[2]) &&
                       !(tasks[0] == tasks[2]),
                   "each coroutine runs in a task of its own (gather wraps each in a task), not "
                   "in the task that awaits the gather");
  EXPECT_STEP_TRUE(script, has_value(task), "the gather finished with the three results");
  EXPECT_STEP_EQ(script, loop.time(), 3.0,
                 "the tasks ran at the same time: the whole gather took as long as the "
                 "longest child (3 s), not the sum of the three (6 s)");
}

Coroutine<std::tuple<std::monostate, int>> gather_void_and_int(Trace& trace) {
  auto all = aio::gather(nothing_after(1), value_after(2, 7, trace));
  static_assert(std::is_same_v<decltype(all), Future<std::tuple<std::monostate, int>>>,
                "a Coroutine<void> gives a std::monostate in the tuple");
  co_return co_await all;
}

TEST_F(Ex44Gather, VoidChildrenGiveStdMonostate) {
  Script script("a task awaits gather(a Coroutine<void> that sleeps 1, sleep 2 -> 7)", kLesson);

  script.step("create_task(gather_void_and_int(...)); run the loop until the task is done");
  const Task<std::tuple<std::monostate, int>> task =
      aio::create_task(loop, gather_void_and_int(trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"),
                 "a void child has no value, but it finished: the gather finishes too");
  if (has_value(task)) {
    EXPECT_STEP_EQ(script, std::get<1>(task.result()), 7,
                   "std::monostate stands in for the void child; the other result follows it");
  }
}

// ---- failures --------------------------------------------------------------------------------

// Gathers a failing coroutine and a slow task; reports what the await threw, then waits for
// the slow task.
Coroutine<std::string> first_failure(Trace& trace, std::optional<Task<int>>& slow) {
  slow = aio::create_task(value_after(2, 20, trace));
  std::string seen;
  try {
    co_await aio::gather(fail_after(1, "disk full"), *slow);
    seen = "nothing";
  } catch (...) {
    seen = describe(std::current_exception()) + " at " + now();
  }
  const int late = co_await *slow;
  trace.push_back("slow gave " + std::to_string(late));
  co_return seen;
}

TEST_F(Ex44Gather, FirstExceptionComesOutWhileTheOtherChildrenKeepRunning) {
  Script script(
      "a task awaits gather(fail after 1 s, a task that sleeps 2 s -> 20), then awaits that "
      "task",
      kLesson);
  std::optional<Task<int>> slow;

  script.step("create_task(first_failure(...)); run the loop until the task is done");
  const Task<std::string> task = aio::create_task(loop, first_failure(trace, slow));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"),
                 "the task caught what the gather threw");
  if (has_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), std::string("DiskError: disk full at t=1"),
                   "the first child to fail ends the gather at once (t=1) with its exception, "
                   "without waiting for the other child");
  }
  EXPECT_STEP_EQ(script, trace, (Trace{"20 at t=2", "slow gave 20"}),
                 "the other child was not cancelled: it went on and finished at t=2");
  EXPECT_STEP_TRUE(script, slow.has_value() && has_value(*slow),
                   "the slow task finished with its value");
}

Coroutine<std::string> two_failures() {
  std::string seen;
  try {
    co_await aio::gather(fail_after(1, "first"), fail_after(2, "second"));
    seen = "nothing";
  } catch (...) {
    seen = describe(std::current_exception());
  }
  co_await aio::sleep(5);  // the second child fails meanwhile
  co_return seen;
}

TEST_F(Ex44Gather, LaterFailuresAreNotReportedAsNeverRetrieved) {
  Script script("a task awaits gather(fail after 1 s, fail after 2 s), then sleeps 5 s", kLesson);

  script.step("create_task(two_failures()); run the loop until the task is done");
  const Task<std::string> task = aio::create_task(loop, two_failures());
  run_until_done(loop, task);
  EXPECT_STEP_TRUE(script, has_value(task), "the task caught the gather's exception");
  if (has_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), std::string("DiskError: first"),
                   "the first failure is the gather's");
  }
  EXPECT_STEP_EQ(script, reports, Trace{},
                 "the second child failed after the gather was done: the gather still looks at "
                 "its exception (asyncio marks it retrieved), so no \"Future exception was never "
                 "retrieved\" reaches the exception handler");
  reports.clear();
}

Coroutine<std::tuple<Outcome<int>, Outcome<int>, Outcome<int>>> gather_outcomes(Trace& trace) {
  co_return co_await aio::gather(aio::return_exceptions, value_after(1, 10, trace),
                                 fail_after(2, "disk full"), value_after(3, 30, trace));
}

TEST_F(Ex44Gather, ReturnExceptionsGivesAnOutcomePerChildOnceAllAreDone) {
  Script script(
      "a task awaits gather(return_exceptions, sleep 1 -> 10, fail after 2 s, sleep 3 -> 30)",
      kLesson);

  script.step("create_task(gather_outcomes(...)); run the loop until the task is done");
  const Task<std::tuple<Outcome<int>, Outcome<int>, Outcome<int>>> task =
      aio::create_task(loop, gather_outcomes(trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"),
                 "with return_exceptions, a failure does not end the gather: it finishes with "
                 "a value");
  EXPECT_STEP_EQ(script, loop.time(), 3.0, "it waited for the last child (t=3)");
  if (has_value(task)) {
    auto& [first, second, third] = task.result();
    EXPECT_STEP_EQ(script, (Trace{text_of(first), text_of(second), text_of(third)}),
                   (Trace{"value 10", "exception DiskError: disk full", "value 30"}),
                   "each child's Outcome, in argument order: a value or the exception");
  }
}

Coroutine<std::tuple<Outcome<int>, Outcome<int>, Outcome<int>>> fail_and_cancel(Trace& trace) {
  const Task<int> victim = aio::create_task(value_after(5, 50, trace));
  const Task<void> canceller = aio::create_task(cancel_after(1.5, victim, "victim stopped"));
  auto all = aio::gather(aio::return_exceptions, fail_after(1, "disk full"), victim,
                         value_after(2, 20, trace));
  auto outcomes = co_await all;
  co_await canceller;
  co_return outcomes;
}

TEST_F(Ex44Gather, ReturnExceptionsWithOneChildFailedAndOneCancelled) {
  Script script(
      "a task awaits gather(return_exceptions, fail after 1 s, a task cancelled at t=1.5 "
      "(\"victim stopped\"), sleep 2 -> 20)",
      kLesson);

  script.step("create_task(fail_and_cancel(...)); run the loop until the task is done");
  const Task<std::tuple<Outcome<int>, Outcome<int>, Outcome<int>>> task =
      aio::create_task(loop, fail_and_cancel(trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"),
                 "with return_exceptions, neither a failure nor a cancelled child ends the "
                 "gather: the task awaiting it was not cancelled either");
  if (has_value(task)) {
    auto& [failed, cancelled, fine] = task.result();
    EXPECT_STEP_EQ(
        script, (Trace{text_of(failed), text_of(cancelled), text_of(fine)}),
        (Trace{"exception DiskError: disk full", "exception aio::CancelledError: victim stopped",
               "value 20"}),
        "the failure is an Outcome holding its exception, the cancelled child one holding a "
        "CancelledError with the cancel message, and the third child's value is there");
  }
  EXPECT_STEP_EQ(script, trace, Trace{"20 at t=2"}, "the cancelled child never woke up");
}

// Gathers a slow coroutine and a task that another task cancels; keeps the gather's future.
Coroutine<std::string> await_cancelled_child(Trace& trace,
                                             std::optional<Future<std::tuple<int, int>>>& all) {
  const Task<int> victim = aio::create_task(value_after(5, 50, trace));
  const Task<void> canceller = aio::create_task(cancel_after(1, victim, "victim stopped"));
  all = aio::gather(value_after(2, 20, trace), victim);
  std::string seen;
  try {
    co_await *all;
    seen = "nothing";
  } catch (...) {
    seen = describe(std::current_exception()) + " at " + now();
  }
  co_await aio::sleep(5);  // the other child finishes meanwhile
  co_return seen;
}

TEST_F(Ex44Gather, CancelledChildFinishesTheGatherWithCancelledError) {
  Script script(
      "a task awaits gather(sleep 2 -> 20, a task cancelled at t=1 (\"victim stopped\")), "
      "without return_exceptions",
      kLesson);
  std::optional<Future<std::tuple<int, int>>> all;

  script.step("create_task(await_cancelled_child(...)); run the loop until the task is done");
  const Task<std::string> task = aio::create_task(loop, await_cancelled_child(trace, all));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"),
                 "the awaiting task caught what the gather threw");
  if (has_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), std::string("aio::CancelledError: victim stopped at t=1"),
                   "a cancelled child ends the gather at once with its CancelledError, as a "
                   "failure would, message included");
  }
  EXPECT_STEP_TRUE(script, all.has_value() && all->done() && !all->cancelled(),
                   "the gather itself finished with that exception; nobody cancelled it, so "
                   "cancelled() is false (as in asyncio)");
  EXPECT_STEP_EQ(script, trace, Trace{"20 at t=2"}, "the other child went on: it finished at t=2");
}

// ---- cancelling ------------------------------------------------------------------------------

Coroutine<std::string> await_gather(Trace& trace,
                                    std::optional<Future<std::tuple<int, int>>>& all) {
  all = aio::gather(cancellable("a", 5, 1, trace), cancellable("b", 10, 2, trace));
  try {
    co_await *all;
  } catch (...) {
    trace.push_back("awaiting task saw " + describe(std::current_exception()) + " at " + now());
    throw;
  }
  co_return "nothing";
}

TEST_F(Ex44Gather, CancellingTheGatherCancelsEveryChild) {
  Script script("a task awaits all = gather(a sleeps 5 s, b sleeps 10 s); at t=1, all.cancel()",
                kLesson);
  std::optional<Future<std::tuple<int, int>>> all;
  std::string cancel_returned = "not called";

  script.step("create_task(await_gather(...)); at t=1 all.cancel(\"enough\"); run the loop");
  const Task<std::string> task = aio::create_task(loop, await_gather(trace, all));
  const TestTimer timer(loop.call_at(1.0, [&all, &cancel_returned] {
    if (!all.has_value()) return;  // the task never ran as far as gather()
    try {
      cancel_returned = all->cancel("enough") ? "true" : "false";
    } catch (...) {
      cancel_returned = describe(std::current_exception());
    }
  }));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, cancel_returned, std::string("true"),
                 "cancel() on a pending gather returns true: it could cancel its children");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"a cancelled (enough) at t=1", "b cancelled (enough) at t=1",
                        "awaiting task saw aio::CancelledError: enough at t=1"}),
                 "cancelling the gather cancels each child still running, with the message; "
                 "the gather then ends with CancelledError");
  EXPECT_STEP_TRUE(script, all.has_value() && all->done(), "the gather is done");
  if (all.has_value() && all->done()) {
    EXPECT_STEP_EQ(script, outcome([&] { all->result(); }),
                   std::string("aio::CancelledError: enough"),
                   "its result() throws CancelledError");
  }
  EXPECT_STEP_EQ(script, state_of(task), std::string("cancelled"),
                 "the CancelledError came out of the awaiting task's coroutine: the task ends "
                 "cancelled");
}

TEST_F(Ex44Gather, CancellingTheTaskThatAwaitsTheGatherCancelsTheChildren) {
  Script script(
      "a task awaits all = gather(a sleeps 5 s, b sleeps 10 s); at t=1 the task is cancelled",
      kLesson);
  std::optional<Future<std::tuple<int, int>>> all;

  script.step("create_task(await_gather(...)); at t=1 task.cancel(\"stop\"); run the loop");
  const Task<std::string> task = aio::create_task(loop, await_gather(trace, all));
  const TestTimer timer(loop.call_at(1.0, [&task] { task.cancel("stop"); }));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"a cancelled (stop) at t=1", "b cancelled (stop) at t=1",
                        "awaiting task saw aio::CancelledError: stop at t=1"}),
                 "the task waits for the gather's future, so task.cancel() cancels that future "
                 "(its waiter), which cancels each child; the task then wakes with "
                 "CancelledError");
  EXPECT_STEP_EQ(script, state_of(task), std::string("cancelled"), "the task ends cancelled");
}

Coroutine<std::string> await_gather_returning_exceptions(
    Trace& trace, std::optional<Future<std::tuple<Outcome<int>, Outcome<int>>>>& all) {
  all = aio::gather(aio::return_exceptions, cancellable("a", 5, 1, trace),
                    cancellable("b", 10, 2, trace));
  try {
    co_await *all;
  } catch (...) {
    co_return describe(std::current_exception()) + " at " + now();
  }
  co_return "Outcomes";
}

TEST_F(Ex44Gather, CancellingTheGatherRaisesCancelledErrorEvenWithReturnExceptions) {
  Script script(
      "a task awaits all = gather(return_exceptions, a sleeps 5 s, b sleeps 10 s); at t=1, "
      "all.cancel(\"enough\")",
      kLesson);
  std::optional<Future<std::tuple<Outcome<int>, Outcome<int>>>> all;

  script.step("create_task(await_gather_returning_exceptions(...)); at t=1 all.cancel(\"enough\")");
  const Task<std::string> task =
      aio::create_task(loop, await_gather_returning_exceptions(trace, all));
  const TestTimer timer(loop.call_at(1.0, [&all] {
    if (all.has_value()) all->cancel("enough");  // (unless the task never ran as far as gather())
  }));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"a cancelled (enough) at t=1", "b cancelled (enough) at t=1"}),
                 "the children were cancelled");
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"), "the task caught what came out");
  if (state_of(task) == "finished") {
    EXPECT_STEP_EQ(script, task.result(), std::string("aio::CancelledError: enough at t=1"),
                   "a gather that was cancelled ends with CancelledError whatever "
                   "return_exceptions says (asyncio's rule, bpo-32684): the children's "
                   "CancelledErrors are not handed back as Outcomes");
  }
}

Coroutine<std::tuple<int, int, int>> gather_same_twice(Future<int> gate, Trace& trace) {
  co_return co_await aio::gather(gate, value_after(1, 10, trace), gate);
}

TEST_F(Ex44Gather, FuturePassedTwiceIsWaitedForOnceAndGivesItsResultTwice) {
  Script script("a task awaits gather(gate, sleep 1 -> 10, gate); gate gets 5 at t=2", kLesson);
  const Future<int> gate(loop);

  script.step("create_task(gather_same_twice(gate)); at t=2 gate.set_result(5); run the loop");
  const Task<std::tuple<int, int, int>> task =
      aio::create_task(loop, gather_same_twice(gate, trace));
  const TestTimer timer(loop.call_at(2.0, [&gate] { gate.set_result(5); }));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"),
                 "the gather counts a future passed twice once: it finished when both distinct "
                 "children had");
  if (has_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), std::make_tuple(5, 10, 5),
                   "its result stands at both of its places");
  }
  EXPECT_STEP_EQ(script, loop.time(), 2.0, "at t=2, when the gate got its result");
}

// ---- edge cases ------------------------------------------------------------------------------

Coroutine<std::string> gather_nothing() {
  Future<std::tuple<>> all = aio::gather();
  if (!all.done()) {
    co_await all;
    co_return "pending at first";
  }
  all.result();
  co_return "done at once";
}

TEST_F(Ex44Gather, GatherOfNothingIsDoneAtOnceWithAnEmptyTuple) {
  Script script("inside a task, all = gather() with no argument", kLesson);

  script.step("create_task(gather_nothing()); one iteration");
  const Task<std::string> task = aio::create_task(loop, gather_nothing());
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "gather() of nothing finishes with an empty tuple");
  if (has_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), std::string("done at once"),
                   "as in asyncio, the future is done when gather() returns: there is no "
                   "child to wait for");
  }
}

Coroutine<std::vector<int>> gather_thousand() {
  std::vector<Coroutine<int>> coroutines;
  for (int i = 0; i < 1000; ++i) {
    // Sleeps from 9 s down to 0 s, in a cycle: the completion order differs from the order.
    coroutines.push_back(plain_value_after(9 - i % 10, i));
  }
  co_return co_await aio::gather_all(std::move(coroutines));
}

TEST_F(Ex44Gather, GatherAllOfAThousandCoroutinesKeepsTheirOrder) {
  Script script(
      "a task awaits gather_all of 1000 coroutines; coroutine i sleeps 9 - i % 10 seconds and "
      "returns i",
      kLesson);

  script.step("create_task(gather_thousand()); run the loop until the task is done");
  const Task<std::vector<int>> task = aio::create_task(loop, gather_thousand());
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"), "every child finished");
  if (has_value(task)) {
    std::vector<int> expected(1000);
    for (int i = 0; i < 1000; ++i) expected[static_cast<std::size_t>(i)] = i;
    EXPECT_STEP_TRUE(script, task.result() == expected,
                     "the vector holds result i at index i, whatever order they finished in");
  }
  EXPECT_STEP_EQ(script, loop.time(), 9.0, "they all ran at the same time: 9 s in all");
}

Coroutine<std::tuple<int, int>> gather_ready_and_slow(Future<int> ready, Trace& trace) {
  co_return co_await aio::gather(ready, value_after(1, 8, trace));
}

TEST_F(Ex44Gather, FutureDoneAlreadyIsGatheredWithTheOthers) {
  Script script("a future that already has its result 7; a task awaits gather(it, sleep 1 -> 8)",
                kLesson);
  const Future<int> ready(loop);
  ready.set_result(7);

  script.step("create_task(gather_ready_and_slow(ready, ...)); run the loop until it is done");
  const Task<std::tuple<int, int>> task =
      aio::create_task(loop, gather_ready_and_slow(ready, trace));
  run_until_done(loop, task);
  EXPECT_STEP_EQ(script, state_of(task), std::string("finished"),
                 "a future passed to gather is watched as it is (no task is made for it); one "
                 "done already counts as done when its done callback runs");
  if (has_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), std::make_tuple(7, 8), "its result takes its place");
  }
}
