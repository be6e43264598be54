// Exercise 3.7: wait, with a timeout: done callbacks on every future, and one timer.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// wait() builds on futures and their done callbacks (Exercises 3.1 to 3.3). Its timeout is a
// loop timer, so time is an aio::ManualClock: it moves only when a test advances it, and every
// timeout test is exact and instant. The tests drive the loop one iteration at a time with
// run_once(), and never run it until something happens (a wait that never returned would then
// hang the test instead of failing it).
//
// Until it returns, a wait and its futures hold each other (each future's callback holds the
// wait, which holds the futures), so every test finishes every future it waits for: otherwise
// LeakSanitizer (the asan preset) reports the cycle as a leak.
#include <gtest/gtest.h>

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/wait.hpp"
#include "support/script.hpp"

namespace {

using aio::EventLoop;
using aio::Future;
using aio::ManualClock;
using aio::testing::Script;
using Futures = std::vector<Future<int>>;
using Trace = std::vector<std::string>;
using Waited = Future<aio::WaitResult<int>>;

constexpr const char* kLesson = "Exercise 3.7";

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

// Some of `named` by name: the first of `named` is "a", the second "b", and so on.
std::string names(const Futures& some, const Futures& named) {
  std::string seen;
  for (const Future<int>& future : some) {
    if (!seen.empty()) seen += ", ";
    std::size_t index = 0;
    while (index < named.size() && !(named[index] == future)) ++index;
    seen += index < named.size() ? std::string(1, static_cast<char>('a' + index)) : "?";
  }
  return seen;
}

// A wait's future in words: "pending", "cancelled", "exception <what>", or its split as
// "done {a, b} pending {c}", the futures named by their place in `named`.
std::string split_of(const Waited& waited, const Futures& named) {
  if (!waited.done()) return "pending";
  if (waited.cancelled()) return "cancelled";
  if (const std::exception_ptr error = waited.exception()) return "exception " + describe(error);
  const aio::WaitResult<int>& split = waited.result();
  return "done {" + names(split.done, named) + "} pending {" + names(split.pending, named) + "}";
}

std::exception_ptr error(const char* message) {
  return std::make_exception_ptr(std::runtime_error(message));
}

EventLoop::Options on(std::shared_ptr<aio::Clock> clock) {
  EventLoop::Options options;
  options.clock = std::move(clock);
  return options;
}

// Every test keeps what reaches the loop's exception handler, and ends with nothing there.
class Ex37Wait : public ::testing::Test {
 protected:
  Ex37Wait() {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      reports.push_back(context.message + ": " + describe(context.exception));
    });
  }

  void TearDown() override {
    EXPECT_EQ(reports, Trace{})
        << "the loop's exception handler was called, and this test expected no report (a "
           "wait's done callback or timer that throws is reported there)";
  }

  // Timers in the loop's queue that can still run.
  std::size_t live_timers() const { return loop.timers().size() - loop.timers().cancelled_count(); }

  Trace reports;  // declared before the loop, which reports into it until its very end
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  EventLoop loop{on(clock)};
};

}  // namespace

// ---- return_when ---------------------------------------------------------------------------

TEST_F(Ex37Wait, AllCompletedWaitsForEveryFuture) {
  Script script("waited = wait({a, b, c}) (ALL_COMPLETED); they finish one by one", kLesson);
  Future<int> a(loop), b(loop), c(loop);
  const Futures named{a, b, c};

  script.step("waited = wait({a, b, c}); b.set_result(2); run_once()");
  Waited waited = aio::wait(named);
  b.set_result(2);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("pending"),
                 "ALL_COMPLETED (the default) waits while any future is pending");

  script.step("a.set_result(1); c.set_exception(runtime_error(\"c failed\")); run_once()");
  a.set_result(1);
  c.set_exception(error("c failed"));
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {a, b, c} pending {}"),
                 "when the last one is done, wait's future gives them all as done, in the "
                 "order given; a failed future is done like the others (wait raises nothing)");
  EXPECT_STEP_EQ(script, describe(c.exception()), std::string("std::runtime_error: c failed"),
                 "c's exception stays in c, for whoever reads it");
}

TEST_F(Ex37Wait, FirstCompletedReturnsWithOneDoneAndTheRestPending) {
  Script script("waited = wait({a, b, c}, FIRST_COMPLETED); b finishes", kLesson);
  Future<int> a(loop), b(loop), c(loop);
  const Futures named{a, b, c};

  script.step(
      "waited = wait({a, b, c}, {.return_when = FIRST_COMPLETED}); b.set_result(2); "
      "run_once()");
  Waited waited = aio::wait(named, {.return_when = aio::FIRST_COMPLETED});
  b.set_result(2);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {b} pending {a, c}"),
                 "FIRST_COMPLETED returns as soon as one is done; the pending ones keep the "
                 "order they were given in");

  script.step("a.set_result(1); c.set_result(3); run_once()");
  a.set_result(1);
  c.set_result(3);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {b} pending {a, c}"),
                 "the split was taken when wait returned: it does not change after");
}

TEST_F(Ex37Wait, FirstExceptionReturnsAtTheFirstFailure) {
  Script script("waited = wait({a, b, c}, FIRST_EXCEPTION); a succeeds, then b fails", kLesson);
  Future<int> a(loop), b(loop), c(loop);
  const Futures named{a, b, c};

  script.step(
      "waited = wait({a, b, c}, {.return_when = FIRST_EXCEPTION}); a.set_result(1); "
      "run_once()");
  Waited waited = aio::wait(named, {.return_when = aio::FIRST_EXCEPTION});
  a.set_result(1);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("pending"),
                 "a value is not an exception: FIRST_EXCEPTION goes on waiting");

  script.step("b.set_exception(runtime_error(\"b failed\")); run_once()");
  b.set_exception(error("b failed"));
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {a, b} pending {c}"),
                 "the first failure ends the wait, with what is done by then");
  EXPECT_STEP_EQ(script, describe(b.exception()), std::string("std::runtime_error: b failed"),
                 "wait raises nothing: the exception stays in b");

  script.step("c.set_result(3); run_once()");
  c.set_result(3);
  loop.run_once();
}

TEST_F(Ex37Wait, CancelledFutureIsNotAFailureForFirstException) {
  Script script("waited = wait({a, b, c}, FIRST_EXCEPTION); a is cancelled", kLesson);
  Future<int> a(loop), b(loop), c(loop);
  const Futures named{a, b, c};

  script.step(
      "waited = wait({a, b, c}, {.return_when = FIRST_EXCEPTION}); a.cancel(); "
      "run_once()");
  Waited waited = aio::wait(named, {.return_when = aio::FIRST_EXCEPTION});
  a.cancel();
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("pending"),
                 "a cancelled future is done, but it did not fail: FIRST_EXCEPTION goes on "
                 "waiting (asyncio counts only futures whose exception() is set)");

  script.step("b.set_result(2); c.set_result(3); run_once()");
  b.set_result(2);
  c.set_result(3);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {a, b, c} pending {}"),
                 "the cancelled one is among the done");
}

TEST_F(Ex37Wait, FirstExceptionWithoutAFailureWaitsForAll) {
  Script script("waited = wait({a, b}, FIRST_EXCEPTION); both succeed", kLesson);
  Future<int> a(loop), b(loop);
  const Futures named{a, b};

  script.step(
      "waited = wait({a, b}, {.return_when = FIRST_EXCEPTION}); b.set_result(2); "
      "run_once()");
  Waited waited = aio::wait(named, {.return_when = aio::FIRST_EXCEPTION});
  b.set_result(2);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("pending"),
                 "no failure yet: it waits");

  script.step("a.set_result(1); run_once()");
  a.set_result(1);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {a, b} pending {}"),
                 "with no failure at all, FIRST_EXCEPTION is ALL_COMPLETED");
}

// ---- the timeout ---------------------------------------------------------------------------

TEST_F(Ex37Wait, TimeoutReturnsWhatIsDoneThenRaisingNothingAndCancellingNothing) {
  Script script("waited = wait({a, b}, timeout 5); only a finishes in time", kLesson);
  Future<int> a(loop), b(loop);
  const Futures named{a, b};

  script.step("waited = wait({a, b}, {.timeout = 5}); a.set_result(1); run_once()");
  Waited waited = aio::wait(named, {.timeout = 5.0});
  a.set_result(1);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("pending"), "b is pending");

  script.step("advance the clock by 4; run_once()");
  clock->advance(4);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("pending"),
                 "at 4 the timeout has not expired");

  script.step("advance the clock by 1 (the time is 5); run_once()");
  clock->advance(1);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {a} pending {b}"),
                 "when the timeout expires, wait returns what is done and what is pending "
                 "then: a timeout is not an error, so it raises no TimeoutError");
  EXPECT_STEP_TRUE(script, !b.done(), "and it cancels nothing: b is still pending");

  script.step("b.set_result(2); run_once()");
  b.set_result(2);
  loop.run_once();
}

TEST_F(Ex37Wait, ZeroTimeoutReturnsAtTheNextIteration) {
  Script script("a is done; waited = wait({a, b}, timeout 0)", kLesson);
  Future<int> a(loop), b(loop);
  const Futures named{a, b};

  script.step("a.set_result(1); waited = wait({a, b}, {.timeout = 0})");
  a.set_result(1);
  Waited waited = aio::wait(named, {.timeout = 0.0});
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("pending"),
                 "even a timeout of 0 is a timer: nothing happens inside wait()");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {a} pending {b}"),
                 "the next iteration runs a's callback, then the timer, which is due at once: "
                 "a counts as done, b as pending");
  EXPECT_STEP_EQ(script, loop.time(), 0.0, "no time had to pass");

  script.step("b.set_result(2); run_once()");
  b.set_result(2);
  loop.run_once();
}

// ---- cleaning up ---------------------------------------------------------------------------

TEST_F(Ex37Wait, AfterWaitReturnsTheFuturesCarryNoneOfItsCallbacks) {
  Script script("waited = wait({a, b}, FIRST_COMPLETED, timeout 10); a finishes", kLesson);
  Future<int> a(loop), b(loop);
  const Futures named{a, b};

  script.step("waited = wait({a, b}, {.timeout = 10, .return_when = FIRST_COMPLETED})");
  Waited waited = aio::wait(named, {.timeout = 10.0, .return_when = aio::FIRST_COMPLETED});
  EXPECT_STEP_EQ(script, live_timers(), std::size_t{1}, "the timeout is one timer on the loop");

  script.step("a.set_result(1); run_once()");
  a.set_result(1);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {a} pending {b}"),
                 "FIRST_COMPLETED: a is in");
  EXPECT_STEP_EQ(script, live_timers(), std::size_t{0},
                 "the wait is over: its timer was cancelled");

  script.step("b.set_result(2)");
  const std::size_t ready_before = loop.ready_count();
  b.set_result(2);
  EXPECT_STEP_EQ(script, loop.ready_count(), ready_before,
                 "b no longer carries the wait's callback: completing it schedules nothing");

  script.step("advance the clock by 10; run_once()");
  clock->advance(10);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {a} pending {b}"),
                 "nothing changed the result: neither b nor the old timeout");
}

TEST_F(Ex37Wait, CancellingTheWaitRemovesItsCallbacksAndTimer) {
  Script script("waited = wait({a, b}, timeout 10); waited.cancel()", kLesson);
  Future<int> a(loop), b(loop);
  const Futures named{a, b};

  script.step("waited = wait({a, b}, {.timeout = 10}); waited.cancel(); run_once()");
  Waited waited = aio::wait(named, {.timeout = 10.0});
  EXPECT_STEP_TRUE(script, waited.cancel(), "the wait's future was pending: cancel() is true");
  loop.run_once();
  EXPECT_STEP_EQ(script, live_timers(), std::size_t{0},
                 "the cancelled wait took its timer off the loop (a done callback of its own "
                 "future did it)");
  EXPECT_STEP_TRUE(script, !a.done() && !b.done(),
                   "cancelling the wait cancels none of the futures it waited for");

  script.step("a.set_result(1)");
  const std::size_t ready_before = loop.ready_count();
  a.set_result(1);
  EXPECT_STEP_EQ(script, loop.ready_count(), ready_before,
                 "and took its callbacks off the futures: completing one schedules nothing");

  script.step("b.set_result(2); advance the clock by 10; run_once()");
  b.set_result(2);
  clock->advance(10);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("cancelled"),
                 "the wait stays cancelled");
}

// ---- special cases -------------------------------------------------------------------------

TEST_F(Ex37Wait, AlreadyDoneFuturesCountAtOnce) {
  Script script("a is done before waited = wait({a, b}, FIRST_COMPLETED)", kLesson);
  Future<int> a(loop), b(loop);
  const Futures named{a, b};

  script.step("a.set_result(1); waited = wait({a, b}, {.return_when = FIRST_COMPLETED})");
  a.set_result(1);
  Waited waited = aio::wait(named, {.return_when = aio::FIRST_COMPLETED});
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("pending"),
                 "wait hears of a through a done callback, which the loop runs: not inside "
                 "wait()");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {a} pending {b}"),
                 "a future done before the wait counts at the next iteration, with no other "
                 "future having to finish");

  script.step("b.set_result(2); run_once()");
  b.set_result(2);
  loop.run_once();
}

TEST_F(Ex37Wait, FutureGivenTwiceIsWaitedForOnce) {
  Script script("waited = wait({a, a, b})", kLesson);
  Future<int> a(loop), b(loop);
  const Futures named{a, b};

  script.step("waited = wait({a, a, b}); a.set_result(1)");
  Waited waited = aio::wait(Futures{a, a, b});
  a.set_result(1);
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{1},
                 "a carries one callback of the wait, not two: Python makes a set of the "
                 "futures, so each is waited for once");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("pending"),
                 "a counts once: b is still pending");

  script.step("b.set_result(2); run_once()");
  b.set_result(2);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {a, b} pending {}"),
                 "a appears once among the done");
}

TEST_F(Ex37Wait, EmptyVectorIsRefused) {
  Script script("wait({}), then wait({a})", kLesson);
  Future<int> a(loop);

  script.step("wait({})");
  const std::string outcome = thrown_by([] { aio::wait(Futures{}); });
  EXPECT_STEP_TRUE(script, outcome.starts_with("std::invalid_argument"),
                   "waiting for nothing is a mistake asyncio refuses (\"Set of Tasks/Futures "
                   "is empty.\"): std::invalid_argument (seen: " +
                       outcome + ")");

  script.step("for comparison: waited = wait({a}); a.set_result(1); run_once()");
  Waited waited = aio::wait(Futures{a});
  a.set_result(1);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, Futures{a}), std::string("done {a} pending {}"),
                 "one future is enough to wait for");
}

TEST_F(Ex37Wait, FuturesOfTwoLoopsAreRefused) {
  Script script("wait({a, b}), a on one loop, b on another", kLesson);
  EventLoop other(on(clock));
  Future<int> a(loop), b(other);

  script.step("wait({a, b})");
  const std::string outcome = thrown_by([&] { aio::wait(Futures{a, b}); });
  EXPECT_STEP_TRUE(script, outcome.starts_with("std::invalid_argument"),
                   "a wait's callbacks and timer run on one loop: futures of two loops are "
                   "std::invalid_argument (seen: " +
                       outcome + ")");

  script.step("for comparison: waited = wait({a, c}), c on a's loop; both finish; run_once()");
  Future<int> c(loop);
  const Futures named{a, b, c};
  Waited waited = aio::wait(Futures{a, c});
  a.set_result(1);
  c.set_result(3);
  loop.run_once();
  EXPECT_STEP_EQ(script, split_of(waited, named), std::string("done {a, c} pending {}"),
                 "futures of one loop are waited for: only the mix was refused");
}
