// aio::TaskGroup: asyncio's structured concurrency; the tasks of a group end with it.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aio/task.hpp"

namespace aio {

// asyncio's ExceptionGroup (Python 3.11): several exceptions raised together.
class ExceptionGroup : public std::exception {
 public:
  ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions);
  const char* what() const noexcept override { return what_.c_str(); }
  const std::vector<std::exception_ptr>& exceptions() const noexcept { return exceptions_; }

 private:
  std::vector<std::exception_ptr> exceptions_;
  std::string what_;
};

// region: task_group_doc
// asyncio.TaskGroup. The body of `async with TaskGroup() as tg:` is a coroutine that receives
// the group: `co_await aio::task_group([](aio::TaskGroup& tg) -> aio::Coroutine<void> {...})`.
// The group waits for every task it created. The first task to fail cancels the others and
// the body; then the group raises ExceptionGroup with every error ("unhandled errors in a
// TaskGroup"). A cancellation from outside cancels the tasks too, and stays a CancelledError.
// endregion
class TaskGroup {
 public:
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // asyncio: TaskGroup.create_task(coro, name=...). std::runtime_error once the group is
  // finished, or shutting down after a failure.
  template <class T>
  Task<T> create_task(Coroutine<T> coroutine, std::string name = {}) {
    check_open();
    Task<T> task = aio::create_task(*loop_, std::move(coroutine), std::move(name));
    watch(task.core());
    return task;
  }

 private:
  template <class F>
  friend Coroutine<void> task_group(F body);

  TaskGroup();                                       // asyncio: __aenter__
  Coroutine<void> finish(std::exception_ptr error);  // asyncio: __aexit__
  void check_open() const;
  void watch(const std::shared_ptr<detail::FutureCore>& task);
  void on_task_done(detail::FutureCore& task);
  void abort();

  EventLoop* loop_;
  std::optional<AnyTask> parent_;
  std::vector<std::shared_ptr<detail::FutureCore>> tasks_;  // not done yet
  std::vector<std::exception_ptr> errors_;
  bool entered_ = false;
  bool exiting_ = false;
  bool aborting_ = false;
  bool parent_cancel_requested_ = false;
  std::optional<Future<void>> on_completed_;  // set while finish() waits for the last task
};

// region: task_group
// `async with TaskGroup() as tg: <body>`. `body` is taken by value and kept in this coroutine's
// frame, so a lambda's captures live as long as the group does.
template <class F>
Coroutine<void> task_group(F body) {
  TaskGroup group;
  std::exception_ptr error;
  try {
    co_await body(group);
  } catch (...) {
    error = std::current_exception();
  }
  co_await group.finish(error);
}
// endregion

}  // namespace aio
