// Tour 4: three countdowns interleave on one thread; gather collects their results in a tuple.
//
// Each countdown is a loop of print and sleep: "A: 3", "A: 2", ... then "A: liftoff". Three of
// them, with different periods, run at the same time under gather: their lines interleave in
// the order of the loop's timers, while each countdown's own lines stay in order. gather gives
// back what each one returned, as a std::tuple in argument order (here the number of ticks it
// counted), which a structured binding unpacks.
// Then the same with one countdown that fails halfway, and aio::return_exceptions: instead of
// the first error coming out of the co_await, gather waits for every countdown and gives one
// aio::Outcome per child, a value or the exception that took its place. The others are not
// disturbed by the failure: they count down to their end.
//
// Usage: countdowns_gather [--fast]    --fast: every period ten times shorter

#include <fmt/format.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
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

constexpr int kNoFailure = -1;

// region: program
// Counts down from `from`, one tick every `period` seconds; returns the ticks counted. With
// `fail_at`, the engine fails when the count reaches it.
aio::Coroutine<int> countdown(std::string name, int from, double period, int fail_at = kNoFailure) {
  int ticks = 0;
  for (int n = from; n > 0; --n) {
    if (n == fail_at) {
      say("{}: engine failure at {}!", name, n);
      throw std::runtime_error(name + ": engine failure at " + std::to_string(n));
    }
    say("{}: {}", name, n);
    ++ticks;
    co_await aio::sleep(period * scale);
  }
  say("{}: liftoff", name);
  co_return ticks;
}

// What one child of gather(aio::return_exceptions, ...) ended with, in words.
std::string describe(aio::Outcome<int>& outcome) {
  if (outcome.has_value()) return fmt::format("{} ticks", outcome.value());
  try {
    std::rethrow_exception(outcome.exception());
  } catch (const std::exception& error) {
    return fmt::format("failed: {}", error.what());
  }
}

aio::Coroutine<bool> amain() {
  fmt::print("-- 1. gather: three countdowns at once\n");
  const auto [a, b, c] =
      co_await aio::gather(countdown("A", 3, 0.3), countdown("B", 2, 0.5), countdown("C", 4, 0.35));
  say("gather: A {} ticks, B {} ticks, C {} ticks", a, b, c);

  fmt::print("-- 2. gather(aio::return_exceptions): one countdown fails\n");
  auto [x, y, z] = co_await aio::gather(aio::return_exceptions, countdown("X", 3, 0.3),
                                        countdown("Y", 4, 0.2, 2), countdown("Z", 2, 0.5));
  say("gather: X {}; Y {}; Z {}", describe(x), describe(y), describe(z));
  co_return a == 3 && b == 2 && c == 4 && x.has_value() && !y.has_value() && z.has_value();
}
// endregion

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--fast") scale = 0.1;
  return aio::run(amain()) ? 0 : 1;
}
