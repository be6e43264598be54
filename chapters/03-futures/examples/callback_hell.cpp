// Tour 2: one program in three styles, 1: nested callbacks that pass every value and error by hand.
//
// The program: wait 0.2 s, compute (square a number), wait 0.2 s again, print the result.
// deferred_chain.cpp and coroutine_preview.cpp write the same program in the other two styles
// and print the same lines.
// Here it is written with chapter 02's tools only. Each step is a callback that the step
// before it books with loop.call_later, so the steps nest one inside the other. What one step
// computes reaches the next only if it is captured by hand into the next lambda. An error
// cannot go up to whoever started the program, who left long ago: the step that may throw
// must catch, report, skip the steps that follow and still say "done", all by hand.
//
// Usage: callback_hell [--fail]    --fail: square -7, which the compute step refuses

#include <fmt/format.h>

#include <exception>
#include <functional>
#include <stdexcept>
#include <string_view>

#include "aio/event_loop.hpp"

namespace {

constexpr double kWait = 0.2;  // seconds, each of the two waits

// The compute step. It refuses negative numbers, so that each style shows its error path.
int square(int n) {
  if (n < 0) throw std::domain_error(fmt::format("square({}): no negative numbers, please", n));
  return n * n;
}

// region: program
void square_slowly(aio::EventLoop& loop, int n, std::function<void()> done) {
  loop.call_later(kWait, [&loop, n, done] {
    int squared = 0;
    try {
      squared = square(n);
    } catch (const std::exception& error) {
      fmt::print("error: {}\n", error.what());
      done();
      return;
    }
    loop.call_later(kWait, [n, squared, done] {
      fmt::print("{} squared is {}\n", n, squared);
      done();
    });
  });
}
// endregion

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 && std::string_view(argv[1]) == "--fail" ? -7 : 7;
  aio::EventLoop loop;
  const double start = loop.time();
  fmt::print("square {} in three steps: wait {}s, compute, wait {}s\n", n, kWait, kWait);

  // Nothing tells the loop when the program is over: the program's last step must say so.
  square_slowly(loop, n, [&loop] { loop.stop(); });
  loop.run_forever();

  fmt::print("finished after {:.1f}s\n", loop.time() - start);
  return 0;
}
