#include "aio/future.hpp"

#include <algorithm>

#include "aio/not_implemented.hpp"

namespace aio::detail {

// region: destructor
FutureCore::~FutureCore() {
  // A destructor must not throw: a broken exception handler is dropped here.
  try {
    report_unretrieved();
  } catch (...) {
  }
}
// endregion

// ---- the state machine ---------------------------------------------------------------------

// region: state_machine
void FutureCore::check_result() {
  // EXERCISE 3.1: the state machine of a future
  // result() without the value: InvalidStateError("Result is not ready.") while pending,
  // CancelledError(cancel message) if cancelled. Finished: the exception now counts as
  // retrieved, and is rethrown if there is one.
  if (state_ == FutureState::pending) throw InvalidStateError("Result is not ready.");
  if (state_ == FutureState::cancelled) throw CancelledError(cancel_message_);
  exception_retrieved_ = true;
  if (exception_) std::rethrow_exception(exception_);
  // END EXERCISE
}

std::exception_ptr FutureCore::exception() {
  // EXERCISE 3.1: exception(), the result's twin
  // The same checks as check_result() ("Exception is not set." while pending), then return
  // the exception instead of throwing it: retrieved all the same.
  if (state_ == FutureState::pending) throw InvalidStateError("Exception is not set.");
  if (state_ == FutureState::cancelled) throw CancelledError(cancel_message_);
  exception_retrieved_ = true;
  return exception_;
  // END EXERCISE
}

void FutureCore::ensure_pending(const char* operation) const {
  // EXERCISE 3.1: a future completes once
  // A future completes once: InvalidStateError otherwise (its wording is yours: the tests check
  // the type; naming the operation and the state helps whoever reads it).
  // Debug mode also refuses a call from a thread that does not run the loop (check_thread).
  loop_->check_thread();
  if (state_ != FutureState::pending) {
    const char* now = state_ == FutureState::cancelled ? "cancelled" : "finished";
    throw InvalidStateError(std::string(operation) + ": the future is already " + now);
  }
  // END EXERCISE
}

void FutureCore::set_exception(std::exception_ptr error) {
  // EXERCISE 3.1: finish with an exception
  // An empty exception_ptr is std::invalid_argument. Otherwise as set_result: pending first,
  // then store it (not yet retrieved) and finish().
  if (!error) throw std::invalid_argument("set_exception needs an exception");
  ensure_pending("set_exception");
  exception_ = std::move(error);
  finish();
  // END EXERCISE
}

bool FutureCore::cancel(std::string message) {
  // EXERCISE 3.1: cancel
  // Debug mode refuses a foreign thread here too (check_thread). Whoever cancels no longer
  // cares about the exception: it counts as retrieved, even when the future is done already
  // (asyncio does the same). False if done. Else: cancelled, with its message, and the done
  // callbacks scheduled.
  loop_->check_thread();
  exception_retrieved_ = true;
  if (done()) return false;
  state_ = FutureState::cancelled;
  cancel_message_ = std::move(message);
  schedule_callbacks();
  return true;
  // END EXERCISE
}

void FutureCore::finish() {
  state_ = FutureState::finished;
  schedule_callbacks();
}
// endregion

// ---- done callbacks ------------------------------------------------------------------------

// region: done_callbacks
CallbackId FutureCore::add_done_callback(DoneCallback callback, std::string name) {
  // EXERCISE 3.2: done callbacks, never run inline
  // Give the callback the next id. Pending: keep it, in order. Done: hand it to the loop at
  // once with call_soon, exactly as schedule_callbacks() would. Return the id.
  const CallbackId id = next_id_++;
  if (done()) {
    loop_->call_soon(
        [self = shared_from_this(), callback = std::move(callback)] { callback(*self); },
        std::move(name));
  } else {
    callbacks_.push_back({id, std::move(callback), std::move(name)});
  }
  return id;
  // END EXERCISE
}

std::size_t FutureCore::remove_done_callback(CallbackId id) {
  // EXERCISE 3.2: forget a callback
  // Forget the callback with this id if it is still waiting; return how many went (0 or 1).
  return std::erase_if(callbacks_, [id](const Registered& entry) { return entry.id == id; });
  // END EXERCISE
}

void FutureCore::schedule_callbacks() {
  if (callbacks_.empty()) return;  // keeps exercise 3.1 free of 3.2
  // EXERCISE 3.2: schedule the callbacks on the loop
  // Every waiting callback goes to loop.call_soon, in the order added, with its name. Each
  // holds the future alive (shared_from_this) until it has run. The list is then empty.
  std::vector<Registered> callbacks = std::move(callbacks_);
  callbacks_.clear();
  for (Registered& entry : callbacks) {
    loop_->call_soon(
        [self = shared_from_this(), callback = std::move(entry.callback)] { callback(*self); },
        std::move(entry.name));
  }
  // END EXERCISE
}
// endregion

// ---- an exception nobody looked at ---------------------------------------------------------

// region: report_unretrieved
void FutureCore::report_unretrieved() const {
  // EXERCISE 3.3: an exception nobody retrieved
  // Called as the last handle goes. A future that finished with an exception that neither
  // result() nor exception() ever returned reports it to the loop's exception handler, with
  // the message "Future exception was never retrieved", as asyncio does.
  if (state_ != FutureState::finished || !exception_ || exception_retrieved_) return;
  loop_->call_exception_handler({"Future exception was never retrieved", exception_, nullptr});
  // END EXERCISE
}
// endregion

}  // namespace aio::detail
