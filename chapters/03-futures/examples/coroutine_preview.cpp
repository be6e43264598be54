// Tour 4: the same program, 3: a coroutine reads top to bottom; a preview of chapter 04.
//
// The program of callback_hell.cpp (wait 0.2 s, square a number, wait 0.2 s, print), written
// the way asyncio began in Python 3.4, before async/await: a coroutine was a generator that
// yields the futures it waits for (`yield from asyncio.sleep(0.2)`), and a Task drove it.
// Here the generator is chapter 01's SendGenerator and the Task, some thirty lines, is below.
// The Task runs the body up to its next co_yield and takes the future it yields; when that
// future is done, it sends the result back in (or throws the exception in, at the co_yield)
// and runs the body again. So the body waits without blocking and still reads as sequential
// code: its values stay in local variables across the waits, and an ordinary try/catch
// handles a failure of any step. Chapter 04 builds this properly, with co_await.
//
// Usage: coroutine_preview [--fail]    --fail: square -7, which the compute step refuses

#include <fmt/format.h>

#include <any>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "aio/futures.hpp"
#include "aio/send_generator.hpp"

namespace {

// ---- the driver: Python 3.4's @asyncio.coroutine and Task, in short --------------------------

// A coroutine yields the futures it waits for and receives their results. A generator yields
// one type only, so every result travels as a std::any, as untyped as Python's (chapter 04's
// co_await gives each wait its own type).
using Coroutine = aio::SendGenerator<aio::Future<std::any>, std::any>;

// asyncio.sleep(delay): a future that the loop completes `delay` seconds from now.
aio::Future<std::any> sleep(aio::EventLoop& loop, double delay) {
  aio::Future<std::any> future(loop);
  loop.call_later(delay, [future] {
    if (!future.done()) future.set_result({});  // unless it was cancelled meanwhile
  });
  return future;
}

// asyncio.Task (its _step and _wakeup): steps the coroutine each time the future it waits for
// is done. The done callbacks keep the task alive; `finished` is done when the body is.
class Task : public std::enable_shared_from_this<Task> {
 public:
  Task(aio::EventLoop& loop, Coroutine coroutine)
      : coroutine_(std::move(coroutine)), finished_(loop) {}

  // Starts the coroutine in the loop's next iteration, as asyncio's Task does.
  static aio::Future<void> start(aio::EventLoop& loop, Coroutine coroutine) {
    auto task = std::make_shared<Task>(loop, std::move(coroutine));
    loop.call_soon([task] { task->step({}, nullptr); });
    return task->finished_;
  }

 private:
  // Resumes the body with the last result or error; it runs up to its next co_yield.
  void step(std::any result, std::exception_ptr error) {
    std::optional<aio::Future<std::any>> awaited;
    try {
      if (error) {
        awaited = coroutine_.throw_into(error);
      } else {
        awaited = coroutine_.started() ? coroutine_.send(std::move(result)) : coroutine_.next();
      }
    } catch (...) {
      finished_.set_exception(std::current_exception());  // escaped the body
      return;
    }
    if (!awaited) {
      finished_.set_result();  // the body has returned
      return;
    }
    awaited->add_done_callback([self = shared_from_this()](const aio::Future<std::any>& done) {
      std::any value;
      std::exception_ptr failure;
      try {
        value = done.result();
      } catch (...) {
        failure = std::current_exception();
      }
      self->step(std::move(value), failure);
    });
  }

  Coroutine coroutine_;
  aio::Future<void> finished_;
};

// ---- the program -----------------------------------------------------------------------------

constexpr double kWait = 0.2;  // seconds, each of the two waits

// The compute step. It refuses negative numbers, so that each style shows its error path.
int square(int n) {
  if (n < 0) throw std::domain_error(fmt::format("square({}): no negative numbers, please", n));
  return n * n;
}

// region: program
Coroutine square_slowly(aio::EventLoop& loop, int n) {
  try {
    co_yield sleep(loop, kWait);
    const int squared = square(n);
    co_yield sleep(loop, kWait);
    fmt::print("{} squared is {}\n", n, squared);
  } catch (const std::exception& error) {
    fmt::print("error: {}\n", error.what());
  }
}
// endregion

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 && std::string_view(argv[1]) == "--fail" ? -7 : 7;
  aio::EventLoop loop;  // before the futures: the loop must outlive them
  const double start = loop.time();
  fmt::print("square {} in three steps: wait {}s, compute, wait {}s\n", n, kWait, kWait);

  // Calling square_slowly() runs none of its body: the Task does, once the loop runs.
  aio::run_until_complete(loop, Task::start(loop, square_slowly(loop, n)));

  fmt::print("finished after {:.1f}s\n", loop.time() - start);
  return 0;
}
