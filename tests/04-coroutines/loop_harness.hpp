// What the chapter 04 tests share to drive a loop: a loop on a given clock, the loop's time in
// words, running until a future is done (with a watchdog), and cleaning up what a test left.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "aio/clock.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/handle.hpp"
#include "aio/task.hpp"

namespace aio::testing {

// A loop's options with `clock` as its clock.
inline EventLoop::Options on(std::shared_ptr<Clock> clock) {
  EventLoop::Options options;
  options.clock = std::move(clock);
  return options;
}

// The running loop's time, for traces: "t=1.5".
inline std::string now() {
  char text[32];
  std::snprintf(text, sizeof text, "t=%g", get_running_loop().time());
  return text;
}

// Runs the loop until `future` is done, as run_until_complete() does. The manual clock jumps
// from timer to timer, so this takes no real time. A watchdog timer, far later than any timer
// of a test, stops the loop if the future is still pending when nothing else is left to do:
// a bug fails the test instead of hanging it.
template <class F>
void run_until_done(EventLoop& loop, const F& future) {
  if (future.done()) return;
  const CallbackId stopper = future.core()->add_done_callback(
      [&loop](detail::FutureCore&) { loop.stop(); }, "test: stop the loop");
  const TimerHandlePtr watchdog = loop.call_at(
      loop.time() + 1e9, [&loop] { loop.stop(); }, "test: watchdog");
  loop.run_forever();
  watchdog->cancel();
  future.core()->remove_done_callback(stopper);
}

// A timer a test sets on the loop, cancelled when the test's body ends: its callback refers
// to the body's locals, and TearDown() runs the loop again after the body.
class TestTimer {
 public:
  explicit TestTimer(TimerHandlePtr timer) : timer_(std::move(timer)) {}
  ~TestTimer() { timer_->cancel(); }
  TestTimer(const TestTimer&) = delete;
  TestTimer& operator=(const TestTimer&) = delete;

 private:
  TimerHandlePtr timer_;
};

// Cancels the tasks a test left pending and runs the loop until they are done, so that no task
// outlives its test waiting in a cycle. (A starter's stub may throw from cancel(): the test has
// failed already; the clean-up goes on.)
inline void finish_leftovers(EventLoop& loop) {
  for (const AnyTask& task : all_tasks(loop)) {
    try {
      task.cancel();
    } catch (...) {
    }
  }
  for (const AnyTask& task : all_tasks(loop)) run_until_done(loop, task);
}

}  // namespace aio::testing
