#include "aio/task.hpp"

#include <cstdio>

#include "aio/not_implemented.hpp"

namespace aio {

namespace detail {

namespace {

TaskRegistry& registry(EventLoop& loop) {
  return loop.extension<TaskRegistry>();
}

// While a step runs, its task is the loop's current task.
class CurrentTask {
 public:
  CurrentTask(TaskRegistry& registry, TaskRunner& task) : registry_(registry) {
    if (registry_.current != nullptr) {
      throw std::runtime_error("Cannot enter into task while another task is being executed.");
    }
    registry_.current = &task;
  }
  ~CurrentTask() { registry_.current = nullptr; }
  CurrentTask(const CurrentTask&) = delete;
  CurrentTask& operator=(const CurrentTask&) = delete;

 private:
  TaskRegistry& registry_;
};

}  // namespace

// ---- frames ----------------------------------------------------------------------------------

// region: start_child
void start_child(PromiseBase& parent, std::coroutine_handle<> child_frame, PromiseBase& child) {
  // EXERCISE 4.1: a task's step, a trampoline
  // Start a child frame. `co_await child` in a frame of some task: the child runs in the same task.
  // Give it the parent's runner and push it on that runner's stack, where the step resumes it next.
  throw aio::NotImplemented{"4.1"};
  // END EXERCISE
}
// endregion

// Called from a final suspend, which must not throw: no exercise stub here.
void PromiseBase::end_frame() noexcept {
  runner->pop_frame();
}

void report_never_awaited(const PromiseBase& promise) {
  const std::string message = std::string("coroutine '") + promise.name() + "' was never awaited";
  try {
    get_running_loop().call_exception_handler({message, nullptr, nullptr});
  } catch (...) {
    // No loop runs (or its handler failed): Python warns on stderr; so do we.
    std::fprintf(stderr, "RuntimeWarning: %s\n", message.c_str());
  }
}

void report_destroyed_pending(TaskRunner& task) noexcept {
  try {
    task.loop().call_exception_handler(
        {"Task was destroyed but it is pending! (task " + task.get_name() + ")", nullptr, nullptr});
  } catch (...) {
  }
}

// ---- the task --------------------------------------------------------------------------------

StepHandle::StepHandle(TaskRunner& task) : Handle([&task] { task.step(); }, {}), task_(task) {}

std::string StepHandle::name() const {
  return "Task.step " + task_.get_name();
}

TaskRunner::TaskRunner(EventLoop& loop, std::coroutine_handle<> root, PromiseBase& root_promise,
                       std::string name)
    : loop_(&loop),
      registry_(&registry(loop)),
      name_(std::move(name)),
      step_handle_(*this),
      root_(root) {
  root_promise.runner = this;
  frames_.push_back(root);
}

TaskRunner::~TaskRunner() {
  unregister();
  destroy_frames();
}

void TaskRunner::destroy_frames() noexcept {
  // Innermost first. No frame owns another (an awaiter destroys its child only after the child
  // has ended), so this loop, not a recursion as deep as the chain, frees them all.
  while (!frames_.empty()) {
    frames_.back().destroy();
    frames_.pop_back();
  }
  root_ = {};
}

void TaskRunner::destroy_root() noexcept {
  if (root_) root_.destroy();
  root_ = {};
}

void TaskRunner::start() {
  TaskRegistry& tasks = *registry_;
  tasks.live.insert(this);
  registered_ = true;
  if (name_.empty()) name_ = "Task-" + std::to_string(++tasks.created);
  schedule_step();
}

void TaskRunner::abandon() noexcept {
  if (abandoned_ || future().done()) return;
  abandoned_ = true;
  registered_ = false;  // the registry lets go of it itself
  report_destroyed_pending(*this);
  destroy_frames();
  waiter_.reset();  // it holds, through its done callback, this task
}

void TaskRegistry::on_close() {
  std::vector<std::shared_ptr<FutureCore>> pending;  // alive until each is abandoned
  for (TaskRunner* task : live) {
    if (auto held = task->future().weak_from_this().lock()) pending.push_back(std::move(held));
  }
  live.clear();
  for (const auto& task : pending) dynamic_cast<TaskRunner&>(*task).abandon();
}

void TaskRunner::unregister() noexcept {
  if (!registered_) return;
  registered_ = false;
  registry_->live.erase(this);
}

// region: schedule_step
void TaskRunner::schedule_step() {
  // The queued pointer owns the task (shared_ptr's aliasing constructor): a task whose step is
  // queued stays alive until the step has run.
  loop_->add_callback(HandlePtr(future().shared_from_this(), &step_handle_));
}
// endregion

// region: step
void TaskRunner::step() {
  // EXERCISE 4.1: the step itself
  // Nothing for a done task. While the step runs, this task is the loop's current task.
  // The first step sets started_. A cancel requested before it: the coroutine never runs;
  // destroy its frames and end the task cancelled. One requested later: a CancelledError
  // (with cancel_message_) waits in pending_ for the frame about to resume. Either way the
  // request is used up: clear must_cancel_. Then resume the frame on top of the stack, again and
  // again: a frame that awaits a coroutine pushes it (it runs next), a frame that ends pops itself
  // (its parent runs next), a frame that waits for a future sets suspended_ (the step is over). No
  // frame left: the coroutine has ended, finish().
  throw aio::NotImplemented{"4.1"};
  // END EXERCISE
}
// endregion

void TaskRunner::push_frame(std::coroutine_handle<> frame) {
  frames_.push_back(frame);
}

// The first frame is popped too, but not destroyed: finish() takes its result first.
void TaskRunner::pop_frame() noexcept {
  frames_.pop_back();
}

// ---- suspending and waking ---------------------------------------------------------------------

// region: block_on
void TaskRunner::block_on(FutureCore& awaited) {
  // EXERCISE 4.2: wait for a future
  // Refuse a future of another loop (a message that says "attached to a different loop") and
  // the task itself ("Task cannot await on itself"): std::runtime_error, thrown into the
  // coroutine.
  // Else remember the future as waiter_, give it a done callback that wakes the task (forget
  // the waiter, step), and end this step. A cancel requested while the coroutine ran (from
  // inside it) goes to the future now, as asyncio's __step does.
  throw aio::NotImplemented{"4.2"};
  // END EXERCISE
}
// endregion

// region: yield_now
void TaskRunner::yield_now() {
  suspended_ = true;
  schedule_step();
}
// endregion

void TaskRunner::rethrow_pending() {
  if (pending_) std::rethrow_exception(std::exchange(pending_, nullptr));
}

// region: finish
void TaskRunner::finish() {
  // The coroutine's end is the task's: its result, its exception, or, for a CancelledError
  // that escaped it, cancelled. A cancel that came too late for any await still counts.
  try {
    store_result();
  } catch (const CancelledError& cancelled) {
    destroy_root();
    end_cancelled(cancelled.message());
    return;
  } catch (...) {
    destroy_root();
    unregister();
    future().set_exception(std::current_exception());
    return;
  }
  destroy_root();
  if (must_cancel_) {
    must_cancel_ = false;
    end_cancelled();
    return;
  }
  unregister();
  future().finish();
}
// endregion

void TaskRunner::end_cancelled(std::optional<std::string> message) {
  unregister();
  future().FutureCore::cancel(message ? std::move(*message) : cancel_message_);
}

// region: request_cancel
bool TaskRunner::request_cancel(std::string message) {
  // EXERCISE 4.3: cancel a task
  // asyncio's Task.cancel(msg): false if done. Else count the request, and if the task waits
  // for a future that can still be cancelled, cancel that (the task wakes up with its
  // CancelledError). Otherwise the next step throws it in: must_cancel_, with the message.
  throw aio::NotImplemented{"4.3"};
  // END EXERCISE
}
// endregion

}  // namespace detail

// ---- the loop's tasks ------------------------------------------------------------------------

std::optional<AnyTask> current_task(EventLoop& loop) {
  detail::TaskRunner* current = detail::registry(loop).current;
  if (current == nullptr) return std::nullopt;
  return AnyTask(*current);
}

std::optional<AnyTask> current_task() {
  return current_task(get_running_loop());
}

std::vector<AnyTask> all_tasks(EventLoop& loop) {
  std::vector<AnyTask> tasks;
  for (detail::TaskRunner* task : detail::registry(loop).live) tasks.emplace_back(*task);
  return tasks;
}

std::vector<AnyTask> all_tasks() {
  return all_tasks(get_running_loop());
}

}  // namespace aio
