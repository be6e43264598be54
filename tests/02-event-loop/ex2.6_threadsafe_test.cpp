// Exercise 2.6: call_soon_threadsafe: queue a callback from any thread, wake the loop.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// Threads here never sleep to let something happen: they meet through flags (a mutex and a
// condition variable). Every wait that could last forever if the code under test were wrong
// has a watchdog (a deadline of seconds, never reached when the code is right), and every
// exception thrown on another thread is caught there and rethrown on the test's thread: an
// exception that leaves a std::thread would end the whole test program.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "aio/event_loop.hpp"
#include "support/flag.hpp"
#include "support/script.hpp"

namespace {

using aio::testing::Flag;
using aio::testing::outcome_of;
using aio::testing::Script;
using namespace std::chrono_literals;

constexpr const char* kLesson = "Exercise 2.6";
constexpr auto kWatchdog = 5s;  // never reached when the code is right

// Sets a flag when the scope ends, however it ends: a helper thread waiting for the loop to
// start is released even when the loop threw instead of starting.
struct SetOnExit {
  Flag& flag;
  ~SetOnExit() { flag.set(); }
};

// A pipe, closed at the end of the test.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
      throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    ::close(read_end);
    ::close(write_end);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void poke() const { [[maybe_unused]] const ssize_t n = ::write(write_end, "!", 1); }
};

enum ClockKind { kRealClock, kManualClock };
constexpr bool kDebug = true;

// The loop's options: the real clock (a loop that blocks in its selector) or a ManualClock
// (run_once() never blocks), debug mode on or off.
aio::EventLoop::Options options(ClockKind clock, bool debug = false) {
  aio::EventLoop::Options options;
  if (clock == kManualClock) options.clock = std::make_shared<aio::ManualClock>();
  options.debug = debug;
  return options;
}

void rethrow_if(const std::exception_ptr& error) {
  if (error) std::rethrow_exception(error);
}

}  // namespace

// ---- waking the loop (misconception 8) ----------------------------------------------------

TEST(Ex26Threadsafe, WakesALoopBlockedInItsSelector) {
  Script script("a loop waits in its selector with no timers; another thread posts stop()",
                kLesson);
  aio::EventLoop loop;  // the real clock: with nothing to do, the loop blocks in epoll_wait
  const std::thread::id loop_thread = std::this_thread::get_id();

  // The watchdog: if the post does not wake the loop within kWatchdog, the helper writes into
  // this pipe, whose reader wakes the loop, so that the test fails instead of hanging.
  Pipe rescue;
  bool rescued = false;
  loop.add_reader(rescue.read_end, [&] {
    rescued = true;
    loop.stop();
  });

  Flag loop_started;
  Flag stop_ran;
  bool started = false;  // written before loop_started is set, read after it
  std::thread::id ran_on;
  std::exception_ptr helper_error;

  script.step("call_soon(tell the helper thread that the loop runs)");
  loop.call_soon([&] {
    started = true;
    loop_started.set();
  });

  script.step("helper thread: wait until the loop runs, then call_soon_threadsafe(stop)");
  std::jthread helper([&] {
    loop_started.wait();
    if (!started) return;  // the loop threw instead of running: nothing to wake
    try {
      loop.call_soon_threadsafe(
          [&] {
            ran_on = std::this_thread::get_id();
            stop_ran.set();
            loop.stop();
          },
          "stop");
    } catch (...) {
      helper_error = std::current_exception();
      rescue.poke();
      return;
    }
    if (!stop_ran.wait_for(kWatchdog)) rescue.poke();
  });
  const SetOnExit release_helper{loop_started};

  script.step("run_forever(): after the first callback, nothing is ready and no timer is due");
  loop.run_forever();
  helper.join();
  rethrow_if(helper_error);

  EXPECT_STEP_TRUE(script, !rescued,
                   "call_soon_threadsafe() must wake a loop that waits in its selector: it "
                   "writes to the loop's eventfd. The loop only woke when the watchdog wrote "
                   "into a pipe after 5 s (a plain call_soon from another thread never wakes it)");
  EXPECT_STEP_TRUE(script, ran_on == loop_thread,
                   "the posted callback runs on the loop's thread, not on the posting thread");
}

TEST(Ex26Threadsafe, CallbackRunsOnTheLoopThreadNotOnThePostingThread) {
  Script script("a thread posts a callback; the loop runs it", kLesson);
  aio::EventLoop loop(options(kManualClock));
  std::thread::id poster;
  std::thread::id ran_on;
  std::exception_ptr error;
  int runs = 0;

  script.step("another thread calls call_soon_threadsafe(record the thread), then ends");
  std::thread([&] {
    poster = std::this_thread::get_id();
    try {
      loop.call_soon_threadsafe([&] {
        ran_on = std::this_thread::get_id();
        ++runs;
      });
    } catch (...) {
      error = std::current_exception();
    }
  }).join();
  rethrow_if(error);
  EXPECT_STEP_EQ(script, runs, 0,
                 "call_soon_threadsafe() only queues the callback; it never runs it itself");

  script.step("run_once() on the loop's thread, twice");
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, runs, 1, "the posted callback runs once, in the next iteration");
  EXPECT_STEP_TRUE(script, ran_on == std::this_thread::get_id() && ran_on != poster,
                   "it runs on the thread that runs the loop, never on the thread that posted");
}

// ---- many threads -------------------------------------------------------------------------

TEST(Ex26Threadsafe, SeveralThreadsPostingAThousandEachAllRunOnceInEachThreadsOrder) {
  Script script("4 threads each post 1,000 callbacks while the loop runs", kLesson);
  constexpr int kThreads = 4;
  constexpr int kEach = 1000;
  aio::EventLoop loop;                    // the real clock
  std::vector<std::pair<int, int>> seen;  // (thread, number), appended on the loop's thread
  bool watchdog_fired = false;

  script.step("a watchdog timer stops the loop after 5 s if callbacks go missing");
  auto watchdog = loop.call_later(5.0, [&] {
    watchdog_fired = true;
    loop.stop();
  });

  script.step("start 4 threads; thread t posts (t, 0), (t, 1), ..., (t, 999)");
  std::vector<std::exception_ptr> errors(kThreads);
  std::vector<std::jthread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kEach; ++i) {
          loop.call_soon_threadsafe([&, t, i] {
            seen.emplace_back(t, i);
            if (seen.size() == kThreads * kEach) loop.stop();
          });
        }
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  }

  script.step("run_forever() until the 4,000th callback stops it");
  loop.run_forever();
  watchdog->cancel();
  for (std::jthread& thread : threads) thread.join();
  for (const auto& error : errors) rethrow_if(error);

  EXPECT_STEP_TRUE(script, !watchdog_fired,
                   "every posted callback reaches the loop: none may be lost between the threads "
                   "appending and the loop taking the queue");
  EXPECT_STEP_EQ(script, seen.size(), std::size_t{kThreads * kEach},
                 "4 x 1,000 callbacks posted, 4,000 run: each exactly once");
  std::vector<std::vector<int>> per_thread(kThreads);
  for (const auto& [t, i] : seen) per_thread[t].push_back(i);
  for (int t = 0; t < kThreads; ++t) {
    std::vector<int> expected(kEach);
    for (int i = 0; i < kEach; ++i) expected[i] = i;
    EXPECT_STEP_EQ(script, per_thread[t], expected,
                   "the callbacks of one thread run in the order that thread posted them "
                   "(thread " +
                       std::to_string(t) + ")");
  }
}

TEST(Ex26Threadsafe, PostingWhileTheLoopClosesEitherLandsOrIsRefusedNeverLost) {
  Script script("4 threads post without pause while the loop runs, then closes", kLesson);
  constexpr int kThreads = 4;
  aio::EventLoop loop;  // the real clock

  // Every callback owns an Outcome; when its last copy is destroyed, it counts itself as run
  // or as dropped. A callback accepted by a closed loop would stay in its queue: neither.
  std::atomic<int> ran{0};
  std::atomic<int> destroyed_unrun{0};
  struct Outcome {
    explicit Outcome(std::atomic<int>* counter) : destroyed_unrun(counter) {}
    Outcome(const Outcome&) = delete;
    Outcome& operator=(const Outcome&) = delete;
    std::atomic<int>* destroyed_unrun;
    std::atomic<bool> ran = false;
    ~Outcome() {
      if (!ran) ++*destroyed_unrun;
    }
  };
  std::atomic<int> accepted{0};
  std::atomic<int> refused{0};
  std::vector<std::string> wrong_errors(kThreads);
  std::vector<std::exception_ptr> errors(kThreads);

  script.step("start 4 threads that call call_soon_threadsafe() until it throws");
  std::vector<std::jthread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t](std::stop_token stop) {
      try {
        for (int i = 0; i < 1'000'000 && !stop.stop_requested(); ++i) {
          auto outcome = std::make_shared<Outcome>(&destroyed_unrun);
          loop.call_soon_threadsafe([&ran, outcome] {
            outcome->ran = true;
            ++ran;
          });
          ++accepted;
        }
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()) == "Event loop is closed") {
          ++refused;
        } else {
          wrong_errors[t] = e.what();
        }
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  }

  script.step("run_once() until 200 callbacks ran (a 5 s watchdog timer bounds each wait)");
  const double deadline = loop.time() + 5.0;
  loop.call_at(deadline, [] {});
  while (ran < 200 && loop.time() < deadline) loop.run_once();

  script.step("close() the loop while the threads are still posting; wait for them to end");
  loop.close();
  for (std::jthread& thread : threads) thread.join();
  for (const auto& error : errors) rethrow_if(error);

  for (const std::string& wrong : wrong_errors) {
    EXPECT_STEP_EQ(script, wrong, std::string(),
                   "after close(), call_soon_threadsafe() throws std::runtime_error(\"Event loop "
                   "is closed\")");
  }
  EXPECT_STEP_EQ(script, refused.load(), kThreads,
                 "every thread ends on \"Event loop is closed\": a call racing close() either "
                 "lands before it or sees the loop closed");
  EXPECT_STEP_TRUE(script, ran >= 200, "the loop ran callbacks while the threads posted");
  const int dropped_by_close = destroyed_unrun - refused;
  EXPECT_STEP_EQ(script, ran + dropped_by_close, accepted.load(),
                 "accepted == ran + dropped by close(): every accepted callback either ran or "
                 "was dropped by close(); none stays queued in a closed loop (check and append "
                 "under the same mutex that close() takes)");
}

// ---- rules of one call --------------------------------------------------------------------

TEST(Ex26Threadsafe, AfterCloseItIsRefused) {
  Script script("call_soon_threadsafe() on a closed loop, from this thread and another", kLesson);
  aio::EventLoop loop(options(kManualClock));

  script.step("close(); call_soon_threadsafe(f)");
  loop.close();
  EXPECT_STEP_EQ(script, outcome_of([&] { loop.call_soon_threadsafe([] {}); }),
                 std::string("std::runtime_error: Event loop is closed"),
                 "a closed loop refuses callbacks: std::runtime_error(\"Event loop is closed\")");

  script.step("another thread calls call_soon_threadsafe(f)");
  std::string from_thread;
  std::thread([&] { from_thread = outcome_of([&] { loop.call_soon_threadsafe([] {}); }); }).join();
  EXPECT_STEP_EQ(script, from_thread, std::string("std::runtime_error: Event loop is closed"),
                 "the same from any thread");
}

TEST(Ex26Threadsafe, ReturnsAHandleThatCanBeCancelledBeforeItRuns) {
  Script script("cancel the handle call_soon_threadsafe() returned", kLesson);
  aio::EventLoop loop(options(kManualClock));
  std::vector<std::string> trace;

  script.step("a = call_soon_threadsafe(A); b = call_soon_threadsafe(B); a->cancel()");
  aio::HandlePtr a = loop.call_soon_threadsafe([&] { trace.push_back("A"); }, "A");
  aio::HandlePtr b = loop.call_soon_threadsafe([&] { trace.push_back("B"); }, "B");
  ASSERT_TRUE(a && b) << script.report("call_soon_threadsafe() returns the handle");
  a->cancel();

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (std::vector<std::string>{"B"}),
                 "a threadsafe callback is an ordinary handle once queued: cancelled, it does "
                 "not run; the other one does");
  EXPECT_STEP_EQ(script, b->name(), std::string("B"), "the handle keeps the name it was given");
}

TEST(Ex26Threadsafe, PostedFromACallbackItRunsInTheNextIteration) {
  Script script("a callback running on the loop calls call_soon_threadsafe()", kLesson);
  aio::EventLoop loop(options(kManualClock));
  std::vector<std::string> trace;

  script.step("call_soon(first), where first posts second with call_soon_threadsafe()");
  loop.call_soon([&] {
    trace.push_back("first");
    loop.call_soon_threadsafe([&] { trace.push_back("second"); });
  });

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (std::vector<std::string>{"first"}),
                 "the loop's own thread may call it too; what it queues waits for the next "
                 "iteration, like call_soon");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (std::vector<std::string>{"first", "second"}),
                 "the next iteration runs it");
}

TEST(Ex26Threadsafe, TenThousandPostsBeforeTheLoopRunsAllRunInOneIteration) {
  Script script("a thread posts 10,000 callbacks before the loop runs", kLesson);
  aio::EventLoop loop(options(kManualClock));
  std::vector<int> seen;
  std::exception_ptr error;

  script.step("another thread posts 0, 1, ..., 9999, then ends");
  std::thread([&] {
    try {
      for (int i = 0; i < 10'000; ++i) {
        loop.call_soon_threadsafe([&seen, i] { seen.push_back(i); });
      }
    } catch (...) {
      error = std::current_exception();
    }
  }).join();
  rethrow_if(error);

  script.step("run_once()");
  loop.run_once();
  std::vector<int> expected(10'000);
  for (int i = 0; i < 10'000; ++i) expected[i] = i;
  EXPECT_STEP_EQ(script, seen, expected,
                 "one iteration takes everything posted before it, in order: 10,000 wake-ups "
                 "are one readable eventfd, not 10,000 iterations");
}

TEST(Ex26Threadsafe, AfterTheWakeUpsAreReadTheLoopWaitsAgain) {
  Script script("posts wake the loop once; afterwards it waits for its timer again", kLesson);
  aio::EventLoop loop;  // the real clock
  int posted_runs = 0;
  std::exception_ptr error;

  script.step("another thread posts 3 callbacks; run_once()");
  std::thread([&] {
    try {
      for (int i = 0; i < 3; ++i) loop.call_soon_threadsafe([&] { ++posted_runs; });
    } catch (...) {
      error = std::current_exception();
    }
  }).join();
  rethrow_if(error);
  loop.run_once();
  EXPECT_STEP_EQ(script, posted_runs, 3, "the three posted callbacks ran");

  script.step("call_later(0.02, timer); run_once()");
  bool timer_ran = false;
  loop.call_later(0.02, [&] { timer_ran = true; });
  loop.run_once();
  EXPECT_STEP_TRUE(script, timer_ran,
                   "with the wake-ups read, the eventfd is no longer readable: the next "
                   "run_once() waits for its timer instead of returning at once, woken by a "
                   "stale wake-up");
}

// ---- debug mode (misconception 8) ---------------------------------------------------------

TEST(Ex26Threadsafe, DebugModeRefusesCallSoonFromAForeignThreadWhileTheLoopRuns) {
  Script script("debug mode: another thread calls call_soon() while the loop runs", kLesson);
  aio::EventLoop loop(options(kRealClock, kDebug));
  Pipe rescue;  // the watchdog's way to wake the loop, as in WakesALoopBlockedInItsSelector
  bool rescued = false;
  loop.add_reader(rescue.read_end, [&] {
    rescued = true;
    loop.stop();
  });

  Flag loop_started;
  Flag stop_ran;
  bool started = false;
  std::string call_soon_error;
  std::string call_later_error;
  std::exception_ptr helper_error;

  script.step("call_soon(tell the helper that the loop runs)");
  loop.call_soon([&] {
    started = true;
    loop_started.set();
  });

  script.step("helper: call_soon(f), call_later(1, f), then call_soon_threadsafe(stop)");
  std::jthread helper([&] {
    loop_started.wait();
    if (!started) return;
    call_soon_error = outcome_of([&] { loop.call_soon([] {}); });
    call_later_error = outcome_of([&] { loop.call_later(1, [] {}); });
    try {
      loop.call_soon_threadsafe([&] {
        stop_ran.set();
        loop.stop();
      });
    } catch (...) {
      helper_error = std::current_exception();
      rescue.poke();
      return;
    }
    if (!stop_ran.wait_for(kWatchdog)) rescue.poke();
  });
  const SetOnExit release_helper{loop_started};

  script.step("run_forever()");
  loop.run_forever();
  helper.join();
  rethrow_if(helper_error);

  const std::string refused =
      "std::runtime_error: Non-thread-safe operation invoked on an event loop other than the "
      "current one";
  EXPECT_STEP_EQ(script, call_soon_error, refused,
                 "in debug mode, call_soon() from a thread that is not running the loop throws: "
                 "only call_soon_threadsafe() may be called from another thread");
  EXPECT_STEP_EQ(script, call_later_error, refused, "call_later() is refused the same way");
  EXPECT_STEP_TRUE(script, !rescued, "call_soon_threadsafe() still works, and wakes the loop");
}

TEST(Ex26Threadsafe, DebugModeAllowsAnyThreadWhileTheLoopIsNotRunning) {
  Script script("debug mode: another thread calls call_soon() before the loop runs", kLesson);
  aio::EventLoop loop(options(kManualClock, kDebug));
  int runs = 0;

  script.step("another thread calls call_soon(f), then ends");
  std::string error;
  std::thread([&] { error = outcome_of([&] { loop.call_soon([&] { ++runs; }); }); }).join();
  EXPECT_STEP_EQ(script, error, std::string("nothing"),
                 "a loop that is not running belongs to no thread yet: the debug check applies "
                 "only while it runs");

  script.step("call_soon_threadsafe(g) from this thread; run_once()");
  loop.call_soon_threadsafe([&] { ++runs; });
  loop.run_once();
  EXPECT_STEP_EQ(script, runs, 2, "both callbacks ran in the next iteration");
}
