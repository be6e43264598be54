// aio::as_completed: the results of many awaitables, in the order they finish.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "aio/awaitable.hpp"
#include "aio/errors.hpp"

namespace aio {

// region: as_completed_doc
// asyncio.as_completed(aws, timeout=None). Python gives an iterator of coroutines, each of
// which waits for the next future to finish; here the iterator is `next()`:
//
//   auto finished = aio::as_completed(std::move(tasks));
//   for (std::size_t i = 0; i < finished.size(); ++i) use(co_await finished.next());
//
// next() gives the result (or rethrows the exception) of the earliest future not yet given.
// Several tasks may wait in next() at once: each result goes to one of them, first come first
// served, and a next() cancelled while it waits takes nothing. After the timeout, every next()
// not yet satisfied raises TimeoutError; the futures go on.
// endregion
template <class T>
class AsCompleted {
 public:
  AsCompleted(std::vector<Future<T>> futures, std::optional<double> timeout)
      : state_(std::make_shared<State>()) {
    state_->total = futures.size();
    for (const Future<T>& future : futures) {
      state_->ids.emplace_back(future, future.add_done_callback(
                                           [state = state_](const Future<T>& done) {
                                             // Queued before the timeout ran: too late, as 3.12.
                                             if (state->timed_out) return;
                                             state->finished.push_back(done);
                                             state->wake_one();
                                           },
                                           "as_completed"));
    }
    if (timeout && !futures.empty()) {
      EventLoop& loop = futures.front().get_loop();
      state_->timer = loop.call_later(
          *timeout, [state = state_] { state->time_out(); }, "as_completed timeout");
    }
  }
  AsCompleted(AsCompleted&&) noexcept = default;
  AsCompleted& operator=(AsCompleted&&) noexcept = default;
  ~AsCompleted() {
    if (state_) state_->stop_watching();
  }

  // How many results next() will give.
  std::size_t size() const noexcept { return state_->total; }

  // The next future to finish: its result, or its exception. std::out_of_range when all have
  // been given already.
  Coroutine<T> next() {
    const std::shared_ptr<State> state = state_;
    if (state->given == state->total) throw std::out_of_range("as_completed: no futures left");
    ++state->given;
    try {
      while (state->finished.empty() && !state->timed_out) {
        const Future<void> waiter(state->loop());
        state->waiters.push_back(waiter);
        co_await waiter;
      }
    } catch (...) {
      // Cancelled while waiting: this next() took nothing. A result that woke it goes on to
      // the next waiter, and one more next() may be made.
      --state->given;
      if (!state->finished.empty()) state->wake_one();
      throw;
    }
    if (state->finished.empty()) throw TimeoutError("as_completed: the timeout expired");
    const Future<T> done = state->finished.front();
    state->finished.pop_front();
    if constexpr (std::is_void_v<T>) {
      done.result();
    } else {
      co_return detail::hand_on(done.result());
    }
  }

 private:
  struct State {
    std::size_t total = 0;
    std::size_t given = 0;
    std::deque<Future<T>> finished;  // done, not yet given by next()
    std::vector<std::pair<Future<T>, CallbackId>> ids;
    std::deque<Future<void>> waiters;  // one per next() waiting, in the order they came
    TimerHandlePtr timer;
    bool timed_out = false;

    EventLoop& loop() const { return ids.front().first.get_loop(); }
    // A result came: wake the first next() still waiting (a cancelled one is skipped).
    void wake_one() {
      while (!waiters.empty()) {
        const Future<void> waiter = waiters.front();
        waiters.pop_front();
        if (!waiter.done()) {
          waiter.set_result();
          return;
        }
      }
    }
    void time_out() {
      timed_out = true;
      stop_watching();
      for (const Future<void>& waiter : waiters) {
        if (!waiter.done()) waiter.set_result();
      }
      waiters.clear();
    }
    // Takes the callbacks off the futures and cancels the timer (they hold this state).
    void stop_watching() {
      for (auto& [future, id] : ids) future.remove_done_callback(id);
      if (timer) timer->cancel();
      timer.reset();
    }
  };

  std::shared_ptr<State> state_;
};

// asyncio.as_completed(futures, timeout).
template <class T>
AsCompleted<T> as_completed(std::vector<Future<T>> futures,
                            std::optional<double> timeout = std::nullopt) {
  return AsCompleted<T>(std::move(futures), timeout);
}

// asyncio.as_completed over coroutines: each becomes a task on the running loop first.
template <class T>
AsCompleted<T> as_completed(std::vector<Coroutine<T>> coroutines,
                            std::optional<double> timeout = std::nullopt) {
  std::vector<Future<T>> futures;
  futures.reserve(coroutines.size());
  for (Coroutine<T>& coroutine : coroutines) {
    futures.push_back(create_task(get_running_loop(), std::move(coroutine)));
  }
  return AsCompleted<T>(std::move(futures), timeout);
}

}  // namespace aio
