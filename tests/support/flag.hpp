// aio::testing::Flag: a one-shot flag one thread sets and others wait for.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace aio::testing {

// Threads in a test meet through flags, never through sleeps: a sleep is either too short
// (a flaky test) or too long (a slow one). A flag is set once and stays set, so a waiter that
// arrives after set() does not wait at all.
class Flag {
 public:
  void set() {
    {
      const std::lock_guard lock(mutex_);
      set_ = true;
    }
    // Notified after the lock is released: a woken waiter need not block on the mutex again.
    changed_.notify_all();
  }

  // Waits with no deadline: only where the code under test cannot keep it from being set.
  void wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return set_; });
  }

  // False if the deadline passed first: the watchdog for a wait that a bug could make endless.
  bool wait_for(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [this] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool set_ = false;
};

}  // namespace aio::testing
