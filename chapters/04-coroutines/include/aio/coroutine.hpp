// aio::Coroutine<T>: what an `async def` function is in C++, a lazy coroutine that a task runs.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "aio/future.hpp"

namespace aio {

template <class T>
class Coroutine;

namespace detail {

class TaskRunner;

// region: promise_base
// What every coroutine frame knows, whatever it returns. A frame runs inside one task, its
// runner, which keeps the frames of the task in a stack: the frame on top runs next.
class PromiseBase {
 public:
  explicit PromiseBase(std::source_location where = std::source_location::current())
      : name_(where.function_name()) {}

  TaskRunner* runner = nullptr;  // set when a task starts running this frame
  std::exception_ptr exception;  // what escaped the body

  // The coroutine function, "aio::Coroutine<int> compute(int, int)", for reports.
  const char* name() const noexcept { return name_; }

  // Lazy, as an `async def`: calling the function only makes the frame.
  std::suspend_always initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> frame) noexcept {
      frame.promise().end_frame();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception = std::current_exception(); }

  // The frame has ended (final suspend): its task goes on with the parent. See task.cpp.
  void end_frame() noexcept;

 private:
  const char* name_;
};
// endregion

// The constructors repeat the default argument: an inherited constructor would name itself,
// not the coroutine function.
template <class T>
class Promise : public PromiseBase {
 public:
  explicit Promise(std::source_location where = std::source_location::current())
      : PromiseBase(where) {}
  Coroutine<T> get_return_object();
  template <class U = T>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }
  // The value, or what the body threw.
  T take_result() {
    if (exception) std::rethrow_exception(exception);
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class Promise<void> : public PromiseBase {
 public:
  explicit Promise(std::source_location where = std::source_location::current())
      : PromiseBase(where) {}
  Coroutine<void> get_return_object();
  void return_void() noexcept {}
  void take_result() {
    if (exception) std::rethrow_exception(exception);
  }
};

// Reports a coroutine that was made and dropped without running ("was never awaited").
void report_never_awaited(const PromiseBase& promise);

// co_await on a coroutine: the awaiting frame suspends, and its task runs the child next from
// its own loop (TaskRunner::step), not from inside this frame. See task.cpp.
void start_child(PromiseBase& parent, std::coroutine_handle<> child_frame, PromiseBase& child);

// region: coroutine_awaiter
// What `co_await coroutine` suspends on. It owns the child's frame from the moment it is made:
// destroyed here once its result is taken, or by the task if the task goes first.
template <class T>
class CoroutineAwaiter {
 public:
  explicit CoroutineAwaiter(std::coroutine_handle<Promise<T>> child) : child_(child) {}
  bool await_ready() const noexcept { return false; }
  template <class P>
  void await_suspend(std::coroutine_handle<P> parent) {
    start_child(parent.promise(), child_, child_.promise());
  }
  T await_resume() {
    struct Destroy {
      std::coroutine_handle<Promise<T>> frame;
      ~Destroy() { frame.destroy(); }
    } destroy{child_};  // after the result is taken, even when it is an exception
    return child_.promise().take_result();
  }

 private:
  std::coroutine_handle<Promise<T>> child_;
};
// endregion

}  // namespace detail

// region: coroutine_doc
// asyncio: a coroutine object, what calling an `async def` function returns. Lazy: nothing of
// the body runs until it is awaited (`co_await compute(1, 2)`, inline in the awaiting task, as
// Python's `await compute(1, 2)`) or wrapped in a task (create_task). It owns its frame;
// dropping it before it ran reports "coroutine '...' was never awaited", as Python warns.
// endregion
template <class T>
class [[nodiscard(
    "a coroutine does nothing until it is awaited or given to create_task")]] Coroutine {
 public:
  using promise_type = detail::Promise<T>;

  Coroutine(Coroutine && other) noexcept
      : frame_(std::exchange(other.frame_, {})), awaited_(other.awaited_) {}
  Coroutine& operator=(Coroutine&& other) noexcept {
    if (this != &other) {
      destroy();
      frame_ = std::exchange(other.frame_, {});
      awaited_ = other.awaited_;
    }
    return *this;
  }
  ~Coroutine() {
    destroy();
  }

  // `co_await coroutine`: runs it to its end inside the awaiting task, then gives its result
  // or rethrows its exception. A coroutine can be awaited once: the second time is
  // std::runtime_error ("cannot reuse already awaited coroutine", Python's words).
  detail::CoroutineAwaiter<T> operator co_await() {
    return detail::CoroutineAwaiter<T>(release());
  }

  // The name of the coroutine function, for reports.
  const char* name() const noexcept {
    return frame_ ? frame_.promise().name() : "";
  }

  // For co_await and create_task: hands the frame over to whoever runs it.
  std::coroutine_handle<promise_type> release() {
    if (awaited_) throw std::runtime_error("cannot reuse already awaited coroutine");
    if (!frame_) throw std::runtime_error("cannot await a moved-from coroutine");
    awaited_ = true;
    return std::exchange(frame_, {});
  }

 private:
  friend promise_type;
  explicit Coroutine(std::coroutine_handle<promise_type> frame) : frame_(frame) {}

  // A frame still here was never handed over: nothing ever ran it.
  void destroy() noexcept {
    if (!frame_) return;
    detail::report_never_awaited(frame_.promise());
    frame_.destroy();
    frame_ = {};
  }

  std::coroutine_handle<promise_type> frame_;
  bool awaited_ = false;
};

template <class T>
Coroutine<T> detail::Promise<T>::get_return_object() {
  return Coroutine<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}

inline Coroutine<void> detail::Promise<void>::get_return_object() {
  return Coroutine<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

}  // namespace aio
