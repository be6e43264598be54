// aio::Future<T>: asyncio's Future, a result that is not there yet, bound to one event loop.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "aio/errors.hpp"
#include "aio/event_loop.hpp"

namespace aio {

// region: states
// A future is pending until it is finished (with a result or an exception) or cancelled.
// Both ends are final: nothing moves a future out of them.
enum class FutureState { pending, cancelled, finished };
// endregion

// What add_done_callback() returns, to give to remove_done_callback().
using CallbackId = std::uint64_t;

namespace detail {

// Everything a future is except its value: its state, its exception, its done callbacks.
// Future<T> is a handle on a FutureCore; every copy of the handle shares it.
class FutureCore : public std::enable_shared_from_this<FutureCore> {
 public:
  using DoneCallback = std::function<void(FutureCore&)>;

  explicit FutureCore(EventLoop& loop) : loop_(&loop) {}
  virtual ~FutureCore();
  FutureCore(const FutureCore&) = delete;
  FutureCore& operator=(const FutureCore&) = delete;

  EventLoop& get_loop() const noexcept { return *loop_; }
  FutureState state() const noexcept { return state_; }
  bool done() const noexcept { return state_ != FutureState::pending; }
  bool cancelled() const noexcept { return state_ == FutureState::cancelled; }

  // result() without the value: throws what result() must throw instead of a value.
  void check_result();
  std::exception_ptr exception();
  void set_exception(std::exception_ptr error);
  // Virtual: a gathering future (gather.hpp) and, in chapter 04, a task cancel differently.
  virtual bool cancel(std::string message);

  CallbackId add_done_callback(DoneCallback callback, std::string name);
  std::size_t remove_done_callback(CallbackId id);

  // set_result() in two halves, around storing the value: ensure_pending() before (throws
  // InvalidStateError if done), finish() after (marks it finished, schedules the callbacks).
  void ensure_pending(const char* operation) const;
  void finish();

 private:
  void schedule_callbacks();
  void report_unretrieved() const;

  struct Registered {
    CallbackId id;
    DoneCallback callback;
    std::string name;
  };

  EventLoop* loop_;
  FutureState state_ = FutureState::pending;
  // region: core_members
  std::exception_ptr exception_;
  bool exception_retrieved_ = false;  // asyncio's __log_traceback, inverted
  std::string cancel_message_;
  std::vector<Registered> callbacks_;
  CallbackId next_id_ = 1;
  // endregion
};

template <class T>
class FutureValue : public FutureCore {
 public:
  using FutureCore::FutureCore;
  std::optional<T> value;
};

template <>
class FutureValue<void> : public FutureCore {
 public:
  using FutureCore::FutureCore;
};

// region: hand_on
// A result handed on (by run_until_complete, gather): copied when T can be copied, so the
// future keeps it too, as Python shares the object; moved out when T is move-only.
template <class T>
T hand_on(T& value) {
  if constexpr (std::is_copy_constructible_v<T>) {
    return value;
  } else {
    return std::move(value);
  }
}
// endregion

// A done callback's name for reports: the one given, else the callable's type.
// Demangling costs far more than the rest of add_done_callback, so each type is named once and
// the name kept (a constant after its first use).
template <class F>
std::string callback_name(std::string name) {
  if (!name.empty()) return name;
  static const std::string type_name = readable_type_name(typeid(F));
  return type_name;
}

}  // namespace detail

namespace detail {

// What every Future<T> has, whatever T: a handle on the shared state, and the methods that do
// not touch the value.
class FutureHandle {
 public:
  // asyncio: Future.exception(). The stored exception, or empty if it finished with a value;
  // InvalidStateError while pending, CancelledError if cancelled.
  std::exception_ptr exception() const { return state_->exception(); }

  // asyncio: Future.set_exception(exception). InvalidStateError if done.
  void set_exception(std::exception_ptr error) const { state_->set_exception(std::move(error)); }

  // asyncio: Future.cancel(msg). False if already done; else cancelled, callbacks scheduled.
  bool cancel(std::string message = {}) const { return state_->cancel(std::move(message)); }

  bool done() const noexcept { return state_->done(); }            // asyncio: Future.done()
  bool cancelled() const noexcept { return state_->cancelled(); }  // asyncio: Future.cancelled()
  FutureState state() const noexcept { return state_->state(); }
  EventLoop& get_loop() const noexcept { return state_->get_loop(); }  // asyncio: get_loop()

  // asyncio: Future.remove_done_callback(fn): how many were removed (0 or 1 here, since a
  // C++ callback is named by the id add_done_callback() returned, not compared).
  std::size_t remove_done_callback(CallbackId id) const { return state_->remove_done_callback(id); }

  // For combinators and tasks: the shared state without its value.
  const std::shared_ptr<FutureCore>& core() const noexcept { return state_; }

  // Two handles on the same future.
  friend bool operator==(const FutureHandle& a, const FutureHandle& b) noexcept {
    return a.state_ == b.state_;
  }

 protected:
  explicit FutureHandle(std::shared_ptr<FutureCore> state) : state_(std::move(state)) {}

  // asyncio: Future.add_done_callback(fn), for Future<T>: `fn` receives a Future<T>.
  template <class Self, class F>
  CallbackId add_done_callback_as(F fn, std::string name) const {
    std::string label = callback_name<F>(std::move(name));
    return state_->add_done_callback(
        [fn = std::move(fn)](FutureCore& core) mutable { fn(Self(core)); }, std::move(label));
  }

  std::shared_ptr<FutureCore> state_;
};

}  // namespace detail

// region: future_doc
// asyncio.Future. A Future is a handle: copies share one state, as every Python reference to a
// future shares the object. Completing one copy completes them all; result() may be read any
// number of times, from any copy. Not thread-safe, like asyncio's: use it on its loop's thread
// (run_in_executor and call_soon_threadsafe carry results over from other threads).
// The loop must outlive its futures.
// endregion
template <class T>
class Future : public detail::FutureHandle {
 public:
  // asyncio: loop.create_future().
  explicit Future(EventLoop& loop) : FutureHandle(std::make_shared<detail::FutureValue<T>>(loop)) {}
  // The handle on the future that `core` belongs to (a done callback's argument).
  explicit Future(detail::FutureCore& core) : FutureHandle(core.shared_from_this()) {}

  // region: value_api
  // asyncio: Future.result(). The value; InvalidStateError while pending, CancelledError if
  // cancelled, the stored exception if it has one. The reference stays valid while any copy
  // of this future lives; moving out of it (a move-only T) leaves the moved-from value behind.
  T& result() const {
    state_->check_result();
    return *value_state().value;
  }

  // asyncio: Future.set_result(result). InvalidStateError if done.
  void set_result(T value) const {
    state_->ensure_pending("set_result");
    value_state().value.emplace(std::move(value));
    state_->finish();
  }
  // endregion

  // asyncio: Future.add_done_callback(fn). `fn(future)` runs through loop.call_soon once the
  // future is done, never inline: at once if it is done already, else when it completes.
  // `name` names it in error reports (default: the callable's type).
  template <class F>
  CallbackId add_done_callback(F fn, std::string name = {}) const {
    return add_done_callback_as<Future>(std::move(fn), std::move(name));
  }

 private:
  detail::FutureValue<T>& value_state() const {
    return static_cast<detail::FutureValue<T>&>(*state_);
  }
};

// Future<void>: a future that finishes with no value (asyncio's set_result(None)).
template <>
class Future<void> : public detail::FutureHandle {
 public:
  explicit Future(EventLoop& loop)
      : FutureHandle(std::make_shared<detail::FutureValue<void>>(loop)) {}
  explicit Future(detail::FutureCore& core) : FutureHandle(core.shared_from_this()) {}

  void result() const { state_->check_result(); }

  void set_result() const {
    state_->ensure_pending("set_result");
    state_->finish();
  }

  template <class F>
  CallbackId add_done_callback(F fn, std::string name = {}) const {
    return add_done_callback_as<Future>(std::move(fn), std::move(name));
  }
};

}  // namespace aio
