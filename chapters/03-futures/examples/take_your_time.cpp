// Tour 1: a Future, a result not there yet: a timer sets it 1 s later, run_until_complete waits.
//
// The classic first example of an asyncio future, in C++. main() creates a Future<std::string> and
// hands it to take_your_time(), which books a timer (loop.call_later) and returns at once: the
// future is still pending. main() adds a done callback to it and calls run_until_complete(),
// which runs the loop until the future is done. A second later the timer calls set_result().
// That does not run the done callback there and then: it hands it to the loop (call_soon),
// which runs it in its next iteration. run_until_complete()'s own done callback, added after
// ours, runs right after it and stops the loop, and the result comes back to main().
// Then the two other ways a future can end: set_exception(), after which result() (called
// here inside run_until_complete) rethrows the exception, and cancel(), after which it throws
// aio::CancelledError. Done callbacks run in every case.
//
// Usage: take_your_time [--fast]    --fast: every delay ten times shorter

#include <fmt/format.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "aio/futures.hpp"

namespace {

// Prints a line with the time since the start: absolute loop times mean nothing to a reader.
class Say {
 public:
  explicit Say(const aio::EventLoop& loop) : loop_(&loop), start_(loop.time()) {}

  template <class... Args>
  void operator()(fmt::format_string<Args...> format, Args&&... args) const {
    fmt::print("t={:.3f}s  {}\n", loop_->time() - start_,
               fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  const aio::EventLoop* loop_;
  double start_;
};

// The slow operation. It cannot return its result, which is not there yet: it returns at once,
// and the future it was given is how the result reaches whoever waits. `future` is a copy of
// the caller's handle, and so the very same future.
void take_your_time(aio::EventLoop& loop, aio::Future<std::string> future, double delay,
                    const Say& say) {
  say("take_your_time: the result will be there in {:.1f}s", delay);
  loop.call_later(delay, [future, say] {
    say("timer: set_result(\"Future is done!\")");
    future.set_result("Future is done!");
  });
}

}  // namespace

int main(int argc, char** argv) {
  const bool fast = argc > 1 && std::string_view(argv[1]) == "--fast";
  const double scale = fast ? 0.1 : 1.0;
  aio::EventLoop loop;  // before the futures: the loop must outlive them
  const Say say(loop);
  bool as_expected = true;

  fmt::print("-- 1. a result: set_result()\n");
  aio::Future<std::string> future(loop);
  take_your_time(loop, future, 1.0 * scale, say);
  future.add_done_callback([say](const aio::Future<std::string>& done) {
    say("done callback: the future holds \"{}\"", done.result());
  });
  say("done() = {}; run_until_complete(future)...", future.done());
  const std::string result = aio::run_until_complete(loop, future);
  say("run_until_complete returned \"{}\"", result);

  fmt::print("-- 2. an exception: set_exception()\n");
  aio::Future<std::string> failing(loop);
  loop.call_later(0.5 * scale, [failing, say] {
    say("timer: set_exception(std::runtime_error)");
    failing.set_exception(std::make_exception_ptr(std::runtime_error("the operation failed")));
  });
  try {
    aio::run_until_complete(loop, failing);
    as_expected = false;
  } catch (const std::runtime_error& error) {
    // run_until_complete calls result(), which rethrows the stored exception.
    say("run_until_complete threw std::runtime_error: {}", error.what());
  }

  fmt::print("-- 3. no result at all: cancel()\n");
  aio::Future<std::string> unwanted(loop);
  unwanted.add_done_callback([say](const aio::Future<std::string>& done) {
    say("done callback: cancelled() = {}", done.cancelled());
  });
  loop.call_later(0.5 * scale, [unwanted, say] {
    say("timer: cancel(\"nobody waits any more\")");
    unwanted.cancel("nobody waits any more");
  });
  try {
    aio::run_until_complete(loop, unwanted);
    as_expected = false;
  } catch (const aio::CancelledError& error) {
    say("run_until_complete threw aio::CancelledError: {}", error.message());
  }

  return as_expected ? 0 : 1;
}
