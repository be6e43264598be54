// aio::Deferred: Twisted's callback chain, to compare with asyncio's Future.
#pragma once

#include <any>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "aio/errors.hpp"
#include "aio/future.hpp"

namespace aio {

// region: failure
// twisted.python.failure.Failure: an exception travelling down a Deferred's errback path.
class Failure {
 public:
  explicit Failure(std::exception_ptr error) : error_(std::move(error)) {}

  std::exception_ptr exception() const noexcept { return error_; }

  // Failure.check(E): true if the exception is an E (or derives from it).
  template <class E>
  bool check() const {
    try {
      std::rethrow_exception(error_);
    } catch (const E&) {
      return true;
    } catch (...) {
      return false;
    }
  }

  // Failure.trap(E): rethrows the exception unless it is an E. The first line of an errback
  // that handles one kind of error and lets every other pass on down the errback path.
  template <class E>
  void trap() const {
    if (!check<E>()) raise();
  }

  // Failure.raiseException().
  [[noreturn]] void raise() const { std::rethrow_exception(error_); }

  // Failure.getErrorMessage(): what() of the exception.
  std::string message() const;

 private:
  std::exception_ptr error_;
};
// endregion

namespace detail {
class DeferredState;
}

// region: deferred_doc
// twisted.internet.defer.Deferred. A chain of (callback, errback) pairs and one result that
// runs down it. A result that is a value goes to the next callback; a Failure (an exception)
// to the next errback. Whatever a step returns is the next result: a value, or a Failure if
// it threw (or returned one). So an errback that returns a value has handled the error and
// the chain is back on the callback path. A step that returns a Deferred pauses the chain
// until that one fires; its result then carries on down this chain.
//
// Unlike a Future, a Deferred runs its chain synchronously, inside callback() or inside the
// add_callbacks() call that finds it fired. Results travel as std::any, so they must be
// copyable. A Deferred is a handle like Future: copies share one chain. Its loop only
// receives the report of a failure nobody handled.
// endregion
class Deferred {
 public:
  // region: deferred_api
  // A step: takes the current result, returns the next. An errback's std::any holds a Failure.
  using Step = std::function<std::any(std::any)>;

  explicit Deferred(EventLoop& loop);

  // Deferred.callback(result) / Deferred.errback(failure): fire the chain, once.
  // AlreadyCalledError the second time.
  void callback(std::any result = {}) const;
  void errback(std::exception_ptr error) const;

  // Deferred.addCallbacks(callback, errback): the general form.
  const Deferred& add_callbacks(Step callback, Step errback) const;

  // Deferred.addCallback(f). f takes the result as an `In` (std::any_cast; a wrong type is
  // std::bad_any_cast, down the errback path) and returns the next result: a value, nothing
  // (void: the next result is empty, Python's None), a Failure, or a Deferred to wait for.
  template <class In = std::any, class F>
  const Deferred& add_callback(F f) const {
    return add_callbacks(step_from<In>(std::move(f)), pass_through());
  }

  // Deferred.addErrback(f). f takes a const Failure&; what it returns is handled as above.
  template <class F>
  const Deferred& add_errback(F f) const {
    return add_callbacks(pass_through(), step_from<Failure>(std::move(f)));
  }

  // Deferred.addBoth(f): the same f on both paths; it receives the std::any as it is.
  template <class F>
  const Deferred& add_both(F f) const {
    Step step = step_from<std::any>(std::move(f));
    return add_callbacks(step, step);
  }

  // Deferred.called: callback() or errback() has been called.
  bool called() const noexcept;
  // Deferred.paused: waiting for a Deferred that one of its steps returned.
  bool paused() const noexcept;
  // The current result (a Failure inside if on the errback path); empty before it fires.
  const std::any& result() const noexcept;
  // endregion

  friend bool operator==(const Deferred& a, const Deferred& b) noexcept {
    return a.state_ == b.state_;
  }

 private:
  static Step pass_through() {
    return [](std::any result) { return result; };
  }

  // Wraps a typed step: unpack the argument, pack what it returns into a std::any.
  template <class In, class F>
  static Step step_from(F f) {
    return [f = std::move(f)](std::any result) mutable -> std::any {
      decltype(auto) argument = unpack<In>(result);
      using Out = std::invoke_result_t<F&, decltype(argument)>;
      if constexpr (std::is_void_v<Out>) {
        f(argument);
        return {};
      } else {
        return std::any(f(argument));
      }
    };
  }

  template <class In>
  static decltype(auto) unpack(std::any& result) {
    if constexpr (std::is_same_v<In, std::any>) {
      return (result);  // a reference to it
    } else {
      return std::any_cast<In&>(result);
    }
  }

  friend class detail::DeferredState;
  std::shared_ptr<detail::DeferredState> state_;
};

// region: from_future
// defer.Deferred.fromFuture(future): a Deferred that fires with the future's result, or errs
// with its exception (CancelledError if it was cancelled), once the future is done.
template <class T>
Deferred from_future(const Future<T>& future) {
  static_assert(std::is_void_v<T> || std::is_copy_constructible_v<T>,
                "a Deferred carries its results in std::any: they must be copyable");
  Deferred deferred(future.get_loop());
  future.add_done_callback(
      [deferred](const Future<T>& done) {
        std::any result;
        try {
          if constexpr (std::is_void_v<T>) {
            done.result();
          } else {
            result = done.result();
          }
        } catch (...) {
          deferred.errback(std::current_exception());
          return;
        }
        deferred.callback(std::move(result));
      },
      "Deferred.fromFuture");
  return deferred;
}
// endregion

// Deferred.asFuture(loop): a Future<T> that takes the Deferred's result (std::any_cast to T)
// or its failure, when the chain gets there. The Deferred's result is then empty (None).
template <class T>
Future<T> as_future(const Deferred& deferred, EventLoop& loop) {
  Future<T> future(loop);
  deferred.add_both([future](std::any& result) {
    if (future.done()) return;  // cancelled meanwhile
    if (const auto* failure = std::any_cast<Failure>(&result)) {
      future.set_exception(failure->exception());
    } else if constexpr (std::is_void_v<T>) {
      future.set_result();
    } else {
      try {
        future.set_result(std::any_cast<T>(std::move(result)));
      } catch (const std::bad_any_cast&) {
        future.set_exception(std::current_exception());
      }
    }
  });
  return future;
}

}  // namespace aio
