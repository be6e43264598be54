// Exercise 2.3: call_soon() and run_once(), one iteration of the loop.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
// Time is an aio::ManualClock: it moves only when a test (or a callback) advances it, so every
// timer test is exact and instant. run_once() needs Exercises 2.1 (timers) and 2.2 (the epoll
// selector, the loop's default) as well.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/clock.hpp"
#include "aio/event_loop.hpp"
#include "support/fds.hpp"
#include "support/script.hpp"

namespace {

using aio::EventLoop;
using aio::ManualClock;
using aio::testing::open_fd_count;
using aio::testing::outcome_of;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 2.3";

// A loop whose time is `clock`.
EventLoop::Options on(std::shared_ptr<aio::Clock> clock) {
  EventLoop::Options options;
  options.clock = std::move(clock);
  return options;
}

// A callback that writes `name` into the trace.
aio::Callback note(Trace& trace, std::string name) {
  return [&trace, name] { trace.push_back(name); };
}

// Every test starts at time 0 on a manual clock, and ends with as many open fds as it began.
class Ex23CallSoon : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_EQ(open_fd_count(), fds_before_)
        << "an fd leaked: a destroyed loop closes its selector and its wake-up fd";
  }

  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();

 private:
  std::size_t fds_before_ = open_fd_count();
};

}  // namespace

// ---- call_soon and the ready queue ---------------------------------------------------------

TEST_F(Ex23CallSoon, CallSoonRunsNothingUntilAnIterationRuns) {
  Script script("call_soon(a), then one iteration", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("call_soon(a)");
  const aio::HandlePtr handle = loop.call_soon(note(trace, "a"));
  EXPECT_STEP_EQ(script, trace, Trace{}, "call_soon() only queues the callback; it runs nothing");
  EXPECT_STEP_TRUE(script, handle != nullptr && !handle->cancelled(),
                   "call_soon() returns the callback's Handle, not cancelled");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{1}, "one callback is ready");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"a"}, "the next iteration runs it");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{0}, "and it left the ready queue");

  script.step("run_once() again");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"a"}, "a callback runs once: it is not a watcher");
}

TEST_F(Ex23CallSoon, ReadyCallbacksRunFirstInFirstOut) {
  Script script("call_soon(a), call_soon(b), call_soon(c)", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("call_soon a, b, c; run_once()");
  loop.call_soon(note(trace, "a"));
  loop.call_soon(note(trace, "b"));
  loop.call_soon(note(trace, "c"));
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "b", "c"}),
                 "ready callbacks run in the order they were scheduled (first in, first out), "
                 "all in the same iteration");
}

TEST_F(Ex23CallSoon, CallbackScheduledDuringAnIterationWaitsForTheNext) {
  Script script("a schedules b with call_soon and c with call_at(now)", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("call_soon(a), call_soon(z); a calls call_soon(b) and call_at(time(), c)");
  loop.call_soon([&] {
    trace.push_back("a");
    loop.call_soon(note(trace, "b"));
    loop.call_at(loop.time(), note(trace, "c"));
  });
  loop.call_soon(note(trace, "z"));

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "z"}),
                 "run_once() runs only what was ready when it began: b and c, scheduled while "
                 "the iteration ran, wait for the next one (even a timer that is already due)");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "z", "b", "c"}),
                 "the next iteration runs b, then the due timer c");
}

TEST_F(Ex23CallSoon, CallbackThatReschedulesItselfRunsOncePerIteration) {
  Script script("a callback that calls call_soon(itself) every time it runs", kLesson);
  int runs = 0;
  EventLoop loop(on(clock));
  std::function<void()> again = [&] {
    ++runs;
    if (runs < 1000) loop.call_soon(again);  // (a bound, so that a wrong loop fails, not hangs)
  };

  script.step("call_soon(again); run_once() three times");
  loop.call_soon(again);
  loop.run_once();
  EXPECT_STEP_EQ(script, runs, 1,
                 "one iteration runs it once: what it schedules waits, so run_once() ends (an "
                 "iteration that ran until the queue is empty would never return)");
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, runs, 3, "one run per iteration");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{1}, "the next one is queued");
}

TEST_F(Ex23CallSoon, IdleIterationReturnsAtOnce) {
  Script script("run_once() on a loop with nothing to do (manual clock)", kLesson);
  EventLoop loop(on(clock));

  script.step("run_once() twice");
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, loop.time(), 0.0,
                 "with nothing scheduled, an iteration only looks at the fds; a manual clock "
                 "never waits, and its time does not move");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{0}, "nothing is ready");
}

// ---- timers --------------------------------------------------------------------------------

TEST_F(Ex23CallSoon, TimerRunsWhenTheClockReachesItsDeadline) {
  Script script("call_later(1, t); advance the clock by halves", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("call_later(1, t); run_once()");
  const aio::TimerHandlePtr timer = loop.call_later(1.0, note(trace, "t"));
  EXPECT_STEP_EQ(script, timer->when(), 1.0, "call_later(delay) is call_at(time() + delay)");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{}, "at 0, a timer due at 1 does not run");

  script.step("advance 0.5; run_once()");
  clock->advance(0.5);
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{}, "at 0.5, still not: a timer never runs early");

  script.step("advance 0.5 (the time is 1); run_once()");
  clock->advance(0.5);
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"t"}, "at 1 it is due (when <= time()) and runs");

  script.step("advance 5; run_once()");
  clock->advance(5);
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"t"}, "a timer runs once");
}

TEST_F(Ex23CallSoon, TimersRunInDeadlineOrder) {
  Script script("timers due at 3, 1, 2, scheduled in that order", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("call_later(3, c), call_later(1, a), call_later(2, b); advance 3; run_once()");
  loop.call_later(3, note(trace, "c"));
  loop.call_later(1, note(trace, "a"));
  loop.call_later(2, note(trace, "b"));
  clock->advance(3);
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "b", "c"}),
                 "every due timer runs in the same iteration, earliest deadline first");
}

TEST_F(Ex23CallSoon, TimersDueAtTheSameInstantRunInSchedulingOrder) {
  Script script("five timers due at the same instant", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("call_at(2, t1) .. call_at(2, t5); advance 2; run_once()");
  for (int i = 1; i <= 5; ++i) loop.call_at(2.0, note(trace, "t" + std::to_string(i)));
  clock->advance(2);
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"t1", "t2", "t3", "t4", "t5"}),
                 "timers due at the same instant run in the order they were scheduled");
}

TEST_F(Ex23CallSoon, DueTimersRunAfterTheCallbacksAlreadyQueued) {
  Script script("call_later(0) and call_later(-1) scheduled before two call_soon", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step(
      "call_later(0, later0), call_later(-1, later-1), call_soon(soon1), "
      "call_soon(soon2); soon1 calls call_soon(soon3)");
  loop.call_later(0, note(trace, "later0"));
  loop.call_later(-1, note(trace, "later-1"));
  loop.call_soon([&] {
    trace.push_back("soon1");
    loop.call_soon(note(trace, "soon3"));
  });
  loop.call_soon(note(trace, "soon2"));

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"soon1", "soon2", "later-1", "later0"}),
                 "the due timers join the ready queue behind the callbacks already in it, "
                 "earliest first (asyncio prints soon, later-1, later0)");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"soon1", "soon2", "later-1", "later0", "soon3"}),
                 "soon3, scheduled during the first iteration, runs in the second");
}

TEST_F(Ex23CallSoon, NegativeDelaysRunAsSoonAsPossibleInDeadlineOrder) {
  Script script("call_later(-1, a), then call_later(-2, b)", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("call_later(-1, a), call_later(-2, b); run_once()");
  loop.call_later(-1, note(trace, "a"));
  loop.call_later(-2, note(trace, "b"));
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"b", "a"}),
                 "a negative delay means as soon as possible: both run in the first iteration, "
                 "still by deadline (b was due at -2, a at -1)");
}

TEST_F(Ex23CallSoon, TimerScheduledInThePastRunsInTheNextIteration) {
  Script script("the time is 10; call_at(5, t)", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("advance 10; call_at(5, t); run_once()");
  clock->advance(10);
  loop.call_at(5, note(trace, "t"));
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"t"},
                 "a time in the past is due already: it runs in the next iteration");
  EXPECT_STEP_EQ(script, loop.time(), 10.0, "and the loop's time does not go back");
}

TEST_F(Ex23CallSoon, IterationWaitsForTheNextTimerOnlyWhenNothingIsReady) {
  Script script("a clock with auto_advance: a wait for a timer jumps straight to it", kLesson);
  Trace trace;
  auto jumping = std::make_shared<ManualClock>(0.0, /*auto_advance=*/true);
  EventLoop loop(on(jumping));

  script.step("call_later(5, t), call_soon(a); run_once()");
  loop.call_later(5, note(trace, "t"));
  loop.call_soon(note(trace, "a"));
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"a"},
                 "with a callback ready the iteration does not wait (select timeout 0)");
  EXPECT_STEP_EQ(script, loop.time(), 0.0, "no time passed");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "t"}),
                 "with nothing ready, the iteration waits in the selector until the next "
                 "timer, then runs it");
  EXPECT_STEP_EQ(script, loop.time(), 5.0, "the wait lasted until the timer's deadline");
}

TEST_F(Ex23CallSoon, BusyCallbackMakesATimerRunLateOnce) {
  Script script("misconception: a blocking call only delays the callback that makes it", kLesson);
  Trace trace;
  double lateness = -1;
  EventLoop loop(on(clock));

  script.step(
      "call_later(1, t), which notes how late it runs; call_soon(busy), which keeps "
      "the loop for 5 s (it advances the clock by 5)");
  aio::TimerHandlePtr timer;
  timer = loop.call_later(1, [&] {
    trace.push_back("t at " + std::to_string(static_cast<int>(loop.time())));
    lateness = loop.time() - timer->when();
  });
  loop.call_soon([&] {
    trace.push_back("busy");
    clock->advance(5);
  });

  script.step("run_once() three times");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"busy"},
                 "the busy callback runs; the timer, due at 1, waits while it blocks");
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"busy", "t at 5"}),
                 "a blocking callback freezes the whole loop: the timer due at 1 runs late, "
                 "at 5, and only once");
  EXPECT_STEP_EQ(script, lateness, 4.0, "it ran 4 s after its deadline");
  EXPECT_STEP_EQ(script, timer->when(), 1.0, "its deadline was 1");
}

// ---- cancelling ----------------------------------------------------------------------------

TEST_F(Ex23CallSoon, CancelledCallbackNeverRuns) {
  Script script("cancel a queued callback, before and during the iteration", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("call_soon a, b, c; a cancels c; cancel b now");
  aio::HandlePtr c;
  loop.call_soon([&] {
    trace.push_back("a");
    c->cancel();
  });
  const aio::HandlePtr b = loop.call_soon(note(trace, "b"));
  c = loop.call_soon(note(trace, "c"));
  b->cancel();
  EXPECT_STEP_TRUE(script, b->cancelled(), "cancel() marks the handle cancelled");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"a"},
                 "an iteration skips a cancelled handle, even one cancelled by an earlier "
                 "callback of the same iteration");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{0}, "the cancelled ones are gone");
}

TEST_F(Ex23CallSoon, TimerCancelledBeforeItIsDueNeverRuns) {
  Script script("two timers due at 1; one is cancelled before, one while due", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("call_later(1, t); cancel it; call_later(1, u); call_later(1, v), which u cancels");
  const aio::TimerHandlePtr t = loop.call_later(1, note(trace, "t"));
  t->cancel();
  aio::TimerHandlePtr v;
  loop.call_later(1, [&] {
    trace.push_back("u");
    v->cancel();
  });
  v = loop.call_later(1, note(trace, "v"));

  script.step("advance 1; run_once(); run_once()");
  clock->advance(1);
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"u"},
                 "a cancelled timer never runs, not even one that was due and queued when "
                 "it was cancelled");
  EXPECT_STEP_EQ(script, loop.timers().size(), std::size_t{0},
                 "the cancelled timers left the timer queue");
}

TEST_F(Ex23CallSoon, CancellingTwiceOrAfterTheCallbackRanDoesNothing) {
  Script script("cancel a handle twice; cancel handles whose callbacks already ran", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("call_soon(a), call_later(0, t); run_once()");
  const aio::HandlePtr a = loop.call_soon(note(trace, "a"));
  const aio::TimerHandlePtr t = loop.call_later(0, note(trace, "t"));
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "t"}), "both ran");

  script.step("cancel a twice and t twice; run_once()");
  const std::string outcome = outcome_of([&] {
    a->cancel();
    a->cancel();
    t->cancel();
    t->cancel();
  });
  EXPECT_STEP_EQ(script, outcome, std::string("nothing"),
                 "cancelling twice, or after the callback ran, does nothing (and throws "
                 "nothing)");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "t"}), "nothing runs again");
  EXPECT_STEP_EQ(script, loop.timers().cancelled_count(), std::size_t{0},
                 "a timer that already ran is not counted as a cancelled timer in the queue");
}

// ---- faults --------------------------------------------------------------------------------

TEST_F(Ex23CallSoon, CallbackThatThrowsIsReportedAndTheNextStillRuns) {
  Script script("misconception: an exception in a callback escapes the loop", kLesson);
  Trace trace;
  std::vector<std::string> reports;
  aio::HandlePtr reported;
  EventLoop loop(on(clock));
  loop.set_exception_handler([&](EventLoop&, const aio::ExceptionContext& context) {
    std::string what = "(no exception)";
    try {
      if (context.exception) std::rethrow_exception(context.exception);
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    reports.push_back(context.message + ": " + what);
    reported = context.handle;
  });

  script.step(
      "set_exception_handler(record); call_soon(boom, name \"boom\"), which throws; "
      "call_soon(after)");
  const aio::HandlePtr boom = loop.call_soon(
      [&] {
        trace.push_back("boom");
        throw std::runtime_error("disk on fire");
      },
      "boom");
  loop.call_soon(note(trace, "after"));

  script.step("run_once()");
  const std::string outcome = outcome_of([&] { loop.run_once(); });
  EXPECT_STEP_EQ(script, outcome, std::string("nothing"),
                 "an exception in a callback never escapes run_once()");
  EXPECT_STEP_EQ(script, trace, (Trace{"boom", "after"}),
                 "the next callback of the same iteration still runs");
  EXPECT_STEP_EQ(script, reports, Trace{"Exception in callback boom: disk on fire"},
                 "the exception handler gets it exactly once, with the message \"Exception in "
                 "callback <name>\" (the exception handler is Exercise 2.9's)");
  EXPECT_STEP_TRUE(script, reported == boom, "the context names the handle that failed");

  script.step("call_soon(an unnamed callback that throws); run_once()");
  const aio::HandlePtr unnamed = loop.call_soon([] { throw std::runtime_error("again"); });
  loop.run_once();
  EXPECT_STEP_EQ(script, reports.size(), std::size_t{2}, "the loop goes on and reports it too");
  EXPECT_STEP_EQ(script, reports.back(), "Exception in callback " + unnamed->name() + ": again",
                 "an unnamed callback is named by its type");
}

TEST_F(Ex23CallSoon, NanDelayOrTimeIsRefused) {
  Script script("call_later(NaN) and call_at(NaN)", kLesson);
  Trace trace;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EventLoop loop(on(clock));

  script.step("call_later(NaN, x)");
  EXPECT_STEP_TRUE(script, outcome_of([&] {
                             loop.call_later(nan, note(trace, "x"));
                           }).starts_with("std::logic_error: "),
                   "a NaN delay is refused with std::invalid_argument (NaN compares false with "
                   "every time: such a timer would never be due, or always)");

  script.step("call_at(NaN, y)");
  EXPECT_STEP_TRUE(script, outcome_of([&] {
                             loop.call_at(nan, note(trace, "y"));
                           }).starts_with("std::logic_error: "),
                   "a NaN time is refused with std::invalid_argument");

  script.step("call_soon(ok); advance 1000; run_once()");
  loop.call_soon(note(trace, "ok"));
  clock->advance(1000);
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"ok"}, "nothing was scheduled by the refused calls");
  EXPECT_STEP_EQ(script, loop.timers().size(), std::size_t{0}, "no timer is left");
}

TEST_F(Ex23CallSoon, SchedulingOnAClosedLoopIsRefused) {
  Script script("close() the loop, then schedule", kLesson);
  Trace trace;
  EventLoop loop(on(clock));

  script.step("call_soon(dropped); close()");
  loop.call_soon(note(trace, "dropped"));
  loop.close();
  EXPECT_STEP_TRUE(script, loop.is_closed(), "the loop is closed");

  script.step("call_soon(a), call_later(1, b), call_at(2, c)");
  const std::string closed = "std::runtime_error: Event loop is closed";
  EXPECT_STEP_EQ(script, outcome_of([&] { loop.call_soon(note(trace, "a")); }), closed,
                 "call_soon() on a closed loop raises \"Event loop is closed\"");
  EXPECT_STEP_EQ(script, outcome_of([&] { loop.call_later(1, note(trace, "b")); }), closed,
                 "so does call_later()");
  EXPECT_STEP_EQ(script, outcome_of([&] { loop.call_at(2, note(trace, "c")); }), closed,
                 "and call_at()");
  EXPECT_STEP_EQ(script, trace, Trace{}, "close() dropped the pending callback unrun");
}

TEST_F(Ex23CallSoon, AddCallbackQueuesAHandleMadeElsewhereEachTimeItIsAdded) {
  Script script("a handle made once, queued with add_callback() again and again", kLesson);
  Trace trace;
  EventLoop loop(on(clock));
  const auto handle = std::make_shared<aio::Handle>(note(trace, "h"), "h");

  script.step("call_soon(a); add_callback(h); call_soon(b); run_once()");
  loop.call_soon(note(trace, "a"));
  loop.add_callback(handle);
  loop.call_soon(note(trace, "b"));
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "h", "b"}),
                 "add_callback() queues the handle as call_soon() queues the one it makes: in "
                 "order, for the next iteration");

  script.step("add_callback(h) again; run_once()");
  loop.add_callback(handle);
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "h", "b", "h"}),
                 "the same handle can be queued again once it has run (a task's step is)");

  script.step("cancel h; add_callback(h)");
  handle->cancel();
  EXPECT_STEP_EQ(script, outcome_of([&] { loop.add_callback(handle); }),
                 std::string("std::logic_error: add_callback: the handle is cancelled"),
                 "a cancelled handle would never run: add_callback() refuses it "
                 "(std::invalid_argument)");

  script.step("close(); add_callback(a fresh handle)");
  loop.close();
  EXPECT_STEP_EQ(script, outcome_of([&] {
                   loop.add_callback(std::make_shared<aio::Handle>(note(trace, "x"), "x"));
                 }),
                 std::string("std::runtime_error: Event loop is closed"),
                 "a closed loop refuses it, as it refuses call_soon()");
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "h", "b", "h"}), "nothing else ran");
}
