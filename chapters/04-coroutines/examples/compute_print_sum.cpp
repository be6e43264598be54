// Tour 1: compute/print_sum: a coroutine awaits another inline, in one task, for one second.
//
// The source articles' first chain of coroutines, in C++. print_sum(1, 2) awaits
// compute(1, 2), which sleeps for a second and returns the sum. `co_await compute(x, y)` makes
// no task and goes through no loop callback: compute runs inside print_sum's task, as a call
// would, and its co_return value is the value of the co_await. What takes time is the sleep:
// aio::sleep books a timer and awaits a future, so the task pauses there, the loop waits for
// the timer, and when it fires the task goes on where it stopped, inside compute, with every
// local variable as it was. aio::run(print_sum(1, 2)) is asyncio.run(print_sum(1, 2)): a loop,
// print_sum as its first task, and the loop closed at the end. Each line shows the loop's time
// since the start and the task that prints it.
//
// Usage: compute_print_sum [--fast]    --fast: sleep 0.1 s instead of 1 s

#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "aio/asyncio.hpp"

namespace {

double compute_delay = 1.0;  // seconds; --fast makes it 0.1

// The loop's time since the first line: absolute loop times mean nothing to a reader.
double elapsed() {
  static const double start = aio::get_running_loop().time();
  return aio::get_running_loop().time() - start;
}

// Which task runs this line: awaiting a coroutine makes no new one.
std::string task_name() {
  const std::optional<aio::AnyTask> task = aio::current_task();
  return task ? task->get_name() : "no task";
}

template <class... Args>
void say(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print("t={:.3f}s  [{}] {}\n", elapsed(), task_name(),
             fmt::format(format, std::forward<Args>(args)...));
}

// region: program
aio::Coroutine<int> compute(int x, int y) {
  say("Compute {} + {} ...", x, y);
  co_await aio::sleep(compute_delay);
  say("compute: slept {:.1f}s, returns {}", compute_delay, x + y);
  co_return x + y;
}

aio::Coroutine<void> print_sum(int x, int y) {
  say("print_sum: awaits compute({}, {})", x, y);
  const int result = co_await compute(x, y);
  say("{} + {} = {}", x, y, result);
}
// endregion

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--fast") compute_delay = 0.1;
  const auto started = std::chrono::steady_clock::now();

  fmt::print("aio::run(print_sum(1, 2))\n");
  // Nothing of print_sum runs here: calling it makes a coroutine, which aio::run wraps in a task.
  aio::run(print_sum(1, 2));

  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  fmt::print("aio::run returned after {:.1f}s: one sleep, one task\n", took.count());
  return 0;
}
