// Exercise 2.7: add_signal_handler: a Unix signal as an ordinary callback.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// The tests send themselves SIGUSR1 and SIGUSR2 with raise(). add_signal_handler() blocks the
// signal in this thread, so a raised signal stays pending until the loop reads it from its
// signalfd. A test raises a signal only after checking that it is blocked: an unblocked
// SIGUSR1 would end the test program (its default action). Each test restores the signal mask
// it found and throws away the signals still pending, so the next test starts clean.
#include <gtest/gtest.h>
#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "aio/event_loop.hpp"
#include "support/script.hpp"

namespace {

using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 2.7";

bool blocked(int signal) {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, signal) == 1;
}

// Raises `signal` only if it is blocked in this thread (else it would end the program).
bool raise_if_blocked(int signal) {
  if (!blocked(signal)) return false;
  return raise(signal) == 0;
}

std::string error_of(auto&& call) {
  try {
    call();
  } catch (const aio::NotImplemented& e) {
    return std::string("aio::NotImplemented: ") + e.what();
  } catch (const std::invalid_argument& e) {
    return std::string("std::invalid_argument: ") + e.what();
  } catch (const std::runtime_error& e) {
    return std::string("std::runtime_error: ") + e.what();
  } catch (const std::logic_error& e) {
    return std::string("std::logic_error: ") + e.what();
  }
  return "nothing";
}

aio::EventLoop::Options on(std::shared_ptr<aio::Clock> clock) {
  aio::EventLoop::Options options;
  options.clock = std::move(clock);
  return options;
}

class Ex27Signals : public ::testing::Test {
 protected:
  Ex27Signals() { pthread_sigmask(SIG_BLOCK, nullptr, &saved_mask_); }

  // Throws away SIGUSR1 and SIGUSR2 if still pending, then restores the mask of the start.
  ~Ex27Signals() override {
    sigset_t ours;
    sigemptyset(&ours);
    sigaddset(&ours, SIGUSR1);
    sigaddset(&ours, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &ours, nullptr);
    const timespec no_wait{};
    while (sigtimedwait(&ours, nullptr, &no_wait) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
  }

  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  aio::EventLoop loop{on(clock)};

 private:
  sigset_t saved_mask_{};
};

}  // namespace

// ---- a signal is a callback ----------------------------------------------------------------

TEST_F(Ex27Signals, RaisedSignalRunsItsHandlerAsACallbackOnTheNextIteration) {
  Script script("add_signal_handler(SIGUSR1), then raise(SIGUSR1)", kLesson);
  Trace trace;

  script.step("add_signal_handler(SIGUSR1, record \"usr1\"); run_once()");
  loop.add_signal_handler(SIGUSR1, [&] { trace.push_back("usr1"); });
  ASSERT_TRUE(blocked(SIGUSR1)) << script.report(
      "add_signal_handler() blocks the signal in this thread, so that it waits, pending, "
      "for the loop to read it from its signalfd (else it would end the program)");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{}, "no signal yet: the handler does not run");

  script.step("raise(SIGUSR1)");
  ASSERT_TRUE(raise_if_blocked(SIGUSR1));
  EXPECT_STEP_EQ(script, trace, Trace{},
                 "the handler never runs inside raise(), as a C signal handler would: the "
                 "signal stays pending until the loop reads it");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"usr1"}),
                 "the next iteration reads the signal from the signalfd and runs the handler "
                 "as an ordinary callback");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"usr1"}), "one signal, one call");
}

TEST_F(Ex27Signals, TwoSignalsRunTheirOwnHandlers) {
  Script script("handlers for SIGUSR1 and SIGUSR2, both signals raised", kLesson);
  Trace trace;

  script.step("add_signal_handler(SIGUSR1, usr1); add_signal_handler(SIGUSR2, usr2)");
  loop.add_signal_handler(SIGUSR1, [&] { trace.push_back("usr1"); });
  loop.add_signal_handler(SIGUSR2, [&] { trace.push_back("usr2"); });
  ASSERT_TRUE(blocked(SIGUSR1) && blocked(SIGUSR2))
      << script.report("each signal with a handler is blocked in this thread");

  script.step("raise(SIGUSR2); run_once()");
  ASSERT_TRUE(raise_if_blocked(SIGUSR2));
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"usr2"}), "only the raised signal's handler runs");

  script.step("raise(SIGUSR1); raise(SIGUSR2); run_once()");
  ASSERT_TRUE(raise_if_blocked(SIGUSR1));
  ASSERT_TRUE(raise_if_blocked(SIGUSR2));
  loop.run_once();
  if (trace.size() > 1) std::sort(trace.begin() + 1, trace.end());
  EXPECT_STEP_EQ(script, trace, (Trace{"usr2", "usr1", "usr2"}),
                 "one signalfd serves every signal: both handlers run in the same iteration");
}

TEST_F(Ex27Signals, SameSignalRaisedTwiceBeforeTheLoopLooksRunsTheHandlerOnce) {
  Script script("SIGUSR1 raised twice before the loop reads it", kLesson);
  int runs = 0;

  script.step("add_signal_handler(SIGUSR1, count); raise(SIGUSR1) twice; run_once() twice");
  loop.add_signal_handler(SIGUSR1, [&] { ++runs; });
  ASSERT_TRUE(raise_if_blocked(SIGUSR1));
  ASSERT_TRUE(raise_if_blocked(SIGUSR1));
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, runs, 1,
                 "standard signals are not queued: a signal already pending is not pending "
                 "twice, so the handler runs once (a handler counts events, not signals)");
}

TEST_F(Ex27Signals, HandlerThatThrowsGoesToTheExceptionHandlerAndTheLoopGoesOn) {
  Script script("a signal handler that throws", kLesson);
  std::vector<std::string> reported;
  Trace trace;

  script.step("set an exception handler; add_signal_handler(SIGUSR1, throw, \"on_usr1\")");
  loop.set_exception_handler([&](aio::EventLoop&, const aio::ExceptionContext& context) {
    reported.push_back(context.message);
  });
  loop.add_signal_handler(
      SIGUSR1, [] { throw std::runtime_error("reload failed"); }, "on_usr1");

  script.step("raise(SIGUSR1); call_soon(after); run_once()");
  ASSERT_TRUE(raise_if_blocked(SIGUSR1));
  loop.call_soon([&] { trace.push_back("after"); });
  loop.run_once();
  EXPECT_STEP_EQ(script, reported, (std::vector<std::string>{"Exception in callback on_usr1"}),
                 "a signal handler is an ordinary callback: what it throws reaches the loop's "
                 "exception handler, under the handler's name");
  EXPECT_STEP_EQ(script, trace, (Trace{"after"}), "the loop goes on");

  script.step("raise(SIGUSR1) again; run_once()");
  ASSERT_TRUE(raise_if_blocked(SIGUSR1));
  loop.run_once();
  EXPECT_STEP_EQ(script, reported.size(), std::size_t{2},
                 "the handler stays installed after it threw");
}

TEST_F(Ex27Signals, SignalRaisedInsideACallbackIsHandledInALaterIteration) {
  Script script("a callback raises SIGUSR1 while it runs", kLesson);
  Trace trace;

  script.step("add_signal_handler(SIGUSR1, record \"handler\")");
  loop.add_signal_handler(SIGUSR1, [&] { trace.push_back("handler"); });

  script.step("call_soon(record \"before\", raise(SIGUSR1), record \"after\"); run_once()");
  loop.call_soon([&] {
    trace.push_back("before");
    if (!raise_if_blocked(SIGUSR1)) trace.push_back("SIGUSR1 was not blocked");
    trace.push_back("after");
  });
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"before", "after"}),
                 "the handler never interrupts a callback: the signal waits in the signalfd");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"before", "after", "handler"}),
                 "a later iteration finds the signalfd readable and runs the handler");
}

TEST_F(Ex27Signals, SecondHandlerForTheSameSignalReplacesTheFirst) {
  Script script("add_signal_handler(SIGUSR1) twice", kLesson);
  Trace trace;

  script.step("add_signal_handler(SIGUSR1, first); add_signal_handler(SIGUSR1, second)");
  loop.add_signal_handler(SIGUSR1, [&] { trace.push_back("first"); });
  loop.add_signal_handler(SIGUSR1, [&] { trace.push_back("second"); });

  script.step("raise(SIGUSR1); run_once()");
  ASSERT_TRUE(raise_if_blocked(SIGUSR1));
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"second"}),
                 "a signal has one handler: the second add_signal_handler() replaces the first");

  script.step("remove_signal_handler(SIGUSR1) twice");
  EXPECT_STEP_EQ(script, loop.remove_signal_handler(SIGUSR1), true, "the handler is removed");
  EXPECT_STEP_EQ(script, loop.remove_signal_handler(SIGUSR1), false, "there was only one");
  EXPECT_STEP_TRUE(script, !blocked(SIGUSR1), "with its handler gone, SIGUSR1 is unblocked");
}

TEST_F(Ex27Signals, HandlerCanStopRunForever) {
  Script script("run_forever() on the real clock; a callback raises SIGUSR1", kLesson);
  aio::EventLoop real;  // the real clock: the loop blocks in epoll_wait until the signal
  bool stopped_by_signal = false;
  bool watchdog_fired = false;

  script.step("add_signal_handler(SIGUSR1, stop); call_soon(raise SIGUSR1); run_forever()");
  real.add_signal_handler(SIGUSR1, [&] {
    stopped_by_signal = true;
    real.stop();
  });
  real.call_soon([] { raise_if_blocked(SIGUSR1); });
  real.call_later(5.0, [&] {  // a watchdog, never reached when the code is right
    watchdog_fired = true;
    real.stop();
  });
  real.run_forever();
  EXPECT_STEP_TRUE(script, stopped_by_signal && !watchdog_fired,
                   "the signalfd wakes a loop that waits in its selector; the handler may call "
                   "loop methods like stop(), since it is no C signal handler");
}

// ---- removing, refusing, closing -----------------------------------------------------------

TEST_F(Ex27Signals, RemoveReturnsTrueThenFalseAndUnblocksTheSignal) {
  Script script("remove_signal_handler() of a handler, then of nothing", kLesson);
  int runs = 0;

  script.step("remove_signal_handler(SIGUSR2), never added");
  EXPECT_STEP_EQ(script, loop.remove_signal_handler(SIGUSR2), false,
                 "removing a signal without a handler returns false");

  script.step("add_signal_handler(SIGUSR1, count)");
  loop.add_signal_handler(SIGUSR1, [&] { ++runs; });
  EXPECT_STEP_TRUE(script, blocked(SIGUSR1), "add_signal_handler() blocks the signal");

  script.step("remove_signal_handler(SIGUSR1)");
  EXPECT_STEP_EQ(script, loop.remove_signal_handler(SIGUSR1), true,
                 "removing an installed handler returns true");
  EXPECT_STEP_TRUE(script, !blocked(SIGUSR1),
                   "remove_signal_handler() unblocks the signal it had blocked "
                   "(check with pthread_sigmask)");

  script.step("remove_signal_handler(SIGUSR1) again; run_once()");
  EXPECT_STEP_EQ(script, loop.remove_signal_handler(SIGUSR1), false,
                 "nothing left to remove: false");
  loop.run_once();
  EXPECT_STEP_EQ(script, runs, 0, "the removed handler never ran");
}

TEST_F(Ex27Signals, SignalBlockedBeforeTheLoopStaysBlockedAfterRemove) {
  Script script("SIGUSR2 was already blocked by the program before the loop", kLesson);

  script.step("block SIGUSR2 with pthread_sigmask; add, then remove, a SIGUSR2 handler");
  sigset_t usr2;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &usr2, nullptr);
  loop.add_signal_handler(SIGUSR2, [] {});
  EXPECT_STEP_EQ(script, loop.remove_signal_handler(SIGUSR2), true, "the handler is removed");
  EXPECT_STEP_TRUE(script, blocked(SIGUSR2),
                   "the loop restores the mask it found: a signal the program had blocked "
                   "itself stays blocked");
}

TEST_F(Ex27Signals, InvalidSignalNumbersAreRefusedAndChangeNothing) {
  Script script("add_signal_handler() with signals it cannot handle", kLesson);
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, nullptr, &before);

  for (const int signal : {0, -1, NSIG, 1000}) {
    script.step("add_signal_handler(" + std::to_string(signal) + ", ...)");
    EXPECT_STEP_EQ(
        script, error_of([&] { loop.add_signal_handler(signal, [] {}); }),
        "std::invalid_argument: signal " + std::to_string(signal) + " is not a valid signal",
        "a signal number must be in 1..NSIG-1: else std::invalid_argument");
  }
  for (const int signal : {SIGKILL, SIGSTOP}) {
    script.step("add_signal_handler(" + std::to_string(signal) + ", ...)");
    EXPECT_STEP_EQ(script, error_of([&] { loop.add_signal_handler(signal, [] {}); }),
                   "std::invalid_argument: signal " + std::to_string(signal) + " cannot be caught",
                   "SIGKILL and SIGSTOP can be neither caught nor blocked: std::invalid_argument");
  }

  script.step("compare the signal mask with the one before");
  sigset_t after;
  pthread_sigmask(SIG_BLOCK, nullptr, &after);
  bool same = true;
  for (int signal = 1; signal < NSIG; ++signal) {
    same = same && sigismember(&before, signal) == sigismember(&after, signal);
  }
  EXPECT_STEP_TRUE(script, same, "a refused signal blocks nothing");
  EXPECT_STEP_EQ(script, loop.remove_signal_handler(SIGKILL), false, "and installs nothing");
}

TEST_F(Ex27Signals, AddSignalHandlerAfterCloseIsRefused) {
  Script script("add_signal_handler() on a closed loop", kLesson);

  script.step("close(); add_signal_handler(SIGUSR1, ...)");
  loop.close();
  EXPECT_STEP_EQ(script, error_of([&] { loop.add_signal_handler(SIGUSR1, [] {}); }),
                 std::string("std::runtime_error: Event loop is closed"),
                 "a closed loop refuses signal handlers");
  EXPECT_STEP_TRUE(script, !blocked(SIGUSR1), "and blocks nothing");
}

TEST_F(Ex27Signals, CloseRemovesTheHandlersAndRestoresTheSignalMask) {
  Script script("close() a loop with handlers for SIGUSR1 and SIGUSR2", kLesson);

  script.step("add_signal_handler(SIGUSR1, ...); add_signal_handler(SIGUSR2, ...)");
  loop.add_signal_handler(SIGUSR1, [] {});
  loop.add_signal_handler(SIGUSR2, [] {});
  EXPECT_STEP_TRUE(script, blocked(SIGUSR1) && blocked(SIGUSR2), "both signals are blocked");

  script.step("close()");
  loop.close();
  EXPECT_STEP_TRUE(script, !blocked(SIGUSR1) && !blocked(SIGUSR2),
                   "close() restores this thread's signal mask as it was before the first "
                   "add_signal_handler()");
  EXPECT_STEP_EQ(script, loop.remove_signal_handler(SIGUSR1), false,
                 "close() removed the handlers: nothing left to remove");
}

TEST_F(Ex27Signals, ThreadsStartedLaterInheritTheBlock) {
  Script script("a thread started after add_signal_handler(SIGUSR1)", kLesson);

  script.step("add_signal_handler(SIGUSR1, ...); start a thread that looks at its own mask");
  loop.add_signal_handler(SIGUSR1, [] {});
  bool blocked_there = false;
  std::thread([&] { blocked_there = blocked(SIGUSR1); }).join();
  EXPECT_STEP_TRUE(script, blocked_there,
                   "a new thread inherits its creator's mask: SIGUSR1 is blocked there too, so "
                   "the kernel cannot deliver it to a thread without a signalfd (where its "
                   "default action would end the program)");
}
