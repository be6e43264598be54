#include "aio/task_group.hpp"

#include <algorithm>
#include <stdexcept>

#include "aio/errors.hpp"
#include "aio/not_implemented.hpp"

namespace aio {

ExceptionGroup::ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
    : exceptions_(std::move(exceptions)),
      what_(message + " (" + std::to_string(exceptions_.size()) + " sub-exception" +
            (exceptions_.size() == 1 ? "" : "s") + ")") {}

TaskGroup::TaskGroup() : loop_(&get_running_loop()), parent_(current_task()) {
  if (!parent_) throw std::runtime_error("TaskGroup cannot determine the parent task");
  entered_ = true;
}

void TaskGroup::check_open() const {
  if (!entered_ || (exiting_ && tasks_.empty())) {
    throw std::runtime_error("TaskGroup is finished");
  }
  if (aborting_) throw std::runtime_error("TaskGroup is shutting down");
}

void TaskGroup::watch(const std::shared_ptr<detail::FutureCore>& task) {
  tasks_.push_back(task);
  task->add_done_callback([this](detail::FutureCore& done) { on_task_done(done); }, "TaskGroup");
}

void TaskGroup::abort() {
  aborting_ = true;
  for (const auto& task : tasks_) {
    if (!task->done()) task->cancel({});
  }
}

// region: on_task_done
void TaskGroup::on_task_done(detail::FutureCore& task) {
  // EXERCISE 4.6: a task group
  // asyncio's _on_task_done: forget the task; the last one wakes finish() if it waits. A
  // cancelled task is no error. A failed one: keep its exception; unless aborting already,
  // abort() the others and cancel the parent task (once), so the body stops too.
  std::erase_if(tasks_, [&task](const auto& t) { return t.get() == &task; });
  if (on_completed_ && tasks_.empty() && !on_completed_->done()) on_completed_->set_result();
  if (task.cancelled()) return;
  const std::exception_ptr error = task.exception();
  if (!error) return;
  errors_.push_back(error);
  if (!aborting_) {
    abort();
    if (!parent_->done() && !parent_cancel_requested_) {
      parent_cancel_requested_ = true;
      parent_->cancel();
    }
  }
  // END EXERCISE
}
// endregion

// region: finish
Coroutine<void> TaskGroup::finish(std::exception_ptr error) {
  // EXERCISE 4.6: leave the group
  // asyncio's __aexit__. The body failed: abort, and remember a CancelledError to propagate.
  // Wait until no task is left; if the parent is cancelled while it waits, abort and go on
  // waiting. Then: the parent cancel this group asked for is taken back (uncancel). Errors
  // from tasks, plus the body's own error (not a cancellation): ExceptionGroup("unhandled
  // errors in a TaskGroup"). Else the body's CancelledError, if it had one.
  exiting_ = true;
  std::exception_ptr cancellation;
  auto is_cancellation = [](const std::exception_ptr& e) {
    try {
      std::rethrow_exception(e);
    } catch (const CancelledError&) {
      return true;
    } catch (...) {
      return false;
    }
  };
  if (error) {
    if (is_cancellation(error)) cancellation = error;
    if (!aborting_) abort();
  }
  while (!tasks_.empty()) {
    on_completed_.emplace(*loop_);
    std::exception_ptr interrupted;
    try {
      co_await *on_completed_;
    } catch (const CancelledError&) {
      interrupted = std::current_exception();
    }
    if (interrupted) {
      if (!aborting_) abort();
      cancellation = interrupted;
    }
  }
  on_completed_.reset();
  if (parent_cancel_requested_) {
    // The parent's CancelledError was ours; it is not to escape unless someone else asked too.
    if (parent_->uncancel() == 0) cancellation = nullptr;
  }
  if (error && !is_cancellation(error)) errors_.push_back(error);
  if (!errors_.empty()) {
    throw ExceptionGroup("unhandled errors in a TaskGroup", std::move(errors_));
  }
  if (cancellation) std::rethrow_exception(cancellation);
  // END EXERCISE
}
// endregion

}  // namespace aio
