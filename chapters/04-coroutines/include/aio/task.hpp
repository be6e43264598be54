// aio::Task<T>: asyncio's Task, a Future<T> that drives a coroutine on the loop.
#pragma once

#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "aio/coroutine.hpp"
#include "aio/future.hpp"
#include "aio/not_implemented.hpp"

namespace aio {

namespace detail {

class TaskRunner;
struct TaskRegistry;

// The handle that queues a task's step: one per task, queued again at each step (through
// loop.add_callback), so a step costs no allocation. Its name is made only when a report
// asks: "Task.step Task-3".
class StepHandle final : public Handle {
 public:
  explicit StepHandle(TaskRunner& task);
  std::string name() const override;

 private:
  TaskRunner& task_;
};

// region: task_runner
// The part of a task that does not depend on its result type: the stack of its coroutine
// frames and the step that resumes the one on top (asyncio's Task.__step), cancellation, and
// what the awaiters call to suspend it.
class TaskRunner {
 public:
  TaskRunner(EventLoop& loop, std::coroutine_handle<> root, PromiseBase& root_promise,
             std::string name);
  virtual ~TaskRunner();
  TaskRunner(const TaskRunner&) = delete;
  TaskRunner& operator=(const TaskRunner&) = delete;
  // endregion

  // Registers the task with its loop and schedules its first step with call_soon.
  void start();

  // Its loop closed under it: report it, destroy its frames (see TaskRegistry::on_close).
  void abandon() noexcept;
  bool abandoned() const noexcept { return abandoned_; }

  // region: runner_frames
  // asyncio: Task.__step. Resumes the frame on top of the stack, then the next, and so on,
  // until one waits for a future or the first frame ends.
  void step();

  // ---- what awaiters call, from inside a frame of this task ----
  void push_frame(std::coroutine_handle<> frame);  // `co_await coroutine`: it runs next
  void pop_frame() noexcept;                       // a frame ended: the one below runs next
  void block_on(FutureCore& awaited);              // `co_await future`: step again when done
  void yield_now();                                // sleep(0): step again next iteration
  void rethrow_pending();  // first thing after a suspension: a cancellation thrown in here
  // endregion

  // asyncio: Task.cancel(msg), Task.cancelling(), Task.uncancel().
  bool request_cancel(std::string message);
  int cancelling() const noexcept { return cancel_requests_; }
  int uncancel() noexcept { return cancel_requests_ > 0 ? --cancel_requests_ : 0; }

  const std::string& get_name() const noexcept { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  EventLoop& loop() const noexcept { return *loop_; }

  // The task as a future (the object this runner is part of).
  virtual FutureCore& future() noexcept = 0;

 protected:
  // Moves the first frame's result into the future's value; throws what the frame threw.
  virtual void store_result() = 0;

 private:
  void finish();
  void end_cancelled(std::optional<std::string> message = std::nullopt);
  void schedule_step();
  void unregister() noexcept;
  void destroy_frames() noexcept;
  void destroy_root() noexcept;

  // region: runner_members
  EventLoop* loop_;
  TaskRegistry* registry_;  // the loop's tasks (found once: a lookup by type is not free)
  std::string name_;
  StepHandle step_handle_;        // queued, with the task as its owner, for each step
  std::coroutine_handle<> root_;  // the first frame, until the task is done
  std::vector<std::coroutine_handle<>> frames_;  // [0] the first frame; back() runs next
  bool started_ = false;
  bool registered_ = false;
  bool abandoned_ = false;
  bool suspended_ = false;              // set by an awaiter: this step is over
  std::shared_ptr<FutureCore> waiter_;  // asyncio: _fut_waiter, the future it waits for
  bool must_cancel_ = false;            // cancel at the next step
  std::string cancel_message_;
  int cancel_requests_ = 0;
  std::exception_ptr pending_;  // what the frame being resumed must throw at its await
  // endregion
};

// Reports a task destroyed before it was done (its loop closed under it, say).
void report_destroyed_pending(TaskRunner& task) noexcept;

// The running tasks of one loop, and the one running now (asyncio's _current_tasks and
// _scheduled_tasks, per loop).
struct TaskRegistry : EventLoop::Extension {
  TaskRunner* current = nullptr;
  std::unordered_set<TaskRunner*> live;
  std::size_t created = 0;  // names tasks Task-1, Task-2, ... as asyncio does

  // The loop closes: a task still pending waits for something that will never come. Python's
  // garbage collector would find it in its cycle (future -> done callback -> task -> frame ->
  // future) and report it; here the registry abandons it, which breaks the cycle.
  void on_close() override;
};

template <class T>
class TaskState final : public FutureValue<T>, public TaskRunner {
 public:
  TaskState(EventLoop& loop, std::coroutine_handle<Promise<T>> root, std::string name)
      : FutureValue<T>(loop),
        TaskRunner(loop, root, root.promise(), std::move(name)),
        root_(root) {}
  // asyncio logs "Task was destroyed but it is pending!" when it collects such a task.
  ~TaskState() override {
    if (!this->done() && !abandoned()) report_destroyed_pending(*this);
  }

  // asyncio: Task.cancel(msg) differs from Future.cancel: see TaskRunner::request_cancel.
  bool cancel(std::string message) override { return request_cancel(std::move(message)); }
  FutureCore& future() noexcept override { return *this; }

 private:
  void store_result() override {
    if constexpr (std::is_void_v<T>) {
      root_.promise().take_result();
    } else {
      this->value.emplace(root_.promise().take_result());
    }
  }

  std::coroutine_handle<Promise<T>> root_;
};

}  // namespace detail

// region: task_doc
// asyncio.Task. A Future<T> that runs a coroutine: its first step is scheduled with call_soon;
// each time the coroutine awaits a future, the task suspends and its step runs again when
// that future is done; the coroutine's result or exception becomes the task's. A handle, like
// Future: copies share the task. Awaiting a task (co_await task) waits for it as for a future.
// endregion
template <class T>
class Task : public Future<T> {
 public:
  explicit Task(detail::FutureCore& core) : Future<T>(core) {}

  // asyncio: Task.cancel(msg). Asks the coroutine to stop: CancelledError is thrown into it at
  // the await where it waits (or the next one). False if the task is done.
  // (inherited: cancel(), done(), cancelled(), result(), exception(), add_done_callback())

  // asyncio: Task.cancelling(): cancel() calls not yet balanced by uncancel().
  int cancelling() const noexcept { return runner().cancelling(); }
  // asyncio: Task.uncancel(): one cancel() request less; returns how many remain.
  int uncancel() const noexcept { return runner().uncancel(); }
  // asyncio: Task.get_name(), Task.set_name(name).
  const std::string& get_name() const noexcept { return runner().get_name(); }
  void set_name(std::string name) const { runner().set_name(std::move(name)); }

  // A task's result comes from its coroutine only (asyncio raises RuntimeError here).
  void set_result(auto&&...) const = delete;
  void set_exception(std::exception_ptr) const = delete;

 private:
  detail::TaskRunner& runner() const noexcept {
    return dynamic_cast<detail::TaskRunner&>(*this->core());
  }
};

// region: create_task
// asyncio: loop.create_task(coro, name=...). Wraps the coroutine in a task on `loop` and
// schedules its first step. The loop keeps the task alive while it runs.
template <class T>
Task<T> create_task(EventLoop& loop, Coroutine<T> coroutine, std::string name = {}) {
  auto state = std::make_shared<detail::TaskState<T>>(loop, coroutine.release(), std::move(name));
  state->start();
  return Task<T>(*state);
}
// endregion

// asyncio: asyncio.create_task(coro, name=...), on the running loop.
template <class T>
Task<T> create_task(Coroutine<T> coroutine, std::string name = {}) {
  return create_task(get_running_loop(), std::move(coroutine), std::move(name));
}

// What current_task() and all_tasks() return: a task whatever its result type.
class AnyTask : public detail::FutureHandle {
 public:
  explicit AnyTask(detail::TaskRunner& runner) : FutureHandle(runner.future().shared_from_this()) {}
  const std::string& get_name() const noexcept { return runner().get_name(); }
  int cancelling() const noexcept { return runner().cancelling(); }
  int uncancel() const noexcept { return runner().uncancel(); }

 private:
  detail::TaskRunner& runner() const noexcept { return dynamic_cast<detail::TaskRunner&>(*core()); }
};

// asyncio.current_task(): the task running now on the running loop; empty outside a task.
std::optional<AnyTask> current_task();
std::optional<AnyTask> current_task(EventLoop& loop);
// asyncio.all_tasks(): the tasks of the loop that are not done yet.
std::vector<AnyTask> all_tasks();
std::vector<AnyTask> all_tasks(EventLoop& loop);

// ---- awaiting futures ------------------------------------------------------------------------

namespace detail {

// region: future_awaiter
// What `co_await future` suspends on: the task steps again when the future is done.
template <class T>
class FutureAwaiter {
 public:
  explicit FutureAwaiter(Future<T> future) : future_(std::move(future)) {}
  bool await_ready() const noexcept { return future_.done(); }
  template <class P>
  void await_suspend(std::coroutine_handle<P> frame) {
    runner_ = frame.promise().runner;
    runner_->block_on(*future_.core());
  }
  // endregion
  // region: await_resume
  T await_resume() {
    // EXERCISE 4.2: resume after a future
    // First what the task may have to throw in here (a cancellation), if this awaiter did
    // suspend; then the future's result, or its exception, rethrown. For the result, chapter
    // 03's detail::hand_on copies it, or moves it out when move-only; a Future<void> has
    // none (if constexpr).
    throw aio::NotImplemented{"4.2"};
    // END EXERCISE
  }
  // endregion

 private:
  Future<T> future_;
  TaskRunner* runner_ = nullptr;
};

// region: yield_awaiter
// What `co_await aio::sleep(0)` suspends on: one trip through the loop.
struct YieldAwaiter {
  bool await_ready() const noexcept { return false; }
  template <class P>
  void await_suspend(std::coroutine_handle<P> frame) {
    runner = frame.promise().runner;
    runner->yield_now();
  }
  void await_resume() { runner->rethrow_pending(); }
  TaskRunner* runner = nullptr;
};
// endregion

}  // namespace detail

// `co_await future` and `co_await task` inside a coroutine: its result (copied, or moved out
// if move-only), or its exception rethrown; CancelledError if it was cancelled.
template <class T>
detail::FutureAwaiter<T> operator co_await(const Future<T>& future) {
  return detail::FutureAwaiter<T>(future);
}

}  // namespace aio
