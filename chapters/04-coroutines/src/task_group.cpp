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
  throw aio::NotImplemented{"4.6"};
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
  throw aio::NotImplemented{"4.6"};
  // END EXERCISE
}
// endregion

}  // namespace aio
