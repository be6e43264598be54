// Exercise 3.1: the state machine of a future (result, exception, set_exception, cancel).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// These tests need Exercise 3.1 only: no test adds a done callback (Exercise 3.2), so
// completing a future schedules nothing. A Future is a handle: its copies share one future,
// as every Python reference to a future shares the object. Futures live in the test's body,
// after the loop they belong to, so the loop outlives them.
#include <gtest/gtest.h>

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "aio/clock.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "support/script.hpp"

namespace {

using aio::EventLoop;
using aio::Future;
using aio::FutureState;
using aio::testing::outcome_of;
using aio::testing::Script;

constexpr const char* kLesson = "Exercise 3.1";

// An error of the test's own, to tell it apart from anything the future itself throws.
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

// The kind of error an outcome names ("aio::InvalidStateError"), without its message, which
// is the student's to word. A starter's stub keeps its whole text: it says what to read.
std::string kind_of(const std::string& seen) {
  if (seen.starts_with("aio::NotImplemented")) return seen;
  return seen.substr(0, seen.find(": "));
}

EventLoop::Options on(std::shared_ptr<aio::Clock> clock) {
  EventLoop::Options options;
  options.clock = std::move(clock);
  return options;
}

class Ex31FutureState : public ::testing::Test {
 protected:
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  EventLoop loop{on(clock)};
};

}  // namespace

// ---- pending -------------------------------------------------------------------------------

TEST_F(Ex31FutureState, NewFutureIsPendingAndHasNoResultYet) {
  Script script("a new Future<int>, asked for its result at once", kLesson);
  Future<int> future(loop);

  script.step("create a Future<int>");
  EXPECT_STEP_TRUE(script, future.state() == FutureState::pending, "a new future is pending");
  EXPECT_STEP_TRUE(script, !future.done(), "a pending future is not done");
  EXPECT_STEP_TRUE(script, !future.cancelled(), "a pending future is not cancelled");

  script.step("result()");
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { future.result(); })),
                 std::string("aio::InvalidStateError"),
                 "result() of a pending future raises InvalidStateError (\"Result is not "
                 "ready.\"): there is nothing to return yet, and result() never waits");
  EXPECT_STEP_TRUE(script, future.state() == FutureState::pending,
                   "asking changes nothing: the future is still pending");
}

TEST_F(Ex31FutureState, ExceptionOfAPendingFutureIsNotSetEither) {
  Script script("a new Future<int>, asked for its exception at once", kLesson);
  Future<int> future(loop);

  script.step("exception()");
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { future.exception(); })),
                 std::string("aio::InvalidStateError"),
                 "exception() of a pending future raises InvalidStateError (\"Exception is not "
                 "set.\"), as result() does: an empty exception_ptr would mean \"finished with "
                 "a value\"");
  EXPECT_STEP_TRUE(script, future.state() == FutureState::pending, "it is still pending");
}

// ---- finished with a value -----------------------------------------------------------------

TEST_F(Ex31FutureState, SetResultFinishesTheFutureAndTheResultCanBeReadAgainAndAgain) {
  Script script("set_result(42), then read the result three times", kLesson);
  Future<int> future(loop);

  script.step("set_result(42)");
  EXPECT_STEP_EQ(script, outcome([&] { future.set_result(42); }), std::string("nothing"),
                 "set_result() on a pending future throws nothing");
  EXPECT_STEP_TRUE(script, future.state() == FutureState::finished, "the future is finished");
  EXPECT_STEP_TRUE(script, future.done(), "a finished future is done");
  EXPECT_STEP_TRUE(script, !future.cancelled(), "and not cancelled");

  script.step("result() three times");
  EXPECT_STEP_EQ(script, future.result(), 42, "result() returns the value");
  EXPECT_STEP_EQ(script, future.result(), 42,
                 "reading the result does not take it away: a future is not a std::future");
  EXPECT_STEP_EQ(script, future.result(), 42, "any number of times");
  EXPECT_STEP_TRUE(script, &future.result() == &future.result(),
                   "result() returns a reference to the one value the future keeps");

  script.step("exception()");
  EXPECT_STEP_TRUE(script, future.exception() == nullptr,
                   "exception() of a future finished with a value is empty, not an error");
}

TEST_F(Ex31FutureState, CopyIsAHandleOnTheSameFutureNotASnapshot) {
  Script script("design point: copies of a Future share one future, as Python references do",
                kLesson);
  Future<std::string> original(loop);

  script.step("copy the pending future; set_result(\"ready\") through the copy");
  const Future<std::string> copy = original;
  copy.set_result("ready");
  EXPECT_STEP_TRUE(script, original.done(),
                   "completing one copy completes them all: a copy taken while pending is not a "
                   "snapshot of the pending state");
  EXPECT_STEP_EQ(script, original.result(), std::string("ready"),
                 "the original reads the value set through the copy");

  script.step("change the value through the original's result(); read it through the copy");
  original.result() += ", steady";
  EXPECT_STEP_EQ(script, copy.result(), std::string("ready, steady"),
                 "there is one value, not one per copy: result() is a reference to it");
  EXPECT_STEP_TRUE(script, &copy.result() == &original.result(), "the same object, in fact");

  script.step("copy the finished future; set_result(\"again\") through the new copy");
  const Future<std::string> late_copy = copy;
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { late_copy.set_result("again"); })),
                 std::string("aio::InvalidStateError"),
                 "a copy of a finished future is that finished future: it cannot be completed "
                 "again");
  EXPECT_STEP_EQ(script, late_copy.result(), std::string("ready, steady"),
                 "and it reads the same value");
}

TEST_F(Ex31FutureState, HandlesAreEqualOnlyWhenTheyShareAFuture) {
  Script script("a future, a copy of it, and a second future; two loops", kLesson);
  EventLoop other_loop{on(clock)};
  Future<int> first(loop);
  const Future<int> copy = first;
  Future<int> second(loop);
  Future<int> elsewhere(other_loop);

  script.step("compare the handles; ask each for its loop");
  EXPECT_STEP_TRUE(script, copy == first, "a copy is equal to its original: the same future");
  EXPECT_STEP_TRUE(script, !(second == first),
                   "two futures are never equal, even both pending on the same loop: equality "
                   "is identity (Python's `is`), not equal contents");
  EXPECT_STEP_TRUE(script, &first.get_loop() == &loop && &copy.get_loop() == &loop,
                   "get_loop() is the loop the future was created on");
  EXPECT_STEP_TRUE(script, &elsewhere.get_loop() == &other_loop,
                   "each future belongs to its own loop");

  script.step("set_result(1) on the first future");
  first.set_result(1);
  EXPECT_STEP_TRUE(script, copy == first && copy.done(), "the copy is still the same future");
  EXPECT_STEP_TRUE(script, !second.done(), "the second future is untouched");
  EXPECT_STEP_TRUE(script, !(second == first), "and still a different one");
}

TEST_F(Ex31FutureState, VoidFutureFinishesWithNoValue) {
  Script script("a Future<void> (asyncio: set_result(None))", kLesson);
  Future<void> future(loop);

  script.step("result() while pending");
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { future.result(); })),
                 std::string("aio::InvalidStateError"),
                 "a Future<void> is pending like any other: result() raises InvalidStateError");

  script.step("set_result(); result() twice");
  future.set_result();
  EXPECT_STEP_TRUE(script, future.state() == FutureState::finished, "it is finished");
  EXPECT_STEP_EQ(script, outcome([&] {
                   future.result();
                   future.result();
                 }),
                 std::string("nothing"), "result() returns (nothing), as often as asked");
  EXPECT_STEP_TRUE(script, future.exception() == nullptr, "it finished without an exception");

  script.step("set_result() again");
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { future.set_result(); })),
                 std::string("aio::InvalidStateError"), "a Future<void> completes once too");
}

TEST_F(Ex31FutureState, MoveOnlyResultIsLentByReferenceAndCanBeMovedOut) {
  Script script("a Future<std::unique_ptr<int>>: a result that cannot be copied", kLesson);
  Future<std::unique_ptr<int>> future(loop);

  script.step("set_result(make_unique<int>(7)); result() twice");
  future.set_result(std::make_unique<int>(7));
  std::unique_ptr<int>& lent = future.result();
  EXPECT_STEP_TRUE(script, lent != nullptr && *lent == 7,
                   "result() lends the value by reference: nothing is copied");
  EXPECT_STEP_TRUE(script, &future.result() == &lent, "every call lends the same object");

  script.step("std::move(future.result()) into a local");
  const std::unique_ptr<int> taken = std::move(future.result());
  EXPECT_STEP_TRUE(script, taken != nullptr && *taken == 7, "the caller may move the value out");
  EXPECT_STEP_TRUE(script, future.done() && future.result() == nullptr,
                   "the future stays finished and keeps the moved-from value (an empty "
                   "unique_ptr): moving out is the caller's choice, not the future's");
}

// ---- a future completes once ---------------------------------------------------------------

TEST_F(Ex31FutureState, SecondSetResultIsRefusedAndTheFirstValueIsKept) {
  Script script("set_result(\"first\"), then set_result(\"second\")", kLesson);
  Future<std::string> future(loop);

  script.step("set_result(\"first\")");
  future.set_result("first");

  script.step("set_result(\"second\")");
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { future.set_result("second"); })),
                 std::string("aio::InvalidStateError"),
                 "a future completes once: a second set_result() raises InvalidStateError");
  EXPECT_STEP_EQ(script, future.result(), std::string("first"),
                 "the refused call changed nothing: the first value is still there (check "
                 "the state before storing the value, or the second call overwrites the "
                 "first and then complains)");
}

TEST_F(Ex31FutureState, SetExceptionMakesResultRethrowThatException) {
  Script script("set_exception(DiskError(\"disk on fire\")), then result() and exception()",
                kLesson);
  Future<int> future(loop);
  const std::exception_ptr error = std::make_exception_ptr(DiskError("disk on fire"));

  script.step("set_exception(error)");
  EXPECT_STEP_EQ(script, outcome([&] { future.set_exception(error); }), std::string("nothing"),
                 "set_exception() on a pending future throws nothing");
  EXPECT_STEP_TRUE(script, future.state() == FutureState::finished,
                   "a future that ends with an exception is finished, like one with a value");
  EXPECT_STEP_TRUE(script, future.done() && !future.cancelled(), "done, not cancelled");

  script.step("result() twice");
  for (int attempt = 1; attempt <= 2; ++attempt) {
    std::string caught = "nothing";
    try {
      future.result();
    } catch (const DiskError& e) {
      caught = std::string("DiskError: ") + e.what();
    } catch (const std::exception& e) {
      caught = std::string("another exception: ") + e.what();
    }
    EXPECT_STEP_EQ(script, caught, std::string("DiskError: disk on fire"),
                   "result() rethrows the stored exception itself, with its own type and "
                   "message (std::rethrow_exception), every time it is called");
  }

  script.step("exception()");
  EXPECT_STEP_TRUE(script, future.exception() == error,
                   "exception() returns the stored exception (the same object: the "
                   "exception_ptrs compare equal) instead of throwing it");
}

TEST_F(Ex31FutureState, SetExceptionWithAnEmptyPointerIsRefused) {
  Script script("set_exception(std::exception_ptr{}): an exception that is not there", kLesson);
  Future<int> future(loop);

  script.step("set_exception(nullptr)");
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { future.set_exception(nullptr); })),
                 std::string("std::invalid_argument"),
                 "an empty exception_ptr is std::invalid_argument (asyncio's TypeError): "
                 "stored, it would read as \"finished with a value\", a value that was never "
                 "set");
  EXPECT_STEP_TRUE(script, future.state() == FutureState::pending,
                   "the refused call left the future pending");
}

TEST_F(Ex31FutureState, FutureFinishedOneWayCannotBeFinishedTheOtherWay) {
  Script script("set_exception after set_result, and set_result after set_exception", kLesson);
  Future<int> with_value(loop);
  Future<int> with_error(loop);
  const std::exception_ptr error = std::make_exception_ptr(DiskError("disk on fire"));
  const std::exception_ptr late_error = std::make_exception_ptr(DiskError("too late"));

  script.step("with_value: set_result(1), then set_exception(late_error)");
  with_value.set_result(1);
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { with_value.set_exception(late_error); })),
                 std::string("aio::InvalidStateError"),
                 "set_exception() on a finished future raises InvalidStateError");
  EXPECT_STEP_EQ(script, with_value.result(), 1, "the value is kept");
  EXPECT_STEP_TRUE(script, with_value.exception() == nullptr, "and no exception was stored");

  script.step("with_error: set_exception(error), then set_result(2)");
  with_error.set_exception(error);
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { with_error.set_result(2); })),
                 std::string("aio::InvalidStateError"),
                 "set_result() on a future finished with an exception raises "
                 "InvalidStateError");
  EXPECT_STEP_TRUE(script, with_error.exception() == error, "the exception is kept");
}

// ---- cancel --------------------------------------------------------------------------------

TEST_F(Ex31FutureState, CancelledFutureRaisesCancelledErrorWithTheMessage) {
  Script script("cancel(\"shutting down\") a pending future", kLesson);
  Future<int> future(loop);

  script.step("cancel(\"shutting down\")");
  bool accepted = false;
  EXPECT_STEP_EQ(script, outcome([&] { accepted = future.cancel("shutting down"); }),
                 std::string("nothing"), "cancel() throws nothing");
  EXPECT_STEP_TRUE(script, accepted, "cancel() of a pending future returns true");
  EXPECT_STEP_TRUE(script, future.state() == FutureState::cancelled, "the future is cancelled");
  EXPECT_STEP_TRUE(script, future.cancelled() && future.done(),
                   "cancelled() is true, and so is done(): cancelled is one way to be done");

  script.step("result(), then exception()");
  EXPECT_STEP_EQ(script, outcome([&] { future.result(); }),
                 std::string("aio::CancelledError: shutting down"),
                 "result() of a cancelled future raises CancelledError with the message given "
                 "to cancel()");
  EXPECT_STEP_EQ(script, outcome([&] { future.exception(); }),
                 std::string("aio::CancelledError: shutting down"),
                 "so does exception(): a cancelled future has neither a value nor an exception "
                 "to hand over");
}

TEST_F(Ex31FutureState, CancelOfADoneFutureReturnsFalseAndChangesNothing) {
  Script script("cancel() futures that already finished, with a value and with an exception",
                kLesson);
  Future<int> with_value(loop);
  Future<int> with_error(loop);
  const std::exception_ptr error = std::make_exception_ptr(DiskError("disk on fire"));

  script.step("with_value: set_result(5), then cancel()");
  with_value.set_result(5);
  EXPECT_STEP_TRUE(script, !with_value.cancel("too late"),
                   "cancel() of a finished future returns false: there is nothing to cancel");
  EXPECT_STEP_TRUE(script, with_value.state() == FutureState::finished && !with_value.cancelled(),
                   "the future stays finished, not cancelled");
  EXPECT_STEP_EQ(script, with_value.result(), 5, "its value is kept");

  script.step("with_error: set_exception(error), then cancel()");
  with_error.set_exception(error);
  EXPECT_STEP_TRUE(script, !with_error.cancel("too late"),
                   "a future finished with an exception cannot be cancelled either");
  EXPECT_STEP_TRUE(script, with_error.exception() == error, "its exception is kept");
}

TEST_F(Ex31FutureState, SecondCancelReturnsFalseAndKeepsTheFirstMessage) {
  Script script("cancel(\"first\"), then cancel(\"second\")", kLesson);
  Future<int> future(loop);

  script.step("cancel(\"first\"); cancel(\"second\")");
  const bool first = future.cancel("first");
  const bool second = future.cancel("second");
  EXPECT_STEP_TRUE(script, first, "the first cancel() returns true");
  EXPECT_STEP_TRUE(script, !second,
                   "the second returns false: a cancelled future is done, and cancel() of a "
                   "done future does nothing");
  EXPECT_STEP_EQ(script, outcome([&] { future.result(); }),
                 std::string("aio::CancelledError: first"),
                 "the message of the cancel() that won is kept");
}

TEST_F(Ex31FutureState, CompletingACancelledFutureIsRefused) {
  Script script("cancel() a future, then set_result() and set_exception()", kLesson);
  Future<int> future(loop);
  const std::exception_ptr error = std::make_exception_ptr(DiskError("disk on fire"));

  script.step("cancel(); set_result(1); set_exception(error)");
  future.cancel();
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { future.set_result(1); })),
                 std::string("aio::InvalidStateError"),
                 "a cancelled future is done: set_result() raises InvalidStateError (the "
                 "producer learns that nobody wants its result any more)");
  EXPECT_STEP_EQ(script, kind_of(outcome([&] { future.set_exception(error); })),
                 std::string("aio::InvalidStateError"), "so does set_exception()");
  EXPECT_STEP_TRUE(script, future.cancelled(), "the future stays cancelled");
  EXPECT_STEP_EQ(script, outcome([&] { future.result(); }), std::string("aio::CancelledError: "),
                 "result() still raises CancelledError (with an empty message: cancel() had "
                 "none)");
}

// ---- debug mode ----------------------------------------------------------------------------

TEST_F(Ex31FutureState, DebugModeRefusesToCompleteAFutureFromAnotherThread) {
  Script script("debug mode: a thread that does not run the loop completes a future", kLesson);
  loop.set_debug(true);
  Future<int> future(loop);
  const std::exception_ptr error = std::make_exception_ptr(DiskError("disk on fire"));
  std::string from_thread_result = "not run";
  std::string from_thread_exception = "not run";

  script.step(
      "run the loop in this thread; a callback starts a std::thread that calls set_result(1) "
      "and set_exception(error), joins it, and stops the loop");
  loop.call_soon([&] {
    // join() makes the thread's calls finish before the loop goes on: no race, no sleep.
    std::thread other([&] {
      from_thread_result = outcome([&] { future.set_result(1); });
      from_thread_exception = outcome([&] { future.set_exception(error); });
    });
    other.join();
    loop.stop();
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, kind_of(from_thread_result), std::string("std::runtime_error"),
                 "in debug mode, set_result() from a thread that does not run the loop raises "
                 "std::runtime_error (the loop's check_thread()): a future is not thread-safe");
  EXPECT_STEP_EQ(script, kind_of(from_thread_exception), std::string("std::runtime_error"),
                 "so does set_exception()");
  EXPECT_STEP_TRUE(script, future.state() == FutureState::pending,
                   "the refused calls left the future pending");

  script.step("the loop has stopped; set_result(2) from this thread");
  EXPECT_STEP_EQ(script, outcome([&] { future.set_result(2); }), std::string("nothing"),
                 "the thread that owns the loop may complete its futures");
  EXPECT_STEP_EQ(script, future.result(), 2, "and the value is there");
}
