// The exceptions of asyncio (asyncio.exceptions), and Twisted's AlreadyCalledError.
#pragma once

#include <stdexcept>
#include <string>

namespace aio {

// region: cancelled_error
// asyncio.CancelledError: what result() throws for a cancelled future, with the message given
// to cancel(msg).
// Python 3.8 made CancelledError a BaseException so that `except Exception:` would not swallow
// a cancellation. C++ has no such split that everyone respects: this derives from
// std::exception, so `catch (const std::exception&)` does catch it. Catch it first and rethrow
// it when you mean to handle only errors (chapter 04 comes back to this).
class CancelledError : public std::exception {
 public:
  explicit CancelledError(std::string message = {}) : message_(std::move(message)) {}
  const char* what() const noexcept override {
    return message_.empty() ? "CancelledError" : message_.c_str();
  }
  // The message given to cancel(msg), empty if none.
  const std::string& message() const noexcept { return message_; }

 private:
  std::string message_;
};
// endregion

// asyncio.InvalidStateError: a future asked for something its state does not allow (the result
// of a pending future, a second set_result).
class InvalidStateError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// asyncio.TimeoutError (the builtin TimeoutError since Python 3.11).
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError() : std::runtime_error("TimeoutError") {}
  using std::runtime_error::runtime_error;
};

// twisted.internet.defer.AlreadyCalledError: a Deferred fired a second time.
class AlreadyCalledError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace aio
