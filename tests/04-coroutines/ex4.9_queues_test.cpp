// Exercise 4.9: queues (aio::Queue, aio::PriorityQueue, aio::LifoQueue). Each test is a
// scenario in steps; a failure replays the steps and names the rule it broke.
//
// A scenario is a coroutine that run() drives as a task until it ends; it starts producer and
// consumer tasks and waits for them. Tasks note what they do in a trace, with the loop's time:
// the clock is an aio::ManualClock with auto_advance, so `co_await aio::sleep(1)` takes no real
// time, and the traces are exact. The coroutines are free functions, not lambdas: a lambda
// coroutine keeps its captures in the lambda object, which is gone long before the task runs.
//
// These tests need Exercises 4.1 to 4.3 as well (a task's steps, waiting for a future,
// cancelling a task); task_done() and join() use an aio::Event (Exercise 4.8).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <memory>
#include <numeric>
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
#include "aio/queues.hpp"
#include "aio/run_until_complete.hpp"
#include "aio/sleep.hpp"
#include "aio/task.hpp"
#include "loop_harness.hpp"
#include "support/script.hpp"

namespace {

using aio::Coroutine;
using aio::EventLoop;
using aio::Queue;
using aio::Task;
using aio::testing::on;
using aio::testing::Script;
using Trace = std::vector<std::string>;
using Items = std::vector<int>;

constexpr const char* kLesson = "Exercise 4.9";
constexpr double kWatchdog = 1000;  // seconds of loop time, far later than any scenario's timers

// An exception in words: its kind and its message.
std::string describe(const std::exception_ptr& error) {
  if (!error) return "no exception";
  try {
    std::rethrow_exception(error);
  } catch (const aio::NotImplemented& e) {
    return std::string("aio::NotImplemented: ") + e.what();
  } catch (const aio::CancelledError& e) {
    return "aio::CancelledError: " + e.message();
  } catch (const aio::QueueEmpty& e) {
    return std::string("aio::QueueEmpty: ") + e.what();
  } catch (const aio::QueueFull& e) {
    return std::string("aio::QueueFull: ") + e.what();
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
// make it the running loop, which the queue's futures need).
void iterate(EventLoop& loop) {
  loop.stop();
  loop.run_forever();
}

// Notes `what` in the trace with the loop's time: "t=1 got 7".
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

class Ex49Queue : public ::testing::Test {
 protected:
  Ex49Queue() {
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

class Ex49PriorityQueue : public Ex49Queue {};
class Ex49LifoQueue : public Ex49Queue {};

// ---- coroutines the tests run ----------------------------------------------------------------

// Gets one item and notes it; notes a cancellation while it waits, and lets it end the task.
Coroutine<void> get_one(Queue<int>& queue, Trace& trace, std::string name) {
  try {
    const int item = co_await queue.get();
    note(trace, name + " got " + std::to_string(item));
  } catch (const aio::CancelledError&) {
    note(trace, name + " cancelled");
    throw;
  }
}

// Puts the items one by one, noting each once it is in.
Coroutine<void> put_all(Queue<int>& queue, Trace& trace, Items items) {
  for (const int item : items) {
    co_await queue.put(item);
    note(trace, "put " + std::to_string(item));
  }
}

// Gets `count` items, one every `pause` seconds, noting each.
Coroutine<void> get_slowly(Queue<int>& queue, Trace& trace, int count, double pause) {
  for (int i = 0; i < count; ++i) {
    co_await aio::sleep(pause);
    const int item = co_await queue.get();
    note(trace, "got " + std::to_string(item));
  }
}

}  // namespace

// ---- Queue -----------------------------------------------------------------------------------

namespace {
struct Sizes {
  std::size_t after_puts = 0;
  bool empty_after_puts = true;
  bool full_after_puts = true;
  bool empty_at_end = false;
};

Coroutine<void> fifo(Queue<int>& queue, Items& got, Sizes& sizes) {
  for (const int item : {1, 2, 3}) co_await queue.put(item);
  sizes.after_puts = queue.qsize();
  sizes.empty_after_puts = queue.empty();
  sizes.full_after_puts = queue.full();
  for (int i = 0; i < 3; ++i) {
    const int item = co_await queue.get();
    got.push_back(item);
  }
  sizes.empty_at_end = queue.empty();
}
}  // namespace

TEST_F(Ex49Queue, ItemsComeOutInTheOrderTheyWentIn) {
  Script script("a queue with no maxsize: put 1, 2, 3, then get three times", kLesson);
  Queue<int> queue;
  Items got;
  Sizes sizes;

  script.step("co_await put(1), put(2), put(3); then co_await get() three times");
  EXPECT_STEP_EQ(script, run(fifo(queue, got, sizes)), std::string("nothing"),
                 "the scenario ends: with no maxsize, put() never waits");
  EXPECT_STEP_EQ(script, got, (Items{1, 2, 3}), "first in, first out");
  EXPECT_STEP_EQ(script, sizes.after_puts, std::size_t{3}, "qsize() counted the three items");
  EXPECT_STEP_TRUE(script, !sizes.empty_after_puts && !sizes.full_after_puts,
                   "not empty; and a queue without maxsize (0) is never full");
  EXPECT_STEP_TRUE(script, sizes.empty_at_end, "empty() once every item is out");
  EXPECT_STEP_EQ(script, queue.maxsize(), std::size_t{0}, "maxsize() is 0: no limit");
}

namespace {
Coroutine<void> put_later(Queue<int>& queue, Trace& trace) {
  const Task<void> consumer = aio::create_task(get_one(queue, trace, "C"));
  co_await aio::sleep(2);
  note(trace, "put_nowait(7)");
  queue.put_nowait(7);
  co_await consumer;
}
}  // namespace

TEST_F(Ex49Queue, GetWaitsForAPut) {
  Script script("a consumer gets from an empty queue; the scenario puts 7 at t=2", kLesson);
  Queue<int> queue;
  Trace trace;

  script.step("C: co_await get(); at t=2: put_nowait(7)");
  EXPECT_STEP_EQ(script, run(put_later(queue, trace)), std::string("nothing"), "C ends");
  EXPECT_STEP_EQ(script, trace, (Trace{"t=2 put_nowait(7)", "t=2 C got 7"}),
                 "get() waited while the queue was empty, and put_nowait() woke it");
  EXPECT_STEP_TRUE(script, queue.empty(), "the item went to C: the queue is empty");
}

namespace {
Coroutine<void> producer_and_slow_consumer(Queue<int>& queue, Trace& trace, bool& full_at_2) {
  const Task<void> producer = aio::create_task(put_all(queue, trace, {1, 2, 3, 4}));
  const Task<void> consumer = aio::create_task(get_slowly(queue, trace, 4, 1));
  co_await aio::sleep(0);  // the producer's first step: two puts, then it waits
  full_at_2 = queue.full();
  co_await producer;
  co_await consumer;
}
}  // namespace

TEST_F(Ex49Queue, PutWaitsWhileTheQueueIsFull) {
  Script script("Queue(2): a producer puts 1, 2, 3, 4; a consumer gets one item a second", kLesson);
  Queue<int> queue(2);
  Trace trace;
  bool full_at_2 = false;

  script.step("producer: co_await put(n) for n = 1..4; consumer: sleep(1), get(), four times");
  EXPECT_STEP_EQ(script, run(producer_and_slow_consumer(queue, trace, full_at_2)),
                 std::string("nothing"), "both end");
  EXPECT_STEP_TRUE(script, full_at_2, "after two items, full() is true");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 put 1", "t=0 put 2", "t=1 got 1", "t=1 put 3", "t=2 got 2",
                        "t=2 put 4", "t=3 got 3", "t=4 got 4"}),
                 "put(3) waited until a get() made room at t=1, put(4) until t=2");
  EXPECT_STEP_EQ(script, queue.maxsize(), std::size_t{2}, "maxsize() is what was given");
}

TEST_F(Ex49Queue, PutNowaitOnAFullQueueRaisesQueueFull) {
  Script script("Queue(1) holding one item; put_nowait() of a second one", kLesson);
  Queue<int> queue(1);

  script.step("put_nowait(1)");
  EXPECT_STEP_EQ(script, outcome([&] { queue.put_nowait(1); }), std::string("nothing"),
                 "there is room for one");
  script.step("put_nowait(2)");
  EXPECT_STEP_EQ(script, outcome([&] { queue.put_nowait(2); }),
                 std::string("aio::QueueFull: QueueFull: the queue is full"),
                 "no room: put_nowait() raises QueueFull instead of waiting");
  script.step("get_nowait()");
  int first = 0;
  EXPECT_STEP_EQ(script, outcome([&] { first = queue.get_nowait(); }), std::string("nothing"),
                 "the first item is still there");
  EXPECT_STEP_EQ(script, first, 1, "and the refused item did not go in");
  EXPECT_STEP_TRUE(script, queue.empty(), "nothing else is in the queue");
}

TEST_F(Ex49Queue, GetNowaitOnAnEmptyQueueRaisesQueueEmpty) {
  Script script("get_nowait() on an empty queue, then after a put", kLesson);
  Queue<int> queue;

  script.step("get_nowait() on a new queue");
  EXPECT_STEP_EQ(script, outcome([&] { queue.get_nowait(); }),
                 std::string("aio::QueueEmpty: QueueEmpty: the queue is empty"),
                 "nothing to get: get_nowait() raises QueueEmpty instead of waiting");
  script.step("put_nowait(5); get_nowait(); get_nowait()");
  int got = 0;
  EXPECT_STEP_EQ(script, outcome([&] {
                   queue.put_nowait(5);
                   got = queue.get_nowait();
                 }),
                 std::string("nothing"), "put_nowait() then get_nowait() work at once");
  EXPECT_STEP_EQ(script, got, 5, "get_nowait() gives the item put");
  EXPECT_STEP_EQ(script, outcome([&] { queue.get_nowait(); }),
                 std::string("aio::QueueEmpty: QueueEmpty: the queue is empty"),
                 "and the queue is empty again");
}

namespace {
Coroutine<void> work_through(Queue<int>& queue, Trace& trace) {
  for (int i = 0; i < 3; ++i) {
    const int item = co_await queue.get();
    co_await aio::sleep(1);
    note(trace, "done with " + std::to_string(item));
    queue.task_done();
  }
}

Coroutine<void> join_after(Queue<int>& queue, Trace& trace) {
  co_await queue.join();
  note(trace, "join() returned");
}

Coroutine<void> join_scenario(Queue<int>& queue, Trace& trace) {
  co_await queue.join();
  note(trace, "join() of a new queue returned");
  for (const int item : {1, 2, 3}) queue.put_nowait(item);
  const Task<void> joiner = aio::create_task(join_after(queue, trace));
  const Task<void> worker = aio::create_task(work_through(queue, trace));
  co_await joiner;
  co_await worker;
}
}  // namespace

TEST_F(Ex49Queue, JoinWaitsUntilEveryItemIsDone) {
  Script script("three items; a worker takes 1 s for each and calls task_done(); a task joins",
                kLesson);
  Queue<int> queue;
  Trace trace;

  script.step(
      "join() a new queue; put 1, 2, 3; J: co_await join(); worker: get, sleep(1), "
      "task_done(), three times");
  EXPECT_STEP_EQ(script, run(join_scenario(queue, trace)), std::string("nothing"),
                 "every task ends");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=0 join() of a new queue returned", "t=1 done with 1", "t=2 done with 2",
                        "t=3 done with 3", "t=3 join() returned"}),
                 "join() returns at once when no work is unfinished; else it waits for the "
                 "task_done() of the last item put, not for the queue to be empty (it was "
                 "empty from t=2)");
}

TEST_F(Ex49Queue, TaskDoneMoreOftenThanItemsIsRefused) {
  Script script("one item put and got; task_done() twice", kLesson);
  Queue<int> queue;

  script.step("put_nowait(1); get_nowait(); task_done()");
  EXPECT_STEP_EQ(script, outcome([&] {
                   queue.put_nowait(1);
                   queue.get_nowait();
                   queue.task_done();
                 }),
                 std::string("nothing"), "one item, one task_done()");
  script.step("task_done() again");
  EXPECT_STEP_EQ(script, outcome([&] { queue.task_done(); }),
                 std::string("std::invalid_argument: task_done() called too many times"),
                 "more task_done() calls than items put is refused (asyncio's ValueError)");
}

namespace {
Coroutine<void> cancel_in_line(Queue<int>& queue, Trace& trace, std::string& a_ended,
                               std::size_t& left_in_queue, int& kept) {
  const Task<void> a = aio::create_task(get_one(queue, trace, "A"));
  const Task<void> b = aio::create_task(get_one(queue, trace, "B"));
  co_await aio::sleep(1);
  a.cancel("no more");
  a_ended = co_await ending_of(a);
  co_await aio::sleep(1);
  note(trace, "put_nowait(7)");
  queue.put_nowait(7);
  co_await b;
  // Nobody waits now: an item put stays in the queue for the next get.
  const Task<void> c = aio::create_task(get_one(queue, trace, "C"));
  co_await aio::sleep(1);
  c.cancel();
  co_await ending_of(c);
  note(trace, "put_nowait(8)");
  queue.put_nowait(8);
  co_await aio::sleep(1);
  left_in_queue = queue.qsize();
  kept = queue.get_nowait();
}
}  // namespace

TEST_F(Ex49Queue, GetCancelledWhileWaitingLosesNothing) {
  Script script("A and B wait to get; A is cancelled at t=1; 7 is put at t=2", kLesson);
  Queue<int> queue;
  Trace trace;
  std::string a_ended;
  std::size_t left_in_queue = 0;
  int kept = 0;

  script.step(
      "A, B: co_await get(); t=1: A.cancel(); t=2: put_nowait(7); then C waits and "
      "is cancelled at t=3, and 8 is put");
  EXPECT_STEP_EQ(script, run(cancel_in_line(queue, trace, a_ended, left_in_queue, kept)),
                 std::string("nothing"), "every task ends: B does not wait forever");
  EXPECT_STEP_EQ(script, a_ended, std::string("aio::CancelledError: no more"), "A ends cancelled");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=1 A cancelled", "t=2 put_nowait(7)", "t=2 B got 7", "t=3 C cancelled",
                        "t=3 put_nowait(8)"}),
                 "the cancelled getter left the line: 7 went to B, the next getter");
  EXPECT_STEP_EQ(script, left_in_queue, std::size_t{1},
                 "with nobody left waiting, 8 stays in the queue: a cancelled get() takes "
                 "nothing with it");
  EXPECT_STEP_EQ(script, kept, 8, "and it is 8");
}

namespace {
Coroutine<void> cancel_the_woken(Queue<int>& queue, Trace& trace, std::string& a_ended) {
  const Task<void> a = aio::create_task(get_one(queue, trace, "A"));
  const Task<void> b = aio::create_task(get_one(queue, trace, "B"));
  co_await aio::sleep(1);
  note(trace, "put_nowait(7), cancel A");
  queue.put_nowait(7);  // wakes A...
  a.cancel();           // ...which is cancelled before it runs
  a_ended = co_await ending_of(a);
  co_await b;
}
}  // namespace

TEST_F(Ex49Queue, GetCancelledAfterItWasWokenPassesTheItemOn) {
  Script script("A and B wait to get; 7 is put, which wakes A; A is cancelled before it runs",
                kLesson);
  Queue<int> queue;
  Trace trace;
  std::string a_ended;

  script.step("A, B: co_await get(); at t=1, in one step: put_nowait(7), A.cancel()");
  EXPECT_STEP_EQ(script, run(cancel_the_woken(queue, trace, a_ended)), std::string("nothing"),
                 "every task ends: B does not wait forever");
  EXPECT_STEP_EQ(script, a_ended, std::string("aio::CancelledError: "), "A ends cancelled");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=1 put_nowait(7), cancel A", "t=1 A cancelled", "t=1 B got 7"}),
                 "put_nowait() woke A for 7, but A left with its CancelledError: its get() "
                 "must wake B instead, or 7 sits in the queue while B waits");
  EXPECT_STEP_TRUE(script, queue.empty(), "7 went to B");
}

namespace {
Coroutine<void> put_one(Queue<int>& queue, Trace& trace, std::string name, int item) {
  try {
    co_await queue.put(item);
    note(trace, name + " put " + std::to_string(item));
  } catch (const aio::CancelledError&) {
    note(trace, name + " cancelled");
    throw;
  }
}

Coroutine<void> cancel_the_woken_putter(Queue<int>& queue, Trace& trace, Items& got) {
  queue.put_nowait(0);
  const Task<void> p1 = aio::create_task(put_one(queue, trace, "P1", 1));
  const Task<void> p2 = aio::create_task(put_one(queue, trace, "P2", 2));
  co_await aio::sleep(1);
  note(trace, "get_nowait(), cancel P1");
  got.push_back(queue.get_nowait());  // makes room, wakes P1...
  p1.cancel();                        // ...which is cancelled before it runs
  co_await ending_of(p1);
  co_await p2;
  while (!queue.empty()) got.push_back(queue.get_nowait());
}
}  // namespace

TEST_F(Ex49Queue, PutCancelledAfterItWasWokenPassesTheRoomOn) {
  Script script(
      "Queue(1) holds 0; P1 and P2 wait to put 1 and 2; a get wakes P1, which is "
      "cancelled before it runs",
      kLesson);
  Queue<int> queue(1);
  Trace trace;
  Items got;

  script.step("at t=1, in one step: get_nowait(), P1.cancel()");
  EXPECT_STEP_EQ(script, run(cancel_the_woken_putter(queue, trace, got)), std::string("nothing"),
                 "every task ends: P2 does not wait forever");
  EXPECT_STEP_EQ(script, trace,
                 (Trace{"t=1 get_nowait(), cancel P1", "t=1 P1 cancelled", "t=1 P2 put 2"}),
                 "the room made for P1 goes to P2");
  EXPECT_STEP_EQ(script, got, (Items{0, 2}), "0, then P2's 2; P1's 1 never went in");
}

namespace {
Coroutine<void> produce(Queue<int>& queue, int producer, int count) {
  for (int i = 0; i < count; ++i) {
    co_await aio::sleep(0.5 * (i % 3));
    co_await queue.put(producer * 1000 + i);
  }
}

// Works forever, as consumers often do; the scenario cancels it once the queue is joined.
Coroutine<void> consume(Queue<int>& queue, int consumer, std::vector<std::pair<int, int>>& taken) {
  for (;;) {
    const int item = co_await queue.get();
    taken.emplace_back(consumer, item);
    co_await aio::sleep(0.25 * (consumer + 1));
    queue.task_done();
  }
}

Coroutine<void> many(Queue<int>& queue, std::vector<std::pair<int, int>>& taken,
                     std::string& consumers_ended) {
  std::vector<Task<void>> producers;
  std::vector<Task<void>> consumers;
  for (int p = 1; p <= 4; ++p) producers.push_back(aio::create_task(produce(queue, p, 25)));
  for (int c = 0; c < 3; ++c) consumers.push_back(aio::create_task(consume(queue, c, taken)));
  for (const Task<void>& producer : producers) co_await producer;
  co_await queue.join();
  for (const Task<void>& consumer : consumers) consumer.cancel();
  for (const Task<void>& consumer : consumers) {
    const std::string how = co_await ending_of(consumer);
    consumers_ended += how + ";";
  }
}
}  // namespace

TEST_F(Ex49Queue, ManyProducersAndConsumersDeliverEveryItemOnce) {
  Script script("Queue(3); four producers put 25 items each; three consumers of different speeds",
                kLesson);
  std::vector<std::pair<int, int>> taken;
  std::string consumers_ended;

  script.step("producers put at their pace; join(); then cancel the consumers");
  Queue<int> queue(3);
  EXPECT_STEP_EQ(script, run(many(queue, taken, consumers_ended)), std::string("nothing"),
                 "the scenario ends: join() returned after the last task_done()");
  Items items;
  for (const auto& [consumer, item] : taken) items.push_back(item);
  std::sort(items.begin(), items.end());
  Items expected;
  for (int p = 1; p <= 4; ++p) {
    for (int i = 0; i < 25; ++i) expected.push_back(p * 1000 + i);
  }
  EXPECT_STEP_EQ(script, items.size(), std::size_t{100}, "100 items were taken");
  EXPECT_STEP_TRUE(script, items == expected, "each item put was taken exactly once");
  EXPECT_STEP_EQ(script, std::accumulate(items.begin(), items.end(), 0L),
                 std::accumulate(expected.begin(), expected.end(), 0L), "the totals agree");
  EXPECT_STEP_EQ(script, consumers_ended,
                 std::string("aio::CancelledError: ;aio::CancelledError: ;aio::CancelledError: ;"),
                 "the consumers, waiting in get(), end cancelled");
  EXPECT_STEP_TRUE(script, queue.empty(), "the queue is empty at the end");

  script.step("the same run again, on a new queue");
  std::vector<std::pair<int, int>> again;
  Queue<int> second(3);
  std::string ended_again;
  EXPECT_STEP_EQ(script, run(many(second, again, ended_again)), std::string("nothing"),
                 "the scenario ends");
  EXPECT_STEP_TRUE(script, again == taken,
                   "the same consumer took the same item at the same point: with a manual "
                   "clock, a run of tasks is deterministic");
}

namespace {
Coroutine<void> move_only(Queue<std::unique_ptr<int>>& queue, int& seen) {
  co_await queue.put(std::make_unique<int>(42));
  std::unique_ptr<int> item = co_await queue.get();
  seen = item ? *item : -1;
}
}  // namespace

TEST_F(Ex49Queue, MoveOnlyItemsPassThrough) {
  Script script("a Queue<std::unique_ptr<int>>: put one, get it back", kLesson);
  Queue<std::unique_ptr<int>> queue;
  int seen = 0;

  script.step("co_await put(make_unique<int>(42)); co_await get()");
  EXPECT_STEP_EQ(script, run(move_only(queue, seen)), std::string("nothing"), "the scenario ends");
  EXPECT_STEP_EQ(script, seen, 42, "the item is moved in and moved out");
}

// ---- PriorityQueue, LifoQueue ------------------------------------------------------------------

namespace {
template <class AnyQueue, class Item>
Coroutine<void> put_then_get(AnyQueue& queue, std::vector<Item> in, std::vector<Item>& out) {
  for (Item& item : in) co_await queue.put(std::move(item));
  while (!queue.empty()) {
    Item item = co_await queue.get();
    out.push_back(std::move(item));
  }
}
}  // namespace

TEST_F(Ex49PriorityQueue, GivesTheSmallestItemFirst) {
  Script script("a PriorityQueue: put 5, 1, 4, 2, 3", kLesson);
  aio::PriorityQueue<int> queue;
  Items out;

  script.step("put 5, 1, 4, 2, 3; get until empty");
  EXPECT_STEP_EQ(script, run(put_then_get(queue, Items{5, 1, 4, 2, 3}, out)),
                 std::string("nothing"), "the scenario ends");
  EXPECT_STEP_EQ(script, out, (Items{1, 2, 3, 4, 5}), "the smallest first, as heapq gives it");

  script.step("a PriorityQueue<int, std::greater<int>>: the same items");
  aio::PriorityQueue<int, std::greater<int>> largest_first;
  Items reversed;
  EXPECT_STEP_EQ(script, run(put_then_get(largest_first, Items{5, 1, 4, 2, 3}, reversed)),
                 std::string("nothing"), "the scenario ends");
  EXPECT_STEP_EQ(script, reversed, (Items{5, 4, 3, 2, 1}),
                 "Compare says what \"smallest\" means: with std::greater, the largest first");

  script.step("(priority, job) pairs: (2, \"write\"), (0, \"urgent\"), (1, \"read\")");
  using Job = std::pair<int, std::string>;
  aio::PriorityQueue<Job> jobs;
  std::vector<Job> order;
  EXPECT_STEP_EQ(
      script,
      run(put_then_get(jobs, std::vector<Job>{{2, "write"}, {0, "urgent"}, {1, "read"}}, order)),
      std::string("nothing"), "the scenario ends");
  EXPECT_STEP_EQ(script, order, (std::vector<Job>{{0, "urgent"}, {1, "read"}, {2, "write"}}),
                 "pairs compare by priority first: the usual way to use a priority queue");
}

TEST_F(Ex49LifoQueue, GivesTheLastItemFirst) {
  Script script("a LifoQueue: put 1, 2, 3", kLesson);
  aio::LifoQueue<int> queue;
  Items out;

  script.step("put 1, 2, 3; get until empty");
  EXPECT_STEP_EQ(script, run(put_then_get(queue, Items{1, 2, 3}, out)), std::string("nothing"),
                 "the scenario ends");
  EXPECT_STEP_EQ(script, out, (Items{3, 2, 1}), "last in, first out: a stack");
}
