// Exercise 2.9: errors and debug mode: the exception handler, slow callbacks.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// The loop runs on a ManualClock: a "slow" callback is one that advances the clock while it
// runs, so a test of slowness takes no real time. The loop's log goes to a vector (set_log).
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "aio/event_loop.hpp"
#include "support/script.hpp"

namespace {

using aio::testing::Script;
using Lines = std::vector<std::string>;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 2.9";

// What one call of the exception handler received.
struct Received {
  const aio::EventLoop* loop = nullptr;
  std::string message;
  std::string what;  // the exception's what(), or "" when there is none
  aio::HandlePtr handle;
};

std::string what_of(const std::exception_ptr& error) {
  if (!error) return "";
  try {
    std::rethrow_exception(error);
  } catch (const aio::NotImplemented& e) {
    return std::string("aio::NotImplemented: ") + e.what();
  } catch (const std::runtime_error& e) {
    return e.what();
  } catch (const std::logic_error& e) {
    return e.what();
  }
  return "";
}

aio::EventLoop::Options on(std::shared_ptr<aio::Clock> clock) {
  aio::EventLoop::Options options;
  options.clock = std::move(clock);
  return options;
}

class Ex29ErrorsDebug : public ::testing::Test {
 protected:
  Ex29ErrorsDebug() {
    loop.set_log([this](std::string_view line) { log.emplace_back(line); });
  }

  // Keeps what the handler receives.
  void keep_handler_calls() {
    loop.set_exception_handler([this](aio::EventLoop& on, const aio::ExceptionContext& context) {
      received.push_back(
          Received{&on, context.message, what_of(context.exception), context.handle});
    });
  }

  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  aio::EventLoop loop{on(clock)};
  Lines log;
  std::vector<Received> received;
};

}  // namespace

// ---- the exception handler (misconception 11) ----------------------------------------------

TEST_F(Ex29ErrorsDebug, ThrowingCallbackReachesTheCustomHandlerWithMessageExceptionAndHandle) {
  Script script("a named callback throws; a custom exception handler is set", kLesson);
  keep_handler_calls();

  script.step("h = call_soon(throw runtime_error(\"boom\"), \"tick\"); run_once()");
  aio::HandlePtr h = loop.call_soon([] { throw std::runtime_error("boom"); }, "tick");
  loop.run_once();
  ASSERT_EQ(received.size(), 1u) << script.report(
      "an exception thrown by a callback never escapes run_once(): it goes to the exception "
      "handler, once");
  EXPECT_STEP_EQ(script, received[0].message, std::string("Exception in callback tick"),
                 "the message is \"Exception in callback <name>\", with the name given");
  EXPECT_STEP_EQ(script, received[0].what, std::string("boom"),
                 "the context carries the exception itself");
  EXPECT_STEP_TRUE(script, received[0].handle == h, "and the handle of the callback that failed");
  EXPECT_STEP_TRUE(script, received[0].loop == &loop, "the handler is given the loop");
  EXPECT_STEP_TRUE(script, log.empty(), "a custom handler replaces the default: nothing logged");
}

TEST_F(Ex29ErrorsDebug, UnnamedCallbackIsNamedByItsDemangledType) {
  Script script("a callback without a name throws", kLesson);
  keep_handler_calls();
  const auto boom = [] { throw std::runtime_error("boom"); };
  const std::string type_name = aio::readable_type_name(typeid(boom));

  script.step("call_soon(boom) with no name; run_once()");
  loop.call_soon(boom);
  loop.run_once();
  ASSERT_EQ(received.size(), 1u) << script.report("the handler was called once");
  EXPECT_STEP_EQ(script, received[0].message, "Exception in callback " + type_name,
                 "without a name, a callback is named by its callable's demangled type");
  EXPECT_STEP_TRUE(script, type_name.find("TestBody") != std::string::npos,
                   "a lambda's demangled type names the function it was written in (here "
                   "TestBody(); g++ writes \"...::TestBody()::<lambda()>\", clang "
                   "\"...::TestBody()::$_0\")");
}

TEST_F(Ex29ErrorsDebug, LoopKeepsRunningAfterAThrowingCallback) {
  Script script("callback 1 throws; callback 2 is in the same batch; a timer comes later", kLesson);
  keep_handler_calls();
  Trace trace;

  script.step("call_soon(one: throw); call_soon(two); call_later(1, timer: stop)");
  loop.call_soon([] { throw std::runtime_error("one failed"); }, "one");
  loop.call_soon([&] { trace.push_back("two"); }, "two");
  loop.call_later(1, [&] {
    trace.push_back("timer");
    loop.stop();
  });

  script.step("run_forever() with the clock jumping to each timer");
  clock->set_auto_advance(true);
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, (Trace{"two", "timer"}),
                 "an exception in one callback neither stops the loop nor skips the others: "
                 "the rest of the batch runs, and so do later callbacks");
  ASSERT_EQ(received.size(), 1u) << script.report("the handler got the exception exactly once");
  EXPECT_STEP_EQ(script, received[0].message, std::string("Exception in callback one"),
                 "for callback one");
}

TEST_F(Ex29ErrorsDebug, DefaultHandlerWritesOneLineToTheLog) {
  Script script("no exception handler is set; a callback throws", kLesson);

  script.step("call_soon(throw runtime_error(\"boom\"), \"tick\"); run_once()");
  loop.call_soon([] { throw std::runtime_error("boom"); }, "tick");
  loop.run_once();
  EXPECT_STEP_EQ(script, log, (Lines{"Exception in callback tick: boom"}),
                 "the default handler writes one line to the loop's log: "
                 "\"<message>: <what the exception says>\"");
}

TEST_F(Ex29ErrorsDebug, ExceptionThatIsNotAStdExceptionIsStillReported) {
  Script script("a callback throws an int", kLesson);

  script.step("call_soon(throw 42, \"odd\"); call_soon(after); run_once()");
  Trace trace;
  loop.call_soon([] { throw 42; }, "odd");
  loop.call_soon([&] { trace.push_back("after"); });
  loop.run_once();
  EXPECT_STEP_EQ(script, log,
                 (Lines{"Exception in callback odd: an exception that is not a std::exception"}),
                 "C++ can throw anything: the loop catches everything a callback throws");
  EXPECT_STEP_EQ(script, trace, (Trace{"after"}), "and goes on");
}

TEST_F(Ex29ErrorsDebug, HandlerThatThrowsIsReportedWithTheOriginalAndTheLoopGoesOn) {
  Script script("the exception handler itself throws", kLesson);
  Trace trace;

  script.step("set_exception_handler(throw runtime_error(\"handler broke\"))");
  loop.set_exception_handler([](aio::EventLoop&, const aio::ExceptionContext&) {
    throw std::runtime_error("handler broke");
  });

  script.step("call_soon(throw \"boom\", \"tick\"); call_soon(after); run_once()");
  loop.call_soon([] { throw std::runtime_error("boom"); }, "tick");
  loop.call_soon([&] { trace.push_back("after"); }, "after");
  loop.run_once();
  EXPECT_STEP_EQ(script, log,
                 (Lines{"Unhandled error in exception handler: handler broke",
                        "Exception in callback tick: boom"}),
                 "a broken handler must not take the loop down: the default handler logs "
                 "\"Unhandled error in exception handler\" with the handler's error, then the "
                 "original error");
  EXPECT_STEP_EQ(script, trace, (Trace{"after"}), "the loop goes on with the next callback");
}

TEST_F(Ex29ErrorsDebug, EmptyExceptionHandlerRestoresTheDefault) {
  Script script("set a custom handler, then set_exception_handler({})", kLesson);
  keep_handler_calls();

  script.step("a callback throws; run_once()");
  loop.call_soon([] { throw std::runtime_error("first"); }, "a");
  loop.run_once();
  EXPECT_STEP_EQ(script, received.size(), std::size_t{1}, "the custom handler got it");

  script.step("set_exception_handler({}); another callback throws; run_once()");
  loop.set_exception_handler({});
  loop.call_soon([] { throw std::runtime_error("second"); }, "b");
  loop.run_once();
  EXPECT_STEP_EQ(script, received.size(), std::size_t{1}, "the custom handler is gone");
  EXPECT_STEP_EQ(script, log, (Lines{"Exception in callback b: second"}),
                 "an empty handler restores the default one, which logs");
}

TEST_F(Ex29ErrorsDebug, CallExceptionHandlerCanBeCalledDirectly) {
  Script script("call_exception_handler() with a context that has no exception", kLesson);

  script.step("call_exception_handler({\"Something odd happened\"}) with no handler set");
  loop.call_exception_handler(aio::ExceptionContext{"Something odd happened", nullptr, nullptr});
  EXPECT_STEP_EQ(script, log, (Lines{"Something odd happened"}),
                 "with no exception in the context, the default handler logs the message alone");

  script.step("set a custom handler; call_exception_handler({\"again\"})");
  keep_handler_calls();
  loop.call_exception_handler(aio::ExceptionContext{"again", nullptr, nullptr});
  ASSERT_EQ(received.size(), 1u) << script.report("the custom handler was called once");
  EXPECT_STEP_EQ(script, received[0].message, std::string("again"),
                 "call_exception_handler() passes any context to the handler (futures and "
                 "tasks use it in later chapters)");
}

// ---- debug mode: slow callbacks (misconception 7) -------------------------------------------

TEST_F(Ex29ErrorsDebug, DebugModeReportsACallbackSlowerThanTheLimit) {
  Script script("debug mode; a callback keeps the loop busy for 0.25 s", kLesson);

  script.step("set_debug(true); call_soon(advance the clock by 0.25 s, \"busy\"); run_once()");
  loop.set_debug(true);
  loop.call_soon([&] { clock->advance(0.25); }, "busy");
  loop.run_once();
  EXPECT_STEP_EQ(script, log, (Lines{"Executing busy took 0.250 seconds"}),
                 "in debug mode, a callback that took at least slow_callback_duration (0.1 s) "
                 "is reported: \"Executing <name> took <seconds, 3 decimals> seconds\"");
}

TEST_F(Ex29ErrorsDebug, DebugModeThresholdIsInclusive) {
  Script script("debug mode; a callback takes exactly slow_callback_duration", kLesson);

  script.step("set_debug(true); call_soon(advance the clock by 0.1 s, \"tick\"); run_once()");
  loop.set_debug(true);
  loop.call_soon([&] { clock->advance(0.1); }, "tick");
  loop.run_once();
  EXPECT_STEP_EQ(script, log, (Lines{"Executing tick took 0.100 seconds"}),
                 "the limit is inclusive, as asyncio's: a callback that took exactly "
                 "slow_callback_duration (0.1 s) is reported");
}

TEST_F(Ex29ErrorsDebug, DebugModeIsQuietAboutFastCallbacksAndObeysTheLimit) {
  Script script("debug mode; a callback takes 0.05 s", kLesson);
  loop.set_debug(true);

  script.step("call_soon(advance the clock by 0.05 s, \"quick\"); run_once()");
  loop.call_soon([&] { clock->advance(0.05); }, "quick");
  loop.run_once();
  EXPECT_STEP_EQ(script, log, Lines{},
                 "a callback faster than slow_callback_duration (0.1 s) is not reported");

  script.step("slow_callback_duration = 0.02; the same callback again; run_once()");
  loop.slow_callback_duration = 0.02;
  loop.call_soon([&] { clock->advance(0.05); }, "quick");
  loop.run_once();
  EXPECT_STEP_EQ(script, log, (Lines{"Executing quick took 0.050 seconds"}),
                 "the limit is slow_callback_duration: lowered to 0.02 s, 0.05 s is slow");
}

TEST_F(Ex29ErrorsDebug, WithoutDebugModeNothingIsReported) {
  Script script("debug mode off (the default); a callback takes 5 s", kLesson);
  EXPECT_STEP_TRUE(script, !loop.get_debug(), "debug mode is off unless asked for");

  script.step("call_soon(advance the clock by 5 s, \"busy\"); run_once()");
  loop.call_soon([&] { clock->advance(5); }, "busy");
  loop.run_once();
  EXPECT_STEP_EQ(script, log, Lines{},
                 "without debug mode, the loop does not time callbacks: nothing is reported");

  script.step("set_debug(true); the same callback again; run_once()");
  loop.set_debug(true);
  loop.call_soon([&] { clock->advance(5); }, "busy");
  loop.run_once();
  EXPECT_STEP_EQ(script, log, (Lines{"Executing busy took 5.000 seconds"}),
                 "with debug mode on, the same callback is reported");
}

TEST_F(Ex29ErrorsDebug, ABlockingCallbackDelaysEveryTimerAndIsReported) {
  Script script("a timer is due at t=1; at t=0 a callback blocks the loop for 5 s", kLesson);
  loop.set_debug(true);
  double timer_ran_at = -1;

  script.step("call_at(1, timer); call_soon(advance the clock by 5 s, \"blocker\")");
  loop.call_at(
      1, [&] { timer_ran_at = loop.time(); }, "timer");
  loop.call_soon([&] { clock->advance(5); }, "blocker");

  script.step("run_once() twice");
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, timer_ran_at, 5.0,
                 "a callback that blocks freezes the whole loop: the timer due at t=1 runs at "
                 "t=5, 4 s late (misconception 7: a blocking call delays everything, not just "
                 "the callback that makes it)");
  EXPECT_STEP_EQ(script, log, (Lines{"Executing blocker took 5.000 seconds"}),
                 "debug mode names the culprit; the timer itself was quick");
}

TEST_F(Ex29ErrorsDebug, SlowCallbackThatThrowsIsReportedTwice) {
  Script script("debug mode; a callback takes 0.5 s, then throws", kLesson);
  loop.set_debug(true);

  script.step("call_soon(advance 0.5 s, then throw \"late and wrong\", \"bad\"); run_once()");
  loop.call_soon(
      [&] {
        clock->advance(0.5);
        throw std::runtime_error("late and wrong");
      },
      "bad");
  loop.run_once();
  EXPECT_STEP_EQ(
      script, log,
      (Lines{"Exception in callback bad: late and wrong", "Executing bad took 0.500 seconds"}),
      "a callback that throws is still timed: first its error is handled, then its "
      "slowness reported");
}
