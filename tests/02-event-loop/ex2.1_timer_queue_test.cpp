// Exercise 2.1: aio::TimerQueue, the loop's timers in a binary heap: push(), pop_due() and
// note_cancelled() (with the compaction it triggers).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
// The queue is tested on its own, without a loop: a timer is just a time and a name here.
#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aio/handle.hpp"
#include "aio/timer_queue.hpp"
#include "support/script.hpp"

namespace {

using aio::TimerHandle;
using aio::TimerHandlePtr;
using aio::TimerQueue;
using aio::testing::Script;
using Names = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 2.1";

// A timer due at `when`; its callback does nothing (the queue never runs callbacks).
TimerHandlePtr timer(double when, std::string name) {
  return std::make_shared<TimerHandle>(
      when, [] {}, std::move(name));
}

// Pushes a timer and returns it, so that the test can cancel it later.
TimerHandlePtr push(TimerQueue& queue, double when, std::string name) {
  TimerHandlePtr handle = timer(when, std::move(name));
  queue.push(handle);
  return handle;
}

// pop_due(now), as the names of the timers it took, in the order it gave them.
Names pop_due(TimerQueue& queue, double now) {
  std::vector<TimerHandlePtr> due;
  queue.pop_due(now, due);
  Names names;
  for (const TimerHandlePtr& handle : due) names.push_back(handle->name());
  return names;
}

}  // namespace

// ---- order ---------------------------------------------------------------------------------

TEST(Ex21TimerQueue, PopDueGivesTimersEarliestFirst) {
  Script script("push timers due at 3, 1, 2 (in that order), then take every due timer", kLesson);
  TimerQueue queue;

  script.step("push t3 (when 3), t1 (when 1), t2 (when 2)");
  push(queue, 3.0, "t3");
  push(queue, 1.0, "t1");
  push(queue, 2.0, "t2");
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{3}, "push() keeps every timer");
  EXPECT_STEP_EQ(script, queue.next_when(), std::optional<double>(1.0),
                 "the top of the heap is the earliest timer, whatever the order of pushes");

  script.step("pop_due(10)");
  EXPECT_STEP_EQ(script, pop_due(queue, 10.0), (Names{"t1", "t2", "t3"}),
                 "pop_due() takes the timers earliest first (a min-heap ordered by when)");
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{0}, "every due timer left the queue");
  EXPECT_STEP_EQ(script, queue.next_when(), std::optional<double>(),
                 "next_when() of an empty queue is nothing");
}

TEST(Ex21TimerQueue, PopDueLeavesTheTimersThatAreNotDueYet) {
  Script script("timers due at 1, 2 and 3; the time is 2", kLesson);
  TimerQueue queue;

  script.step("push t1, t2, t3; pop_due(1.5)");
  push(queue, 1.0, "t1");
  push(queue, 2.0, "t2");
  push(queue, 3.0, "t3");
  EXPECT_STEP_EQ(script, pop_due(queue, 1.5), Names{"t1"}, "only t1 is due at 1.5");

  script.step("pop_due(2)");
  EXPECT_STEP_EQ(script, pop_due(queue, 2.0), Names{"t2"},
                 "a timer due exactly now is due (when <= now)");
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{1}, "t3 stays in the queue");
  EXPECT_STEP_EQ(script, queue.next_when(), std::optional<double>(3.0), "t3 is next");

  script.step("pop_due(2.999)");
  EXPECT_STEP_EQ(script, pop_due(queue, 2.999), Names{}, "a timer never comes out early");
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{1}, "t3 is still there");
}

TEST(Ex21TimerQueue, TimersDueAtTheSameInstantComeOutInSchedulingOrder) {
  Script script("20 timers due at the same instant, mixed with earlier and later ones", kLesson);
  TimerQueue queue;

  script.step("push s00 .. s19 (all when 5), with e (when 1) and l (when 9) among them");
  Names same;
  for (int i = 0; i < 20; ++i) {
    std::string name = i < 10 ? "s0" : "s";
    name += std::to_string(i);
    same.push_back(name);
    push(queue, 5.0, name);
    if (i == 7) push(queue, 9.0, "l");
    if (i == 13) push(queue, 1.0, "e");
  }
  Names expected{"e"};
  expected.insert(expected.end(), same.begin(), same.end());
  expected.push_back("l");

  script.step("pop_due(10)");
  EXPECT_STEP_EQ(script, pop_due(queue, 10.0), expected,
                 "timers due at the same instant run in the order they were scheduled: push() "
                 "gives each timer the next sequence number, and the heap orders by (when, "
                 "sequence); a heap alone is not stable");
}

TEST(Ex21TimerQueue, PushNumbersTheTimersInSchedulingOrder) {
  Script script("push three timers and read their sequence numbers", kLesson);
  TimerQueue queue;

  script.step("push a (when 3), b (when 1), c (when 2)");
  const TimerHandlePtr a = push(queue, 3.0, "a");
  const TimerHandlePtr b = push(queue, 1.0, "b");
  const TimerHandlePtr c = push(queue, 2.0, "c");
  EXPECT_STEP_TRUE(script, a->sequence() < b->sequence() && b->sequence() < c->sequence(),
                   "push() gives each timer the next sequence number: a < b < c");
}

// ---- cancelled timers ----------------------------------------------------------------------

TEST(Ex21TimerQueue, CancelledTimerIsCountedAndNeverComesOut) {
  Script script("cancel one of three timers, then take them all", kLesson);
  TimerQueue queue;

  script.step("push a (when 1), b (when 2), c (when 3); cancel b");
  push(queue, 1.0, "a");
  const TimerHandlePtr b = push(queue, 2.0, "b");
  push(queue, 3.0, "c");
  b->cancel();
  EXPECT_STEP_EQ(script, queue.cancelled_count(), std::size_t{1},
                 "TimerHandle::cancel() tells its queue (note_cancelled), which counts it");
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{3},
                 "a cancelled timer stays in the heap (removing it from the middle is O(n))");

  script.step("cancel b again");
  b->cancel();
  EXPECT_STEP_EQ(script, queue.cancelled_count(), std::size_t{1},
                 "cancelling twice counts once (the second cancel() does nothing)");

  script.step("pop_due(10)");
  EXPECT_STEP_EQ(script, pop_due(queue, 10.0), (Names{"a", "c"}),
                 "pop_due() drops a cancelled timer instead of giving it");
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{0}, "the queue is empty");
  EXPECT_STEP_EQ(script, queue.cancelled_count(), std::size_t{0},
                 "a cancelled timer that left the queue is no longer counted");
}

TEST(Ex21TimerQueue, NextWhenSkipsCancelledTimersAtTheTop) {
  Script script("cancel the two earliest of three timers", kLesson);
  TimerQueue queue;

  script.step("push t1, t2, t3 (when 1, 2, 3); cancel t1 and t2");
  const TimerHandlePtr t1 = push(queue, 1.0, "t1");
  const TimerHandlePtr t2 = push(queue, 2.0, "t2");
  push(queue, 3.0, "t3");
  t1->cancel();
  t2->cancel();
  EXPECT_STEP_EQ(script, queue.cancelled_count(), std::size_t{2}, "two timers are cancelled");

  script.step("next_when()");
  EXPECT_STEP_EQ(script, queue.next_when(), std::optional<double>(3.0),
                 "next_when() is the earliest timer that is not cancelled");
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{1},
                 "the cancelled timers at the top were dropped on the way");
  EXPECT_STEP_EQ(script, queue.cancelled_count(), std::size_t{0}, "and no longer counted");

  script.step("push t4 (when 4) and cancel it; pop_due(5) gives t3");
  const TimerHandlePtr t4 = push(queue, 4.0, "t4");
  t4->cancel();
  EXPECT_STEP_EQ(script, queue.next_when(), std::optional<double>(3.0), "t3 is still next");
  EXPECT_STEP_EQ(script, pop_due(queue, 5.0), Names{"t3"}, "t4 was cancelled: only t3 is due");

  script.step("push t6 (when 6) and cancel it; next_when()");
  const TimerHandlePtr t6 = push(queue, 6.0, "t6");
  t6->cancel();
  EXPECT_STEP_EQ(script, queue.next_when(), std::optional<double>(),
                 "a queue of only cancelled timers has no next timer");
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{0}, "and it is empty afterwards");
}

TEST(Ex21TimerQueue, CancellingATimerThatAlreadyCameOutIsNotCounted) {
  Script script("a timer is taken as due, then its handle is cancelled", kLesson);
  TimerQueue queue;

  script.step("push a (when 1) and b (when 2); pop_due(1) gives a");
  const TimerHandlePtr a = push(queue, 1.0, "a");
  push(queue, 2.0, "b");
  EXPECT_STEP_EQ(script, pop_due(queue, 1.0), Names{"a"}, "a is due at 1");

  script.step("cancel a (it is no longer in the queue)");
  a->cancel();
  EXPECT_STEP_EQ(script, queue.cancelled_count(), std::size_t{0},
                 "a timer that left the queue does not count as a cancelled timer in it");
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{1}, "b is still there");
  EXPECT_STEP_EQ(script, pop_due(queue, 2.0), Names{"b"}, "b comes out normally");
}

TEST(Ex21TimerQueue, TimerOutlivesItsQueue) {
  Script script("a queue is destroyed while it holds a timer; the timer is cancelled after",
                kLesson);
  TimerHandlePtr survivor;
  {
    TimerQueue queue;
    script.step("push a timer into a queue, then destroy the queue");
    survivor = push(queue, 1.0, "survivor");
    EXPECT_STEP_EQ(script, queue.size(), std::size_t{1}, "the queue holds the timer");
  }
  script.step("cancel the timer");
  survivor->cancel();
  EXPECT_STEP_TRUE(script, survivor->cancelled(),
                   "the handle is cancelled, and it did not call into the destroyed queue "
                   "(the sanitizer build would report a use after free)");
}

// ---- compaction ----------------------------------------------------------------------------

TEST(Ex21TimerQueue, SmallQueueIsNeverCompacted) {
  Script script("100 timers, 99 of them cancelled", kLesson);
  TimerQueue queue;
  std::vector<TimerHandlePtr> timers;

  script.step("push 100 timers (when 0..99); cancel the first 99");
  for (int i = 0; i < 100; ++i) timers.push_back(push(queue, i, "t" + std::to_string(i)));
  for (int i = 0; i < 99; ++i) timers[i]->cancel();
  EXPECT_STEP_EQ(script, queue.cancelled_count(), std::size_t{99}, "99 timers are cancelled");
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{100},
                 "a queue of at most kMinSizeToCompact (100) timers is never compacted");

  script.step("pop_due(1000)");
  EXPECT_STEP_EQ(script, pop_due(queue, 1000.0), Names{"t99"}, "only t99 was not cancelled");
}

TEST(Ex21TimerQueue, CompactsWhenMoreThanHalfOfOver100AreCancelled) {
  Script script("150 timers; cancel them one by one until compaction", kLesson);
  TimerQueue queue;
  std::vector<TimerHandlePtr> timers;

  script.step("push 150 timers (when 0..149); cancel the even ones, 75 timers");
  for (int i = 0; i < 150; ++i) timers.push_back(push(queue, i, "t" + std::to_string(i)));
  for (int i = 0; i < 150; i += 2) timers[i]->cancel();
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{150},
                 "75 of 150 is exactly half, not more: no compaction yet");
  EXPECT_STEP_EQ(script, queue.cancelled_count(), std::size_t{75}, "75 are counted");

  script.step("cancel t1 (the 76th)");
  timers[1]->cancel();
  EXPECT_STEP_EQ(script, queue.size(), std::size_t{74},
                 "over 100 timers with more than half cancelled: note_cancelled() rebuilds the "
                 "heap without the cancelled ones");
  EXPECT_STEP_EQ(script, queue.cancelled_count(), std::size_t{0},
                 "after compaction, no cancelled timer is left to count");

  script.step("pop_due(1000)");
  Names expected;
  for (int i = 3; i < 150; i += 2) expected.push_back("t" + std::to_string(i));
  EXPECT_STEP_EQ(script, pop_due(queue, 1000.0), expected,
                 "the rebuilt heap still gives the timers earliest first");
}

TEST(Ex21TimerQueue, CompactionKeepsTheOrderOfEqualTimes) {
  Script script("130 timers at the same instant; cancel 70 of them", kLesson);
  TimerQueue queue;
  std::vector<TimerHandlePtr> timers;

  script.step(
      "push a000 .. a129, all when 7; cancel every one whose number is not a multiple "
      "of 3 until 70 are cancelled");
  for (int i = 0; i < 130; ++i) {
    std::string name = "a";
    if (i < 100) name += '0';
    if (i < 10) name += '0';
    name += std::to_string(i);
    timers.push_back(push(queue, 7.0, name));
  }
  int cancelled = 0;
  Names expected;
  for (int i = 0; i < 130; ++i) {
    if (i % 3 != 0 && cancelled < 70) {
      timers[i]->cancel();
      ++cancelled;
    } else {
      expected.push_back(timers[i]->name());
    }
  }
  EXPECT_STEP_TRUE(script, queue.size() < 130, "the queue was compacted");

  script.step("pop_due(7)");
  EXPECT_STEP_EQ(script, pop_due(queue, 7.0), expected,
                 "after compaction, timers due at the same instant still come out in "
                 "scheduling order (the sequence numbers survive the rebuild)");
}

TEST(Ex21TimerQueue, MillionTimersScheduledAndCancelledKeepTheMemoryFlat) {
  Script script("schedule 1,000,000 timers, cancelling each right after", kLesson);
  TimerQueue queue;
  std::weak_ptr<TimerHandle> first;
  std::size_t largest = 0;

  script.step("1,000,000 times: push a timer (when i), then cancel it; watch size()");
  for (int i = 0; i < 1'000'000; ++i) {
    TimerHandlePtr handle = timer(i, "t");
    queue.push(handle);
    if (i == 0) first = handle;
    handle->cancel();
    if (queue.size() > largest) largest = queue.size();
  }
  EXPECT_STEP_TRUE(script, largest < 300,
                   "compaction keeps a queue of cancelled timers small: size() peaked at " +
                       std::to_string(largest) + ", it must stay bounded (just over 100)");
  EXPECT_STEP_TRUE(script, first.expired(),
                   "a compacted queue lets go of its cancelled timers: memory stays flat");
  EXPECT_STEP_EQ(script, queue.next_when(), std::optional<double>(), "no timer is left to run");
}
