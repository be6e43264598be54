#include "aio/locks.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include "aio/not_implemented.hpp"

namespace aio {

namespace detail {

EventLoop& LoopBinding::loop(const char* owner) {
  EventLoop& running = get_running_loop();
  if (loop_ == nullptr) loop_ = &running;
  if (loop_ != &running) {
    throw std::runtime_error(std::string(owner) + " is bound to a different event loop");
  }
  return running;
}

void remove_waiter(Waiters& waiters, const Future<void>& waiter) {
  const auto found = std::find(waiters.begin(), waiters.end(), waiter);
  if (found != waiters.end()) waiters.erase(found);
}

void report_release_failure(std::exception_ptr error) noexcept {
  const char* message = "Exception in the release() of a Held (a destructor cannot throw it)";
  try {
    get_running_loop().call_exception_handler({message, error, nullptr});
  } catch (...) {
    std::fprintf(stderr, "%s\n", message);
  }
}

}  // namespace detail

// ---- Event -----------------------------------------------------------------------------------

// region: event_wait
Coroutine<void> Event::wait() {
  if (value_) co_return;
  // EXERCISE 4.8: locks and events
  // Wait for set(): put a new future of the running loop (binding_.loop("aio::Event")) in
  // waiters_, and await it. Then take it out of waiters_ again, also when the wait ends with
  // an exception (the task was cancelled): a waiter left behind would be woken by nobody's
  // set(), for nothing. (co_await is not allowed in a catch handler, but `throw;` is.)
  const Future<void> waiter(binding_.loop("aio::Event"));
  waiters_.push_back(waiter);
  try {
    co_await waiter;
  } catch (...) {
    detail::remove_waiter(waiters_, waiter);
    throw;
  }
  detail::remove_waiter(waiters_, waiter);
  // END EXERCISE
}
// endregion

void Event::set() {
  // EXERCISE 4.8: set the event
  // On an event already set, nothing. Else set the flag and complete every waiter's future that
  // is not done (a cancelled one is done). The tasks wake up at their next step, not in set().
  if (value_) return;
  value_ = true;
  for (const Future<void>& waiter : waiters_) {
    if (!waiter.done()) waiter.set_result();
  }
  // END EXERCISE
}

// ---- Lock ------------------------------------------------------------------------------------

// region: lock_acquire
Coroutine<void> Lock::acquire() {
  // EXERCISE 4.8 (coroutine): acquire the lock, in turn
  // Free, and nobody in line but waiters already cancelled: take it (locked_) and return.
  // Otherwise wait in line: a new future in waiters_, awaited; take it out of the line after,
  // however the wait ends. Woken: take the lock. Ended by any exception (a cancellation, as a
  // rule), with the lock free: the lock may have been handed to this task just before the
  // cancellation, so hand it on to the next in line (wake_up_first), then let the exception go on.
  const auto cancelled = [](const Future<void>& waiter) { return waiter.cancelled(); };
  if (!locked_ && std::ranges::all_of(waiters_, cancelled)) {
    locked_ = true;
    co_return;
  }
  const Future<void> waiter(binding_.loop("aio::Lock"));
  waiters_.push_back(waiter);
  try {
    co_await waiter;
  } catch (...) {
    detail::remove_waiter(waiters_, waiter);
    if (!locked_) wake_up_first();
    throw;
  }
  detail::remove_waiter(waiters_, waiter);
  locked_ = true;
  // END EXERCISE
}
// endregion

void Lock::release() {
  // EXERCISE 4.8: release the lock
  // std::runtime_error("Lock is not acquired.") if it is free. Else free it and wake the
  // first in line.
  if (!locked_) throw std::runtime_error("Lock is not acquired.");
  locked_ = false;
  wake_up_first();
  // END EXERCISE
}

void Lock::wake_up_first() {
  // EXERCISE 4.8: wake the first in line
  // Complete the future of the first waiter, unless it is done already (woken, or
  // cancelled). Only the first: the lock goes to it; it takes the lock when its task
  // runs, or, if cancelled by then, passes the wake-up on from its acquire().
  if (waiters_.empty()) return;
  const Future<void>& first = waiters_.front();
  if (!first.done()) first.set_result();
  // END EXERCISE
}

Coroutine<Held<Lock>> Lock::hold() {
  co_await acquire();
  co_return Held<Lock>(*this);
}

// ---- Condition -------------------------------------------------------------------------------

Condition::Condition() : own_lock_(std::make_unique<Lock>()), lock_(own_lock_.get()) {}

Condition::Condition(Lock& lock) : lock_(&lock) {}

Coroutine<Held<Condition>> Condition::hold() {
  co_await acquire();
  co_return Held<Condition>(*this);
}

Coroutine<void> Condition::wait() {
  if (!locked()) throw std::runtime_error("cannot wait on un-acquired lock");
  const Future<void> waiter(binding_.loop("aio::Condition"));
  release();
  std::exception_ptr error;
  waiters_.push_back(waiter);
  try {
    co_await waiter;
  } catch (...) {
    error = std::current_exception();
  }
  detail::remove_waiter(waiters_, waiter);

  // The caller holds the lock after wait(), whatever happened: take it back before going on,
  // even if the task is cancelled while it waits for the lock. A cancellation then is kept
  // for the end (the latest one wins, as in asyncio); the lock is still taken.
  for (;;) {
    try {
      co_await lock_->acquire();
      break;
    } catch (const CancelledError&) {
      error = std::current_exception();
    }
  }

  if (error) {
    // This task may have been notified just before the error: its notification would be lost
    // with it, and another waiter would wait for nothing. Pass one on. (A waiter woken for
    // nothing is a spurious wake-up, which a condition's waiters must expect anyway.)
    wake(1);
    std::rethrow_exception(error);
  }
}

void Condition::notify(std::size_t n) {
  if (!locked()) throw std::runtime_error("cannot notify on un-acquired lock");
  wake(n);
}

void Condition::notify_all() {
  notify(waiters_.size());
}

void Condition::wake(std::size_t n) {
  std::size_t woken = 0;
  for (const Future<void>& waiter : waiters_) {
    if (woken >= n) break;
    if (waiter.done()) continue;  // woken already, or cancelled
    waiter.set_result();
    ++woken;
  }
}

// ---- Semaphore -------------------------------------------------------------------------------

Semaphore::Semaphore(int value) : value_(value) {
  if (value < 0) throw std::invalid_argument("Semaphore initial value must be >= 0");
}

bool Semaphore::locked() const noexcept {
  // No unit left, or tasks in line that must get theirs first (FIFO: no barging).
  const auto waiting = [](const Future<void>& waiter) { return !waiter.cancelled(); };
  return value_ == 0 || std::ranges::any_of(waiters_, waiting);
}

Coroutine<void> Semaphore::acquire() {
  if (!locked()) {
    --value_;
    co_return;
  }
  // EXERCISE 4.8: a semaphore waits its turn
  // Wait in line as Lock::acquire does (a future in waiters_, taken out after). The unit is
  // taken for this task by whoever wakes it (wake_up_next). If the wait ends with an exception
  // although the future has a result (woken, then the task was cancelled before it ran: done
  // and not cancelled), give that unit back. Either
  // way, units may be free while tasks that arrived meanwhile wait in line behind this one:
  // wake as many of them as there are units. Then return, or let the exception go on.
  const Future<void> waiter(binding_.loop("aio::Semaphore"));
  waiters_.push_back(waiter);
  std::exception_ptr error;
  try {
    co_await waiter;
  } catch (...) {
    error = std::current_exception();
  }
  detail::remove_waiter(waiters_, waiter);
  if (error && waiter.done() && !waiter.cancelled()) ++value_;
  while (value_ > 0 && wake_up_next()) {
  }
  if (error) std::rethrow_exception(error);
  // END EXERCISE
}

void Semaphore::release() {
  ++value_;
  wake_up_next();
}

bool Semaphore::wake_up_next() {
  // The first waiter still waiting gets a unit now, taken on its behalf: a task that calls
  // acquire() before the woken one runs cannot take it from under it.
  for (const Future<void>& waiter : waiters_) {
    if (waiter.done()) continue;
    --value_;
    waiter.set_result();
    return true;
  }
  return false;
}

Coroutine<Held<Semaphore>> Semaphore::hold() {
  co_await acquire();
  co_return Held<Semaphore>(*this);
}

void BoundedSemaphore::release() {
  if (value() >= bound_) throw std::invalid_argument("BoundedSemaphore released too many times");
  Semaphore::release();
}

}  // namespace aio
