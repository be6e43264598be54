// aio::ExecutingGuard: refuses to resume a generator that is already running.
#pragma once

#include <stdexcept>

namespace aio {

// Set for the length of one resume of a generator. A body that asks its own generator for the
// next value would resume a coroutine that is not suspended, which is undefined behaviour;
// Python raises "ValueError: generator already executing", and so do we (as std::logic_error).
// region: executing_guard
class ExecutingGuard {
 public:
  explicit ExecutingGuard(bool& executing) : executing_(executing) {
    if (executing_) {
      throw std::logic_error("generator already executing: a generator cannot resume itself");
    }
    executing_ = true;
  }
  ~ExecutingGuard() { executing_ = false; }
  ExecutingGuard(const ExecutingGuard&) = delete;
  ExecutingGuard& operator=(const ExecutingGuard&) = delete;

 private:
  bool& executing_;
};
// endregion

}  // namespace aio
