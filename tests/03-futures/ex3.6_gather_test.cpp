// Exercise 3.6: gather, written with done callbacks only.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// gather() builds on futures and their done callbacks (Exercises 3.1 to 3.3): a child tells
// the gather it is done through a callback that the loop runs, so the tests drive the loop
// one iteration at a time with run_once(), and never run it until something happens (a gather
// that never finishes would then hang the test instead of failing it).
//
// A gather and its children hold each other until the gather is done (the cycle asyncio has
// too), so every test finishes every child it made: otherwise LeakSanitizer (the asan preset)
// reports the cycle as a leak.
#include <gtest/gtest.h>

#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/gather.hpp"
#include "aio/outcome.hpp"
#include "support/script.hpp"

namespace {

using aio::EventLoop;
using aio::Future;
using aio::ManualClock;
using aio::Outcome;
using aio::testing::outcome_of;
using aio::testing::Script;
using Futures = std::vector<Future<int>>;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 3.6";

// An exception in words: its kind and its message. outcome_of() names only the std:: families;
// the errors of this chapter need names of their own.
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
  } catch (const std::invalid_argument& e) {
    return std::string("std::invalid_argument: ") + e.what();
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

// What a call threw, in the words of describe(); "nothing" if it returned.
template <class F>
std::string thrown_by(F&& call) {
  try {
    call();
  } catch (...) {
    return describe(std::current_exception());
  }
  return "nothing";
}

std::string text(int value) {
  return std::to_string(value);
}
std::string text(Outcome<int>& outcome) {
  return outcome.has_value() ? "value " + std::to_string(outcome.value())
                             : "exception " + describe(outcome.exception());
}

// A gather's future in words: "pending", "cancelled", "result [1, 2]" or "exception <what>".
// Reading it retrieves its exception, as a caller of gather would.
template <class Item>
std::string state_of(const Future<std::vector<Item>>& future) {
  if (!future.done()) return "pending";
  if (future.cancelled()) return "cancelled";
  if (const std::exception_ptr error = future.exception()) return "exception " + describe(error);
  std::string seen = "result [";
  const char* separator = "";
  for (Item& item : future.result()) {
    seen += separator + text(item);
    separator = ", ";
  }
  return seen + "]";
}

std::exception_ptr error(const char* message) {
  return std::make_exception_ptr(std::runtime_error(message));
}

EventLoop::Options on(std::shared_ptr<aio::Clock> clock) {
  EventLoop::Options options;
  options.clock = std::move(clock);
  return options;
}

// Every test keeps what reaches the loop's exception handler, and ends with nothing there
// unless it said so (a test that expects a report checks it, then clears `reports`).
class Ex36Gather : public ::testing::Test {
 protected:
  Ex36Gather() {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      reports.push_back(context.message + ": " + describe(context.exception));
    });
  }

  void TearDown() override {
    EXPECT_EQ(reports, Trace{})
        << "the loop's exception handler was called, and this test expected no report (a "
           "gather's done callback that throws is reported there, and so is a child's "
           "exception that nobody retrieved)";
  }

  Trace reports;  // declared before the loop, which reports into it until its very end
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  EventLoop loop{on(clock)};
};

}  // namespace

// ---- results -------------------------------------------------------------------------------

TEST_F(Ex36Gather, ResultsComeInArgumentOrderWhateverTheCompletionOrder) {
  Script script("all = gather({a, b, c}); the children finish in reverse order", kLesson);
  Future<int> a(loop), b(loop), c(loop);

  script.step("all = gather({a, b, c})");
  Future<std::vector<int>> all = aio::gather(Futures{a, b, c});
  EXPECT_STEP_EQ(script, state_of(all), std::string("pending"), "the children are pending");

  script.step("c.set_result(3); run_once(); b.set_result(2); run_once()");
  c.set_result(3);
  loop.run_once();
  b.set_result(2);
  loop.run_once();
  EXPECT_STEP_EQ(script, state_of(all), std::string("pending"), "a is still pending");

  script.step("a.set_result(1); run_once()");
  a.set_result(1);
  loop.run_once();
  EXPECT_STEP_EQ(script, state_of(all), std::string("result [1, 2, 3]"),
                 "the results come in the order the children were given, not the order they "
                 "finished in");
}

// ---- failures ------------------------------------------------------------------------------

TEST_F(Ex36Gather, FirstExceptionFinishesTheGatherWhileTheOtherChildrenGoOn) {
  Script script("all = gather({a, b, c}); b fails first", kLesson);
  Future<int> a(loop), b(loop), c(loop);

  script.step(
      "all = gather({a, b, c}); b.set_exception(runtime_error(\"b failed\")); "
      "run_once()");
  Future<std::vector<int>> all = aio::gather(Futures{a, b, c});
  b.set_exception(error("b failed"));
  loop.run_once();
  EXPECT_STEP_TRUE(script, all.done(),
                   "the first child to fail finishes the gather at once, without waiting for "
                   "the others");
  EXPECT_STEP_EQ(script, thrown_by([&] { all.result(); }),
                 std::string("std::runtime_error: b failed"),
                 "the gather's result() throws the child's exception");
  EXPECT_STEP_TRUE(script, !a.done() && !c.done(),
                   "the other children go on: gather cancels none of them");

  script.step("a.set_result(1); c.set_result(3); run_once()");
  a.set_result(1);
  c.set_result(3);
  loop.run_once();
  EXPECT_STEP_EQ(script, thrown_by([&] { all.result(); }),
                 std::string("std::runtime_error: b failed"),
                 "the gather keeps its first outcome; the late children change nothing");
}

TEST_F(Ex36Gather, ReturnExceptionsGivesEveryChildsOutcome) {
  Script script("all = gather({a, b, c}, return_exceptions): a value, an error, a cancel", kLesson);
  Future<int> a(loop), b(loop), c(loop);

  script.step("all = gather({a, b, c}, return_exceptions); b fails; run_once()");
  Future<std::vector<Outcome<int>>> all = aio::gather(Futures{a, b, c}, aio::return_exceptions);
  b.set_exception(error("b failed"));
  loop.run_once();
  EXPECT_STEP_EQ(script, state_of(all), std::string("pending"),
                 "with return_exceptions a failure does not end the gather: it waits for all");

  script.step("a.set_result(1); c.cancel(\"c stopped\"); run_once()");
  a.set_result(1);
  c.cancel("c stopped");
  loop.run_once();
  EXPECT_STEP_EQ(script, state_of(all),
                 std::string("result [value 1, exception std::runtime_error: b failed, "
                             "exception aio::CancelledError: c stopped]"),
                 "each child's Outcome, in order: a value, an exception, and a CancelledError "
                 "(with its message) for the cancelled one");
}

// ---- cancelling ----------------------------------------------------------------------------

TEST_F(Ex36Gather, CancelledChildFinishesTheGatherWithCancelledError) {
  Script script("all = gather({a, b}); a is cancelled", kLesson);
  Future<int> a(loop), b(loop);

  script.step("all = gather({a, b}); a.cancel(\"a stopped\"); run_once()");
  Future<std::vector<int>> all = aio::gather(Futures{a, b});
  a.cancel("a stopped");
  loop.run_once();
  EXPECT_STEP_TRUE(script, all.done(), "a cancelled child finishes the gather, as a failure");
  EXPECT_STEP_EQ(script, thrown_by([&] { all.result(); }),
                 std::string("aio::CancelledError: a stopped"),
                 "its result() throws the child's CancelledError, message included");
  EXPECT_STEP_TRUE(script, !all.cancelled(),
                   "yet the gather itself is not cancelled (cancelled() is false), as in "
                   "asyncio: nobody cancelled it; it finished with an exception that happens "
                   "to be a CancelledError");
  EXPECT_STEP_TRUE(script, !b.cancelled(), "the other child was not cancelled");

  script.step("b.set_result(2); run_once()");
  b.set_result(2);
  loop.run_once();
}

TEST_F(Ex36Gather, CancellingTheGatherCancelsThePendingChildren) {
  Script script("all = gather({a, b, c}); a has finished; all.cancel(\"enough\")", kLesson);
  Future<int> a(loop), b(loop), c(loop);

  script.step("all = gather({a, b, c}); a.set_result(1); run_once()");
  Future<std::vector<int>> all = aio::gather(Futures{a, b, c});
  a.set_result(1);
  loop.run_once();

  script.step("all.cancel(\"enough\")");
  EXPECT_STEP_TRUE(script, all.cancel("enough"),
                   "cancel() returns true: it could cancel pending children");
  EXPECT_STEP_TRUE(script, b.cancelled() && c.cancelled(),
                   "cancelling the gather cancels its pending children");
  EXPECT_STEP_TRUE(script, !a.cancelled(), "a had finished: it stays finished");
  EXPECT_STEP_EQ(script, state_of(all), std::string("pending"),
                 "the gather hears of its children through their callbacks: not done yet");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, thrown_by([&] { all.result(); }),
                 std::string("aio::CancelledError: enough"),
                 "once its cancelled children are done, the gather ends with CancelledError");
}

TEST_F(Ex36Gather, CancellingTheGatherEndsInCancelledErrorEvenWithReturnExceptions) {
  Script script("all = gather({a, b}, return_exceptions); a has finished; all.cancel()", kLesson);
  Future<int> a(loop), b(loop);

  script.step("all = gather({a, b}, return_exceptions); a.set_result(1); run_once()");
  Future<std::vector<Outcome<int>>> all = aio::gather(Futures{a, b}, aio::return_exceptions);
  a.set_result(1);
  loop.run_once();

  script.step("all.cancel(\"enough\"); run_once()");
  EXPECT_STEP_TRUE(script, all.cancel("enough"), "cancel() returns true: b was pending");
  loop.run_once();
  EXPECT_STEP_EQ(script, state_of(all), std::string("exception aio::CancelledError: enough"),
                 "a gather that was cancelled ends with CancelledError, not with a vector of "
                 "outcomes: return_exceptions is about the children's errors, not about "
                 "cancelling the gather itself");
}

TEST_F(Ex36Gather, CancellingAGatherThatIsDoneReturnsFalse) {
  Script script("all = gather({a}); a finished; all.cancel()", kLesson);
  Future<int> a(loop);

  script.step("all = gather({a}); a.set_result(1); run_once()");
  Future<std::vector<int>> all = aio::gather(Futures{a});
  a.set_result(1);
  loop.run_once();

  script.step("all.cancel()");
  EXPECT_STEP_TRUE(script, !all.cancel(), "cancelling a done future does nothing: false");
  EXPECT_STEP_EQ(script, state_of(all), std::string("result [1]"), "it keeps its result");
}

// ---- special cases -------------------------------------------------------------------------

TEST_F(Ex36Gather, GatherOfNoFuturesNeedsARunningLoopAndIsDoneAtOnce) {
  Script script("gather({}) outside any loop, then inside a callback of the running loop", kLesson);
  Future<int> a(loop);
  std::optional<Future<std::vector<int>>> empty;
  std::string outcome;
  bool done_at_once = false;

  script.step("gather({}) outside any loop");
  EXPECT_STEP_EQ(script, outcome_of([] { aio::gather(Futures{}); }),
                 std::string("std::runtime_error: no running event loop"),
                 "a gather's future belongs to its children's loop; with no child, it can only "
                 "be the running loop (get_running_loop()), and there is none");

  script.step("one = gather({a}) outside any loop; a.set_result(1); run_once()");
  Future<std::vector<int>> one = aio::gather(Futures{a});
  a.set_result(1);
  loop.run_once();
  EXPECT_STEP_EQ(script, state_of(one), std::string("result [1]"),
                 "with a child, no running loop is needed: the gather takes a's loop");

  script.step("call_soon(empty = gather({}); note whether it is done; stop()); run_forever()");
  loop.call_soon([&] {
    outcome = outcome_of([&] { empty.emplace(aio::gather(Futures{})); });
    done_at_once = empty && empty->done();
    loop.stop();
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, outcome, std::string("nothing"),
                 "with a running loop, gather of nothing works");
  EXPECT_STEP_TRUE(script, done_at_once,
                   "there is nothing to wait for: the future is done at once, inside gather()");
  if (empty) {
    EXPECT_STEP_EQ(script, state_of(*empty), std::string("result []"), "with an empty vector");
    EXPECT_STEP_TRUE(script, &empty->get_loop() == &loop, "on the running loop");
  }
}

TEST_F(Ex36Gather, SameFuturePassedTwiceAppearsTwiceAndIsWaitedForOnce) {
  Script script("all = gather({a, a, b})", kLesson);
  Future<int> a(loop), b(loop);

  script.step("all = gather({a, a, b}); a.set_result(1)");
  Future<std::vector<int>> all = aio::gather(Futures{a, a, b});
  a.set_result(1);
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{1},
                 "a carries one done callback of the gather, not two: completing it schedules "
                 "one callback");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, state_of(all), std::string("pending"),
                 "a counts once: b is still pending, so the gather is not done");

  script.step("b.set_result(2); run_once()");
  b.set_result(2);
  loop.run_once();
  EXPECT_STEP_EQ(script, state_of(all), std::string("result [1, 1, 2]"),
                 "the result has a place for every argument: a's value appears twice");
}

TEST_F(Ex36Gather, FuturesOfTwoLoopsAreRefused) {
  Script script("gather({a, b}), a on one loop, b on another", kLesson);
  EventLoop other(on(clock));
  Future<int> a(loop), b(other);

  script.step("gather({a, b})");
  const std::string outcome = thrown_by([&] { aio::gather(Futures{a, b}); });
  EXPECT_STEP_TRUE(script, outcome.starts_with("std::invalid_argument"),
                   "a gather's callbacks run on one loop: futures of two loops are "
                   "std::invalid_argument (seen: " +
                       outcome + ")");

  script.step("for comparison: same = gather({a, c}), c on a's loop; both finish; run_once()");
  Future<int> c(loop);
  Future<std::vector<int>> same = aio::gather(Futures{a, c});
  a.set_result(1);
  c.set_result(3);
  loop.run_once();
  EXPECT_STEP_EQ(script, state_of(same), std::string("result [1, 3]"),
                 "futures of one loop are gathered: only the mix was refused");
}

TEST_F(Ex36Gather, ChildThatFailsAfterTheGatherIsDoneHasItsExceptionRetrieved) {
  Script script("all = gather({a, b}); a fails, then b fails too; every handle goes", kLesson);

  script.step("all = gather({a, b}); a fails; run_once(); read all's exception");
  {
    Future<int> a(loop), b(loop);
    Future<std::vector<int>> all = aio::gather(Futures{a, b});
    a.set_exception(error("a failed"));
    loop.run_once();
    EXPECT_STEP_EQ(script, state_of(all), std::string("exception std::runtime_error: a failed"),
                   "a's exception finished the gather");

    script.step("b.set_exception(runtime_error(\"b failed\")); run_once(); drop every handle");
    b.set_exception(error("b failed"));
    loop.run_once();
  }
  EXPECT_STEP_EQ(script, reports, Trace{},
                 "nobody will ever read b's exception, and it is no news: the gather is done "
                 "already. Its callback marks the exception retrieved (exception()), so no "
                 "\"Future exception was never retrieved\" is reported");

  script.step("for comparison: a lone future fails, and its handle goes");
  {
    Future<int> lone(loop);
    lone.set_exception(error("lone"));
  }
  EXPECT_STEP_EQ(script, reports,
                 Trace{"Future exception was never retrieved: std::runtime_error: lone"},
                 "a failed future that nobody read is reported (Exercise 3.3)");
  reports.clear();  // checked: the fixture expects no report
}

TEST_F(Ex36Gather, ChildrensCallbacksRunThroughTheLoop) {
  Script script("misconception: a gather of finished futures is finished at once", kLesson);
  Future<int> a(loop), b(loop);

  script.step("a.set_result(1); first = gather({a})");
  a.set_result(1);
  Future<std::vector<int>> first = aio::gather(Futures{a});
  EXPECT_STEP_EQ(script, state_of(first), std::string("pending"),
                 "a is done, but the gather hears of it through a done callback, which the "
                 "loop runs: nothing completes inline");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, state_of(first), std::string("result [1]"), "the loop ran it");

  script.step("second = gather({b}); b.set_result(2)");
  Future<std::vector<int>> second = aio::gather(Futures{b});
  b.set_result(2);
  EXPECT_STEP_EQ(script, state_of(second), std::string("pending"),
                 "completing a child does not complete the gather inside set_result()");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, state_of(second), std::string("result [2]"), "the next iteration does");
}
