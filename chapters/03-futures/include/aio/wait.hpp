// aio::wait: wait for some of many futures, with done callbacks and one timer.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "aio/future.hpp"
#include "aio/not_implemented.hpp"

namespace aio {

// region: wait_types
// asyncio.FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED.
enum class ReturnWhen { first_completed, first_exception, all_completed };
inline constexpr ReturnWhen FIRST_COMPLETED = ReturnWhen::first_completed;
inline constexpr ReturnWhen FIRST_EXCEPTION = ReturnWhen::first_exception;
inline constexpr ReturnWhen ALL_COMPLETED = ReturnWhen::all_completed;

// The keyword arguments of asyncio.wait(): wait(futures, {.timeout = 1.5}).
struct WaitOptions {
  std::optional<double> timeout = std::nullopt;  // seconds; none: no limit
  ReturnWhen return_when = ALL_COMPLETED;
};

// What asyncio.wait() returns: (done, pending). Python gives two sets; here two vectors that
// keep the order the futures were given in.
template <class T>
struct WaitResult {
  std::vector<Future<T>> done;
  std::vector<Future<T>> pending;
};
// endregion

namespace detail {

// region: waiting
// One call of wait(): the futures, the timer, and the future that reports (asyncio's _wait).
template <class T>
class Waiting : public std::enable_shared_from_this<Waiting<T>> {
 public:
  Waiting(std::vector<Future<T>> futures, ReturnWhen return_when)
      : futures_(std::move(futures)),
        return_when_(return_when),
        result_(futures_.front().get_loop()),
        remaining_(futures_.size()) {}
  // endregion

  // region: wait_start
  Future<WaitResult<T>> start(std::optional<double> timeout) {
    // EXERCISE 3.7: wait, with a timeout
    // Give every future a done callback (on_completion), and remember its id. With a timeout,
    // a call_later(timeout) that release()s. When the result future is cancelled, undo both
    // (release() does it too). Return the result future.
    throw aio::NotImplemented{"3.7"};
    // END EXERCISE
  }
  // endregion

 private:
  // region: on_completion
  void on_completion(const Future<T>& future) {
    // EXERCISE 3.7: one future is done
    // One more future is done. Release the waiter when none is left, or for FIRST_COMPLETED,
    // or for FIRST_EXCEPTION when this one failed (not cancelled: failed).
    throw aio::NotImplemented{"3.7"};
    // END EXERCISE
  }
  // endregion

  // region: release
  void release() {
    // EXERCISE 3.7: release the waiter
    // Once only (the result may be done already). undo(), then split the futures into done
    // and pending, in their order, and set that as the result.
    throw aio::NotImplemented{"3.7"};
    // END EXERCISE
  }
  // endregion

  // region: undo
  // Cancels the timer and takes the done callbacks off the futures: whatever happens to them
  // now is none of this wait's business. This also breaks the cycle futures -> callback -> us.
  void undo() {
    if (timer_) timer_->cancel();
    timer_.reset();
    for (std::size_t i = 0; i < callback_ids_.size(); ++i) {
      futures_[i].remove_done_callback(callback_ids_[i]);
    }
    callback_ids_.clear();
  }
  // endregion

  std::vector<Future<T>> futures_;
  ReturnWhen return_when_;
  Future<WaitResult<T>> result_;
  std::size_t remaining_;
  std::vector<CallbackId> callback_ids_;
  TimerHandlePtr timer_;
};

}  // namespace detail

// region: wait_api
// asyncio.wait(futures, timeout=None, return_when=ALL_COMPLETED). A future of (done, pending)
// once return_when is met or the timeout expires; it never raises TimeoutError, and it
// cancels nothing. std::invalid_argument for no futures, or futures of different loops.
template <class T>
Future<WaitResult<T>> wait(std::vector<Future<T>> futures, WaitOptions options = {}) {
  if (futures.empty()) throw std::invalid_argument("Set of Tasks/Futures is empty.");
  // Checked before any callback is added, so that a refusal leaves nothing behind.
  if (options.timeout && std::isnan(*options.timeout)) {
    throw std::invalid_argument("wait: the timeout is NaN");
  }
  std::vector<Future<T>> distinct;  // Python makes a set of them: each is waited for once
  for (const Future<T>& future : futures) {
    if (&future.get_loop() != &futures.front().get_loop()) {
      throw std::invalid_argument("wait: the futures belong to different event loops");
    }
    if (std::find(distinct.begin(), distinct.end(), future) == distinct.end()) {
      distinct.push_back(future);
    }
  }
  auto waiting = std::make_shared<detail::Waiting<T>>(std::move(distinct), options.return_when);
  return waiting->start(options.timeout);
}
// endregion

}  // namespace aio
