// Exercise 4.1: a task's step, a trampoline (start_child and TaskRunner::step).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// The tests drive the loop one iteration at a time with iterate(): loop.stop(), then
// run_forever(), which then runs exactly one iteration. run_once() alone would do the same work
// but would not make the loop the running loop, which sleep(), current_task() and the "never
// awaited" report ask for. Time is an aio::ManualClock: it moves only when a test moves it.
//
// A task left waiting forever holds itself in a cycle (its future holds the task's step, the
// task holds the frame that holds the future), so every test finishes its tasks and runs the
// loop until they are done: otherwise LeakSanitizer (the asan preset) reports the cycle.
//
// The depth tests run a million awaits in a row and a chain of a hundred thousand nested
// coroutines. Their frames live on the heap and the step resumes them one after the other in a
// loop, so the machine stack stays flat: a step that resumed a child from inside its parent
// would overflow the 8 MiB stack of the test at -O0 and under AddressSanitizer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
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

using aio::AnyTask;
using aio::Coroutine;
using aio::EventLoop;
using aio::Task;
using aio::testing::on;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 4.1";

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

std::string what_of(const std::exception_ptr& error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
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

Coroutine<int> compute(int a, int b) {
  co_return a + b;
}

Coroutine<void> count_runs(int& runs) {
  ++runs;
  co_return;
}

Coroutine<int> fail_with(std::string what) {
  throw DiskError(what);
  co_return 0;  // (unreachable: it keeps the function a coroutine)
}

Coroutine<int> traced_child(Trace& trace, std::optional<AnyTask>& seen) {
  seen = aio::current_task();
  trace.push_back("child runs");
  co_return 5;
}

Coroutine<int> traced_parent(Trace& trace, std::optional<AnyTask>& seen_by_parent,
                             std::optional<AnyTask>& seen_by_child) {
  seen_by_parent = aio::current_task();
  trace.push_back("parent awaits the child");
  const int value = co_await traced_child(trace, seen_by_child);
  trace.push_back("parent got " + std::to_string(value));
  co_return value;
}

// Three frames: outer awaits middle, which awaits inner.
Coroutine<int> inner(int value, bool fail) {
  if (fail) throw DiskError("inner failed");
  co_return value;
}

Coroutine<int> middle(int value, bool fail, bool catch_it) {
  try {
    const int got = co_await inner(value, fail);
    co_return got * 10;
  } catch (const DiskError&) {
    if (!catch_it) throw;
  }
  co_return -1;  // what the middle frame answers when it caught the inner frame's error
}

Coroutine<int> outer(int value, bool fail, bool catch_it) {
  const int got = co_await middle(value, fail, catch_it);
  co_return got + 1;
}

Coroutine<void> set_flag(bool& flag) {
  flag = true;
  co_return;
}

Coroutine<std::unique_ptr<int>> make_unique_int(int value) {
  co_return std::make_unique<int>(value);
}

Coroutine<std::unique_ptr<int>> pass_unique_on(int value) {
  std::unique_ptr<int> got = co_await make_unique_int(value);
  *got += 1;
  co_return got;
}

Coroutine<std::string> await_twice(Trace& trace) {
  Coroutine<int> once = compute(1, 2);
  const int first = co_await once;
  trace.push_back("first await gave " + std::to_string(first));
  try {
    const int second = co_await once;
    trace.push_back("second await gave " + std::to_string(second));
  } catch (const std::runtime_error& e) {
    co_return std::string("std::runtime_error: ") + e.what();
  }
  co_return "nothing";
}

// The depth tests.
Coroutine<int> one() {
  co_return 1;
}

Coroutine<long> sum_of_ones(long count) {
  long total = 0;
  for (long i = 0; i < count; ++i) {
    const int value = co_await one();
    total += value;
  }
  co_return total;
}

Coroutine<long> nest(long depth) {
  if (depth == 0) co_return 0;
  const long below = co_await nest(depth - 1);
  co_return below + 1;
}

// A local object of a frame that notes its depth in `destroyed` when the frame is destroyed.
class FrameGuard {
 public:
  FrameGuard(std::vector<long>& destroyed, long depth) : destroyed_(&destroyed), depth_(depth) {}
  FrameGuard(const FrameGuard&) = delete;
  FrameGuard& operator=(const FrameGuard&) = delete;
  ~FrameGuard() { destroyed_->push_back(depth_); }

 private:
  std::vector<long>* destroyed_;
  long depth_;
};

// A chain of `depth` + 1 frames whose innermost one (depth 0) yields to the loop with sleep(0):
// the task then waits in the loop's ready queue, the only owner of its step.
Coroutine<void> hold_chain(long depth, std::vector<long>& destroyed, int& bottom_reached,
                           int& resumed) {
  const FrameGuard guard(destroyed, depth);
  if (depth == 0) {
    ++bottom_reached;
    co_await aio::sleep(0);
    ++resumed;
    co_return;
  }
  co_await hold_chain(depth - 1, destroyed, bottom_reached, resumed);
  ++resumed;
}

Coroutine<void> drop_without_await(int& dropped) {
  {
    const Coroutine<int> never_awaited = compute(1, 2);
    ++dropped;
  }
  co_return;
}

Coroutine<void> yield_once(int& before, int& after) {
  ++before;
  co_await aio::sleep(0);
  ++after;
}

// Yields to the loop `rounds` times (sleep(0) needs no future: it only schedules the next step).
Coroutine<void> yield_rounds(int rounds) {
  for (int round = 0; round < rounds; ++round) co_await aio::sleep(0);
}

Coroutine<void> note_current(std::optional<AnyTask>& seen) {
  seen = aio::current_task();
  co_return;
}

class Ex41Trampoline : public ::testing::Test {
 protected:
  Ex41Trampoline() {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      reports.push_back(Report{context.message, what_of(context.exception)});
    });
  }

  std::vector<Report> reports;  // declared before the loop: the loop's handler writes here
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  EventLoop loop{on(clock)};
};

}  // namespace

// ---- lazy coroutines, and the first step -----------------------------------------------------

TEST_F(Ex41Trampoline, CallingACoroutineFunctionRunsNoneOfItsBody) {
  Script script("a coroutine that counts its runs: call it, then wrap it in a task", kLesson);
  int runs = 0;

  script.step("call count_runs(runs) and keep the coroutine");
  Coroutine<void> coroutine = count_runs(runs);
  EXPECT_STEP_EQ(script, runs, 0,
                 "calling a coroutine function only makes its frame: none of the body runs "
                 "until the coroutine is awaited or given to a task");

  script.step("create_task(loop, coroutine); one iteration");
  const Task<void> task = aio::create_task(loop, std::move(coroutine));
  iterate(loop);
  EXPECT_STEP_EQ(script, runs, 1, "the task's first step runs the body, once");
  EXPECT_STEP_TRUE(script, task.done(), "the body ended in that step: the task is done");
}

TEST_F(Ex41Trampoline, CreateTaskSchedulesTheFirstStepWithCallSoon) {
  Script script("create_task(count_runs(runs)), then iterations of the loop", kLesson);
  int runs = 0;

  script.step("create_task(loop, count_runs(runs))");
  const Task<void> task = aio::create_task(loop, count_runs(runs));
  EXPECT_STEP_EQ(script, runs, 0,
                 "create_task() runs nothing inline: it schedules the first step with "
                 "call_soon()");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{1},
                 "the first step waits in the loop's ready queue");
  EXPECT_STEP_TRUE(script, !task.done(), "the task is pending");

  script.step("one iteration");
  iterate(loop);
  EXPECT_STEP_EQ(script, runs, 1, "the iteration runs the step, which runs the body");
  EXPECT_STEP_TRUE(script, task.done(), "the body ended: the task is done");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{0},
                 "a task whose coroutine ended schedules no further step");
}

TEST_F(Ex41Trampoline, TaskResultIsWhatTheCoroutineReturned) {
  Script script("a task of compute(20, 22), which returns a + b", kLesson);

  script.step("create_task(compute(20, 22)); one iteration");
  const Task<int> task = aio::create_task(loop, compute(20, 22));
  iterate(loop);
  EXPECT_STEP_TRUE(script, task.done(), "the coroutine ends in its first step: the task is done");
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "the task finished with a value");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), 42, "the task's result is the coroutine's co_return");
  }
}

TEST_F(Ex41Trampoline, TaskExceptionIsWhatTheCoroutineThrew) {
  Script script("a task of a coroutine that throws DiskError(\"disk full\")", kLesson);

  script.step("create_task(fail_with(\"disk full\")); one iteration");
  const Task<int> task = aio::create_task(loop, fail_with("disk full"));
  iterate(loop);
  EXPECT_STEP_TRUE(script, task.done(), "an exception that escapes the coroutine ends the task");
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("DiskError: disk full"),
                 "task.result() rethrows the coroutine's exception, the same type and message");
  EXPECT_STEP_TRUE(script, !task.cancelled(), "an error is not a cancellation");
}

// ---- awaiting a coroutine: inline, in the same task --------------------------------------------

TEST_F(Ex41Trampoline, AwaitedCoroutineRunsInlineInTheSameTask) {
  Script script("a parent task awaits a child coroutine that returns 5", kLesson);
  Trace trace;
  std::optional<AnyTask> seen_by_parent;
  std::optional<AnyTask> seen_by_child;

  script.step("create_task(traced_parent(...)); one iteration");
  const Task<int> task =
      aio::create_task(loop, traced_parent(trace, seen_by_parent, seen_by_child));
  iterate(loop);
  EXPECT_STEP_EQ(script, trace, (Trace{"parent awaits the child", "child runs", "parent got 5"}),
                 "co_await on a coroutine runs the child at once, to its end, then the parent "
                 "goes on with its result");
  EXPECT_STEP_TRUE(script, task.done(),
                   "awaiting a coroutine does not wait for the loop: the whole task ran within "
                   "one step, one iteration");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{0},
                 "and it scheduled no other step on the way");
  EXPECT_STEP_TRUE(script, seen_by_parent.has_value() && *seen_by_parent == task,
                   "inside the parent, current_task() is the task");
  EXPECT_STEP_TRUE(script, seen_by_child.has_value() && *seen_by_child == task,
                   "inside the child too: an awaited coroutine runs in its parent's task, not "
                   "in a task of its own");
}

TEST_F(Ex41Trampoline, NestedAwaitsPassValuesUpThreeFrames) {
  Script script("outer awaits middle awaits inner(4): inner returns 4, middle * 10, outer + 1",
                kLesson);

  script.step("create_task(outer(4, no failure)); one iteration");
  const Task<int> task = aio::create_task(loop, outer(4, false, false));
  iterate(loop);
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "every frame returned a value");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), 41,
                   "each co_await gives the awaited frame's co_return value to the frame "
                   "above it: 4, then 40, then 41");
  }
}

TEST_F(Ex41Trampoline, ExceptionCrossesFramesAndIsCaughtInTheMiddle) {
  Script script("inner throws DiskError; middle catches it and returns -1; outer adds 1", kLesson);

  script.step("create_task(outer(4, inner fails, middle catches)); one iteration");
  const Task<int> task = aio::create_task(loop, outer(4, true, true));
  iterate(loop);
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "the middle frame caught the error: the task finished with a value");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), 0,
                   "the inner frame's exception came out of the middle frame's co_await, "
                   "where its catch took it; the outer frame got -1 and returned 0");
  }
}

TEST_F(Ex41Trampoline, UncaughtExceptionOfTheInnermostFrameBecomesTheTasks) {
  Script script("inner throws DiskError; nobody catches it", kLesson);

  script.step("create_task(outer(4, inner fails, middle rethrows)); one iteration");
  const Task<int> task = aio::create_task(loop, outer(4, true, false));
  iterate(loop);
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("DiskError: inner failed"),
                 "an exception nobody catches crosses every frame, as a return value would, "
                 "and ends the task with it");
}

TEST_F(Ex41Trampoline, TaskOfVoidFinishesWithNoValue) {
  Script script("a Task<void> of a coroutine that sets a flag", kLesson);
  bool flag = false;

  script.step("create_task(set_flag(flag)); one iteration");
  const Task<void> task = aio::create_task(loop, set_flag(flag));
  iterate(loop);
  EXPECT_STEP_TRUE(script, flag, "the body ran");
  EXPECT_STEP_TRUE(script, task.done() && !task.cancelled(), "the task finished");
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "result() of a finished Task<void> returns nothing and throws nothing");
}

TEST_F(Ex41Trampoline, MoveOnlyResultPassesThroughAwaitAndThroughATask) {
  Script script("a child returns std::make_unique<int>(6); the parent adds 1 and returns it",
                kLesson);

  script.step("create_task(pass_unique_on(6)); one iteration");
  const Task<std::unique_ptr<int>> task = aio::create_task(loop, pass_unique_on(6));
  iterate(loop);
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "a move-only result is moved from frame to frame, never copied");
  if (finished_with_value(task)) {
    const std::unique_ptr<int>& result = task.result();
    EXPECT_STEP_TRUE(script, result != nullptr && *result == 7,
                     "the pointer came through co_await and through the task: it points to 7");
  }
}

TEST_F(Ex41Trampoline, AwaitingTheSameCoroutineTwiceIsRefused) {
  Script script("a task awaits the coroutine compute(1, 2), then awaits it again", kLesson);
  Trace trace;

  script.step("create_task(await_twice(trace)); one iteration");
  const Task<std::string> task = aio::create_task(loop, await_twice(trace));
  iterate(loop);
  EXPECT_STEP_EQ(script, trace, Trace{"first await gave 3"}, "the first await runs it");
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "the second await threw inside the coroutine, which caught it");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(),
                   std::string("std::runtime_error: cannot reuse already awaited coroutine"),
                   "a coroutine runs once: awaiting it again is std::runtime_error (Python's "
                   "words); a future or a task can be awaited many times, a coroutine cannot");
  }
}

// ---- depth: the trampoline keeps the stack flat ------------------------------------------------

TEST_F(Ex41Trampoline, AMillionAwaitsInARowRunInOneStepOnAFlatStack) {
  Script script("a task awaits one() a million times in a loop; each completes at once", kLesson);
  constexpr long kAwaits = 1'000'000;

  script.step("create_task(sum_of_ones(1,000,000)); one iteration");
  const Task<long> task = aio::create_task(loop, sum_of_ones(kAwaits));
  iterate(loop);
  EXPECT_STEP_TRUE(script, task.done(),
                   "a child that completes at once does not suspend the task: a million awaits "
                   "run in one step (and, if you read this, without overflowing the stack: the "
                   "step resumes the next frame from its loop, never from inside a frame)");
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "every await gave its value");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), kAwaits, "the sum of a million ones");
  }
}

TEST_F(Ex41Trampoline, AHundredThousandNestedAwaitsRunOnAFlatStack) {
  Script script("nest(100,000) awaits nest(99,999) ... awaits nest(0), all in one task", kLesson);
  constexpr long kDepth = 100'000;

  script.step("create_task(nest(100,000)); one iteration");
  const Task<long> task = aio::create_task(loop, nest(kDepth));
  iterate(loop);
  EXPECT_STEP_TRUE(script, task.done(),
                   "the chain went down a hundred thousand frames and back up in one step (and, "
                   "if you read this, without overflowing the stack: a frame that awaits a "
                   "child is left suspended on the task's frame stack, and the step resumes the "
                   "child from its own loop)");
  EXPECT_STEP_EQ(script, outcome([&] { task.result(); }), std::string("nothing"),
                 "every frame returned a value");
  if (finished_with_value(task)) {
    EXPECT_STEP_EQ(script, task.result(), kDepth, "each frame added 1 on the way back up");
  }
}

// The chain waits in sleep(0), so that the loop's ready queue holds the task's only reference.
// A chain waiting for a future that never completes would not do: that future keeps the task's
// wake-up callback, and the task's frame keeps the future, a cycle that neither close() nor
// dropping every handle breaks (the task would leak, never destroyed and never reported).
TEST_F(Ex41Trampoline, ClosingTheLoopDestroysASuspendedChainInnermostFirst) {
  Script script(
      "a task goes down a chain of 100,001 frames, and the innermost yields with sleep(0); "
      "then the loop closes",
      kLesson);
  constexpr long kDepth = 100'000;
  std::vector<long> destroyed;    // the depths of the frames, in the order they were destroyed
  destroyed.reserve(kDepth + 1);  // (no reallocation inside a frame's destructor)
  int bottom_reached = 0;
  int resumed = 0;

  script.step("create_task(hold_chain(100,000)); drop the handle; one iteration");
  {
    const Task<void> task =
        aio::create_task(loop, hold_chain(kDepth, destroyed, bottom_reached, resumed));
  }
  iterate(loop);
  EXPECT_STEP_EQ(script, bottom_reached, 1, "the first step went down to the innermost frame");
  EXPECT_STEP_TRUE(script, destroyed.empty(), "the suspended frames are all alive");

  script.step("loop.close(): it drops the task's next step, the last owner of the task");
  loop.close();
  EXPECT_STEP_EQ(script, resumed, 0, "no frame ran again: destroying a frame does not resume it");
  EXPECT_STEP_EQ(script, destroyed.size(), static_cast<std::size_t>(kDepth + 1),
                 "destroying the task destroyed every frame of its stack, so every frame's "
                 "locals were destroyed");
  if (destroyed.size() == static_cast<std::size_t>(kDepth + 1)) {
    EXPECT_STEP_TRUE(script,
                     destroyed.front() == 0 && std::is_sorted(destroyed.begin(), destroyed.end()),
                     "innermost first: depth 0, then 1, ..., then the task's first frame, one "
                     "after the other from a loop over the stack (a frame that destroyed its "
                     "child would recurse a hundred thousand deep)");
  }
  EXPECT_STEP_TRUE(script,
                   reports.size() == 1 &&
                       reports[0].message.starts_with("Task was destroyed but it is pending!"),
                   "the loop's exception handler heard of the pending task that was destroyed");
}

// ---- diagnostics -----------------------------------------------------------------------------

TEST_F(Ex41Trampoline, CoroutineNeverAwaitedIsReportedWithItsFunctionName) {
  Script script("inside a task, call compute(1, 2) and drop the coroutine without awaiting it",
                kLesson);
  int dropped = 0;

  script.step("create_task(drop_without_await(dropped)); one iteration");
  const Task<void> task = aio::create_task(loop, drop_without_await(dropped));
  iterate(loop);
  EXPECT_STEP_EQ(script, dropped, 1, "the task ran and dropped the coroutine");
  EXPECT_STEP_EQ(script, reports.size(), std::size_t{1},
                 "a coroutine destroyed before anything ran it is reported once, through the "
                 "running loop's exception handler");
  if (reports.size() == 1) {
    const std::string& message = reports[0].message;
    EXPECT_STEP_TRUE(script,
                     message.starts_with("coroutine '") &&
                         message.ends_with("' was never awaited") &&
                         message.find("compute") != std::string::npos,
                     "the report reads \"coroutine '<the function>' was never awaited\" and "
                     "names compute (seen: \"" +
                         message + "\")");
  }
  EXPECT_STEP_TRUE(script, finished_with_value(task),
                   "the report is a warning: the task itself finished normally");
}

TEST_F(Ex41Trampoline, LoopClosedUnderAPendingTaskReportsItDestroyedPending) {
  Script script("a task yields with sleep(0); the test drops its handle and closes the loop",
                kLesson);
  int before = 0;
  int after = 0;

  script.step("create_task(yield_once(...)) named \"sleeper\"; one iteration");
  {
    const Task<void> task = aio::create_task(loop, yield_once(before, after), "sleeper");
    iterate(loop);
  }
  EXPECT_STEP_EQ(script, before, 1, "the first step ran up to sleep(0)");

  script.step("loop.close()");
  loop.close();
  EXPECT_STEP_EQ(script, after, 0, "the task never ran again");
  EXPECT_STEP_EQ(
      script, reports,
      (std::vector<Report>{{"Task was destroyed but it is pending! (task sleeper)", ""}}),
      "closing the loop dropped the task's next step, its last owner: a task destroyed "
      "before it is done is reported, as asyncio logs it when it collects such a task");
}

// ---- the loop's tasks --------------------------------------------------------------------------

TEST_F(Ex41Trampoline, CurrentTaskIsTheTaskRunningNowAndNoneOutside) {
  Script script("a task notes current_task() while it runs", kLesson);
  std::optional<AnyTask> seen;

  script.step("create_task(note_current(seen))");
  const Task<void> task = aio::create_task(loop, note_current(seen));
  EXPECT_STEP_TRUE(script, !aio::current_task(loop).has_value(),
                   "between steps no task is current");

  script.step("one iteration");
  iterate(loop);
  EXPECT_STEP_TRUE(script, seen.has_value() && *seen == task,
                   "inside the step, current_task() is the task that runs it");
  EXPECT_STEP_TRUE(script, !aio::current_task(loop).has_value(),
                   "after the step no task is current any more");
  EXPECT_STEP_EQ(script, outcome([] { aio::current_task(); }),
                 std::string("std::runtime_error: no running event loop"),
                 "current_task() with no loop running is std::runtime_error, as in asyncio");
}

TEST_F(Ex41Trampoline, AllTasksListsThePendingTasksOnly) {
  Script script("three tasks: one ends in its first step, two yield with sleep(0) a few times",
                kLesson);
  auto names = [this] {
    std::set<std::string> seen;
    for (const AnyTask& task : aio::all_tasks(loop)) seen.insert(task.get_name());
    return seen;
  };

  script.step(
      "create_task(compute(1, 2)), create_task(yield_rounds(2)), create_task(yield_rounds(3))");
  const Task<int> quick = aio::create_task(loop, compute(1, 2));
  const Task<void> first = aio::create_task(loop, yield_rounds(2));
  const Task<void> second = aio::create_task(loop, yield_rounds(3));
  EXPECT_STEP_EQ(script, names(), (std::set<std::string>{"Task-1", "Task-2", "Task-3"}),
                 "a task is listed from create_task(), before its first step");

  script.step("one iteration");
  iterate(loop);
  EXPECT_STEP_TRUE(script, quick.done(), "the quick task is done");
  EXPECT_STEP_EQ(script, names(), (std::set<std::string>{"Task-2", "Task-3"}),
                 "all_tasks() lists the tasks that are not done: the yielding ones");

  script.step("two iterations");
  iterate(loop);
  iterate(loop);
  EXPECT_STEP_TRUE(script, first.done(), "Task-2 ended after its two sleep(0)");
  EXPECT_STEP_EQ(script, names(), std::set<std::string>{"Task-3"},
                 "a task leaves the list when it is done");

  script.step("iterations until the last one is done");
  run_until_done(loop, second);
  EXPECT_STEP_EQ(script, names(), std::set<std::string>{}, "no task is pending any more");
}

TEST_F(Ex41Trampoline, TasksAreNamedTaskOneTaskTwoUnlessNamed) {
  Script script("four tasks, the third named \"fetcher\"", kLesson);
  int runs = 0;

  script.step("create_task four times, the third with the name \"fetcher\"");
  const Task<void> a = aio::create_task(loop, count_runs(runs));
  const Task<void> b = aio::create_task(loop, count_runs(runs));
  const Task<void> c = aio::create_task(loop, count_runs(runs), "fetcher");
  const Task<void> d = aio::create_task(loop, count_runs(runs));
  EXPECT_STEP_EQ(script,
                 (std::vector<std::string>{a.get_name(), b.get_name(), c.get_name(), d.get_name()}),
                 (std::vector<std::string>{"Task-1", "Task-2", "fetcher", "Task-3"}),
                 "a task without a name is Task-N, N counting the unnamed tasks of the loop");

  script.step("b.set_name(\"renamed\"); iterations until all are done");
  b.set_name("renamed");
  EXPECT_STEP_EQ(script, b.get_name(), std::string("renamed"), "set_name() renames the task");
  run_until_done(loop, a);
  run_until_done(loop, b);
  run_until_done(loop, c);
  run_until_done(loop, d);
  EXPECT_STEP_EQ(script, runs, 4, "every task ran");
}
