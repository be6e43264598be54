#include "aio/timeouts.hpp"

#include "aio/not_implemented.hpp"

namespace aio {

Timeout timeout(std::optional<double> delay) {
  if (!delay) return Timeout(std::nullopt);
  return Timeout(get_running_loop().time() + *delay);
}

Timeout timeout_at(std::optional<double> when) {
  return Timeout(when);
}

void Timeout::enter() {
  if (state_ != State::created) throw std::runtime_error("Timeout has already been entered");
  task_ = current_task();
  if (!task_) throw std::runtime_error("Timeout should be used inside a task");
  cancelling_ = task_->cancelling();
  state_ = State::entered;
  reschedule(when_);
}

// region: reschedule
void Timeout::reschedule(std::optional<double> when) {
  // EXERCISE 4.5: timeout scopes
  // asyncio's Timeout.reschedule(when): only while entered (else std::runtime_error). Cancel
  // the timer there is; set the new deadline; none: no timer. A deadline already past:
  // on_timeout at the next iteration (call_soon); else call_at(when).
  if (state_ != State::entered) {
    throw std::runtime_error("Cannot change state of an expiring or finished Timeout");
  }
  when_ = when;
  if (timer_) timer_->cancel();
  timer_.reset();
  if (!when) return;
  EventLoop& loop = task_->get_loop();
  // The callbacks may hold `this`: exit() and the destructor cancel them before it goes.
  if (*when <= loop.time()) {
    timer_ = loop.call_soon([this] { on_timeout(); }, "Timeout");
  } else {
    timer_ = loop.call_at(
        *when, [this] { on_timeout(); }, "Timeout");
  }
  // END EXERCISE
}
// endregion

// region: on_timeout
void Timeout::on_timeout() {
  // EXERCISE 4.5: the deadline passed
  // Cancel the task, and note that the scope is expiring.
  if (state_ != State::entered) return;
  task_->cancel();
  state_ = State::expiring;
  timer_.reset();
  // END EXERCISE
}
// endregion

// region: exit
bool Timeout::exit(bool cancelled_error) {
  // EXERCISE 4.5: leave the scope
  // asyncio's __aexit__: cancel the timer. If expiring: now expired; uncancel() the task,
  // and if that leaves no more requests than on entry and the body ended with CancelledError,
  // that cancellation was ours: return true (the caller raises TimeoutError). Else exited.
  if (timer_) timer_->cancel();
  timer_.reset();
  if (state_ == State::expiring) {
    state_ = State::expired;
    return task_->uncancel() <= cancelling_ && cancelled_error;
  }
  state_ = State::exited;
  return false;
  // END EXERCISE
}
// endregion

namespace detail {

Coroutine<void> cancel_and_wait(std::shared_ptr<FutureCore> future) {
  const Future<void> waiter(future->get_loop());
  const CallbackId id = future->add_done_callback(
      [waiter](FutureCore&) {
        if (!waiter.done()) waiter.set_result();
      },
      "cancel_and_wait");
  future->cancel({});
  try {
    co_await waiter;
  } catch (...) {
    future->remove_done_callback(id);
    throw;
  }
}

}  // namespace detail

}  // namespace aio
