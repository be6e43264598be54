#include "aio/event_loop.hpp"
#include "aio/not_implemented.hpp"

#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace aio {

namespace {

// region: running_loop
// The loop running in this thread: the only mutable state that is not inside a loop.
thread_local EventLoop* running_loop = nullptr;
// endregion

std::string describe(std::exception_ptr error) {
  if (!error) return {};
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace

// region: get_running_loop
EventLoop& get_running_loop() {
  if (running_loop == nullptr) throw std::runtime_error("no running event loop");
  return *running_loop;
}
// endregion

EventLoop::EventLoop() : EventLoop(Options{}) {}

EventLoop::EventLoop(Options options)
    : selector_(options.selector ? std::move(options.selector) : make_epoll_selector()),
      clock_(options.clock ? std::move(options.clock) : std::make_shared<MonotonicClock>()),
      debug_(options.debug),
      executor_workers_(options.executor_workers) {
  sigemptyset(&signals_);
  wakeup_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeup_fd_ == -1) throw std::system_error(errno, std::generic_category(), "eventfd");
  // Watched directly, not through add_reader(): the loop's own fd is no callback of the user's.
  selector_->register_fd(wakeup_fd_, kReadable);
}

EventLoop::~EventLoop() {
  running_ = false;  // a loop destroyed from inside its own callback: close anyway
  close();
}

// ---- scheduling ----------------------------------------------------------------------------

// region: call_soon
HandlePtr EventLoop::call_soon(Callback callback, std::string name) {
  // EXERCISE 2.3: call_soon and one iteration of the loop
  // Here, in call_soon: queue a callback for the next iteration.
  // Refuse on a closed loop (check_closed) or, in debug mode, from a foreign thread
  // (check_thread); then wrap the callback in a Handle, append it to ready_, return it.
  check_closed();
  check_thread();
  auto handle = std::make_shared<Handle>(std::move(callback), std::move(name));
  ready_.push_back(handle);
  return handle;
  // END EXERCISE
}
// endregion

void EventLoop::add_callback(HandlePtr handle) {
  check_closed();
  check_thread();
  if (handle->cancelled()) throw std::invalid_argument("add_callback: the handle is cancelled");
  ready_.push_back(std::move(handle));
}

// region: call_later
TimerHandlePtr EventLoop::call_later(double delay, Callback callback, std::string name) {
  if (std::isnan(delay)) throw std::invalid_argument("call_later: the delay is NaN");
  return call_at(time() + delay, std::move(callback), std::move(name));
}
// endregion

// region: call_at
TimerHandlePtr EventLoop::call_at(double when, Callback callback, std::string name) {
  if (std::isnan(when)) throw std::invalid_argument("call_at: the time is NaN");
  check_closed();
  check_thread();
  auto timer = std::make_shared<TimerHandle>(when, std::move(callback), std::move(name));
  timers_.push(timer);
  return timer;
}
// endregion

// region: call_soon_threadsafe
HandlePtr EventLoop::call_soon_threadsafe(Callback callback, std::string name) {
  // EXERCISE 2.6: call_soon_threadsafe: queue a callback from any thread, wake the loop
  // Under threadsafe_mutex_ (close() takes it too, so a call racing close() either lands
  // before it or sees the loop closed): check_closed(), append the handle to threadsafe_.
  // Then write 1 to the eventfd wakeup_fd_, so that a loop waiting in its selector wakes up.
  auto handle = std::make_shared<Handle>(std::move(callback), std::move(name));
  {
    const std::lock_guard lock(threadsafe_mutex_);
    check_closed();
    threadsafe_.push_back(handle);
    const std::uint64_t one = 1;
    // A full counter (EAGAIN) already means "wake up": nothing is lost.
    [[maybe_unused]] const ssize_t written = write(wakeup_fd_, &one, sizeof one);
  }
  return handle;
  // END EXERCISE
}
// endregion

// region: wakeups
void EventLoop::read_wakeups() {
  std::uint64_t count = 0;
  while (read(wakeup_fd_, &count, sizeof count) > 0) {
  }
}

void EventLoop::take_threadsafe_callbacks() {
  const std::lock_guard lock(threadsafe_mutex_);
  if (threadsafe_.empty()) return;
  for (HandlePtr& handle : threadsafe_) ready_.push_back(std::move(handle));
  threadsafe_.clear();
  // Under the same mutex as the writers: the counter is non-zero exactly while the list holds
  // something, whether or not the selector was asked in this iteration (poll_fds).
  read_wakeups();
}
// endregion

// ---- running -------------------------------------------------------------------------------

// region: run_forever
void EventLoop::run_forever() {
  // EXERCISE 2.4: run_forever: run iterations until stop()
  // Refuse a closed loop, a loop already running ("This event loop is already running"), and
  // a second loop in a thread that runs one ("Cannot run the event loop while another loop is
  // running"). While running: running_ is true, owner_ is this thread, and get_running_loop()
  // finds this loop. Run iterations until stopping_; then clear stopping_ (stop() ends one
  // run only) and restore all of that, even when an exception escapes.
  check_closed();
  if (running_) throw std::runtime_error("This event loop is already running");
  if (running_loop != nullptr) {
    throw std::runtime_error("Cannot run the event loop while another loop is running");
  }
  struct Running {
    EventLoop& loop;
    explicit Running(EventLoop& l) : loop(l) {
      loop.running_ = true;
      loop.owner_ = std::this_thread::get_id();
      running_loop = &loop;
    }
    ~Running() {
      loop.stopping_ = false;
      loop.running_ = false;
      loop.owner_ = std::thread::id{};
      running_loop = nullptr;
    }
  } running(*this);
  while (true) {
    run_once();
    if (stopping_) break;
  }
  // END EXERCISE
}
// endregion

// region: select_timeout
double EventLoop::select_timeout() {
  // Something to run now: just look at the fds. Otherwise wait for the next timer, or for
  // I/O only (negative) when there is no timer.
  take_threadsafe_callbacks();
  if (!ready_.empty() || stopping_) return 0;
  const std::optional<double> next = timers_.next_when();
  if (!next) return clock_->wait_budget(-1);
  const double wait = *next - time();
  return clock_->wait_budget(wait > 0 ? wait : 0);
}
// endregion

// region: poll_fds
void EventLoop::poll_fds(double timeout) {
  // With callbacks ready the loop may not wait; and with no reader, writer or signal fd
  // watched, a look could only find the loop's own wake-up fd, whose queue
  // take_threadsafe_callbacks() reads anyway. Then skip the system call: on the course's
  // machines one costs as much as two dozen callbacks.
  const bool may_not_wait = !ready_.empty() || stopping_;
  if (may_not_wait && watchers_.empty() && signal_fd_ == -1) {
    ready_fds_.clear();
    return;
  }
  selector_->select(timeout, ready_fds_);
}
// endregion

// region: run_once
void EventLoop::run_once() {
  check_closed();  // its selector is gone
  // EXERCISE 2.3: one iteration of the loop
  // 1. wait: poll_fds(select_timeout()) fills ready_fds_ (it asks the selector when asking
  //    can tell something), then dispatch() each ready fd and take_threadsafe_callbacks();
  // 2. move the timers due by time() to the ready queue (timers_.pop_due into due_);
  // 3. run exactly the callbacks that are ready now (count them first: what they schedule
  //    waits for the next iteration), skipping cancelled ones, each with run_handle().
  poll_fds(select_timeout());
  for (const ReadyFd& ready : ready_fds_) dispatch(ready);
  take_threadsafe_callbacks();

  due_.clear();
  timers_.pop_due(time(), due_);
  for (TimerHandlePtr& timer : due_) ready_.push_back(std::move(timer));
  due_.clear();

  for (std::size_t todo = ready_.size(); todo > 0 && !ready_.empty(); --todo) {
    HandlePtr handle = std::move(ready_.front());
    ready_.pop_front();
    if (!handle->cancelled()) run_handle(handle);
  }
  // END EXERCISE
}
// endregion

// region: run_handle
void EventLoop::run_handle(const HandlePtr& handle) {
  // An exception must not stop the loop: it goes to the exception handler.
  const double start = debug_ ? time() : 0;
  try {
    handle->run();
  } catch (...) {
    call_exception_handler(ExceptionContext{"Exception in callback " + handle->name(),
                                            std::current_exception(), handle});
  }
  if (debug_) report_if_slow(*handle, time() - start);
}
// endregion

// region: report_if_slow
void EventLoop::report_if_slow(const Handle& handle, double took) {
  // EXERCISE 2.9: errors and debug mode: the exception handler, slow callbacks
  // Here, in report_if_slow (debug mode only): report a slow callback.
  // A callback that took at least slow_callback_duration blocked everything else that long:
  // write one line to the log, "Executing <name> took 0.250 seconds" (3 decimals).
  if (took >= slow_callback_duration) {
    write_log(fmt::format("Executing {} took {:.3f} seconds", handle.name(), took));
  }
  // END EXERCISE
}
// endregion

void EventLoop::write_log(std::string_view line) {
  if (log_) {
    log_(line);
  } else {
    fmt::print(stderr, "{}\n", line);
  }
}

void EventLoop::close() {
  if (running_) throw std::runtime_error("Cannot close a running event loop");
  {
    const std::lock_guard lock(threadsafe_mutex_);
    if (closed_) return;
    closed_ = true;
    threadsafe_.clear();
  }
  ready_.clear();
  timers_.clear();
  for (auto& [type, extension] : extensions_) extension->on_close();
  if (executor_) executor_->shutdown(false);
  for (const auto& [signal, handler] : signal_handlers_) sigdelset(&signals_, signal);
  signal_handlers_.clear();
  if (signal_fd_ != -1) {
    ::close(signal_fd_);
    signal_fd_ = -1;
    pthread_sigmask(SIG_SETMASK, &blocked_before_, nullptr);
  }
  watchers_.clear();
  selector_.reset();
  ::close(wakeup_fd_);
}

void EventLoop::check_closed() const {
  if (closed_) throw std::runtime_error("Event loop is closed");
}

void EventLoop::check_thread() const {
  if (debug_ && running_ && owner_ != std::this_thread::get_id()) {
    throw std::runtime_error(
        "Non-thread-safe operation invoked on an event loop other than the current one");
  }
}

// ---- file descriptors ----------------------------------------------------------------------

// region: dispatch
void EventLoop::dispatch(const ReadyFd& ready) {
  // The loop's own fds are served at once; the others queue their callbacks. A wake-up needs
  // nothing here: take_threadsafe_callbacks(), which run_once calls next, answers it.
  if (ready.fd == wakeup_fd_) return;
  if (ready.fd == signal_fd_) {
    read_signals();
  } else {
    queue_watchers(ready);
  }
}
// endregion

// region: queue_watchers
void EventLoop::queue_watchers(const ReadyFd& ready) {
  // EXERCISE 2.5: readers and writers: watch fds, queue their callbacks when ready
  // Here, in queue_watchers: queue the callbacks of a ready fd.
  // If it is readable and has a reader that is not cancelled, append the reader's handle to
  // ready_; the same for writable and the writer. (An fd that a callback removed earlier in
  // this iteration may still be reported ready: look it up, don't assume.)
  const auto found = watchers_.find(ready.fd);
  if (found == watchers_.end()) return;
  const Watchers& watchers = found->second;
  if ((ready.events & kReadable) && watchers.reader && !watchers.reader->cancelled()) {
    ready_.push_back(watchers.reader);
  }
  if ((ready.events & kWritable) && watchers.writer && !watchers.writer->cancelled()) {
    ready_.push_back(watchers.writer);
  }
  // END EXERCISE
}
// endregion

// region: set_watcher
void EventLoop::set_watcher(int fd, HandlePtr Watchers::*slot, HandlePtr handle) {
  // EXERCISE 2.5: watch an fd for a reader or a writer
  // The selector watches an fd for what its reader and writer want (interests()): register
  // it the first time, modify it after. A replaced handle is cancelled (it may be queued).
  check_closed();
  check_thread();
  const auto found = watchers_.find(fd);
  if (found == watchers_.end()) {
    selector_->register_fd(fd, slot == &Watchers::reader ? kReadable : kWritable);
    watchers_[fd].*slot = std::move(handle);
    return;
  }
  Watchers& watchers = found->second;
  if (watchers.*slot) (watchers.*slot)->cancel();
  watchers.*slot = std::move(handle);
  selector_->modify(fd, watchers.interests());
  // END EXERCISE
}
// endregion

// region: clear_watcher
bool EventLoop::clear_watcher(int fd, HandlePtr Watchers::*slot) {
  // EXERCISE 2.5: stop watching an fd for a reader or a writer
  // Cancel the handle (it may already be queued in this iteration: then it must not run),
  // and watch the fd for what is left, or unregister it when nothing is.
  if (closed_) return false;
  check_thread();
  const auto found = watchers_.find(fd);
  if (found == watchers_.end() || !(found->second.*slot)) return false;
  Watchers& watchers = found->second;
  (watchers.*slot)->cancel();
  watchers.*slot = nullptr;
  const unsigned left = watchers.interests();
  if (left == 0) {
    selector_->unregister(fd);
    watchers_.erase(found);
  } else {
    selector_->modify(fd, left);
  }
  return true;
  // END EXERCISE
}
// endregion

// region: add_reader
void EventLoop::add_reader(int fd, Callback callback, std::string name) {
  set_watcher(fd, &Watchers::reader,
              std::make_shared<Handle>(std::move(callback), std::move(name)));
}

bool EventLoop::remove_reader(int fd) {
  return clear_watcher(fd, &Watchers::reader);
}
// endregion

void EventLoop::add_writer(int fd, Callback callback, std::string name) {
  set_watcher(fd, &Watchers::writer,
              std::make_shared<Handle>(std::move(callback), std::move(name)));
}

bool EventLoop::remove_writer(int fd) {
  return clear_watcher(fd, &Watchers::writer);
}

// ---- signals -------------------------------------------------------------------------------

// region: add_signal_handler
void EventLoop::add_signal_handler(int signal, Callback callback, std::string name) {
  // EXERCISE 2.7: add_signal_handler: a Unix signal as an ordinary callback
  // Refuse a bad signal number and SIGKILL/SIGSTOP (std::invalid_argument). Block the signal
  // in this thread (pthread_sigmask; remember the mask from before the first one), add it to
  // signals_, and point the signalfd at signals_ (signalfd(-1 or signal_fd_, ...)); the first
  // time, register the signalfd with the selector (dispatch() then calls read_signals()).
  check_closed();
  if (signal <= 0 || signal >= NSIG) {
    throw std::invalid_argument("signal " + std::to_string(signal) + " is not a valid signal");
  }
  if (signal == SIGKILL || signal == SIGSTOP) {
    throw std::invalid_argument("signal " + std::to_string(signal) + " cannot be caught");
  }
  if (signal_fd_ == -1) pthread_sigmask(SIG_BLOCK, nullptr, &blocked_before_);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, signal);
  pthread_sigmask(SIG_BLOCK, &one, nullptr);
  sigaddset(&signals_, signal);
  const bool first = signal_fd_ == -1;
  signal_fd_ = signalfd(signal_fd_, &signals_, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ == -1) throw std::system_error(errno, std::generic_category(), "signalfd");
  if (first) selector_->register_fd(signal_fd_, kReadable);
  signal_handlers_[signal] = std::make_shared<Handle>(std::move(callback), std::move(name));
  // END EXERCISE
}
// endregion

bool EventLoop::remove_signal_handler(int signal) {
  if (signal_handlers_.erase(signal) == 0) return false;
  sigdelset(&signals_, signal);
  signalfd(signal_fd_, &signals_, SFD_NONBLOCK | SFD_CLOEXEC);
  // Unblock it again, unless it was blocked before the loop blocked it.
  if (!sigismember(&blocked_before_, signal)) {
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, signal);
    pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
  }
  if (signal_handlers_.empty()) {
    selector_->unregister(signal_fd_);
    ::close(signal_fd_);
    signal_fd_ = -1;
  }
  return true;
}

// region: read_signals
void EventLoop::read_signals() {
  signalfd_siginfo info{};
  while (read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    const auto found = signal_handlers_.find(static_cast<int>(info.ssi_signo));
    if (found != signal_handlers_.end()) ready_.push_back(found->second);
  }
}
// endregion

// ---- the executor --------------------------------------------------------------------------

// region: run_in_executor
void EventLoop::run_in_executor(std::function<void()> job,
                                std::function<void(std::exception_ptr)> done) {
  check_closed();
  if (!executor_) executor_ = std::make_unique<ThreadPool>(executor_workers_);
  executor_->submit([this, job = std::move(job), done = std::move(done)]() mutable {
    std::exception_ptr error;
    try {
      job();
    } catch (...) {
      error = std::current_exception();
    }
    try {
      call_soon_threadsafe([done = std::move(done), error] { done(error); }, "executor job done");
    } catch (const std::runtime_error&) {
      // The loop closed while the job ran: nobody is left to tell.
    }
  });
}
// endregion

// ---- errors --------------------------------------------------------------------------------

// region: call_exception_handler
void EventLoop::call_exception_handler(const ExceptionContext& context) {
  if (!exception_handler_) {
    default_exception_handler(context);
    return;
  }
  try {
    exception_handler_(*this, context);
  } catch (...) {
    report_broken_handler(context, std::current_exception());
  }
}
// endregion

// region: report_broken_handler
void EventLoop::report_broken_handler(const ExceptionContext& context, std::exception_ptr error) {
  // EXERCISE 2.9: a handler that throws must not take the loop down
  // Report both, with the default handler: first "Unhandled error in exception handler"
  // with the handler's own exception, then the context it was given.
  default_exception_handler(
      ExceptionContext{"Unhandled error in exception handler", error, context.handle});
  default_exception_handler(context);
  // END EXERCISE
}
// endregion

// region: default_exception_handler
void EventLoop::default_exception_handler(const ExceptionContext& context) {
  // EXERCISE 2.9: the default handler: one line on the log
  // The context's message, then ": " and what() of its exception when it has one
  // (describe() finds it), written with write_log().
  std::string line = context.message;
  if (context.exception) line += ": " + describe(context.exception);
  write_log(line);
  // END EXERCISE
}
// endregion

}  // namespace aio
