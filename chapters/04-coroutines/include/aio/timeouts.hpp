// aio::timeout, aio::wait_for, aio::shield: time limits and protection from cancellation.
#pragma once

#include <optional>
#include <stdexcept>
#include <utility>

#include "aio/awaitable.hpp"
#include "aio/errors.hpp"

namespace aio {

// region: timeout_doc
// asyncio.Timeout, the object of `async with asyncio.timeout(delay):`. C++ has no async `with`,
// so the scope is a call: `co_await aio::timeout(0.5).run(body())` runs `body` in the current
// task; if the deadline passes first, the task is cancelled, and the CancelledError that comes
// out of `body` is turned into TimeoutError. A cancellation from anyone else stays one.
// endregion
class Timeout {
 public:
  // when: a time on the loop's clock (loop.time()); none: no deadline (yet).
  explicit Timeout(std::optional<double> when) : when_(when) {}
  ~Timeout() {
    if (timer_) timer_->cancel();
  }
  Timeout(const Timeout&) = delete;
  Timeout& operator=(const Timeout&) = delete;

  // asyncio: Timeout.when(), Timeout.reschedule(when), Timeout.expired().
  std::optional<double> when() const noexcept { return when_; }
  void reschedule(std::optional<double> when);
  bool expired() const noexcept { return state_ == State::expiring || state_ == State::expired; }

  // The body of the `async with`: its result, or TimeoutError if the deadline cancelled it.
  template <class T>
  Coroutine<T> run(Coroutine<T> body);

 private:
  enum class State { created, entered, expiring, expired, exited };
  void enter();                     // asyncio: __aenter__
  bool exit(bool cancelled_error);  // asyncio: __aexit__; true: raise TimeoutError
  void on_timeout();

  std::optional<double> when_;
  State state_ = State::created;
  std::optional<AnyTask> task_;
  int cancelling_ = 0;  // the task's cancelling() on entry
  HandlePtr timer_;     // the call_at (or call_soon) of on_timeout()
};

// region: timeout_run
template <class T>
Coroutine<T> Timeout::run(Coroutine<T> body) {
  enter();
  bool timed_out = false;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(body);
      exit(false);
      co_return;
    } else {
      T value = co_await std::move(body);
      exit(false);
      co_return value;
    }
  } catch (const CancelledError&) {
    timed_out = exit(true);
    if (!timed_out) throw;
  } catch (...) {
    exit(false);
    throw;
  }
  throw TimeoutError("the timeout expired");
}
// endregion

// asyncio.timeout(delay): a deadline `delay` seconds from now on the running loop; none: none.
Timeout timeout(std::optional<double> delay);
// asyncio.timeout_at(when): a deadline at loop time `when`.
Timeout timeout_at(std::optional<double> when);

namespace detail {

// A coroutine that awaits a future, so that a future can stand where a coroutine is expected.
template <class T>
Coroutine<T> await_future(Future<T> future) {
  if constexpr (std::is_void_v<T>) {
    co_await future;
  } else {
    co_return co_await future;
  }
}

template <class T>
Coroutine<T> as_coroutine(Coroutine<T> coroutine) {
  return coroutine;
}
template <class T>
Coroutine<T> as_coroutine(Future<T> future) {
  return await_future(std::move(future));
}

// Cancels `future` and waits until it is done, without raising its CancelledError.
Coroutine<void> cancel_and_wait(std::shared_ptr<FutureCore> future);

}  // namespace detail

// region: wait_for
// asyncio.wait_for(aw, timeout). Awaits `aw` for at most `timeout` seconds; then cancels it,
// waits for it to end, and raises TimeoutError. A coroutine runs inline in the current task;
// a task is cancelled through the current task's cancellation. timeout <= 0: `aw` gets no
// time at all unless it is done already; none: no limit.
template <Awaitable A>
Coroutine<AwaitResult<A>> wait_for(A aw, std::optional<double> timeout_seconds) {
  using T = AwaitResult<A>;
  if (timeout_seconds && *timeout_seconds <= 0) {
    Future<T> future = ensure_future(get_running_loop(), std::move(aw));
    if (!future.done()) co_await detail::cancel_and_wait(future.core());
    try {
      if constexpr (std::is_void_v<T>) {
        future.result();
        co_return;
      } else {
        co_return detail::hand_on(future.result());
      }
    } catch (const CancelledError&) {
    }
    throw TimeoutError("wait_for: the timeout expired");
  }
  co_return co_await timeout(timeout_seconds).run(detail::as_coroutine(std::move(aw)));
}
// endregion

// asyncio.shield(aw). A future that follows `aw` but whose cancellation does not reach it:
// cancelling the shield (or the task awaiting it) leaves the inner task running.
template <Awaitable A>
Future<AwaitResult<A>> shield(A aw) {
  using T = AwaitResult<A>;
  EventLoop& loop = [&]() -> EventLoop& {
    if constexpr (requires { aw.get_loop(); }) {
      return aw.get_loop();
    } else {
      return get_running_loop();
    }
  }();
  Future<T> inner = ensure_future(loop, std::move(aw));
  if (inner.done()) return inner;
  Future<T> outer(loop);
  const CallbackId forward = inner.add_done_callback(
      [outer](const Future<T>& done) {
        if (outer.cancelled()) return;
        if (done.cancelled()) {
          outer.cancel();
        } else if (const std::exception_ptr error = done.exception()) {
          outer.set_exception(error);
        } else if constexpr (std::is_void_v<T>) {
          outer.set_result();
        } else {
          outer.set_result(detail::hand_on(done.result()));
        }
      },
      "shield");
  outer.add_done_callback(
      [inner, forward](const Future<T>&) {
        if (!inner.done()) inner.remove_done_callback(forward);
      },
      "shield");
  return outer;
}

}  // namespace aio
