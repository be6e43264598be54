// Exercise 3.5: a Deferred's chain (Twisted): fire, run_callbacks, wait_for.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// A Deferred runs its chain synchronously, inside callback() or errback(), so most tests need
// no loop iteration at all: the loop is there to receive the report of a failure nobody
// handled. The tests of from_future() and as_future() use futures as well (Exercises 3.1 to
// 3.3), and from_future() hears of its future through a done callback, run by run_once().
#include <gtest/gtest.h>

#include <any>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/deferred.hpp"
#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "support/script.hpp"

namespace {

using aio::Deferred;
using aio::EventLoop;
using aio::Failure;
using aio::Future;
using aio::ManualClock;
using aio::testing::outcome_of;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 3.5";

// An exception in words: its kind and its message. outcome_of() names only the std:: families;
// the errors of this chapter (and std::bad_any_cast, whose message differs between standard
// libraries) need names of their own.
std::string describe(const std::exception_ptr& error) {
  if (!error) return "no exception";
  try {
    std::rethrow_exception(error);
  } catch (const aio::NotImplemented& e) {
    return std::string("aio::NotImplemented: ") + e.what();
  } catch (const aio::CancelledError& e) {
    return std::string("aio::CancelledError: ") + e.what();
  } catch (const aio::AlreadyCalledError& e) {
    return std::string("aio::AlreadyCalledError: ") + e.what();
  } catch (const std::bad_any_cast&) {
    return "std::bad_any_cast";
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

// A Deferred's current result in words: "empty", "int 3", "Failure(std::runtime_error: x)".
std::string describe(const std::any& result) {
  if (!result.has_value()) return "empty";
  if (const auto* number = std::any_cast<int>(&result)) return "int " + std::to_string(*number);
  if (const auto* text = std::any_cast<std::string>(&result)) return "string \"" + *text + "\"";
  if (const auto* failure = std::any_cast<Failure>(&result)) {
    return "Failure(" + describe(failure->exception()) + ")";
  }
  if (std::any_cast<Deferred>(&result) != nullptr) return "a Deferred";
  return std::string("a value of type ") + result.type().name();
}

EventLoop::Options on(std::shared_ptr<aio::Clock> clock) {
  EventLoop::Options options;
  options.clock = std::move(clock);
  return options;
}

// A step that throws: the usual way a callback fails.
std::any fail_with_runtime_error(std::any&) {
  throw std::runtime_error("disk on fire");
}

// Every test keeps what reaches the loop's exception handler, and ends with nothing there
// unless it said so (a test that expects a report checks it, then clears `reports`).
class Ex35Deferred : public ::testing::Test {
 protected:
  Ex35Deferred() {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      reports.push_back(context.message + ": " + describe(context.exception));
    });
  }

  void TearDown() override {
    EXPECT_EQ(reports, Trace{})
        << "the loop's exception handler was called, and this test expected no report: a "
           "chain that ends on a Failure is reported as \"Unhandled error in Deferred\" when "
           "its last handle goes";
  }

  Trace reports;  // declared before the loop, which reports into it until its very end
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  EventLoop loop{on(clock)};
};

}  // namespace

// ---- the callback path ---------------------------------------------------------------------

TEST_F(Ex35Deferred, CallbacksRunWhenFiredInOrderEachGettingThePreviousResult) {
  Script script("a chain of two typed callbacks, then callback(5)", kLesson);
  Trace trace;
  Deferred d(loop);

  script.step("add_callback<int>(double it), add_callback<int>(add one)");
  d.add_callback<int>([&](int x) {
    trace.push_back("double " + std::to_string(x));
    return x * 2;
  });
  d.add_callback<int>([&](int x) {
    trace.push_back("add one to " + std::to_string(x));
    return x + 1;
  });
  EXPECT_STEP_EQ(script, trace, Trace{}, "adding callbacks runs none of them: nothing fired");
  EXPECT_STEP_TRUE(script, !d.called(), "the Deferred has not been called");

  script.step("callback(5)");
  d.callback(5);
  EXPECT_STEP_EQ(script, trace, (Trace{"double 5", "add one to 10"}),
                 "callback() runs the whole chain before it returns, in the order the steps "
                 "were added, each step getting what the previous one returned");
  EXPECT_STEP_EQ(script, describe(d.result()), std::string("int 11"),
                 "the result is what the last step returned");
  EXPECT_STEP_TRUE(script, d.called(), "the Deferred has been called");
}

TEST_F(Ex35Deferred, CallbackAddedAfterFiringRunsAtOnce) {
  Script script("misconception: a callback added too late never runs", kLesson);
  Trace trace;
  Deferred d(loop);

  script.step("callback(3) with an empty chain");
  d.callback(3);
  EXPECT_STEP_EQ(script, describe(d.result()), std::string("int 3"),
                 "with no step, the result stays what it was fired with");

  script.step("add_callback<int>(times ten)");
  d.add_callback<int>([&](int x) {
    trace.push_back("times ten " + std::to_string(x));
    return x * 10;
  });
  EXPECT_STEP_EQ(script, trace, Trace{"times ten 3"},
                 "a step added to a fired Deferred runs inside add_callback(), with the "
                 "current result: no loop iteration needed");
  EXPECT_STEP_EQ(script, describe(d.result()), std::string("int 30"), "and its return is kept");
}

// ---- the errback path ----------------------------------------------------------------------

TEST_F(Ex35Deferred, ThrowingCallbackPutsAFailureOnTheErrbackPath) {
  Script script("a callback throws std::runtime_error; an errback follows", kLesson);
  Trace trace;
  Deferred d(loop);

  script.step("add_callback(throw runtime_error(\"disk on fire\")), add_errback(record)");
  d.add_callback(fail_with_runtime_error);
  d.add_errback([&](const Failure& failure) {
    trace.push_back("errback: " + failure.message());
    trace.push_back(std::string("check<runtime_error> ") +
                    (failure.check<std::runtime_error>() ? "true" : "false"));
    trace.push_back(std::string("check<logic_error> ") +
                    (failure.check<std::logic_error>() ? "true" : "false"));
    return 0;  // handled
  });

  script.step("callback(1)");
  EXPECT_STEP_EQ(script, outcome_of([&] { d.callback(1); }), std::string("nothing"),
                 "an exception thrown by a step never escapes callback(): it becomes a Failure");
  EXPECT_STEP_EQ(
      script, trace,
      (Trace{"errback: disk on fire", "check<runtime_error> true", "check<logic_error> false"}),
      "the next errback receives a Failure that holds the exception: check<E>() is "
      "true for its type and false for another");
}

TEST_F(Ex35Deferred, CallbacksAfterAFailureAreSkippedUntilAnErrback) {
  Script script("a callback throws; two callbacks, then an errback, then a callback", kLesson);
  Trace trace;
  Deferred d(loop);

  script.step(
      "add_callback(throw), add_callback(b), add_callback(c), add_errback(e), "
      "add_callback(d)");
  d.add_callback(fail_with_runtime_error);
  d.add_callback([&](std::any& result) {
    trace.push_back("b");
    return result;
  });
  d.add_callback([&](std::any& result) {
    trace.push_back("c");
    return result;
  });
  d.add_errback([&](const Failure&) {
    trace.push_back("e");
    return 1;
  });
  d.add_callback<int>([&](int x) {
    trace.push_back("d got " + std::to_string(x));
    return x;
  });

  script.step("callback(0)");
  d.callback(0);
  EXPECT_STEP_EQ(script, trace, (Trace{"e", "d got 1"}),
                 "on the errback path every callback is skipped; the first errback runs, and "
                 "what it returns goes on down the callback path");
}

TEST_F(Ex35Deferred, ErrbackThatReturnsAValueSwitchesBackToTheCallbackPath) {
  Script script("errback(error); the errback returns a value; an errback after it", kLesson);
  Trace trace;
  Deferred d(loop);

  script.step("add_errback(return 42), add_callback<int>(record), add_errback(record)");
  d.add_errback([&](const Failure& failure) {
    trace.push_back("recovered from " + failure.message());
    return 42;
  });
  d.add_callback<int>([&](int x) {
    trace.push_back("callback got " + std::to_string(x));
    return x;
  });
  d.add_errback([&](const Failure&) {
    trace.push_back("second errback");
    return 0;
  });

  script.step("errback(runtime_error(\"timeout\"))");
  d.errback(std::make_exception_ptr(std::runtime_error("timeout")));
  EXPECT_STEP_EQ(script, trace, (Trace{"recovered from timeout", "callback got 42"}),
                 "an errback that returns a value has handled the error: the value goes to the "
                 "next callback, and the next errback is skipped");
  EXPECT_STEP_EQ(script, describe(d.result()), std::string("int 42"),
                 "the chain ends on the callback path");
}

TEST_F(Ex35Deferred, ErrbackThatRethrowsStaysOnTheErrbackPath) {
  Script script("an errback that logs the failure and raises it again", kLesson);
  Trace trace;
  Deferred d(loop);

  script.step("add_errback(log, then failure.raise()), add_callback(c), add_errback(handle)");
  d.add_errback([&](const Failure& failure) -> std::any {
    trace.push_back("log " + failure.message());
    failure.raise();
  });
  d.add_callback([&](std::any& result) {
    trace.push_back("c");
    return result;
  });
  d.add_errback([&](const Failure& failure) {
    trace.push_back(std::string("handle ") + (failure.check<std::runtime_error>() ? "" : "not ") +
                    "a runtime_error: " + failure.message());
    return 0;
  });

  script.step("errback(runtime_error(\"lost\"))");
  d.errback(std::make_exception_ptr(std::runtime_error("lost")));
  EXPECT_STEP_EQ(script, trace, (Trace{"log lost", "handle a runtime_error: lost"}),
                 "an errback that throws keeps the chain on the errback path: the next errback "
                 "gets the exception it threw");
}

TEST_F(Ex35Deferred, TrapOfAnotherTypeStaysOnTheErrbackPath) {
  Script script("two errbacks that trap<E>(): first logic_error, then runtime_error", kLesson);
  Trace trace;
  Deferred d(loop);

  script.step(
      "add_errback(trap<logic_error>), add_errback(trap<runtime_error>), "
      "add_callback(record)");
  d.add_errback([&](const Failure& failure) {
    failure.trap<std::logic_error>();
    trace.push_back("handled as a logic_error");
    return std::string("logic");
  });
  d.add_errback([&](const Failure& failure) {
    failure.trap<std::runtime_error>();
    trace.push_back("handled as a runtime_error");
    return std::string("runtime");
  });
  d.add_callback<std::string>([&](const std::string& handled_as) {
    trace.push_back("callback got " + handled_as);
    return handled_as;
  });

  script.step("errback(runtime_error(\"refused\"))");
  d.errback(std::make_exception_ptr(std::runtime_error("refused")));
  EXPECT_STEP_EQ(script, trace, (Trace{"handled as a runtime_error", "callback got runtime"}),
                 "trap<E>() rethrows an exception that is not an E, so the chain stays on the "
                 "errback path; the errback that traps the right type handles it");
}

TEST_F(Ex35Deferred, AddBothSeesAValueAndAFailure) {
  Script script("add_both(f) on a Deferred fired with a value and on one that failed", kLesson);
  Trace trace;
  Deferred fine(loop);
  Deferred failed(loop);
  const auto record = [&](std::any& result) {
    trace.push_back("both saw " + describe(result));
    return result;  // a cleanup step: it passes the result on as it came
  };

  script.step("add_both(record) on both; callback(7) one, errback(runtime_error) the other");
  fine.add_both(record);
  failed.add_both(record);
  fine.callback(7);
  failed.errback(std::make_exception_ptr(std::runtime_error("broken")));
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"both saw int 7", "both saw Failure(std::runtime_error: broken)"}),
                 "add_both() puts the same step on both paths: it sees a value and a Failure");

  script.step("add_errback(handle) on the failed one");
  failed.add_errback([](const Failure&) { return 0; });
  EXPECT_STEP_EQ(script, describe(failed.result()), std::string("int 0"),
                 "what add_both() passed on was still the Failure, for the next errback");
}

TEST_F(Ex35Deferred, AddCallbacksRunsTheCallbackOrTheErrbackNeverBoth) {
  Script script("add_callbacks(cb, eb) on a Deferred that succeeds and on one that fails", kLesson);
  Trace trace;
  Deferred fine(loop);
  Deferred failed(loop);
  const auto add_pair = [&](const Deferred& d, const std::string& name) {
    d.add_callbacks(
        [&trace, name](std::any) -> std::any {
          trace.push_back(name + ": callback");
          return 1;
        },
        [&trace, name](std::any) -> std::any {
          trace.push_back(name + ": errback");
          return 2;
        });
  };

  script.step("add_callbacks(cb, eb) on both; callback(0) one, errback(runtime_error) the other");
  add_pair(fine, "fine");
  add_pair(failed, "failed");
  fine.callback(0);
  failed.errback(std::make_exception_ptr(std::runtime_error("no")));
  EXPECT_STEP_EQ(script, trace, (Trace{"fine: callback", "failed: errback"}),
                 "one link of the chain is a (callback, errback) pair: exactly one of them "
                 "runs, chosen by whether the result is a Failure");
  EXPECT_STEP_EQ(script, describe(failed.result()), std::string("int 2"),
                 "the errback's value handled the failure");
}

// ---- a step that returns a Deferred --------------------------------------------------------

TEST_F(Ex35Deferred, ReturnedDeferredPausesTheChainUntilItFires) {
  Script script("a callback of `outer` returns `inner`, a Deferred not yet fired", kLesson);
  Trace trace;
  Deferred outer(loop);
  Deferred inner(loop);

  script.step("outer: add_callback(return inner), add_callback<int>(add one)");
  outer.add_callback<int>([&](int x) {
    trace.push_back("first got " + std::to_string(x));
    return inner;
  });
  outer.add_callback<int>([&](int x) {
    trace.push_back("second got " + std::to_string(x));
    return x + 1;
  });

  script.step("outer.callback(1)");
  outer.callback(1);
  EXPECT_STEP_EQ(script, trace, Trace{"first got 1"},
                 "a step that returns a Deferred pauses the chain: the next step waits");
  EXPECT_STEP_TRUE(script, outer.paused(), "outer.paused() is true while it waits");
  EXPECT_STEP_TRUE(script, !inner.called(), "inner has not fired: nothing fired it");

  script.step("inner.callback(41)");
  inner.callback(41);
  EXPECT_STEP_EQ(script, trace, (Trace{"first got 1", "second got 41"}),
                 "when inner fires, its result carries on down outer's chain, at once");
  EXPECT_STEP_TRUE(script, !outer.paused(), "outer is no longer paused");
  EXPECT_STEP_EQ(script, describe(outer.result()), std::string("int 42"),
                 "outer's chain ran to its end");
  EXPECT_STEP_EQ(script, describe(inner.result()), std::string("empty"),
                 "inner handed its result over: it is left with an empty result (None)");
}

TEST_F(Ex35Deferred, FailureOfTheReturnedDeferredGoesDownTheOuterErrbackPath) {
  Script script("outer waits for inner; inner fails", kLesson);
  Trace trace;
  Deferred outer(loop);
  Deferred inner(loop);

  script.step(
      "outer: add_callback(return inner), add_callback(c), add_errback(handle); "
      "outer.callback(0)");
  outer.add_callback([&](std::any&) { return inner; });
  outer.add_callback([&](std::any& result) {
    trace.push_back("c");
    return result;
  });
  outer.add_errback([&](const Failure& failure) {
    trace.push_back("outer's errback: " + failure.message());
    return 0;
  });
  outer.callback(0);

  script.step("inner.errback(runtime_error(\"gone\"))");
  inner.errback(std::make_exception_ptr(std::runtime_error("gone")));
  EXPECT_STEP_EQ(script, trace, Trace{"outer's errback: gone"},
                 "inner's Failure becomes outer's result: it goes down outer's errback path");
  EXPECT_STEP_EQ(script, describe(inner.result()), std::string("empty"),
                 "inner no longer holds the Failure (so inner reports nothing unhandled)");
}

TEST_F(Ex35Deferred, ReturnedDeferredThatAlreadyFiredContinuesAtOnce) {
  Script script("a callback returns a Deferred that has already fired", kLesson);
  Trace trace;
  Deferred outer(loop);
  Deferred inner(loop);

  script.step("inner.callback(41); outer: add_callback(return inner), add_callback<int>(add one)");
  inner.callback(41);
  outer.add_callback([&](std::any&) { return inner; });
  outer.add_callback<int>([&](int x) {
    trace.push_back("got " + std::to_string(x));
    return x + 1;
  });

  script.step("outer.callback(0)");
  outer.callback(0);
  EXPECT_STEP_EQ(script, trace, Trace{"got 41"},
                 "a Deferred that has fired gives its result at once: the chain does not stay "
                 "paused");
  EXPECT_STEP_TRUE(script, !outer.paused(), "outer is not paused");
  EXPECT_STEP_EQ(script, describe(outer.result()), std::string("int 42"),
                 "outer's chain ran to its end");
  EXPECT_STEP_EQ(script, describe(inner.result()), std::string("empty"),
                 "inner is left with an empty result");
}

TEST_F(Ex35Deferred, DeferredThatReturnsItselfFailsWithLogicError) {
  Script script("misconception: a step may return its own Deferred", kLesson);
  Trace trace;
  Deferred d(loop);

  script.step("add_callback(return d itself), add_errback(record)");
  d.add_callback([&d](std::any&) { return d; });
  d.add_errback([&](const Failure& failure) {
    trace.push_back(failure.check<std::logic_error>() ? "a std::logic_error"
                                                      : describe(failure.exception()));
    return 0;
  });

  script.step("callback(1)");
  d.callback(1);
  EXPECT_STEP_EQ(script, trace, Trace{"a std::logic_error"},
                 "a Deferred waiting for itself would never resume: it becomes a Failure "
                 "holding a std::logic_error instead of a chain paused forever");
  EXPECT_STEP_TRUE(script, !d.paused(), "and the chain is not paused");
}

// ---- mistakes ------------------------------------------------------------------------------

TEST_F(Ex35Deferred, WrongTypeInAddCallbackIsABadAnyCastOnTheErrbackPath) {
  Script script("add_callback<int> on a Deferred fired with a std::string", kLesson);
  Trace trace;
  Deferred d(loop);

  script.step("add_callback<int>(record), add_errback(record)");
  d.add_callback<int>([&](int x) {
    trace.push_back("callback got " + std::to_string(x));
    return x;
  });
  d.add_errback([&](const Failure& failure) {
    trace.push_back("errback: " + describe(failure.exception()));
    return 0;
  });

  script.step("callback(std::string(\"five\"))");
  d.callback(std::string("five"));
  EXPECT_STEP_EQ(script, trace, Trace{"errback: std::bad_any_cast"},
                 "the typed callback cannot take a std::string as an int: std::bad_any_cast, "
                 "down the errback path like any exception of a step");
}

TEST_F(Ex35Deferred, FiringTwiceRaisesAlreadyCalledErrorAndKeepsTheFirstResult) {
  Script script("callback(1), then callback(2), then errback(...)", kLesson);
  Trace trace;
  Deferred d(loop);

  script.step("add_callback<int>(double it); callback(1)");
  d.add_callback<int>([&](int x) {
    trace.push_back("double " + std::to_string(x));
    return x * 2;
  });
  d.callback(1);

  script.step("callback(2)");
  EXPECT_STEP_EQ(script, thrown_by([&] { d.callback(2); }),
                 std::string("aio::AlreadyCalledError: Deferred already fired"),
                 "a Deferred fires once: the second callback() raises AlreadyCalledError");

  script.step("errback(runtime_error)");
  EXPECT_STEP_EQ(script,
                 thrown_by([&] { d.errback(std::make_exception_ptr(std::runtime_error("x"))); }),
                 std::string("aio::AlreadyCalledError: Deferred already fired"),
                 "so does an errback() after it");
  EXPECT_STEP_EQ(script, trace, Trace{"double 1"}, "the chain did not run again");
  EXPECT_STEP_EQ(script, describe(d.result()), std::string("int 2"),
                 "the first result is untouched");
}

// ---- a failure nobody handled --------------------------------------------------------------

TEST_F(Ex35Deferred, ChainEndingOnAFailureIsReportedWhenTheLastHandleGoes) {
  Script script("a chain ends on a Failure; its two handles go one after the other", kLesson);
  auto first = std::make_optional<Deferred>(loop);

  script.step(
      "add_callback(throw runtime_error(\"disk on fire\")); callback(1); copy the "
      "handle");
  first->add_callback(fail_with_runtime_error);
  first->callback(1);
  auto second = first;
  EXPECT_STEP_EQ(script, reports, Trace{}, "nothing is reported while a handle lives");

  script.step("drop the first handle");
  first.reset();
  EXPECT_STEP_EQ(script, reports, Trace{},
                 "a copy still lives: somebody may still add an errback to it");

  script.step("drop the last handle");
  second.reset();
  EXPECT_STEP_EQ(script, reports,
                 Trace{"Unhandled error in Deferred: std::runtime_error: disk on fire"},
                 "when the last handle goes with a Failure as the result, nobody can handle "
                 "it any more: the loop's exception handler gets \"Unhandled error in "
                 "Deferred\" with the exception, once");
  reports.clear();  // checked: the fixture expects no report
}

TEST_F(Ex35Deferred, FailureHandledByTheLastErrbackIsNotReported) {
  Script script("a chain fails, and its last errback handles the failure", kLesson);

  script.step("add_callback(throw), add_errback(return nothing); callback(1); drop the handle");
  {
    Deferred d(loop);
    d.add_callback(fail_with_runtime_error);
    d.add_errback([](const Failure&) {});  // handled: the result is empty (Python's None)
    d.callback(1);
    EXPECT_STEP_EQ(script, describe(d.result()), std::string("empty"),
                   "an errback that returns nothing leaves an empty result");
  }
  EXPECT_STEP_EQ(script, reports, Trace{},
                 "a handled failure is not reported: the result is no longer a Failure");
}

// ---- Deferreds and futures -----------------------------------------------------------------

TEST_F(Ex35Deferred, FromFutureFiresWhenTheFutureCompletes) {
  Script script("d = from_future(f) for a Future<int> f", kLesson);
  Trace trace;
  Future<int> f(loop);

  script.step("d = from_future(f); d.add_callback<int>(record)");
  Deferred d = aio::from_future(f);
  d.add_callback<int>([&](int x) {
    trace.push_back("got " + std::to_string(x));
    return x;
  });
  EXPECT_STEP_TRUE(script, !d.called(), "the future is pending: d has not fired");

  script.step("f.set_result(5)");
  f.set_result(5);
  EXPECT_STEP_TRUE(script, !d.called(),
                   "d hears of the future through a done callback, and done callbacks never "
                   "run inline: not yet");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"got 5"},
                 "the loop ran the done callback, which fired d with the future's result");
}

TEST_F(Ex35Deferred, FromFutureErrsWithTheFuturesException) {
  Script script("d = from_future(f); f fails", kLesson);
  Trace trace;
  Future<int> f(loop);

  script.step("d = from_future(f); d.add_errback(record)");
  Deferred d = aio::from_future(f);
  d.add_errback([&](const Failure& failure) {
    trace.push_back("errback: " + describe(failure.exception()));
    return 0;
  });

  script.step("f.set_exception(runtime_error(\"refused\")); run_once()");
  f.set_exception(std::make_exception_ptr(std::runtime_error("refused")));
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"errback: std::runtime_error: refused"},
                 "the future's exception goes down d's errback path (and counts as retrieved: "
                 "no \"never retrieved\" report)");
}

TEST_F(Ex35Deferred, FromFutureErrsWithCancelledErrorWhenTheFutureIsCancelled) {
  Script script("d = from_future(f); f is cancelled", kLesson);
  Trace trace;
  Future<int> f(loop);

  script.step("d = from_future(f); d.add_errback(record)");
  Deferred d = aio::from_future(f);
  d.add_errback([&](const Failure& failure) {
    trace.push_back("errback: " + describe(failure.exception()));
    return 0;
  });

  script.step("f.cancel(\"no longer needed\"); run_once()");
  f.cancel("no longer needed");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{"errback: aio::CancelledError: no longer needed"},
                 "a cancelled future errs d with CancelledError (and the cancel message)");
}

TEST_F(Ex35Deferred, AsFutureTakesTheValueOrTheFailure) {
  Script script("as_future<int>() of a Deferred that succeeds, and of one that failed", kLesson);
  Deferred fine(loop);
  Deferred failed(loop);

  script.step("good = as_future<int>(fine, loop)");
  Future<int> good = aio::as_future<int>(fine, loop);
  EXPECT_STEP_TRUE(script, !good.done(), "fine has not fired: the future is pending");

  script.step("fine.callback(7)");
  fine.callback(7);
  EXPECT_STEP_TRUE(script, good.done(), "the chain got there: the future is done");
  EXPECT_STEP_EQ(script, thrown_by([&] { good.result(); }), std::string("nothing"), "with a value");
  if (good.done() && !good.exception()) {
    EXPECT_STEP_EQ(script, good.result(), 7, "the Deferred's value");
  }
  EXPECT_STEP_EQ(script, describe(fine.result()), std::string("empty"),
                 "the future took the result: the Deferred's is empty (None)");

  script.step("failed.errback(runtime_error(\"broken\")); bad = as_future<int>(failed, loop)");
  failed.errback(std::make_exception_ptr(std::runtime_error("broken")));
  Future<int> bad = aio::as_future<int>(failed, loop);
  EXPECT_STEP_EQ(script, thrown_by([&] { bad.result(); }),
                 std::string("std::runtime_error: broken"),
                 "a Deferred that has already failed gives the future its exception, at once");
  EXPECT_STEP_EQ(script, describe(failed.result()), std::string("empty"),
                 "the future took the Failure: the Deferred reports nothing unhandled");
}

TEST_F(Ex35Deferred, AsFutureOfTheWrongTypeFailsWithBadAnyCast) {
  Script script("as_future<int>() of a Deferred that fires with a std::string", kLesson);
  Deferred d(loop);

  script.step("f = as_future<int>(d, loop); d.callback(std::string(\"seven\"))");
  Future<int> f = aio::as_future<int>(d, loop);
  d.callback(std::string("seven"));
  EXPECT_STEP_TRUE(script, f.done(), "the future is done");
  EXPECT_STEP_EQ(script, thrown_by([&] { f.result(); }), std::string("std::bad_any_cast"),
                 "a value of the wrong type becomes std::bad_any_cast in the future");
}
