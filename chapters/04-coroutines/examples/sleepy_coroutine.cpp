// Tour 3: chapter 02's four sleepers as coroutines: gather runs them together, longest wins.
//
// Chapter 02's sleepy.cpp booked four call_later callbacks, and "the rest of the sleeper"
// after its sleep had to be a separate callback. Here each sleeper is one coroutine that reads
// top to bottom, as the source articles' sleepy() does: print, `co_await aio::sleep(delay)`,
// print. gather() wraps the four in tasks, so they all start in the loop's next iteration and
// sleep at the same time; the loop wakes each one when its timer is due, shortest first,
// whatever order they were listed in. gather's result is the tuple of their results, in
// argument order, not in the order they woke. The whole gather takes as long as the longest
// sleep, not the sum of the four. Each line shows the time since the start.

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>

#include "aio/asyncio.hpp"

namespace {

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
// The name by value: a coroutine keeps its parameters in its frame, a reference could dangle.
aio::Coroutine<double> sleepy(std::string name, double delay) {
  say("{}: before sleep ({:.1f}s)", name, delay);
  co_await aio::sleep(delay);
  say("{}: after sleep", name);
  co_return elapsed();
}

aio::Coroutine<bool> amain() {
  // Listed in no particular order: the loop, not this list, decides who wakes first.
  const auto [c, a, d, b] =
      co_await aio::gather(sleepy("sleeper C", 0.4), sleepy("sleeper A", 0.2),
                           sleepy("sleeper D", 0.6), sleepy("sleeper B", 0.3));
  say("gather: woke at C {:.3f}s, A {:.3f}s, D {:.3f}s, B {:.3f}s (argument order)", c, a, d, b);
  const double total = elapsed();
  say("total {:.3f}s: the longest sleep is 0.6s, the sum of the sleeps 1.5s", total);
  const bool shortest_first_longest_total = a <= b && b <= c && c <= d && total >= 0.6;
  co_return shortest_first_longest_total;
}
// endregion

}  // namespace

int main() {
  return aio::run(amain()) ? 0 : 1;
}
