#include "aio/timer_queue.hpp"
#include "aio/not_implemented.hpp"

#include <algorithm>

namespace aio {

namespace {

// region: later
// std::push_heap builds a max-heap; "later" as the comparison puts the earliest on top.
// Equal times fall back on the order of scheduling: first scheduled, first run.
// The keys are copied into the entry: comparing through the handle's pointer would miss
// the cache at every step of a large heap.
// A function object, not a function: the heap algorithms then inline the comparison.
constexpr auto later = [](const TimerQueue::Entry& a, const TimerQueue::Entry& b) {
  if (a.when != b.when) return a.when > b.when;
  return a.sequence > b.sequence;
};
// endregion

}  // namespace

// region: push
void TimerQueue::push(TimerHandlePtr timer) {
  // EXERCISE 2.1: the timer heap
  // Here, in push: schedule a timer.
  // Give it the next sequence number (ties run in scheduling order), remember that it is in
  // this queue (so that cancel() can tell us), then push its entry onto the heap.
  throw aio::NotImplemented{"2.1"};
  // END EXERCISE
}
// endregion

TimerHandlePtr TimerQueue::pop_top() {
  std::pop_heap(heap_.begin(), heap_.end(), later);
  TimerHandlePtr timer = std::move(heap_.back().timer);
  heap_.pop_back();
  timer->queue_ = nullptr;
  if (timer->cancelled()) --cancelled_;
  return timer;
}

void TimerQueue::drop_cancelled_top() {
  while (!heap_.empty() && heap_.front().timer->cancelled()) pop_top();
}

std::optional<double> TimerQueue::next_when() {
  drop_cancelled_top();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().when;
}

// region: pop_due
void TimerQueue::pop_due(double now, std::vector<TimerHandlePtr>& due) {
  // EXERCISE 2.1: take every timer that is due
  // While the top of the heap is due (when <= now), pop it; a cancelled one is dropped,
  // the others go to `due`, earliest first.
  throw aio::NotImplemented{"2.1"};
  // END EXERCISE
}
// endregion

// region: note_cancelled
void TimerQueue::note_cancelled() {
  // EXERCISE 2.1: count a cancelled timer, and compact when they are the majority
  // Over kMinSizeToCompact timers, with more than half of them cancelled: rebuild the heap
  // without the cancelled ones (asyncio's rule). The cost is paid at most once per n/2
  // cancellations.
  throw aio::NotImplemented{"2.1"};
  // END EXERCISE
}
// endregion

// region: compact
void TimerQueue::compact() {
  std::erase_if(heap_, [](Entry& entry) {
    if (!entry.timer->cancelled()) return false;
    entry.timer->queue_ = nullptr;
    return true;
  });
  std::make_heap(heap_.begin(), heap_.end(), later);
  cancelled_ = 0;
}
// endregion

void TimerQueue::clear() {
  for (Entry& entry : heap_) entry.timer->queue_ = nullptr;
  heap_.clear();
  cancelled_ = 0;
}

}  // namespace aio
