// Exercise 3.2: done callbacks, never run inline (add_done_callback, remove_done_callback,
// and scheduling them on the loop with call_soon).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// Completing or cancelling a future needs Exercise 3.1 as well. The callbacks run when a test
// calls loop.run_once() (chapter 02): that is how every test sees that nothing ran before.
// A callback receives the future as its argument: none captures a copy of its own future,
// which would be a cycle (the future holds the callback, the callback holds the future).
#include <gtest/gtest.h>

#include <cstddef>
#include <exception>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "support/lifetime.hpp"
#include "support/script.hpp"

namespace {

using aio::EventLoop;
using aio::Future;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 3.2";

EventLoop::Options on(std::shared_ptr<aio::Clock> clock) {
  EventLoop::Options options;
  options.clock = std::move(clock);
  return options;
}

// A done callback that writes `name` into the trace.
auto note(Trace& trace, std::string name) {
  return [&trace, name](const Future<int>&) { trace.push_back(name); };
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

class Ex32DoneCallbacks : public ::testing::Test {
 protected:
  // Keeps every report of the loop's exception handler instead of logging it.
  void keep_reports() {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      reports.push_back(Report{context.message, what_of(context.exception)});
    });
  }

  std::vector<Report> reports;  // declared before the loop: the loop's handler writes here
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  EventLoop loop{on(clock)};
};

}  // namespace

// ---- never inline --------------------------------------------------------------------------

TEST_F(Ex32DoneCallbacks, CallbackWaitsForTheLoopAfterSetResult) {
  Script script("add_done_callback(cb), then set_result(42)", kLesson);
  Trace trace;
  Future<int> future(loop);

  script.step("add_done_callback(cb), where cb notes the result it sees");
  future.add_done_callback([&trace](const Future<int>& done) {
    trace.push_back("cb saw " + std::to_string(done.result()));
  });
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{0},
                 "a callback of a pending future waits in the future, not on the loop");

  script.step("set_result(42)");
  future.set_result(42);
  EXPECT_STEP_EQ(script, trace, Trace{},
                 "set_result() never runs a callback inline: it hands it to loop.call_soon()");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{1}, "the callback is on the loop now");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"cb saw 42"},
                 "the next iteration of the loop runs it, and it sees the result");
}

TEST_F(Ex32DoneCallbacks, CallbacksRunInTheOrderTheyWereAdded) {
  Script script("add_done_callback a, b, c; set_result(1)", kLesson);
  Trace trace;
  Future<int> future(loop);

  script.step("add a, b, c; set_result(1); run_once()");
  future.add_done_callback(note(trace, "a"));
  future.add_done_callback(note(trace, "b"));
  future.add_done_callback(note(trace, "c"));
  future.set_result(1);
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "b", "c"}),
                 "the callbacks are scheduled in the order they were added, so they run in that "
                 "order, all in the same iteration");
}

TEST_F(Ex32DoneCallbacks, CallbackAddedToADoneFutureIsScheduledAtOnce) {
  Script script("set_result(1), then add_done_callback(late)", kLesson);
  Trace trace;
  Future<int> future(loop);

  script.step("set_result(1); add_done_callback(late)");
  future.set_result(1);
  future.add_done_callback(note(trace, "late"));
  EXPECT_STEP_EQ(script, trace, Trace{},
                 "a callback added to a done future does not run inline either");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{1},
                 "it goes to loop.call_soon() at once: the future will never complete again to "
                 "schedule it later");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"late"}, "the next iteration runs it");
}

TEST_F(Ex32DoneCallbacks, CallbackReceivesAHandleOnItsFuture) {
  Script script("a callback compares the future it receives with the one it was added to", kLesson);
  Future<int> future(loop);
  bool same = false;
  int seen = 0;

  script.step("add_done_callback(cb); set_result(7); run_once()");
  future.add_done_callback([&](const Future<int>& done) {
    same = done == future;
    seen = done.result();
  });
  future.set_result(7);
  loop.run_once();
  EXPECT_STEP_TRUE(script, same,
                   "the callback's argument is a handle on the very future that completed (one "
                   "callback can serve many futures and still know which one it is called for)");
  EXPECT_STEP_EQ(script, seen, 7, "through it, the callback reads the result");
}

TEST_F(Ex32DoneCallbacks, CancellingAFutureRunsItsCallbacksToo) {
  Script script("add_done_callback(cb), then cancel(\"stop\")", kLesson);
  Trace trace;
  Future<int> future(loop);

  script.step("add_done_callback(cb), where cb notes whether it sees a cancelled future");
  future.add_done_callback([&trace](const Future<int>& done) {
    trace.push_back(done.cancelled() ? "cb: cancelled" : "cb: not cancelled");
  });

  script.step("cancel(\"stop\")");
  future.cancel("stop");
  EXPECT_STEP_EQ(script, trace, Trace{}, "cancel() does not run the callbacks inline either");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"cb: cancelled"},
                 "cancelling is one way to be done: the callbacks run, and see it cancelled");
}

TEST_F(Ex32DoneCallbacks, CallbacksRunOnceOnly) {
  Script script("a, b added; set_result(1); the loop runs three iterations", kLesson);
  Trace trace;
  Future<int> future(loop);

  script.step("add a, b; set_result(1); run_once() three times");
  future.add_done_callback(note(trace, "a"));
  future.add_done_callback(note(trace, "b"));
  future.set_result(1);
  loop.run_once();
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "b"}),
                 "each callback runs once: scheduling them empties the future's list");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{0}, "nothing is left on the loop");
}

// ---- removing a callback -------------------------------------------------------------------

TEST_F(Ex32DoneCallbacks, RemovedCallbackNeverRuns) {
  Script script("add a and b; remove a twice; set_result(1)", kLesson);
  Trace trace;
  Future<int> future(loop);

  script.step("a_id = add_done_callback(a); add_done_callback(b)");
  const aio::CallbackId a_id = future.add_done_callback(note(trace, "a"));
  const aio::CallbackId b_id = future.add_done_callback(note(trace, "b"));
  EXPECT_STEP_TRUE(script, a_id != b_id, "each callback gets its own id");

  script.step("remove_done_callback(a_id) twice");
  const std::size_t first = future.remove_done_callback(a_id);
  const std::size_t second = future.remove_done_callback(a_id);
  EXPECT_STEP_EQ(script, first, std::size_t{1}, "the first removal removes one callback");
  EXPECT_STEP_EQ(script, second, std::size_t{0}, "the second finds nothing left to remove");

  script.step("set_result(1); run_once()");
  future.set_result(1);
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"b"}, "the removed callback never runs; b does");
}

TEST_F(Ex32DoneCallbacks, RemovingAfterTheFutureIsDoneIsTooLate) {
  Script script("add cb; set_result(1); then remove cb", kLesson);
  Trace trace;
  Future<int> future(loop);

  script.step("id = add_done_callback(cb); set_result(1)");
  const aio::CallbackId id = future.add_done_callback(note(trace, "cb"));
  future.set_result(1);

  script.step("remove_done_callback(id); run_once()");
  EXPECT_STEP_EQ(script, future.remove_done_callback(id), std::size_t{0},
                 "once the future is done its callbacks are on the loop, no longer in the "
                 "future: there is nothing to remove (asyncio returns 0 too)");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"cb"}, "and the callback, already scheduled, runs");
}

// ---- reentrancy ----------------------------------------------------------------------------

// The lesson's reentrancy scenario. If set_result() ran callbacks inline, a1's call to
// b.set_result() would run b1 in the middle of a1, before a2 and a3, on a half-finished
// round of a's callbacks; and a callback added to a while a's list is being walked would
// change that list under the walk. Through call_soon, every callback runs from the loop, one
// after the other, and what a callback starts runs after the callbacks already waiting.
TEST_F(Ex32DoneCallbacks, CompletingAFutureInsideACallbackNeverNestsItsCallbacks) {
  Script script(
      "two futures a and b; a's first callback completes b and adds one more callback to a",
      kLesson);
  Trace trace;
  Future<int> a(loop);
  Future<int> b(loop);

  script.step(
      "a gets callbacks a1, a2, a3; b gets b1. a1 notes \"a1 begins\", calls b.set_result(2), "
      "adds a4 to a (done by then), notes \"a1 ends\"");
  a.add_done_callback([&](const Future<int>& done) {
    trace.push_back("a1 begins");
    b.set_result(2);
    done.add_done_callback(note(trace, "a4"));
    trace.push_back("a1 ends");
  });
  a.add_done_callback(note(trace, "a2"));
  a.add_done_callback(note(trace, "a3"));
  b.add_done_callback(note(trace, "b1"));

  script.step("a.set_result(1)");
  a.set_result(1);
  EXPECT_STEP_EQ(script, trace, Trace{}, "set_result() ran nothing");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a1 begins", "a1 ends", "a2", "a3"}),
                 "a1 runs to its end before anything else: b1 did not run inside a1's "
                 "b.set_result(), nor a4 inside add_done_callback(); a2 and a3 follow, all of "
                 "a's callbacks in one flat row");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"a1 begins", "a1 ends", "a2", "a3", "b1", "a4"}),
                 "what a1 started runs in the next iteration, in the order a1 started it: b1 "
                 "(b completed first), then a4");
}

// ---- errors and lifetime -------------------------------------------------------------------

TEST_F(Ex32DoneCallbacks, ThrowingCallbackIsReportedAndTheOthersStillRun) {
  Script script("three callbacks; the first, named \"bad-callback\", throws", kLesson);
  keep_reports();
  Trace trace;
  Future<int> future(loop);
  const auto unnamed = [](const Future<int>&) { throw std::runtime_error("no name"); };

  script.step(
      "set_exception_handler(keep); add_done_callback(throws \"boom\", name \"bad-callback\"); "
      "add_done_callback(after); add_done_callback(an unnamed callback that throws)");
  future.add_done_callback(
      [&trace](const Future<int>&) {
        trace.push_back("bad-callback");
        throw std::runtime_error("boom");
      },
      "bad-callback");
  future.add_done_callback(note(trace, "after"));
  future.add_done_callback(unnamed);

  script.step("set_result(1); run_once()");
  future.set_result(1);
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"bad-callback", "after"}),
                 "an exception in one callback does not keep the others from running: each is "
                 "its own callback on the loop");
  EXPECT_STEP_EQ(
      script, reports,
      (std::vector<Report>{
          {"Exception in callback bad-callback", "boom"},
          {"Exception in callback " + aio::readable_type_name(typeid(unnamed)), "no name"}}),
      "the loop's exception handler gets each exception once, the callback named in the "
      "message: by the name given to add_done_callback() (pass it on to call_soon()), else by "
      "the callback's own type (the name add_done_callback() passes down), not by the wrapper "
      "that calls it");
}

TEST_F(Ex32DoneCallbacks, ScheduledCallbackKeepsTheFutureAlive) {
  Script script("complete a future, then drop every handle on it before its callback runs",
                kLesson);
  aio::testing::Lifetimes lifetimes;
  std::string seen = "callback did not run";

  script.step(
      "in an inner scope: a Future<Tracked>, a callback that reads the result's name, "
      "set_result(Tracked \"value\"); leave the scope");
  {
    Future<aio::testing::Tracked> future(loop);
    future.add_done_callback(
        [&seen](const Future<aio::testing::Tracked>& done) { seen = done.result().name(); });
    future.set_result(aio::testing::Tracked(lifetimes, "value"));
  }
  EXPECT_STEP_EQ(script, lifetimes.alive(), 1,
                 "the test holds no handle any more, yet the future and its value live on: the "
                 "scheduled callback holds the future (shared_from_this)");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, seen, std::string("value"),
                 "the callback runs on a live future and reads its result");
  EXPECT_STEP_EQ(script, lifetimes.alive(), 0,
                 "once the callback has run, the loop drops it, and with it the last hold on "
                 "the future: the value is destroyed");
}
