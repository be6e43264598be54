// Tour 2: take_your_time as a Task: create_task, a done callback, co_await; then one cancelled.
//
// Chapter 03's take_your_time took a future and completed it by hand. The source articles then
// show it the easier way: a coroutine that sleeps and returns 42, wrapped in a Task. A task is
// a Future whose result is the coroutine's return value, so everything chapter 03 did with a
// future works on it: done(), a done callback, awaiting it. create_task() schedules the
// coroutine's first step (call_soon) and returns at once; main() goes on, then awaits the task.
// When the coroutine returns, the task is done: its done callbacks run in the next iteration,
// ours first (it was added first), then the one that wakes main(), and `co_await task` gives 42.
// Then a second task, cancelled halfway through its sleep: cancel() is a request, delivered as
// aio::CancelledError at the co_await where the coroutine waits. It may clean up (here it
// prints) and must let the exception go on; the task then ends cancelled, and whoever awaits
// it gets the CancelledError.
//
// Usage: take_your_time_task [--fast]    --fast: every delay ten times shorter

#include <fmt/format.h>

#include <string_view>
#include <utility>

#include "aio/asyncio.hpp"

namespace {

double scale = 1.0;  // --fast: 0.1

// The loop's time since the first line: absolute loop times mean nothing to a reader.
double elapsed() {
  static const double start = aio::get_running_loop().time();
  return aio::get_running_loop().time() - start;
}

template <class... Args>
void say(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print("t={:.3f}s  {}\n", elapsed(), fmt::format(format, std::forward<Args>(args)...));
}

// region: program
aio::Coroutine<int> take_your_time() {
  say("take_your_time: sleeps {:.1f}s", 1.0 * scale);
  try {
    co_await aio::sleep(1.0 * scale);
  } catch (const aio::CancelledError& error) {
    say("take_your_time: cancelled in its sleep (\"{}\"); cleans up, lets it go on",
        error.message());
    throw;  // swallowing it would turn the cancellation into a normal end
  }
  say("take_your_time: returns 42");
  co_return 42;
}

aio::Coroutine<bool> amain() {
  fmt::print("-- 1. a task that finishes\n");
  const aio::Task<int> task = aio::create_task(take_your_time());
  task.add_done_callback(
      [](const aio::Future<int>& done) { say("done callback: the task holds {}", done.result()); });
  say("main: task created, done() = {}; co_await task...", task.done());
  const int result = co_await task;
  say("main: co_await task gave {}", result);

  fmt::print("-- 2. a task that is cancelled\n");
  const aio::Task<int> unwanted = aio::create_task(take_your_time());
  co_await aio::sleep(0.5 * scale);
  say("main: unwanted.cancel(\"not needed after all\") = {}",
      unwanted.cancel("not needed after all"));
  say("main: right after cancel(): done() = {}", unwanted.done());
  bool cancelled = false;
  try {
    co_await unwanted;
  } catch (const aio::CancelledError& error) {
    say("main: co_await threw aio::CancelledError: {}", error.message());
    cancelled = true;
  }
  say("main: cancelled() = {}", unwanted.cancelled());
  const bool as_expected = result == 42 && cancelled && unwanted.cancelled();
  co_return as_expected;
}
// endregion

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--fast") scale = 0.1;
  return aio::run(amain()) ? 0 : 1;
}
