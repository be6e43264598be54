// aio::TimerQueue: the loop's timers in a binary heap, earliest first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "aio/handle.hpp"

namespace aio {

// region: timer_queue
// A min-heap of timers ordered by (when, order of scheduling), so timers due at the same
// instant run in the order they were scheduled. A cancelled timer stays in the heap (removing
// it from the middle would cost O(n)) and is dropped when it reaches the top; when cancelled
// timers are more than half of a heap of over 100, the heap is rebuilt without them (asyncio's
// rule), so scheduling and cancelling a million timers keeps the memory flat.
class TimerQueue {
 public:
  static constexpr std::size_t kMinSizeToCompact = 100;

  TimerQueue() = default;
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;
  ~TimerQueue() { clear(); }

  void push(TimerHandlePtr timer);

  // When the earliest timer that is not cancelled is due; nothing if there is none.
  // Drops the cancelled timers it finds at the top.
  std::optional<double> next_when();

  // Moves every timer due at or before `now` to `due`, earliest first; drops cancelled ones.
  void pop_due(double now, std::vector<TimerHandlePtr>& due);

  // Called by TimerHandle::cancel() for a timer in this queue.
  void note_cancelled();

  // Forgets every timer (the loop is closing).
  void clear();

  std::size_t size() const noexcept { return heap_.size(); }  // cancelled ones included
  std::size_t cancelled_count() const noexcept { return cancelled_; }

  // One heap entry: the timer's keys, copied so that comparing needs no pointer chase.
  struct Entry {
    double when;
    std::uint64_t sequence;
    TimerHandlePtr timer;
  };

 private:
  void drop_cancelled_top();
  void compact();
  TimerHandlePtr pop_top();

  std::vector<Entry> heap_;
  std::size_t cancelled_ = 0;
  std::uint64_t next_sequence_ = 0;
};
// endregion

}  // namespace aio
