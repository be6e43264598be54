// aio::Event, aio::Lock, aio::Semaphore, aio::BoundedSemaphore, aio::Condition: asyncio's
// synchronisation primitives (asyncio/locks.py, Python 3.12), for tasks of one loop.
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

#include "aio/coroutine.hpp"
#include "aio/future.hpp"
#include "aio/task.hpp"

namespace aio {

// These are not std::mutex: they coordinate tasks of one loop, in one thread. Nothing here
// blocks the thread. A task that must wait awaits a future of its own, which whoever lets it
// go on completes; meanwhile the loop runs the other tasks. A primitive holds no lock of the
// thread, so it needs none: it is only ever touched by the loop's thread.

namespace detail {

// asyncio's mixins._LoopBoundMixin. A primitive is made outside any loop, and binds itself to
// the running loop the first time a task has to wait on it; waiting on it from another loop
// afterwards is std::runtime_error ("... is bound to a different event loop"), since the
// futures of one loop cannot wake tasks of another.
class LoopBinding {
 public:
  // The running loop, which `owner` ("aio::Lock") is then bound to.
  EventLoop& loop(const char* owner);

 private:
  EventLoop* loop_ = nullptr;
};

// The futures of the tasks that wait, first come first (asyncio's `_waiters` deques).
using Waiters = std::deque<Future<void>>;

// Takes `waiter` out of `waiters` if it is still there (someone may have taken it out first).
void remove_waiter(Waiters& waiters, const Future<void>& waiter);

// What a Held's destructor does with an exception of release(): the running loop's exception
// handler gets it (stderr when no loop runs).
void report_release_failure(std::exception_ptr error) noexcept;

}  // namespace detail

// region: held
// What `async with lock:` is in Python. C++ has no `async with`: a destructor cannot
// co_await, so entering (acquiring, which may wait) cannot be a constructor. Instead
// `co_await lock.hold()` acquires and hands back a Held, whose destructor releases: releasing
// never waits, so a destructor can do it. The lock is released however the scope ends, by
// its end, a co_return, an exception or a cancellation:
//
//   {
//     auto held = co_await lock.hold();
//     ...                      // the lock is ours
//   }                          // released here
//
// Move-only: one Held releases once. held.release() releases before the end of the scope.
// A destructor must not throw: if the release in it fails (the lock was released by hand
// meanwhile, say), the error goes to the running loop's exception handler instead, as Python
// reports an exception it cannot raise ("Exception ignored in ...").
template <class Lockable>
class [[nodiscard("a Held releases the lock when it is destroyed: name it")]] Held {
 public:
  // Takes over `lockable`, which the caller has acquired (as std::adopt_lock does).
  explicit Held(Lockable & lockable) noexcept : lockable_(&lockable) {}
  Held(Held && other) noexcept : lockable_(std::exchange(other.lockable_, nullptr)) {}
  Held& operator=(Held&& other) {
    if (this != &other) {
      release();
      lockable_ = std::exchange(other.lockable_, nullptr);
    }
    return *this;
  }
  ~Held() {
    try {
      release();
    } catch (...) {
      detail::report_release_failure(std::current_exception());
    }
  }

  // Releases now, before the end of the scope; nothing more happens at its end.
  void release() {
    if (lockable_ != nullptr) std::exchange(lockable_, nullptr)->release();
  }
  // True until it has released (or was moved from).
  bool owns() const noexcept {
    return lockable_ != nullptr;
  }

 private:
  Lockable* lockable_;
};
// endregion

// asyncio.Event: a flag that tasks can wait for. set() wakes every task waiting, and later
// wait()s return at once until clear().
class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  // asyncio: Event.is_set().
  bool is_set() const noexcept { return value_; }
  // asyncio: Event.set(). Sets the flag and wakes every waiting task (each one at its next
  // step: a woken task runs later in this iteration or the next, never inside set()).
  void set();
  // asyncio: Event.clear(). Later wait()s wait again. Tasks already woken stay woken.
  void clear() noexcept { value_ = false; }
  // asyncio: Event.wait(). Returns at once if the flag is set; else waits until set() is called.
  Coroutine<void> wait();

 private:
  bool value_ = false;
  detail::Waiters waiters_;
  detail::LoopBinding binding_;
};

// asyncio.Lock: one task at a time. Not reentrant: a task that acquires a lock it holds waits
// for itself forever. Fair: tasks get the lock in the order they asked for it, and a task that
// comes along as the lock is handed over does not barge in front of the task it was given to.
class Lock {
 public:
  Lock() = default;
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  // asyncio: Lock.acquire(). Takes the lock at once if it is free and nobody waits for it;
  // else waits in line. Cancelled while waiting: leaves the line, and if the lock was being
  // handed to it, hands it to the next in line (nobody is left waiting for a free lock).
  Coroutine<void> acquire();
  // asyncio: Lock.release(). Frees the lock and wakes the first task in line. std::runtime_error
  // ("Lock is not acquired.") if the lock is free. Any task may release it, as in asyncio.
  void release();
  // asyncio: Lock.locked().
  bool locked() const noexcept { return locked_; }
  // `async with lock:`. See Held.
  Coroutine<Held<Lock>> hold();

 private:
  void wake_up_first();

  bool locked_ = false;
  detail::Waiters waiters_;
  detail::LoopBinding binding_;
};

// asyncio.Semaphore: at most `value` holders at a time (a counter: acquire() takes one unit,
// release() gives one back). Fair, as Python 3.12's: tasks get in in the order they arrived,
// and while anyone is in line, a newcomer queues even if a unit is free.
class Semaphore {
 public:
  // std::invalid_argument if value < 0.
  explicit Semaphore(int value = 1);
  virtual ~Semaphore() = default;
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // asyncio: Semaphore.locked(): true when acquire() would wait (no unit left, or tasks in line
  // before it).
  bool locked() const noexcept;
  // asyncio: Semaphore.acquire(). Takes a unit, waiting in line if locked().
  Coroutine<void> acquire();
  // asyncio: Semaphore.release(). Gives a unit back, and wakes the next task in line with it.
  // Virtual: a BoundedSemaphore checks it first, also when a Held releases it.
  virtual void release();
  // `async with semaphore:`. See Held.
  Coroutine<Held<Semaphore>> hold();

 protected:
  int value() const noexcept { return value_; }

 private:
  bool wake_up_next();

  int value_;  // the units left, less those already promised to woken tasks
  detail::Waiters waiters_;
  detail::LoopBinding binding_;
};

// asyncio.BoundedSemaphore: a Semaphore that refuses to be released more often than acquired.
class BoundedSemaphore : public Semaphore {
 public:
  explicit BoundedSemaphore(int value = 1) : Semaphore(value), bound_(value) {}
  // std::invalid_argument ("BoundedSemaphore released too many times") above the initial value.
  void release() override;

 private:
  int bound_;
};

// asyncio.Condition: tasks wait, holding a lock, until another task notifies them. wait()
// releases the lock while it waits and takes it back before it returns, as
// std::condition_variable does with its mutex. Wake-ups may be spurious: check what you wait
// for in a loop, or let wait_for() do it.
class Condition {
 public:
  // A condition with a lock of its own.
  Condition();
  // A condition over `lock`, shared with others (several conditions on one lock, say). The
  // lock must outlive the condition.
  explicit Condition(Lock& lock);
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  // The lock's acquire(), release() and locked(), as asyncio exports them.
  Coroutine<void> acquire() { return lock_->acquire(); }
  void release() { lock_->release(); }
  bool locked() const noexcept { return lock_->locked(); }
  // `async with condition:`. See Held.
  Coroutine<Held<Condition>> hold();

  // asyncio: Condition.wait(). The caller must hold the lock (else std::runtime_error "cannot
  // wait on un-acquired lock"). Releases it, waits for a notify, and acquires it again before it
  // returns, even when the wait ends with a cancellation or an error: code after wait() always
  // holds the lock.
  Coroutine<void> wait();

  // asyncio: Condition.wait_for(predicate). Waits until predicate() is true (checked first, then
  // after each wake-up, with the lock held); returns its last value. `predicate` is taken by
  // value: a coroutine is lazy, so a reference to a temporary lambda would dangle by the time
  // the body runs. (g++ 12: name the lambda before the co_await; see the chapter's notes.)
  template <class Predicate>
  Coroutine<std::decay_t<std::invoke_result_t<Predicate&>>> wait_for(Predicate predicate);

  // asyncio: Condition.notify(n). Wakes up to n waiting tasks, first come first. The caller must
  // hold the lock (else std::runtime_error "cannot notify on un-acquired lock").
  void notify(std::size_t n = 1);
  // asyncio: Condition.notify_all(). Wakes every waiting task.
  void notify_all();

 private:
  void wake(std::size_t n);  // asyncio: _notify(n), without the check

  std::unique_ptr<Lock> own_lock_;  // when the condition has a lock of its own
  Lock* lock_;
  detail::Waiters waiters_;
  detail::LoopBinding binding_;
};

template <class Predicate>
Coroutine<std::decay_t<std::invoke_result_t<Predicate&>>> Condition::wait_for(Predicate predicate) {
  auto result = predicate();
  while (!result) {
    co_await wait();
    result = predicate();
  }
  co_return result;
}

}  // namespace aio
