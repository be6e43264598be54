// aio::Handle and aio::TimerHandle: a callback scheduled on the loop, cancellable until it runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <typeinfo>

namespace aio {

using Callback = std::function<void()>;

class TimerQueue;

// region: handle
// asyncio.Handle: what call_soon() returns. The loop and the caller share it.
class Handle {
 public:
  Handle(Callback callback, std::string name)
      : callback_(std::move(callback)), name_(std::move(name)) {}
  virtual ~Handle() = default;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  // asyncio: Handle.cancel(). The callback will not run. Cancelling twice, or after the
  // callback ran, does nothing.
  virtual void cancel() { cancelled_ = true; }

  // asyncio: Handle.cancelled().
  bool cancelled() const noexcept { return cancelled_; }

  // The name that error and debug reports use: the one given, else the callable's type. A
  // handle made to be queued again and again (a task's step) may make its name itself, when
  // a report asks for it.
  virtual std::string name() const;

  // Runs the callback. The loop calls it; what it throws goes to the loop's exception handler.
  void run() { callback_(); }

 private:
  Callback callback_;
  std::string name_;
  bool cancelled_ = false;
};
// endregion

// asyncio.TimerHandle: what call_later() and call_at() return.
class TimerHandle final : public Handle {
 public:
  TimerHandle(double when, Callback callback, std::string name)
      : Handle(std::move(callback), std::move(name)), when_(when) {}

  // asyncio: TimerHandle.when(), in the loop's time.
  double when() const noexcept { return when_; }

  // Also tells the timer queue, which counts cancelled timers to know when to compact.
  void cancel() override;

  // Breaks ties between timers due at the same instant: the earlier scheduled runs first.
  std::uint64_t sequence() const noexcept { return sequence_; }

 private:
  friend class TimerQueue;
  double when_;
  std::uint64_t sequence_ = 0;   // order of scheduling: breaks ties between equal `when`s
  TimerQueue* queue_ = nullptr;  // the queue that holds it, while it is scheduled
};

using HandlePtr = std::shared_ptr<Handle>;
using TimerHandlePtr = std::shared_ptr<TimerHandle>;

// The readable name of a callable's type ("main::{lambda()#1}"), for reports.
std::string readable_type_name(const std::type_info& type);

}  // namespace aio
