// aio::Queue, aio::PriorityQueue, aio::LifoQueue: asyncio's queues (asyncio/queues.py,
// Python 3.12), to hand items from producer tasks to consumer tasks of one loop.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "aio/coroutine.hpp"
#include "aio/future.hpp"
#include "aio/locks.hpp"
#include "aio/not_implemented.hpp"
#include "aio/task.hpp"

namespace aio {

// asyncio.QueueEmpty: get_nowait() on an empty queue.
class QueueEmpty : public std::runtime_error {
 public:
  QueueEmpty() : std::runtime_error("QueueEmpty: the queue is empty") {}
};

// asyncio.QueueFull: put_nowait() on a full queue.
class QueueFull : public std::runtime_error {
 public:
  QueueFull() : std::runtime_error("QueueFull: the queue is full") {}
};

namespace detail {

// Where a queue keeps its items, and in which order it gives them back. asyncio's subclasses
// of Queue override _init, _put and _get; here the store is a template parameter, so the
// waiting logic is written once and the order costs no virtual call.

// First in, first out (asyncio.Queue: a deque).
template <class T>
class FifoStore {
 public:
  void push(T item) { items_.push_back(std::move(item)); }
  T pop() {
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }
  std::size_t size() const noexcept { return items_.size(); }

 private:
  std::deque<T> items_;
};

// Last in, first out (asyncio.LifoQueue: a list used as a stack).
template <class T>
class LifoStore {
 public:
  void push(T item) { items_.push_back(std::move(item)); }
  T pop() {
    T item = std::move(items_.back());
    items_.pop_back();
    return item;
  }
  std::size_t size() const noexcept { return items_.size(); }

 private:
  std::vector<T> items_;
};

// The smallest first, by `Compare` (asyncio.PriorityQueue: a heap kept by heapq). The std heap
// functions keep the greatest in front; with the comparison turned around, the smallest.
template <class T, class Compare>
class HeapStore {
 public:
  void push(T item) {
    items_.push_back(std::move(item));
    std::push_heap(items_.begin(), items_.end(), comes_later_);
  }
  T pop() {
    std::pop_heap(items_.begin(), items_.end(), comes_later_);
    T item = std::move(items_.back());
    items_.pop_back();
    return item;
  }
  std::size_t size() const noexcept { return items_.size(); }

 private:
  struct ComesLater {
    Compare compare;
    bool operator()(const T& a, const T& b) const { return compare(b, a); }
  };
  std::vector<T> items_;
  ComesLater comes_later_{};
};

}  // namespace detail

// asyncio.Queue: items put by some tasks and got by others, first in first out. With a maxsize,
// put() waits while the queue is full; get() waits while it is empty. Waiting tasks are served
// first come first, and a task that gives up waiting (cancelled) takes nothing with it: an item
// or a free place announced to it goes to the next task in line. Every item put counts as
// unfinished work until a consumer calls task_done() for it; join() waits for all of it.
template <class T, class Store = detail::FifoStore<T>>
class Queue {
 public:
  // maxsize 0: no limit (asyncio: maxsize <= 0).
  explicit Queue(std::size_t maxsize = 0) : maxsize_(maxsize) {}
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // asyncio: Queue.qsize(), Queue.maxsize, Queue.empty(), Queue.full().
  std::size_t qsize() const noexcept { return items_.size(); }
  std::size_t maxsize() const noexcept { return maxsize_; }
  bool empty() const noexcept { return qsize() == 0; }
  bool full() const noexcept { return maxsize_ > 0 && qsize() >= maxsize_; }

  // asyncio: Queue.put(item). Waits while the queue is full, then puts. `item` is taken by
  // value: a coroutine keeps its parameters in its frame, a reference could dangle.
  Coroutine<void> put(T item);
  // asyncio: Queue.put_nowait(item). Puts at once, or throws QueueFull.
  void put_nowait(T item);
  // asyncio: Queue.get(). Waits while the queue is empty, then takes the next item.
  Coroutine<T> get();
  // asyncio: Queue.get_nowait(). Takes the next item at once, or throws QueueEmpty.
  T get_nowait();

  // asyncio: Queue.task_done(). The consumer is done with one item it got. std::invalid_argument
  // ("task_done() called too many times") when no work is unfinished.
  void task_done();
  // asyncio: Queue.join(). Waits until every item put so far is done (task_done()).
  Coroutine<void> join();

 private:
  static void wake_up_next(detail::Waiters& waiters);

  std::size_t maxsize_;
  Store items_;
  detail::Waiters getters_;  // tasks waiting for an item
  detail::Waiters putters_;  // tasks waiting for a free place
  std::size_t unfinished_tasks_ = 0;
  // Set when the last unfinished item is done. asyncio also sets it at the start; nothing
  // waits on it then, since join() only waits while work is unfinished.
  Event finished_;
  detail::LoopBinding binding_;
};

// asyncio.PriorityQueue: the smallest item first (by Compare, std::less by default), as heapq
// gives it. Items that compare equal come out in no particular order: use pairs (priority,
// sequence number) for first in, first out among equals.
template <class T, class Compare = std::less<T>>
class PriorityQueue : public Queue<T, detail::HeapStore<T, Compare>> {
 public:
  using Queue<T, detail::HeapStore<T, Compare>>::Queue;
};

// asyncio.LifoQueue: the last item put comes out first.
template <class T>
class LifoQueue : public Queue<T, detail::LifoStore<T>> {
 public:
  using Queue<T, detail::LifoStore<T>>::Queue;
};

template <class T, class Store>
void Queue<T, Store>::wake_up_next(detail::Waiters& waiters) {
  // EXERCISE 4.9: queues
  // Take waiters out of the line, first come first, until one still waits (not done: a
  // cancelled one is done): complete its future, and stop there. One item (or one free
  // place) wakes one task.
  while (!waiters.empty()) {
    const Future<void> waiter = waiters.front();
    waiters.pop_front();
    if (!waiter.done()) {
      waiter.set_result();
      return;
    }
  }
  // END EXERCISE
}

template <class T, class Store>
Coroutine<void> Queue<T, Store>::put(T item) {
  // EXERCISE 4.9 (coroutine): wait for a free place
  // While the queue is full: wait in putters_ (a new future of the running loop, awaited).
  // If the wait ends with an exception (the task was cancelled): take the future out of
  // putters_ if it is still there; if a get_nowait() had woken this task (the future is not
  // cancelled) and there is room, wake the next putter in its place, so that the free place
  // is not lost; then let the exception go on. Loop: woken, the place may be taken already.
  while (full()) {
    const Future<void> putter(binding_.loop("aio::Queue"));
    putters_.push_back(putter);
    try {
      co_await putter;
    } catch (...) {
      // asyncio also cancels the putter here, "just in case": no need, a task only wakes up
      // once the future it waits for is done.
      detail::remove_waiter(putters_, putter);
      if (!full() && !putter.cancelled()) wake_up_next(putters_);
      throw;
    }
  }
  // END EXERCISE
  put_nowait(std::move(item));
}

template <class T, class Store>
void Queue<T, Store>::put_nowait(T item) {
  if (full()) throw QueueFull();
  // EXERCISE 4.9: put an item, wake a getter
  // Store the item, count one more unfinished task (and clear finished_), and wake the next
  // task waiting for an item.
  items_.push(std::move(item));
  ++unfinished_tasks_;
  finished_.clear();
  wake_up_next(getters_);
  // END EXERCISE
}

// region: queue_get
template <class T, class Store>
Coroutine<T> Queue<T, Store>::get() {
  // EXERCISE 4.9: wait for an item
  // put()'s wait, turned around: while the queue is empty, wait in getters_. Cancelled after
  // a put_nowait() had woken this task, and the queue is not empty: wake the next getter, or
  // the item would stay in the queue while a task waits for it.
  while (empty()) {
    const Future<void> getter(binding_.loop("aio::Queue"));
    getters_.push_back(getter);
    try {
      co_await getter;
    } catch (...) {
      detail::remove_waiter(getters_, getter);
      if (!empty() && !getter.cancelled()) wake_up_next(getters_);
      throw;
    }
  }
  // END EXERCISE
  co_return get_nowait();
}
// endregion

template <class T, class Store>
T Queue<T, Store>::get_nowait() {
  if (empty()) throw QueueEmpty();
  // EXERCISE 4.9: get an item, wake a putter
  // Take the next item from the store, and wake the next task waiting for a free place.
  T item = items_.pop();
  wake_up_next(putters_);
  return item;
  // END EXERCISE
}

template <class T, class Store>
void Queue<T, Store>::task_done() {
  if (unfinished_tasks_ == 0) throw std::invalid_argument("task_done() called too many times");
  --unfinished_tasks_;
  if (unfinished_tasks_ == 0) finished_.set();
}

template <class T, class Store>
Coroutine<void> Queue<T, Store>::join() {
  if (unfinished_tasks_ > 0) co_await finished_.wait();
}

}  // namespace aio
