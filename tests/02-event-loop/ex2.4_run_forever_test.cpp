// Exercise 2.4: run_forever() and stop(): run iterations until stop(), refuse what cannot run.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
// Time is an aio::ManualClock with auto_advance: a loop that would wait for its next timer
// jumps straight to it, so run_forever() plays a whole program of timers in no real time.
// Every run in these tests ends with a stop(); run_forever() also needs Exercises 2.1 to 2.3.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "aio/clock.hpp"
#include "aio/event_loop.hpp"
#include "aio/selector.hpp"
#include "support/fds.hpp"
#include "support/script.hpp"

namespace {

using aio::EventLoop;
using aio::ManualClock;
using aio::testing::open_fd_count;
using aio::testing::outcome_of;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 2.4";

// A callback that writes `name` into the trace.
aio::Callback note(Trace& trace, std::string name) {
  return [&trace, name] { trace.push_back(name); };
}

// What the test learns from the selector it gives the loop: how many times the loop asked it
// (an iteration that may wait always does), and a switch that makes the next select() fail.
struct SelectorRecord {
  int selects = 0;
  bool fail_next = false;
};

// The epoll selector, watched: counts the calls to select() and fails one on request, as a
// broken selector would (an error the loop cannot handle, so it escapes run_forever()).
class RecordingSelector final : public aio::Selector {
 public:
  static constexpr int kMaxIterations = 100000;

  explicit RecordingSelector(std::shared_ptr<SelectorRecord> record)
      : inner_(aio::make_epoll_selector()), record_(std::move(record)) {}

  void register_fd(int fd, unsigned events) override { inner_->register_fd(fd, events); }
  void modify(int fd, unsigned events) override { inner_->modify(fd, events); }
  void unregister(int fd) override { inner_->unregister(fd); }
  void select(double timeout, std::vector<aio::ReadyFd>& ready) override {
    if (++record_->selects > kMaxIterations) {
      // A run that never stops would hang the test: fail it instead.
      throw std::runtime_error(
          "more than 100000 iterations: did the loop miss a stop(), or "
          "never wait for its next timer?");
    }
    if (record_->fail_next) {
      record_->fail_next = false;
      throw std::system_error(EIO, std::generic_category(), "the selector broke");
    }
    inner_->select(timeout, ready);
  }
  std::string_view name() const override { return "recording"; }

 private:
  std::unique_ptr<aio::Selector> inner_;
  std::shared_ptr<SelectorRecord> record_;
};

// Every test ends with as many open fds as it began.
class Ex24RunForever : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_EQ(open_fd_count(), fds_before_)
        << "an fd leaked: a destroyed loop closes its selector and its wake-up fd";
  }

  // A loop on a clock that jumps to the next timer, with a recording selector.
  EventLoop::Options options() {
    EventLoop::Options options;
    options.clock = clock;
    options.selector = std::make_unique<RecordingSelector>(record);
    return options;
  }

  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(0.0, true);
  std::shared_ptr<SelectorRecord> record = std::make_shared<SelectorRecord>();

 private:
  std::size_t fds_before_ = open_fd_count();
};

}  // namespace

// ---- running until stop() ------------------------------------------------------------------

TEST_F(Ex24RunForever, RunsIterationsUntilStop) {
  Script script("a program of timers; the one at 3 calls stop()", kLesson);
  Trace trace;
  EventLoop loop(options());

  script.step(
      "call_later(1, a), call_later(2, b), call_later(3, c: stop()), call_later(4, d); "
      "call_soon(first); run_forever()");
  loop.call_later(1, note(trace, "a"));
  loop.call_later(2, note(trace, "b"));
  loop.call_later(3, [&] {
    trace.push_back("c");
    loop.stop();
  });
  loop.call_later(4, note(trace, "d"));
  loop.call_soon(note(trace, "first"));
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, (Trace{"first", "a", "b", "c"}),
                 "run_forever() runs iteration after iteration until a callback calls stop()");
  EXPECT_STEP_EQ(script, loop.time(), 3.0, "the (auto-advancing) clock stopped at c's deadline");
  EXPECT_STEP_TRUE(script, !loop.is_running(),
                   "after run_forever() returns, is_running() is false");
  EXPECT_STEP_EQ(script, loop.timers().size(), std::size_t{1},
                 "d, due later, is still scheduled: stop() drops nothing");
}

TEST_F(Ex24RunForever, StopLetsTheCurrentIterationFinish) {
  Script script("misconception: stop() halts at once, or else drains everything", kLesson);
  Trace trace;
  EventLoop loop(options());

  script.step("call_soon a, b, c; b calls stop() then call_soon(d); run_forever()");
  loop.call_soon(note(trace, "a"));
  loop.call_soon([&] {
    trace.push_back("b");
    loop.stop();
    loop.call_soon(note(trace, "d"));
  });
  loop.call_soon(note(trace, "c"));
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "b", "c"}),
                 "stop() lets the current iteration finish: c, already queued in it, still "
                 "runs; d, scheduled during it, waits for the next run");
  EXPECT_STEP_EQ(script, record->selects, 0,
                 "run_forever() returned after that one iteration, which asked the selector "
                 "nothing: callbacks were ready (no waiting) and no fd was watched");
  EXPECT_STEP_EQ(script, loop.ready_count(), std::size_t{1}, "d is still queued");
}

TEST_F(Ex24RunForever, StopBeforeRunForeverRunsExactlyOneIteration) {
  Script script("stop() is called before run_forever()", kLesson);
  Trace trace;
  EventLoop loop(options());

  script.step(
      "call_soon(a), which calls call_soon(b); call_later(10, t: stop()); stop(); "
      "run_forever()");
  loop.call_soon([&] {
    trace.push_back("a");
    loop.call_soon(note(trace, "b"));
  });
  loop.call_later(10, [&] {
    trace.push_back("t");
    loop.stop();
  });
  loop.stop();
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, Trace{"a"},
                 "stop() before run_forever() makes it run exactly one iteration");
  EXPECT_STEP_EQ(script, record->selects, 0,
                 "one iteration, which may not wait: with no fd watched, no select() either");
  EXPECT_STEP_EQ(script, loop.time(), 0.0,
                 "that iteration polls with timeout 0: it does not wait for the timer at 10");

  script.step("run_forever() again");
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "b", "t"}),
                 "the stop was used up: this run goes on until t calls stop()");
  EXPECT_STEP_EQ(script, loop.time(), 10.0, "it waited for t");
  EXPECT_STEP_EQ(script, record->selects, 1,
                 "waiting for t was the one select() (b's iteration, with b ready, needed none)");
}

TEST_F(Ex24RunForever, RunForeverIsReusableAfterStop) {
  Script script("A schedules B and calls stop(); then the loop runs again", kLesson);
  Trace trace;
  EventLoop loop(options());

  script.step("call_soon(A: call_soon(B), stop()); run_forever()");
  loop.call_soon([&] {
    trace.push_back("A");
    loop.call_soon([&] {
      trace.push_back("B");
      loop.call_soon([&] {
        trace.push_back("D");
        loop.stop();
      });
    });
    loop.stop();
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, Trace{"A"}, "B has not run when run_forever() returns");

  script.step("call_soon(C); run_forever() again (B schedules D, which calls stop())");
  loop.call_soon(note(trace, "C"));
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, (Trace{"A", "B", "C", "D"}),
                 "the loop runs again after a stop: B runs first, and the run goes on past its "
                 "first iteration (stop() ends one run only: run_forever() clears it)");
}

TEST_F(Ex24RunForever, StopCalledSeveralTimesEndsOneRunOnly) {
  Script script("a callback calls stop() three times", kLesson);
  Trace trace;
  EventLoop loop(options());

  script.step("call_soon(a: stop() x3); run_forever()");
  loop.call_soon([&] {
    trace.push_back("a");
    loop.stop();
    loop.stop();
    loop.stop();
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, Trace{"a"}, "the run ends after a's iteration");

  script.step("call_soon(b: call_soon(c: stop())); run_forever()");
  loop.call_soon([&] {
    trace.push_back("b");
    loop.call_soon([&] {
      trace.push_back("c");
      loop.stop();
    });
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "b", "c"}),
                 "stop() is a flag, not a count: three calls end one run, and the next run "
                 "goes on until its own stop()");
}

TEST_F(Ex24RunForever, TimeAndTimersCarryOverBetweenRuns) {
  Script script("timers at 1, 2 and 3; the ones at 2 and 3 call stop()", kLesson);
  Trace trace;
  EventLoop loop(options());

  script.step(
      "call_later(1, t1), call_later(2, t2: stop()), call_later(3, t3: stop()); "
      "run_forever()");
  loop.call_later(1, note(trace, "t1"));
  loop.call_later(2, [&] {
    trace.push_back("t2");
    loop.stop();
  });
  loop.call_later(3, [&] {
    trace.push_back("t3");
    loop.stop();
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, (Trace{"t1", "t2"}), "the first run ends at t2");
  EXPECT_STEP_EQ(script, loop.time(), 2.0, "at time 2");

  script.step("run_forever()");
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, (Trace{"t1", "t2", "t3"}),
                 "the timer left over runs in the next run, at its deadline");
  EXPECT_STEP_EQ(script, loop.time(), 3.0, "at time 3");
}

TEST_F(Ex24RunForever, BusyCallbackDelaysEveryTimer) {
  Script script("a callback keeps the loop 5 s; timers were due at 1 and 2", kLesson);
  Trace trace;
  EventLoop loop(options());
  auto late = [&](std::string name, double due) {
    return [&trace, &loop, name, due] {
      trace.push_back(name + " late by " + std::to_string(static_cast<int>(loop.time() - due)));
    };
  };

  script.step(
      "call_later(1, t1), call_later(2, t2), call_later(6, stop); call_soon(busy: "
      "advance the clock by 5); run_forever()");
  loop.call_later(1, late("t1", 1));
  loop.call_later(2, late("t2", 2));
  loop.call_later(6, [&] { loop.stop(); });
  loop.call_soon([&] {
    trace.push_back("busy");
    clock->advance(5);
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, trace, (Trace{"busy", "t1 late by 4", "t2 late by 3"}),
                 "a blocking callback freezes the whole loop: both timers run at 5, late, once "
                 "each, in deadline order");
  EXPECT_STEP_EQ(script, loop.time(), 6.0, "the loop then waited for the stop at 6");
}

// ---- the running loop ----------------------------------------------------------------------

TEST_F(Ex24RunForever, IsRunningAndGetRunningLoopInsideACallback) {
  Script script("ask the loop about itself, before, during and after a run", kLesson);
  EventLoop loop(options());

  script.step("before run_forever(): is_running(), get_running_loop()");
  EXPECT_STEP_TRUE(script, !loop.is_running(), "a loop that was never run is not running");
  EXPECT_STEP_TRUE(script,
                   outcome_of([] { aio::get_running_loop(); }).starts_with("std::runtime_error"),
                   "get_running_loop() with no loop running raises std::runtime_error");

  script.step("call_soon(ask: is_running(), get_running_loop(), then stop()); run_forever()");
  bool running_inside = false;
  EventLoop* found = nullptr;
  loop.call_soon([&] {
    running_inside = loop.is_running();
    found = &aio::get_running_loop();
    loop.stop();
  });
  loop.run_forever();
  EXPECT_STEP_TRUE(script, running_inside, "inside a callback, is_running() is true");
  EXPECT_STEP_TRUE(script, found == &loop,
                   "inside a callback, get_running_loop() is the loop that runs it");

  script.step("after run_forever() returned");
  EXPECT_STEP_TRUE(script, !loop.is_running(), "is_running() is false again");
  EXPECT_STEP_TRUE(script,
                   outcome_of([] { aio::get_running_loop(); }).starts_with("std::runtime_error"),
                   "and get_running_loop() raises again: no loop runs in this thread");
}

TEST_F(Ex24RunForever, LoopsTakeTurnsInOneThread) {
  Script script("two loops run one after the other in the same thread", kLesson);
  EventLoop first(options());
  EventLoop::Options second_options;
  second_options.clock = std::make_shared<ManualClock>(0.0, true);
  EventLoop second(std::move(second_options));
  std::vector<EventLoop*> found;
  auto ask_and_stop = [&found](EventLoop& loop) {
    return [&found, running = &loop] {
      found.push_back(&aio::get_running_loop());
      running->stop();
    };
  };

  script.step("run the first loop, then the second, then the first again");
  first.call_soon(ask_and_stop(first));
  first.run_forever();
  second.call_soon(ask_and_stop(second));
  const std::string outcome = outcome_of([&] { second.run_forever(); });
  first.call_soon(ask_and_stop(first));
  first.run_forever();
  EXPECT_STEP_EQ(script, outcome, std::string("nothing"),
                 "a loop that finished its run no longer counts as running: another may run");
  EXPECT_STEP_TRUE(script, found == (std::vector<EventLoop*>{&first, &second, &first}),
                   "get_running_loop() is, each time, the loop running the callback");
}

// ---- what cannot run -----------------------------------------------------------------------

TEST_F(Ex24RunForever, RunForeverInsideItsOwnCallbackIsRefused) {
  Script script("misconception: synchronous code can run the loop it is called from", kLesson);
  Trace trace;
  std::string outcome;
  EventLoop loop(options());

  script.step("call_soon(nested: loop.run_forever()), call_soon(after: stop()); run_forever()");
  loop.call_soon([&] {
    outcome = outcome_of([&] { loop.run_forever(); });
    trace.push_back(loop.is_running() ? "still running" : "not running");
    trace.push_back(&aio::get_running_loop() == &loop ? "still the running loop" : "lost");
  });
  loop.call_soon([&] {
    trace.push_back("after");
    loop.stop();
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, outcome,
                 std::string("std::runtime_error: This event loop is already running"),
                 "run_forever() on a loop that is running raises \"This event loop is already "
                 "running\"");
  EXPECT_STEP_EQ(script, trace, (Trace{"still running", "still the running loop", "after"}),
                 "the refused call leaves the loop as it was: it goes on running");
  EXPECT_STEP_TRUE(script, !loop.is_running(), "the outer run ended normally");
}

TEST_F(Ex24RunForever, SecondLoopInsideARunningOneIsRefused) {
  Script script("a callback of one loop runs another loop", kLesson);
  Trace trace;
  std::string outcome;
  EventLoop outer(options());
  EventLoop::Options inner_options;
  inner_options.clock = std::make_shared<ManualClock>(0.0, true);
  EventLoop inner(std::move(inner_options));

  script.step(
      "inner.call_soon(inner work); outer.call_soon(inner.run_forever(), then stop()); "
      "outer.run_forever()");
  inner.call_soon(note(trace, "inner work"));
  outer.call_soon([&] {
    outcome = outcome_of([&] { inner.run_forever(); });
    trace.push_back(&aio::get_running_loop() == &outer ? "outer still running" : "lost");
    outer.stop();
  });
  outer.run_forever();
  EXPECT_STEP_EQ(script, outcome,
                 std::string("std::runtime_error: Cannot run the event loop while another loop "
                             "is running"),
                 "one thread runs one loop at a time: a second one is refused");
  EXPECT_STEP_EQ(script, trace, Trace{"outer still running"},
                 "the inner loop ran nothing, and the outer one is still the running loop");
  EXPECT_STEP_TRUE(script, !inner.is_running(), "the refused loop is not running");

  script.step("after the outer run: inner.stop(); inner.run_forever()");
  inner.stop();
  inner.run_forever();
  EXPECT_STEP_EQ(script, trace, (Trace{"outer still running", "inner work"}),
                 "the refused loop runs normally once the other one has finished");
}

TEST_F(Ex24RunForever, CloseWhileRunningIsRefused) {
  Script script("a callback closes the loop that runs it", kLesson);
  Trace trace;
  std::string outcome;
  EventLoop loop(options());

  script.step("call_soon(close()), call_soon(after: stop()); run_forever()");
  loop.call_soon([&] { outcome = outcome_of([&] { loop.close(); }); });
  loop.call_soon([&] {
    trace.push_back("after");
    loop.stop();
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, outcome,
                 std::string("std::runtime_error: Cannot close a running event loop"),
                 "close() while the loop runs raises \"Cannot close a running event loop\"");
  EXPECT_STEP_EQ(script, trace, Trace{"after"}, "the loop went on, still open");

  script.step("close(), then close() again");
  loop.close();
  EXPECT_STEP_TRUE(script, loop.is_closed(), "once the run is over, close() closes it");
  EXPECT_STEP_EQ(script, outcome_of([&] { loop.close(); }), std::string("nothing"),
                 "closing twice is fine: the second close() does nothing");
}

TEST_F(Ex24RunForever, RunForeverOnAClosedLoopIsRefused) {
  Script script("close() the loop, then run it", kLesson);
  Trace trace;
  EventLoop loop(options());

  script.step("call_soon(a); close(); close()");
  loop.call_soon(note(trace, "a"));
  loop.close();
  EXPECT_STEP_EQ(script, outcome_of([&] { loop.close(); }), std::string("nothing"),
                 "closing twice is fine");

  script.step("run_forever()");
  EXPECT_STEP_EQ(script, outcome_of([&] { loop.run_forever(); }),
                 std::string("std::runtime_error: Event loop is closed"),
                 "run_forever() on a closed loop raises \"Event loop is closed\"");
  EXPECT_STEP_TRUE(script, !loop.is_running(), "the closed loop is not running");
  EXPECT_STEP_EQ(script, trace, Trace{}, "nothing ran: close() dropped the callback");
  EXPECT_STEP_TRUE(script,
                   outcome_of([] { aio::get_running_loop(); }).starts_with("std::runtime_error"),
                   "no loop is running in this thread");
}

// ---- faults --------------------------------------------------------------------------------

TEST_F(Ex24RunForever, CallbackThatThrowsDoesNotEndTheRun) {
  Script script("misconception: an exception in a callback kills the loop", kLesson);
  Trace trace;
  std::vector<std::string> reports;
  EventLoop loop(options());
  loop.set_exception_handler([&](EventLoop&, const aio::ExceptionContext& context) {
    reports.push_back(context.message);
  });

  script.step(
      "set_exception_handler(record); call_soon(boom: throw); call_later(1, t: stop()); "
      "run_forever()");
  loop.call_soon([] { throw std::runtime_error("boom"); }, "boom");
  loop.call_later(1, [&] {
    trace.push_back("t");
    loop.stop();
  });
  const std::string outcome = outcome_of([&] { loop.run_forever(); });
  EXPECT_STEP_EQ(script, outcome, std::string("nothing"),
                 "the exception never escapes run_forever()");
  EXPECT_STEP_EQ(script, reports, Trace{"Exception in callback boom"},
                 "it goes to the exception handler, once (Exercise 2.9's handler)");
  EXPECT_STEP_EQ(script, trace, Trace{"t"}, "the loop went on and ran the timer");
}

TEST_F(Ex24RunForever, StateIsRestoredWhenAnErrorEscapes) {
  Script script("the selector fails in the middle of a run", kLesson);
  Trace trace;
  EventLoop loop(options());

  script.step("call_soon(a: make the next select() fail); run_forever()");
  loop.call_soon([&] {
    trace.push_back("a");
    record->fail_next = true;
  });
  const std::string outcome = outcome_of([&] { loop.run_forever(); });
  EXPECT_STEP_TRUE(
      script, outcome.starts_with("std::runtime_error: the selector broke"),
      "an error the loop cannot handle escapes run_forever() (it threw: " + outcome + ")");
  EXPECT_STEP_TRUE(script, !loop.is_running(),
                   "even so, run_forever() leaves the loop not running");
  EXPECT_STEP_TRUE(script,
                   outcome_of([] { aio::get_running_loop(); }).starts_with("std::runtime_error"),
                   "and no longer the running loop of this thread");

  script.step("call_soon(b: stop()); run_forever() again");
  loop.call_soon([&] {
    trace.push_back("b");
    loop.stop();
  });
  EXPECT_STEP_EQ(script, outcome_of([&] { loop.run_forever(); }), std::string("nothing"),
                 "the loop can run again (no \"already running\")");
  EXPECT_STEP_EQ(script, trace, (Trace{"a", "b"}), "and it runs what is queued");
}
