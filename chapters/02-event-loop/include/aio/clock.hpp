// aio::Clock: where the loop reads the time. The real monotonic clock, and a manual one for tests.
#pragma once

namespace aio {

// region: clock
// The loop's time is a double, in seconds, as asyncio's loop.time(): only differences mean
// anything, never the absolute value.
class Clock {
 public:
  virtual ~Clock() = default;

  virtual double now() const = 0;

  // The loop is about to wait in its selector for at most `timeout` seconds (negative: no timer
  // is pending, so it would wait for I/O only). Returns how long it may really block. The real
  // clock lets it block; a manual clock never does, because only the test moves its time.
  virtual double wait_budget(double timeout) { return timeout; }
};
// endregion

// The system's monotonic clock (CLOCK_MONOTONIC): it never jumps when the wall clock is set.
class MonotonicClock final : public Clock {
 public:
  double now() const override;
};

// region: manual_clock
// A clock that moves only when told (Twisted's task.Clock): timer tests are exact and instant.
// With auto_advance on, a loop that would wait for its next timer jumps straight to it instead,
// as if the wait had happened (trio's MockClock with autojump): run_forever() then plays a
// whole program of timers in no real time.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(double start = 0.0, bool auto_advance = false)
      : now_(start), auto_advance_(auto_advance) {}

  double now() const override { return now_; }
  void advance(double seconds);  // seconds >= 0
  void set_auto_advance(bool on) { auto_advance_ = on; }

  double wait_budget(double timeout) override;

 private:
  double now_;
  bool auto_advance_;
};
// endregion

}  // namespace aio
