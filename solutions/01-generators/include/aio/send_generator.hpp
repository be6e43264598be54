// aio::SendGenerator<Y, S>: a generator the caller talks back to (Python's send() and throw()).
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <stdexcept>
#include <utility>

#include "aio/executing_guard.hpp"
#include "aio/not_implemented.hpp"
#include "aio/unique_coroutine.hpp"

namespace aio {

// A two-way generator: it yields values of type Y, and each co_yield evaluates to what the
// caller sent back, a std::optional<S> (empty after next(), as Python's `yield` gives None):
//
//   aio::SendGenerator<int, int> running_total() {
//     int total = 0;
//     while (true) {
//       std::optional<int> added = co_yield total;
//       if (added) total += *added;
//     }
//   }
//
// This is how asyncio began: a coroutine was a generator that the event loop drove with
// send() (a result arrived) and throw() (an error arrived).
template <class Y, class S>
class SendGenerator {
 public:
  class promise_type;
  using Handle = std::coroutine_handle<promise_type>;

  class promise_type {
   public:
    SendGenerator get_return_object() noexcept {
      return SendGenerator(Handle::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }

    // region: exchange
    // `co_yield value` parks the value for the caller and evaluates to what the caller sends.
    auto yield_value(Y value) {
      yielded_ = std::move(value);
      struct Exchange : std::suspend_always {
        promise_type& promise;
        std::optional<S> await_resume() { return promise.receive(); }
      };
      return Exchange{{}, *this};
    }
    // endregion

    void unhandled_exception() { escaped_ = std::current_exception(); }
    void return_void() noexcept {}

    template <class U>
    std::suspend_never await_transform(U&&) = delete;

   private:
    friend class SendGenerator;

    // region: receive
    // Runs in the body, as the value of the co_yield it resumes from.
    std::optional<S> receive() {
      // EXERCISE 1.4: talking back: send() and throw_into()
      // Here, in receive: deliver what the caller sent, or raise what it threw in.
      // An exception from throw_into() is raised right here, at the co_yield, where the
      // body can catch it. Otherwise the co_yield evaluates to the sent value (and the
      // slot is emptied, so the next next() delivers nothing).
      if (thrown_) std::rethrow_exception(std::exchange(thrown_, nullptr));
      return std::exchange(sent_, std::nullopt);
      // END EXERCISE
    }
    // endregion

    std::optional<Y> yielded_;    // the last value yielded, until the caller takes it
    std::optional<S> sent_;       // what send() delivers to the parked co_yield
    std::exception_ptr thrown_;   // what throw_into() raises at the parked co_yield
    std::exception_ptr escaped_;  // what escaped the body
    bool started_ = false;
    bool executing_ = false;
  };

  SendGenerator() = default;

  // region: next
  // Python: next(gen). Runs the body to its next co_yield, which receives nothing.
  // Returns the value yielded, or nothing once the body has finished.
  std::optional<Y> next() {
    if (done()) return std::nullopt;
    return resume();
  }
  // endregion

  // region: send
  // Python: gen.send(value). Resumes the parked co_yield with `value`.
  std::optional<Y> send(S value) {
    // EXERCISE 1.4: send a value into the parked co_yield
    // A finished (or closed) generator yields nothing more. One that has not started has no
    // co_yield to receive the value: refuse, and run nothing (Python: "can't send non-None
    // value to a just-started generator").
    if (done()) return std::nullopt;
    if (!started()) {
      throw std::logic_error(
          "can't send a value to a generator that has not started: call next() first");
    }
    coroutine_.promise().sent_ = std::move(value);
    return resume();
    // END EXERCISE
  }

  // Python: gen.throw(error). Raises `error` inside the body, at the parked co_yield.
  // Returns the next value if the body catches it and yields again; rethrows it if not.
  std::optional<Y> throw_into(std::exception_ptr error) {
    // EXERCISE 1.4: raise an exception inside the body, at the parked co_yield
    // Not started: the body never runs; close it and rethrow here (Python does the same).
    // Finished: there is nowhere to raise it but here.
    if (!started()) close();
    if (done()) std::rethrow_exception(error);
    coroutine_.promise().thrown_ = std::move(error);
    return resume();
    // END EXERCISE
  }
  // endregion

  template <class E>
  std::optional<Y> throw_into(E error) {
    return throw_into(std::make_exception_ptr(std::move(error)));
  }

  // Python: gen.close(). Destroys the frame now: the destructors of its live locals run.
  void close() noexcept { coroutine_.reset(); }

  bool started() const { return coroutine_ && coroutine_.promise().started_; }
  bool done() const { return !coroutine_ || coroutine_.get().done(); }

 private:
  explicit SendGenerator(Handle handle) noexcept : coroutine_(handle) {}

  // region: resume
  // Runs the body to its next co_yield or to its end; rethrows what escaped it.
  std::optional<Y> resume() {
    promise_type& promise = coroutine_.promise();
    const ExecutingGuard executing(promise.executing_);
    promise.started_ = true;
    coroutine_.get().resume();
    if (coroutine_.get().done()) {
      promise.sent_.reset();
      if (promise.escaped_) std::rethrow_exception(std::exchange(promise.escaped_, nullptr));
      return std::nullopt;
    }
    return std::exchange(promise.yielded_, std::nullopt);
  }
  // endregion

  UniqueCoroutine<promise_type> coroutine_;
};

}  // namespace aio
