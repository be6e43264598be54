// Tour 3: the same program, 2: a Deferred chain: the steps in a row, one errback for any failure.
//
// The program of callback_hell.cpp (wait 0.2 s, square a number, wait 0.2 s, print), written
// as Twisted writes it. A Deferred is a chain of steps and one result that runs down it: each
// add_callback step takes the result of the step before and returns the next one, so the steps
// sit in a row instead of nesting. A step that returns a Deferred (the second wait) pauses the
// chain until that Deferred fires. A step that throws turns the result into a Failure, which
// skips every callback down to the next errback: one errback at the end handles a failure of
// any step. run_until_complete() takes a Future: as_future() gives one that the chain
// completes.
//
// Usage: deferred_chain [--fail]    --fail: square -7, which the compute step refuses

#include <fmt/format.h>

#include <any>
#include <stdexcept>
#include <string_view>

#include "aio/futures.hpp"

namespace {

constexpr double kWait = 0.2;  // seconds, each of the two waits

// The compute step. It refuses negative numbers, so that each style shows its error path.
int square(int n) {
  if (n < 0) throw std::domain_error(fmt::format("square({}): no negative numbers, please", n));
  return n * n;
}

// Twisted's task.deferLater(reactor, delay, ...): a Deferred that fires with `result` once
// `delay` seconds have passed.
aio::Deferred defer_later(aio::EventLoop& loop, double delay, std::any result) {
  aio::Deferred deferred(loop);
  loop.call_later(delay, [deferred, result] { deferred.callback(result); });
  return deferred;
}

// region: program
aio::Deferred square_slowly(aio::EventLoop& loop, int n) {
  aio::Deferred steps = defer_later(loop, kWait, n);
  steps.add_callback<int>(square)
      .add_callback<int>([&loop](int squared) { return defer_later(loop, kWait, squared); })
      .add_callback<int>([n](int squared) { fmt::print("{} squared is {}\n", n, squared); })
      .add_errback(
          [](const aio::Failure& failure) { fmt::print("error: {}\n", failure.message()); });
  return steps;
}
// endregion

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 && std::string_view(argv[1]) == "--fail" ? -7 : 7;
  aio::EventLoop loop;  // before the Deferreds and futures: the loop must outlive them
  const double start = loop.time();
  fmt::print("square {} in three steps: wait {}s, compute, wait {}s\n", n, kWait, kWait);

  // The errback has handled any failure, so the chain ends with an empty result (Python's
  // None) in both cases: a Future<void>.
  aio::run_until_complete(loop, aio::as_future<void>(square_slowly(loop, n), loop));

  fmt::print("finished after {:.1f}s\n", loop.time() - start);
  return 0;
}
