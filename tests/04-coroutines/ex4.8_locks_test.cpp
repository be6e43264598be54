// Exercise 4.8: locks and events (aio::Event, aio::Lock; aio::Semaphore and aio::Condition,
// which are built the same way). Each test is a scenario in steps; a failure replays the steps
// and names the rule it broke.
//
// A scenario is a coroutine that run() drives as a task until it ends; it starts other tasks
// and waits for them. Tasks note what they do in a trace, with the loop's time: the clock is an
// aio::ManualClock with auto_advance, so `co_await aio::sleep(1)` takes no real time, and the
// traces are exact. The coroutines are free functions, not lambdas: a lambda coroutine keeps its
// captures in the lambda object, which is gone long before the task runs.
//
// These tests need Exercises 4.1 to 4.3 as well (a task's steps, waiting for a future,
// cancelling a task).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/coroutine.hpp"
#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/locks.hpp"
#include "aio/run_until_complete.hpp"
#include "aio/sleep.hpp"
#include "aio/task.hpp"
#include "loop_harness.hpp"
#include "support/script.hpp"

namespace {

using aio::Coroutine;
using aio::EventLoop;
using aio::Task;
using aio::testing::on;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 4.8";
constexpr double kWatchdog = 1000;  // seconds of loop time, far later than any scenario's timers

class DiskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An exception in words: its kind and its message.
std::string describe(const std::exception_ptr& error) {
  if (!error) return "no exception";
  try {
    std::rethrow_exception(error);
  } catch (const aio::NotImplemented& e) {
    return std::string("aio::NotImplemented: ") + e.what();
  } catch (const aio::CancelledError& e) {
    return "aio::CancelledError: " + e.message();
  } catch (const DiskError& e) {
    return std::string("DiskError: ") + e.what();
  } catch (const std::invalid_argument& e) {
    return std::string("std::invalid_argument: ") + e.what();
  } catch (const std::logic_error& e) {
    return std::string("std::logic_error: ") + e.what();
  } catch (const std::runtime_error& e) {
    return std::string("std::runtime_error: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("std::exception: ") + e.what();
  }
}

// What a call threw, in words, or "nothing".
template <class F>
std::string outcome(F&& call) {
  try {
    call();
  } catch (...) {
    return describe(std::current_exception());
  }
  return "nothing";
}

// One iteration of the loop, with the loop as the running loop (run_once() alone would not
// make it the running loop, which futures made by the primitives need).
void iterate(EventLoop& loop) {
  loop.stop();
  loop.run_forever();
}

// Notes `what` in the trace with the loop's time: "t=1 A acquires".
void note(Trace& trace, const std::string& what) {
  trace.push_back(fmt::format("t={:g} {}", aio::get_running_loop().time(), what));
}

// Waits for `task` to end and says how: "done", or what it ended with.
Coroutine<std::string> ending_of(Task<void> task) {
  std::string how = "done";
  try {
    co_await task;
  } catch (...) {
    how = describe(std::current_exception());
  }
  co_return how;
}

class LocksTest : public ::testing::Test {
 protected:
  LocksTest() {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      reported.push_back(context.message +
                         (context.exception ? " (" + describe(context.exception) + ")" : ""));
    });
  }

  // Runs `scenario` as a task until it ends, and says how: "nothing" if it returned, else what
  // it threw; what the loop's exception handler received on the way is added. A scenario that
  // waits forever is stopped by a watchdog timer (the clock jumps there when nothing else is
  // left). Then the tasks left behind are cancelled and run to their end: a task left waiting
  // holds itself in a cycle, which LeakSanitizer would report.
  std::string run(Coroutine<void> scenario) {
    const aio::TimerHandlePtr watchdog = loop.call_later(
        kWatchdog, [this] { loop.stop(); }, "watchdog");
    std::string seen = "nothing";
    try {
      const Task<void> task = aio::create_task(loop, std::move(scenario), "scenario");
      aio::run_until_complete(loop, task);
    } catch (...) {
      seen = describe(std::current_exception());
    }
    watchdog->cancel();
    finish_leftovers();
    for (const std::string& report : reported) seen += " [the loop reported: " + report + "]";
    reported.clear();
    return seen;
  }

  void finish_leftovers() {
    for (int i = 0; i < 100 && !aio::all_tasks(loop).empty(); ++i) {
      for (const aio::AnyTask& task : aio::all_tasks(loop)) {
        try {
          task.cancel();
        } catch (...) {  // a starter's stub: nothing more to do here
        }
      }
      iterate(loop);
    }
  }

  std::shared_ptr<aio::ManualClock> clock =
      std::make_shared<aio::ManualClock>(0.0, /*auto_advance=*/true);
  EventLoop loop{on(clock)};
  std::vector<std::string> reported;
};

class Ex48Event : public LocksTest {};
class Ex48Lock : public LocksTest {};
class Ex48Semaphore : public LocksTest {};
class Ex48Condition : public LocksTest {};

// ---- coroutines the tests run ----------------------------------------------------------------

Coroutine<void> wait_for_event(aio::Event& event, Trace& trace, std::string name) {
  co_await event.wait();
  note(trace, name + " woke");
}

// Arrives after `arrive` seconds, acquires, holds for `hold` seconds, releases. Notes a
// cancellation while it waits, and lets it end the task.
template <class Lockable>
Coroutine<void> worker(Lockable& lock, Trace& trace, std::string name, double arrive, double hold) {
  if (arrive > 0) co_await aio::sleep(arrive);
  try {
    co_await lock.acquire();
  } catch (const aio::CancelledError&) {
    note(trace, name + " cancelled while waiting");
    throw;
  }
  note(trace, name + " in");
  co_await aio::sleep(hold);
  note(trace, name + " out");
  lock.release();
}

}  // namespace

// ---- Event -----------------------------------------------------------------------------------

namespace {
Coroutine<void> set_at_1(aio::Event& event, Trace& trace) {
  std::vector<Task<void>> waiters;
  for (const char* name : {"W1", "W2", "W3"}) {
    waiters.push_back(aio::create_task(wait_for_event(event, trace, name)));
  }
  co_await aio::sleep(1);
  note(trace, "set");
  event.set();
  for (const Task<void>& waiter : waiters) co_await waiter;
}
}  // namespace

TEST_F(Ex48Event, SetWakesEveryWaiter) {
  Script script("three tasks wait for an event; the scenario sets it at t=1", kLesson);
  aio::Event event;
  Trace trace;

  script.step("W1, W2, W3: co_await event.wait(); the scenario: sleep(1), event.set()");
  EXPECT_STEP_EQ(script, run(set_at_1(event, trace)), std::string("nothing"),
                 "every waiter ends: set() woke them all");
  EXPECT_STEP_EQ(script, trace, (Trace{"t=1 set", "t=1 W1 woke", "t=1 W2 woke", "t=1 W3 woke"}),
                 "all three wake at t=1, after set() returned, in the order they began to wait");
  EXPECT_STEP_TRUE(script, event.is_set(), "the event stays set");
}

namespace {
Coroutine<void> late_waiter_first(aio::Event& event, Trace& trace) {
  const Task<void> w1 = aio::create_task(wait_for_event(event, trace, "W1"));
  const Task<void> w2 = aio::create_task(wait_for_event(event, trace, "W2"));
  co_await aio::sleep(0);  // W1 and W2 now wait
  const Task<void> w3 = aio::create_task(wait_for_event(event, trace, "W3"));
  event.set();
  co_await w1;
  co_await w2;
  co_await w3;
  // The scenario itself: no task to wait for, set() returns at once.
  co_await event.wait();
  note(trace, "scenario passed wait()");
}
}  // namespace

TEST_F(Ex48Event, WaitOnASetEventReturnsAtOnce) {
  Script script("W1 and W2 wait; W3 is started, then the event is set before W3 runs", kLesson);
  aio::Event event;
  Trace trace;

  script.step("W1, W2 wait; create W3; set(); then the scenario waits on the set event too");
  EXPECT_STEP_EQ(script, run(late_waiter_first(event, trace)), std::string("nothing"),
                 "the scenario ends");
  EXPECT_STEP_EQ(
      script, trace,
      (Trace{"t=0 W3 woke", "t=0 W1 woke", "t=0 W2 woke", "t=0 scenario passed wait()"}),
      "W3's first step was scheduled before set() woke W1 and W2, and it found the event set: "
      "its wait() returned without waiting, so W3 goes first (asyncio's order [3, 1, 2])");
}

namespace {
Coroutine<void> clear_then_wait(aio::Event& event, Trace& trace, bool& set_after_clear) {
  event.set();
  event.clear();
  set_after_clear = event.is_set();
  const Task<void> waiter = aio::create_task(wait_for_event(event, trace, "W"));
  co_await aio::sleep(2);
  note(trace, "set");
  event.set();
  co_await waiter;
}
}  // namespace

TEST_F(Ex48Event, ClearMakesTheNextWaitWait) {
  Script script("an event set then cleared; a task waits on it; set again at t=2", kLesson);
  aio::Event event;
  Trace trace;
  bool set_after_clear = true;

  script.step("set(); clear(); W: co_await wait(); at t=2: set()");
  EXPECT_STEP_EQ(script, run(clear_then_wait(event, trace, set_after_clear)),
                 std::string("nothing"), "the scenario ends");
  EXPECT_STEP_TRUE(script, !set_after_clear, "is_set() is false after clear()");
  EXPECT_STEP_EQ(script, trace, (Trace{"t=2 set", "t=2 W woke"}),
                 "a wait() after clear() waits for the next set()");
}

namespace {
Coroutine<void> set_and_clear_at_once(aio::Event& event, Trace& trace) {
  const Task<void> w1 = aio::create_task(wait_for_event(event, trace, "W1"));
  co_await aio::sleep(1);
  note(trace, "set and clear");
  event.set();
  event.clear();
  co_await w1;
  const Task<void> w2 = aio::create_task(wait_for_event(event, trace, "W2"));
  co_await aio::sleep(1);
  note(trace, "set");
  event.set();
  co_await w2;
}
}  // namespace

TEST_F(Ex48Event, SetThenClearStillWakesTheTasksThatWaited) {
  Script script("W1 waits; at t=1 the event is set and cleared at once", kLesson);
  aio::Event event;
  Trace trace;

  script.step("W1 waits; at t=1: set(); clear(); then W2 waits; at t=2: set()");
  EXPECT_STEP_EQ(script, run(set_and_clear_at_once(event, trace)), std::string("nothing"),
                 "the scenario ends");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=1 set and clear", "t=1 W1 woke", "t=2 set", "t=2 W2 woke"}),
                 "set() completed W1's future: clear() cannot take a wake-up back; W2, which "
                 "came after clear(), waits for the next set()");
}

// ---- Lock ------------------------------------------------------------------------------------

namespace {
Coroutine<void> three_workers(aio::Lock& lock, Trace& trace) {
  const Task<void> a = aio::create_task(worker(lock, trace, "A", 0, 1));
  const Task<void> b = aio::create_task(worker(lock, trace, "B", 0, 1));
  const Task<void> c = aio::create_task(worker(lock, trace, "C", 0, 1));
  co_await a;
  co_await b;
  co_await c;
}
}  // namespace

TEST_F(Ex48Lock, OneTaskAtATime) {
  Script script("A, B and C each take the lock, hold it for 1 s across a sleep, release it",
                kLesson);
  aio::Lock lock;
  Trace trace;

  script.step("start A, B, C at t=0; each: acquire(), sleep(1), release()");
  EXPECT_STEP_EQ(script, run(three_workers(lock, trace)), std::string("nothing"),
                 "every worker ends");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 A in", "t=1 A out", "t=1 B in", "t=2 B out", "t=2 C in", "t=3 C out"}),
                 "never two inside at once: B gets in only after A is out, C after B; the sleep "
                 "inside lets the loop run the others, which wait");
  EXPECT_STEP_TRUE(script, !lock.locked(), "the lock is free at the end");
}

namespace {
// Holds the lock until t=10, then releases it and asks for it again at once.
Coroutine<void> release_and_ask_again(aio::Lock& lock, Trace& trace) {
  co_await lock.acquire();
  note(trace, "H in");
  co_await aio::sleep(10);
  lock.release();
  note(trace, "H released, asks again");
  co_await lock.acquire();
  note(trace, "H in again");
  lock.release();
}

Coroutine<void> line_up(aio::Lock& lock, Trace& trace) {
  const Task<void> holder = aio::create_task(release_and_ask_again(lock, trace));
  // They ask in the order B, C, A: not the order they were made in.
  const Task<void> a = aio::create_task(worker(lock, trace, "A", 3, 1));
  const Task<void> b = aio::create_task(worker(lock, trace, "B", 1, 1));
  const Task<void> c = aio::create_task(worker(lock, trace, "C", 2, 1));
  co_await holder;
  co_await a;
  co_await b;
  co_await c;
}
}  // namespace

TEST_F(Ex48Lock, WaitersGetTheLockInTheOrderTheyAskedForIt) {
  Script script("H holds the lock until t=10; B asks at t=1, C at t=2, A at t=3", kLesson);
  aio::Lock lock;
  Trace trace;

  script.step("H releases at t=10 and at once calls acquire() again");
  EXPECT_STEP_EQ(script, run(line_up(lock, trace)), std::string("nothing"), "every task ends");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 H in", "t=10 H released, asks again", "t=10 B in", "t=11 B out",
                        "t=11 C in", "t=12 C out", "t=12 A in", "t=13 A out", "t=13 H in again"}),
                 "first come, first served: B, C, A; and H, although the lock looked free when "
                 "it asked again, does not barge in front of B, to whom release() handed it: "
                 "H queues behind A");
}

namespace {
Coroutine<void> release_twice(aio::Lock& lock, std::string& unheld, std::string& second) {
  unheld = outcome([&] { lock.release(); });
  co_await lock.acquire();
  lock.release();
  second = outcome([&] { lock.release(); });
}
}  // namespace

TEST_F(Ex48Lock, ReleasingAFreeLockIsRefused) {
  Script script("a lock nobody holds is released", kLesson);
  aio::Lock lock;
  std::string unheld;
  std::string second;

  script.step("release() a new lock; then acquire(), release(), release() again");
  EXPECT_STEP_EQ(script, run(release_twice(lock, unheld, second)), std::string("nothing"),
                 "the scenario ends");
  EXPECT_STEP_EQ(script, unheld, std::string("std::runtime_error: Lock is not acquired."),
                 "release() of a free lock is std::runtime_error, in asyncio's words");
  EXPECT_STEP_EQ(script, second, std::string("std::runtime_error: Lock is not acquired."),
                 "and so is a second release() after the first");
  EXPECT_STEP_TRUE(script, !lock.locked(), "the lock stays free");
}

namespace {
Coroutine<void> cancel_b_in_line(aio::Lock& lock, Trace& trace, std::string& b_ended,
                                 std::string& late_outcome) {
  const Task<void> holder = aio::create_task(worker(lock, trace, "H", 0, 5));
  const Task<void> a = aio::create_task(worker(lock, trace, "A", 0, 1));
  const Task<void> b = aio::create_task(worker(lock, trace, "B", 0, 1));
  const Task<void> c = aio::create_task(worker(lock, trace, "C", 0, 1));
  co_await aio::sleep(1);
  b.cancel("give up");
  b_ended = co_await ending_of(b);
  co_await holder;
  co_await a;
  co_await c;
  // The lock must be free and nobody in line: a newcomer takes it at once.
  const Task<void> late = aio::create_task(worker(lock, trace, "L", 0, 0));
  late_outcome = co_await ending_of(late);
}
}  // namespace

TEST_F(Ex48Lock, WaiterCancelledInLineNeitherTakesNorLosesTheLock) {
  Script script("H holds the lock until t=5; A, B, C wait in line; B is cancelled at t=1", kLesson);
  aio::Lock lock;
  Trace trace;
  std::string b_ended;
  std::string late_outcome;

  script.step("cancel B at t=1, while it waits; H releases at t=5");
  EXPECT_STEP_EQ(script, run(cancel_b_in_line(lock, trace, b_ended, late_outcome)),
                 std::string("nothing"), "every task ends: nobody waits forever");
  EXPECT_STEP_EQ(script, b_ended, std::string("aio::CancelledError: give up"),
                 "B ends cancelled, with the message given to cancel()");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 H in", "t=1 B cancelled while waiting", "t=5 H out", "t=5 A in",
                        "t=6 A out", "t=6 C in", "t=7 C out", "t=7 L in", "t=7 L out"}),
                 "B never gets in; the lock goes from H to A to C, as if B had never asked; and "
                 "then a newcomer L finds it free");
  EXPECT_STEP_TRUE(script, !lock.locked(), "the lock is free at the end");
}

namespace {
// Holds the lock for 1 s; then releases it and, in the same step, cancels the task it was
// handed to (woken, but not yet run).
Coroutine<void> release_then_cancel(aio::Lock& lock, Trace& trace,
                                    const std::optional<Task<void>>& next) {
  co_await lock.acquire();
  note(trace, "H in");
  co_await aio::sleep(1);
  lock.release();
  next->cancel();
  note(trace, "H released and cancelled A");
}

Coroutine<void> cancel_the_woken(aio::Lock& lock, Trace& trace, std::string& a_ended) {
  std::optional<Task<void>> a;
  const Task<void> holder = aio::create_task(release_then_cancel(lock, trace, a));
  a = aio::create_task(worker(lock, trace, "A", 0, 1));
  const Task<void> b = aio::create_task(worker(lock, trace, "B", 0, 1));
  co_await holder;
  a_ended = co_await ending_of(*a);
  co_await b;
}
}  // namespace

TEST_F(Ex48Lock, WaiterCancelledAfterItWasWokenPassesTheLockOn) {
  Script script("H holds the lock, A and B wait; H releases (A is woken) and cancels A at once",
                kLesson);
  aio::Lock lock;
  Trace trace;
  std::string a_ended;

  script.step("at t=1, in one step: H calls release(), then A.cancel()");
  EXPECT_STEP_EQ(script, run(cancel_the_woken(lock, trace, a_ended)), std::string("nothing"),
                 "every task ends: no deadlock");
  EXPECT_STEP_EQ(script, a_ended, std::string("aio::CancelledError: "), "A ends cancelled");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 H in", "t=1 H released and cancelled A",
                        "t=1 A cancelled while waiting", "t=1 B in", "t=2 B out"}),
                 "release() handed the lock to A, but A was cancelled before it ran: its "
                 "acquire() must hand the lock on to B, or B waits forever for a free lock");
  EXPECT_STEP_TRUE(script, !lock.locked(), "the lock is free at the end");
}

namespace {
Coroutine<void> fail_while_holding(aio::Lock& lock, Trace& trace) {
  auto held = co_await lock.hold();
  note(trace, "A holds the lock");
  co_await aio::sleep(1);
  note(trace, "A throws");
  throw DiskError("disk on fire");
}

Coroutine<void> guard_and_throw(aio::Lock& lock, Trace& trace, std::string& a_ended) {
  const Task<void> a = aio::create_task(fail_while_holding(lock, trace));
  const Task<void> b = aio::create_task(worker(lock, trace, "B", 0, 1));
  a_ended = co_await ending_of(a);
  co_await b;
}
}  // namespace

TEST_F(Ex48Lock, HeldReleasesTheLockWhenAnExceptionLeavesTheScope) {
  Script script("A: `auto held = co_await lock.hold();` then throws DiskError at t=1; B waits",
                kLesson);
  aio::Lock lock;
  Trace trace;
  std::string a_ended;

  script.step("run A and B");
  EXPECT_STEP_EQ(script, run(guard_and_throw(lock, trace, a_ended)), std::string("nothing"),
                 "the scenario ends");
  EXPECT_STEP_EQ(script, a_ended, std::string("DiskError: disk on fire"),
                 "A ends with its exception");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 A holds the lock", "t=1 A throws", "t=1 B in", "t=2 B out"}),
                 "the Held's destructor released the lock as the exception left A's scope "
                 "(what `async with lock:` does in Python): B got it at once");
  EXPECT_STEP_TRUE(script, !lock.locked(), "the lock is free at the end");
}

namespace {
struct HeldSeen {
  bool owns_after_hold = false;
  bool moved_from_owns = true;
  bool moved_to_owns = false;
  bool locked_after_move = false;
  bool locked_after_release = true;
  bool owns_after_release = true;
};

Coroutine<void> move_and_release(aio::Lock& lock, HeldSeen& seen) {
  {
    aio::Held<aio::Lock> held = co_await lock.hold();
    seen.owns_after_hold = held.owns();
    aio::Held<aio::Lock> moved = std::move(held);
    seen.moved_from_owns = held.owns();  // NOLINT(bugprone-use-after-move): on purpose
    seen.moved_to_owns = moved.owns();
    seen.locked_after_move = lock.locked();
    moved.release();
    seen.locked_after_release = lock.locked();
    seen.owns_after_release = moved.owns();
  }  // neither destructor releases again (that would fail, and the loop would report it)
  co_await lock.acquire();
  lock.release();
}
}  // namespace

TEST_F(Ex48Lock, HeldMovesAndCanReleaseEarly) {
  Script script("a Held is moved to another variable, then released before its scope ends",
                kLesson);
  aio::Lock lock;
  HeldSeen seen;

  script.step("held = co_await lock.hold(); moved = std::move(held); moved.release()");
  EXPECT_STEP_EQ(script, run(move_and_release(lock, seen)), std::string("nothing"),
                 "the scenario ends");
  EXPECT_STEP_TRUE(script, seen.owns_after_hold, "hold() gives a Held that owns the lock");
  EXPECT_STEP_TRUE(script, !seen.moved_from_owns && seen.moved_to_owns,
                   "a move hands the ownership over: the moved-from Held releases nothing");
  EXPECT_STEP_TRUE(script, seen.locked_after_move, "a move does not release the lock");
  EXPECT_STEP_TRUE(script, !seen.locked_after_release && !seen.owns_after_release,
                   "release() frees the lock now, and the Held owns it no more");
  EXPECT_STEP_TRUE(script, !lock.locked(), "the lock is free at the end");
}

namespace {
Coroutine<void> release_under_the_held(aio::Lock& lock) {
  auto held = co_await lock.hold();
  lock.release();  // by hand: the mistake the Held's comment warns about
}
}  // namespace

TEST_F(Ex48Lock, HeldWhoseReleaseFailsReportsItInsteadOfThrowing) {
  Script script("a task holds a lock through a Held, but releases it by hand", kLesson);
  aio::Lock lock;

  script.step("auto held = co_await lock.hold(); lock.release(); end of the scope");
  EXPECT_STEP_EQ(
      script, run(release_under_the_held(lock)),
      std::string("nothing [the loop reported: Exception in the release() of a Held (a "
                  "destructor cannot throw it) (std::runtime_error: Lock is not acquired.)]"),
      "the Held's destructor releases a second time, which fails; a destructor cannot throw "
      "(the program would end), so the loop's exception handler gets the error, and the task "
      "ends normally");
  EXPECT_STEP_TRUE(script, !lock.locked(), "the lock is free");
}

namespace {
Coroutine<void> bind_to_this_loop(aio::Lock& lock, Trace& trace) {
  const Task<void> a = aio::create_task(worker(lock, trace, "A", 0, 1));
  const Task<void> b = aio::create_task(worker(lock, trace, "B", 0, 1));  // waits: binds
  co_await a;
  co_await b;
  co_await lock.acquire();  // and keep it: a task of another loop will have to wait
}

Coroutine<void> acquire_only(aio::Lock& lock) {
  co_await lock.acquire();
}
}  // namespace

TEST_F(Ex48Lock, IsBoundToTheLoopOfItsFirstWaiter) {
  Script script("tasks of one loop wait on a lock; then a task of another loop waits on it",
                kLesson);
  aio::Lock lock;
  Trace trace;

  script.step("on the first loop: A holds, B waits; then the scenario takes the lock");
  EXPECT_STEP_EQ(script, run(bind_to_this_loop(lock, trace)), std::string("nothing"),
                 "the scenario ends");
  EXPECT_STEP_TRUE(script, lock.locked(), "the scenario kept the lock");

  script.step("on a second loop, a task calls lock.acquire()");
  EventLoop other{on(std::make_shared<aio::ManualClock>(0.0, true))};
  other.call_later(
      kWatchdog, [&other] { other.stop(); }, "watchdog");  // a task that never ends fails
  const Task<void> task = aio::create_task(other, acquire_only(lock));
  EXPECT_STEP_EQ(script, outcome([&] { aio::run_until_complete(other, task); }),
                 std::string("std::runtime_error: aio::Lock is bound to a different event loop"),
                 "the lock belongs to the loop whose task first waited on it: a future of that "
                 "loop cannot wake a task of another (asyncio's _LoopBoundMixin)");
  if (lock.locked()) lock.release();
}

// ---- Semaphore -------------------------------------------------------------------------------

namespace {
Coroutine<void> five_workers(aio::Semaphore& semaphore, Trace& trace) {
  std::vector<Task<void>> workers;
  for (const char* name : {"A", "B", "C", "D", "E"}) {
    workers.push_back(aio::create_task(worker(semaphore, trace, name, 0, 1)));
  }
  for (const Task<void>& task : workers) co_await task;
}
}  // namespace

TEST_F(Ex48Semaphore, LetsInAsManyTasksAsItsValue) {
  Script script("five workers share a Semaphore(2); each holds it for 1 s", kLesson);
  Trace trace;

  script.step("Semaphore(-1)");
  EXPECT_STEP_EQ(script, outcome([] { aio::Semaphore refused(-1); }),
                 std::string("std::invalid_argument: Semaphore initial value must be >= 0"),
                 "a negative value is refused (asyncio's ValueError)");

  script.step("Semaphore(2); start A, B, C, D, E at t=0");
  aio::Semaphore semaphore(2);
  EXPECT_STEP_EQ(script, run(five_workers(semaphore, trace)), std::string("nothing"),
                 "every worker ends");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 A in", "t=0 B in", "t=1 A out", "t=1 B out", "t=1 C in", "t=1 D in",
                        "t=2 C out", "t=2 D out", "t=2 E in", "t=3 E out"}),
                 "two at a time, in the order they came: A and B, then C and D, then E");
  EXPECT_STEP_TRUE(script, !semaphore.locked(), "at the end both units are back");
}

namespace {
Coroutine<void> semaphore_holder(aio::Semaphore& semaphore, Trace& trace) {
  co_await semaphore.acquire();
  note(trace, "H in");
  co_await aio::sleep(1);
  semaphore.release();
  note(trace, std::string("H released; locked() is ") + (semaphore.locked() ? "true" : "false"));
  co_await semaphore.acquire();
  note(trace, "H in again");
  semaphore.release();
}

Coroutine<void> no_barging(aio::Semaphore& semaphore, Trace& trace) {
  const Task<void> holder = aio::create_task(semaphore_holder(semaphore, trace));
  const Task<void> a = aio::create_task(worker(semaphore, trace, "A", 0, 1));
  const Task<void> b = aio::create_task(worker(semaphore, trace, "B", 0, 1));
  co_await holder;
  co_await a;
  co_await b;
}
}  // namespace

TEST_F(Ex48Semaphore, ServesWaitersInOrderWithoutBarging) {
  Script script("Semaphore(1): H holds it, A and B wait; at t=1 H releases and asks again",
                kLesson);
  aio::Semaphore semaphore(1);
  Trace trace;

  script.step("H: acquire, sleep(1), release, acquire again at once");
  EXPECT_STEP_EQ(script, run(no_barging(semaphore, trace)), std::string("nothing"),
                 "every task ends");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 H in", "t=1 H released; locked() is true", "t=1 A in", "t=2 A out",
                        "t=2 B in", "t=3 B out", "t=3 H in again"}),
                 "release() gives the unit to A at once (Python 3.12): locked() stays true "
                 "until A has run, and H, asking again, queues behind B");
}

namespace {
// Holds a unit for 1 s, releases it, and (if `again`) at once asks for one again.
Coroutine<void> hold_then_ask_again(aio::Semaphore& semaphore, Trace& trace, std::string name,
                                    bool again) {
  co_await semaphore.acquire();
  note(trace, name + " in");
  co_await aio::sleep(1);
  semaphore.release();
  note(trace, name + " released; locked() is " + (semaphore.locked() ? "true" : "false"));
  if (!again) co_return;
  co_await semaphore.acquire();
  note(trace, name + " in again");
  semaphore.release();
}

Coroutine<void> newcomer_behind_woken(aio::Semaphore& semaphore, Trace& trace) {
  const Task<void> h1 = aio::create_task(hold_then_ask_again(semaphore, trace, "H1", false));
  const Task<void> h2 = aio::create_task(hold_then_ask_again(semaphore, trace, "H2", true));
  const Task<void> a = aio::create_task(worker(semaphore, trace, "A", 0, 1));
  co_await h1;
  co_await h2;
  co_await a;
}
}  // namespace

TEST_F(Ex48Semaphore, NewcomerQueuesBehindAWokenWaiterThatHasNotRunYet) {
  Script script(
      "Semaphore(2): H1 and H2 hold it, A waits; at t=1 both release, and H2 asks "
      "again at once",
      kLesson);
  aio::Semaphore semaphore(2);
  Trace trace;

  script.step("t=1: H1 releases (A is woken), H2 releases (a unit is free), H2 acquires again");
  EXPECT_STEP_EQ(script, run(newcomer_behind_woken(semaphore, trace)), std::string("nothing"),
                 "every task ends");
  EXPECT_STEP_EQ(
      script, trace,
      (Trace{"t=0 H1 in", "t=0 H2 in", "t=1 H1 released; locked() is true",
             "t=1 H2 released; locked() is true", "t=1 A in", "t=1 H2 in again", "t=2 A out"}),
      "a unit is free, but A, woken, is still in line: locked() says true and H2 "
      "queues; A, once in, wakes H2 with the free unit (nobody overtakes a task in "
      "line)");
}

namespace {
Coroutine<void> semaphore_release_then_cancel(aio::Semaphore& semaphore, Trace& trace,
                                              const std::optional<Task<void>>& next) {
  co_await semaphore.acquire();
  note(trace, "H in");
  co_await aio::sleep(1);
  semaphore.release();
  next->cancel();
  note(trace, "H released and cancelled A");
}

Coroutine<void> semaphore_cancel_the_woken(aio::Semaphore& semaphore, Trace& trace,
                                           std::string& a_ended) {
  std::optional<Task<void>> a;
  const Task<void> holder = aio::create_task(semaphore_release_then_cancel(semaphore, trace, a));
  a = aio::create_task(worker(semaphore, trace, "A", 0, 1));
  const Task<void> b = aio::create_task(worker(semaphore, trace, "B", 0, 1));
  co_await holder;
  a_ended = co_await ending_of(*a);
  co_await b;
}
}  // namespace

TEST_F(Ex48Semaphore, WaiterCancelledAfterItWasWokenGivesTheUnitOn) {
  Script script("Semaphore(1): H holds it, A and B wait; H releases (A is woken), cancels A",
                kLesson);
  aio::Semaphore semaphore(1);
  Trace trace;
  std::string a_ended;

  script.step("at t=1, in one step: H calls release(), then A.cancel()");
  EXPECT_STEP_EQ(script, run(semaphore_cancel_the_woken(semaphore, trace, a_ended)),
                 std::string("nothing"), "every task ends: no deadlock");
  EXPECT_STEP_EQ(script, a_ended, std::string("aio::CancelledError: "), "A ends cancelled");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 H in", "t=1 H released and cancelled A",
                        "t=1 A cancelled while waiting", "t=1 B in", "t=2 B out"}),
                 "the unit release() set aside for A goes back, and on to B");
  EXPECT_STEP_TRUE(script, !semaphore.locked(), "at the end the unit is back");
}

namespace {
Coroutine<void> bounded_cycle(aio::BoundedSemaphore& semaphore, Trace& trace,
                              std::string& extra_release, bool& locked_after_hold) {
  const Task<void> a = aio::create_task(worker(semaphore, trace, "A", 0, 1));
  const Task<void> b = aio::create_task(worker(semaphore, trace, "B", 0, 1));
  co_await a;
  co_await b;
  extra_release = outcome([&] { semaphore.release(); });
  // Still one unit, no more: a Held releases it through the BoundedSemaphore's check too.
  auto held = co_await semaphore.hold();
  locked_after_hold = semaphore.locked();
}
}  // namespace

TEST_F(Ex48Semaphore, BoundedSemaphoreRefusesAReleaseAboveItsValue) {
  Script script("BoundedSemaphore(1): A and B take turns; then one release() too many", kLesson);
  aio::BoundedSemaphore semaphore(1);
  Trace trace;
  std::string extra_release;
  bool locked_after_hold = false;

  script.step("A, B: acquire, sleep(1), release; then release() once more");
  EXPECT_STEP_EQ(script, run(bounded_cycle(semaphore, trace, extra_release, locked_after_hold)),
                 std::string("nothing"), "the scenario ends");
  EXPECT_STEP_EQ(script, trace, (Trace{"t=0 A in", "t=1 A out", "t=1 B in", "t=2 B out"}),
                 "one at a time");
  EXPECT_STEP_EQ(script, extra_release,
                 std::string("std::invalid_argument: BoundedSemaphore released too many times"),
                 "a release() above the initial value is refused (asyncio's ValueError)");
  EXPECT_STEP_TRUE(script, locked_after_hold,
                   "the refused release() added no unit: one hold() takes the only one");
  EXPECT_STEP_TRUE(script, !semaphore.locked(), "the Held gave it back at the end");
}

// ---- Condition -------------------------------------------------------------------------------

namespace {
Coroutine<void> condition_waiter(aio::Condition& condition, Trace& trace, std::string name) {
  auto held = co_await condition.hold();
  note(trace, name + " waits");
  co_await condition.wait();
  note(trace, name + " woke, lock " + (condition.locked() ? "held" : "free"));
}

Coroutine<void> notify_one_then_all(aio::Condition& condition, Trace& trace) {
  std::vector<Task<void>> waiters;
  for (const char* name : {"W1", "W2", "W3"}) {
    waiters.push_back(aio::create_task(condition_waiter(condition, trace, name)));
  }
  co_await aio::sleep(1);
  {
    auto held = co_await condition.hold();
    note(trace, "notify(1)");
    condition.notify(1);
  }
  co_await aio::sleep(1);
  {
    auto held = co_await condition.hold();
    note(trace, "notify_all()");
    condition.notify_all();
  }
  for (const Task<void>& task : waiters) co_await task;
}
}  // namespace

TEST_F(Ex48Condition, NotifyWakesOneWaiterAndNotifyAllTheRest) {
  Script script("W1, W2, W3 wait on a condition; notify(1) at t=1, notify_all() at t=2", kLesson);
  aio::Condition condition;
  Trace trace;

  script.step("each Wn: hold the lock, wait(); the scenario notifies, holding the lock");
  EXPECT_STEP_EQ(script, run(notify_one_then_all(condition, trace)), std::string("nothing"),
                 "every waiter ends");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 W1 waits", "t=0 W2 waits", "t=0 W3 waits", "t=1 notify(1)",
                        "t=1 W1 woke, lock held", "t=2 notify_all()", "t=2 W2 woke, lock held",
                        "t=2 W3 woke, lock held"}),
                 "wait() released the lock (W2 and W3 could take it to wait too); notify(1) "
                 "woke the first waiter only, notify_all() the others; each returned from "
                 "wait() holding the lock again");
  EXPECT_STEP_TRUE(script, !condition.locked(), "the lock is free at the end");
}

namespace {
Coroutine<void> wait_for_three(aio::Condition& condition, const int& items, int& checks,
                               Trace& trace) {
  auto held = co_await condition.hold();
  // Named first: a lambda inside the co_await expression trips g++ 12.
  const auto three_or_more = [&] {
    ++checks;
    return items >= 3;
  };
  const bool result = co_await condition.wait_for(three_or_more);
  note(trace, std::string("wait_for returned ") + (result ? "true" : "false") + " with " +
                  std::to_string(items) + " items, lock " + (condition.locked() ? "held" : "free"));
}

Coroutine<void> produce_three(aio::Condition& condition, int& items, int& checks, Trace& trace) {
  const Task<void> consumer = aio::create_task(wait_for_three(condition, items, checks, trace));
  for (int i = 0; i < 3; ++i) {
    co_await aio::sleep(1);
    auto held = co_await condition.hold();
    ++items;
    note(trace, "item " + std::to_string(items));
    condition.notify_all();
  }
  co_await consumer;
}
}  // namespace

TEST_F(Ex48Condition, WaitForReturnsOnceThePredicateHolds) {
  Script script("a consumer waits for 3 items; a producer adds one a second and notifies", kLesson);
  aio::Condition condition;
  int items = 0;
  int checks = 0;
  Trace trace;

  script.step(
      "consumer: co_await wait_for(items >= 3); producer: t=1, 2, 3: ++items, notify_all()");
  EXPECT_STEP_EQ(script, run(produce_three(condition, items, checks, trace)),
                 std::string("nothing"), "the scenario ends");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=1 item 1", "t=2 item 2", "t=3 item 3",
                        "t=3 wait_for returned true with 3 items, lock held"}),
                 "wait_for() returns once the predicate holds, with the lock, and gives the "
                 "predicate's value");
  EXPECT_STEP_EQ(script, checks, 4,
                 "the predicate is checked once first, then after each of the 3 wake-ups");
}

namespace {
struct Refusals {
  std::string wait;
  std::string notify;
  std::string notify_all;
  std::string notify_held;
  bool shared_lock_seen = false;
};

Coroutine<void> without_the_lock(aio::Condition& condition, aio::Lock& lock, Refusals& seen) {
  std::exception_ptr error;
  try {
    co_await condition.wait();
  } catch (...) {
    error = std::current_exception();
  }
  seen.wait = describe(error);
  seen.notify = outcome([&] { condition.notify(); });
  seen.notify_all = outcome([&] { condition.notify_all(); });
  {
    auto held = co_await condition.hold();
    seen.notify_held = outcome([&] { condition.notify(); });
  }
  // A condition over a lock of the caller's: the two are one lock.
  aio::Condition on_lock(lock);
  co_await lock.acquire();
  seen.shared_lock_seen = on_lock.locked();
  on_lock.release();
}
}  // namespace

TEST_F(Ex48Condition, WaitAndNotifyWithoutTheLockAreRefused) {
  Script script("a task calls wait(), notify() and notify_all() without holding the lock", kLesson);
  aio::Condition condition;
  aio::Lock lock;
  Refusals seen;

  script.step("co_await wait(); notify(); notify_all(); then notify() holding the lock");
  EXPECT_STEP_EQ(script, run(without_the_lock(condition, lock, seen)), std::string("nothing"),
                 "the scenario ends");
  EXPECT_STEP_EQ(script, seen.wait,
                 std::string("std::runtime_error: cannot wait on un-acquired lock"),
                 "wait() needs the lock: it is what wait() releases while it waits");
  EXPECT_STEP_EQ(script, seen.notify,
                 std::string("std::runtime_error: cannot notify on un-acquired lock"),
                 "notify() needs the lock");
  EXPECT_STEP_EQ(script, seen.notify_all,
                 std::string("std::runtime_error: cannot notify on un-acquired lock"),
                 "notify_all() too");
  EXPECT_STEP_EQ(script, seen.notify_held, std::string("nothing"),
                 "holding the lock, notify() with nobody waiting does nothing");
  EXPECT_STEP_TRUE(script, seen.shared_lock_seen,
                   "Condition(lock) shares the caller's lock: acquiring the lock locks the "
                   "condition");
  EXPECT_STEP_TRUE(script, !condition.locked() && !lock.locked(), "both are free at the end");
}

namespace {
Coroutine<void> cancelled_waiter(aio::Condition& condition, Trace& trace) {
  auto held = co_await condition.hold();
  note(trace, "W waits");
  std::exception_ptr error;
  try {
    co_await condition.wait();
  } catch (const aio::CancelledError&) {
    error = std::current_exception();
  }
  note(trace, std::string("W: wait() raised ") + (error ? "CancelledError" : "nothing") +
                  ", lock " + (condition.locked() ? "held" : "free"));
  if (error) std::rethrow_exception(error);
}

Coroutine<void> cancel_while_holding(aio::Condition& condition, Trace& trace,
                                     std::string& w_ended) {
  const Task<void> waiter = aio::create_task(cancelled_waiter(condition, trace));
  co_await aio::sleep(1);
  co_await condition.acquire();
  note(trace, "scenario holds the lock, cancels W");
  waiter.cancel("stop");
  co_await aio::sleep(1);
  note(trace, "scenario releases");
  condition.release();
  w_ended = co_await ending_of(waiter);
}
}  // namespace

TEST_F(Ex48Condition, CancelledWaitTakesTheLockBackBeforeItRaises) {
  Script script(
      "W waits on a condition; the scenario takes the lock and cancels W, holds the "
      "lock one more second, then releases it",
      kLesson);
  aio::Condition condition;
  Trace trace;
  std::string w_ended;

  script.step("t=1: acquire(), W.cancel(\"stop\"); t=2: release()");
  EXPECT_STEP_EQ(script, run(cancel_while_holding(condition, trace, w_ended)),
                 std::string("nothing"), "the scenario ends");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 W waits", "t=1 scenario holds the lock, cancels W",
                        "t=2 scenario releases", "t=2 W: wait() raised CancelledError, lock held"}),
                 "the cancelled wait() does not raise at once: it first takes the lock back, "
                 "which it can only do once the scenario has released it; the code after "
                 "wait() always holds the lock");
  EXPECT_STEP_EQ(script, w_ended, std::string("aio::CancelledError: stop"),
                 "then W ends cancelled, with the message");
  EXPECT_STEP_TRUE(script, !condition.locked(), "W's Held released the lock at the end");
}

namespace {
Coroutine<void> notify_then_cancel(aio::Condition& condition, Trace& trace, std::string& w1_ended) {
  const Task<void> w1 = aio::create_task(condition_waiter(condition, trace, "W1"));
  const Task<void> w2 = aio::create_task(condition_waiter(condition, trace, "W2"));
  co_await aio::sleep(1);
  {
    auto held = co_await condition.hold();
    note(trace, "notify(1), cancel W1");
    condition.notify(1);
    w1.cancel();
  }
  w1_ended = co_await ending_of(w1);
  co_await w2;
}
}  // namespace

TEST_F(Ex48Condition, NotifiedWaiterThatIsCancelledPassesTheNotificationOn) {
  Script script("W1 and W2 wait; notify(1) wakes W1, which is cancelled before it runs", kLesson);
  aio::Condition condition;
  Trace trace;
  std::string w1_ended;

  script.step("at t=1, holding the lock: notify(1), then W1.cancel()");
  EXPECT_STEP_EQ(script, run(notify_then_cancel(condition, trace, w1_ended)),
                 std::string("nothing"), "every task ends: W2 does not wait forever");
  EXPECT_STEP_EQ(script, w1_ended, std::string("aio::CancelledError: "), "W1 ends cancelled");
  EXPECT_STEP_EQ(
      script, trace,
      (Trace{"t=0 W1 waits", "t=0 W2 waits", "t=1 notify(1), cancel W1", "t=1 W2 woke, lock held"}),
      "W1 leaves wait() with its CancelledError, but hands its notification on: W2 "
      "wakes in its place");
  EXPECT_STEP_TRUE(script, !condition.locked(), "the lock is free at the end");
}
