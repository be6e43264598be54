// aio::EventLoop: asyncio's event loop, in callback style.
#pragma once

#include <atomic>
#include <csignal>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "aio/clock.hpp"
#include "aio/handle.hpp"
#include "aio/selector.hpp"
#include "aio/thread_pool.hpp"
#include "aio/timer_queue.hpp"

namespace aio {

// What the exception handler receives (asyncio's context dict).
struct ExceptionContext {
  std::string message;           // "Exception in callback main::{lambda()#1}"
  std::exception_ptr exception;  // may be empty
  HandlePtr handle;              // the callback that failed, if any
};

// region: iteration
// One iteration (run_once) does, in this order:
//   1. wait in the selector: not at all if callbacks are ready, else until the next timer
//      (and skip the system call when it could not wait and no fd of ours is watched)
//   2. queue the callbacks of the fds that are ready (readers, writers, wake-ups, signals)
//   3. queue the timers that are due, earliest first
//   4. run the callbacks that were ready when step 4 began, first in, first out; what they
//      schedule runs in the next iteration
// The loop belongs to one thread: only call_soon_threadsafe() may be called from others.
// endregion
class EventLoop {
 public:
  struct Options {
    std::unique_ptr<Selector> selector;  // default: epoll
    std::shared_ptr<Clock> clock;        // default: MonotonicClock
    bool debug = false;
    std::size_t executor_workers = 4;
  };

  EventLoop();
  explicit EventLoop(Options options);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // ---- scheduling callbacks ------------------------------------------------------------

  // asyncio: loop.call_soon(callback). Runs it in the next iteration, after the callbacks
  // already queued. `name` names it in reports (default: the callable's type).
  HandlePtr call_soon(Callback callback, std::string name = {});

  // asyncio's private loop._add_callback(handle): queues a handle made elsewhere, as
  // call_soon queues the one it makes. A task queues its one step handle this way each time it
  // yields, instead of a new handle per step. A closed loop refuses it (std::runtime_error),
  // and so does a cancelled handle (std::invalid_argument).
  void add_callback(HandlePtr handle);

  // asyncio: loop.call_later(delay, callback). A delay <= 0 means "as soon as possible";
  // NaN is std::invalid_argument.
  TimerHandlePtr call_later(double delay, Callback callback, std::string name = {});

  // asyncio: loop.call_at(when, callback), `when` in the loop's time(). A time in the past
  // runs in the next iteration.
  TimerHandlePtr call_at(double when, Callback callback, std::string name = {});

  // asyncio: loop.call_soon_threadsafe(callback). The only method safe from another thread:
  // it wakes the loop if it is waiting in its selector.
  HandlePtr call_soon_threadsafe(Callback callback, std::string name = {});

  // asyncio: loop.time(), in seconds, from the loop's clock.
  double time() const { return clock_->now(); }

  // ---- running and stopping ------------------------------------------------------------

  // region: running
  // asyncio: loop.run_forever(). Runs iterations until stop() is called.
  void run_forever();

  // One iteration (asyncio's private _run_once), for tests and for other loops' drivers.
  void run_once();

  // asyncio: loop.stop(). The current iteration finishes, then run_forever() returns.
  // Called before run_forever(), that run does one iteration and returns.
  void stop() { stopping_ = true; }

  // asyncio: loop.close(). Drops pending callbacks and timers, closes the selector, shuts the
  // executor down without waiting. Closing twice does nothing; while running, it throws.
  void close();

  bool is_running() const noexcept { return running_; }  // asyncio: loop.is_running()
  bool is_closed() const noexcept { return closed_; }    // asyncio: loop.is_closed()
  // endregion

  // ---- watching file descriptors -------------------------------------------------------

  // asyncio: loop.add_reader(fd, callback). Calls `callback` every iteration in which `fd`
  // is readable, until remove_reader(fd). A second add_reader replaces the first.
  void add_reader(int fd, Callback callback, std::string name = {});
  bool remove_reader(int fd);  // true if a reader was removed
  // asyncio: loop.add_writer(fd, callback) and remove_writer(fd), the same for writability.
  void add_writer(int fd, Callback callback, std::string name = {});
  bool remove_writer(int fd);

  // ---- Unix signals --------------------------------------------------------------------

  // asyncio: loop.add_signal_handler(sig, callback). The callback runs as an ordinary
  // callback on the loop, not inside a signal handler. The signal is blocked in this thread
  // and read from a signalfd; threads started later inherit the block.
  void add_signal_handler(int signal, Callback callback, std::string name = {});
  bool remove_signal_handler(int signal);  // asyncio: loop.remove_signal_handler(sig)

  // ---- blocking work -------------------------------------------------------------------

  // Runs `job` on the loop's thread pool (asyncio: loop.run_in_executor(None, job)), then
  // calls `done` on the loop's thread with what the job threw (empty if it returned).
  void run_in_executor(std::function<void()> job, std::function<void(std::exception_ptr)> done);

  // ---- errors and debugging ------------------------------------------------------------

  using ExceptionHandler = std::function<void(EventLoop&, const ExceptionContext&)>;

  // asyncio: loop.set_exception_handler(handler); an empty handler restores the default.
  void set_exception_handler(ExceptionHandler handler) { exception_handler_ = std::move(handler); }
  // asyncio: loop.call_exception_handler(context).
  void call_exception_handler(const ExceptionContext& context);
  // asyncio: loop.default_exception_handler(context): one line on the log.
  void default_exception_handler(const ExceptionContext& context);

  // Where the loop's messages go: one line each. Default: stderr (asyncio logs them).
  using Log = std::function<void(std::string_view line)>;
  void set_log(Log log) { log_ = std::move(log); }

  // asyncio: loop.set_debug(on). Debug mode reports callbacks slower than
  // slow_callback_duration, and refuses calls from a thread that does not own the loop.
  void set_debug(bool on) { debug_ = on; }
  bool get_debug() const noexcept { return debug_; }
  // asyncio: loop._check_thread(). In debug mode, while the loop runs, a call from another
  // thread is std::runtime_error. The loop's own methods call it; so do futures (chapter 03).
  void check_thread() const;
  double slow_callback_duration = 0.1;  // seconds, as asyncio

  // ---- per-loop state of the layers above ----------------------------------------------

  // Later chapters keep their per-loop state here (chapter 04: the current task and the live
  // tasks, as asyncio keeps them per loop), so that none of it has to be global. One E per
  // loop, made on first use, destroyed after close() with the loop.
  struct Extension {
    virtual ~Extension() = default;
    // Called by close(), after the ready callbacks and the timers are dropped.
    virtual void on_close() {}
  };
  template <class E>
  E& extension() {
    std::unique_ptr<Extension>& slot = extensions_[std::type_index(typeid(E))];
    if (!slot) slot = std::make_unique<E>();
    return static_cast<E&>(*slot);
  }

  // For tests and benchmarks: callbacks queued to run, timers scheduled.
  std::size_t ready_count() const noexcept { return ready_.size(); }
  const TimerQueue& timers() const noexcept { return timers_; }

 private:
  // region: watchers
  struct Watchers {
    HandlePtr reader;
    HandlePtr writer;
    // What the selector must watch the fd for: the union of what the two want.
    unsigned interests() const { return (reader ? kReadable : 0u) | (writer ? kWritable : 0u); }
  };
  // endregion

  void check_closed() const;
  void run_handle(const HandlePtr& handle);
  void take_threadsafe_callbacks();
  void dispatch(const ReadyFd& ready);
  void queue_watchers(const ReadyFd& ready);
  void report_if_slow(const Handle& handle, double took);
  void write_log(std::string_view line);
  void report_broken_handler(const ExceptionContext& context, std::exception_ptr error);
  double select_timeout();
  void poll_fds(double timeout);
  void set_watcher(int fd, HandlePtr Watchers::*slot, HandlePtr handle);
  bool clear_watcher(int fd, HandlePtr Watchers::*slot);
  void read_wakeups();
  void read_signals();

  std::unique_ptr<Selector> selector_;
  std::shared_ptr<Clock> clock_;
  bool debug_;

  std::deque<HandlePtr> ready_;
  TimerQueue timers_;
  std::vector<TimerHandlePtr> due_;  // reused by run_once
  std::vector<ReadyFd> ready_fds_;   // reused by run_once
  std::unordered_map<int, Watchers> watchers_;

  // Atomic because debug mode reads them from foreign threads to catch those threads' calls.
  std::atomic<bool> running_ = false;
  std::atomic<std::thread::id> owner_;  // the thread running the loop, while it runs
  bool stopping_ = false;
  std::atomic<bool> closed_ = false;

  // region: threadsafe_members
  // call_soon_threadsafe: other threads append here and poke the eventfd.
  std::mutex threadsafe_mutex_;
  std::vector<HandlePtr> threadsafe_;
  int wakeup_fd_ = -1;
  // endregion

  // Signals: one signalfd for all of them.
  int signal_fd_ = -1;
  sigset_t signals_{};         // the signals with a handler
  sigset_t blocked_before_{};  // this thread's mask before the loop blocked any
  std::map<int, HandlePtr> signal_handlers_;

  ExceptionHandler exception_handler_;
  Log log_;
  std::size_t executor_workers_;
  std::unordered_map<std::type_index, std::unique_ptr<Extension>> extensions_;
  std::unique_ptr<ThreadPool> executor_;  // started on first use; destroyed first
};

// asyncio: asyncio.get_running_loop(). The loop running in this thread; std::runtime_error
// ("no running event loop") when there is none.
EventLoop& get_running_loop();

}  // namespace aio
