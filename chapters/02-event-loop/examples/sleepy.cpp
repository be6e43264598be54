// Tour 1: four sleepers start together; the loop wakes each one with call_later, shortest first.
//
// A blocking sleep stops the whole thread: four sleeps of 0.2 + 0.3 + 0.4 + 0.6 s one after the
// other would take 1.5 s. Here a sleeper does not sleep at all. It says "wake me in d seconds"
// (loop.call_later) and returns at once; the loop keeps the wake-ups in its timer heap and waits
// in its selector only until the earliest one is due. The four delays then overlap: every
// sleeper wakes after its own delay, in order of the delays, and the whole run lasts as long as
// the longest delay, not their sum. Each line shows the time since the start.

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "aio/event_loop.hpp"

namespace {

struct Sleeper {
  std::string name;
  double delay;  // seconds
};

}  // namespace

int main() {
  aio::EventLoop loop;
  const double start = loop.time();
  // Time since the start, for every line: absolute loop times mean nothing to a reader.
  auto elapsed = [&] { return loop.time() - start; };

  // Listed in no particular order: the loop, not this list, decides who wakes first.
  const std::vector<Sleeper> sleepers = {
      {"sleeper C", 0.4}, {"sleeper A", 0.2}, {"sleeper D", 0.6}, {"sleeper B", 0.3}};

  std::size_t awake = 0;
  double sum_of_delays = 0;
  double longest = 0;
  for (const Sleeper& sleeper : sleepers) {
    sum_of_delays += sleeper.delay;
    longest = std::max(longest, sleeper.delay);
    fmt::print("t={:.3f}s  {} goes to sleep for {:.1f}s\n", elapsed(), sleeper.name, sleeper.delay);
    // The "rest of the sleeper" after its sleep is this callback: it runs once the delay is
    // over. Nothing blocks here; the loop has not even started yet.
    loop.call_later(sleeper.delay, [&, sleeper] {
      fmt::print("t={:.3f}s  {} wakes up (asked for {:.1f}s)\n", elapsed(), sleeper.name,
                 sleeper.delay);
      // The last one to wake ends the program: nothing else is left to wait for.
      if (++awake == sleepers.size()) loop.stop();
    });
  }

  fmt::print("all {} asleep; run_forever() starts\n", sleepers.size());
  loop.run_forever();

  const double total = elapsed();
  fmt::print("\ntotal {:.3f}s: the longest delay is {:.1f}s, the sum of the delays {:.1f}s\n",
             total, longest, sum_of_delays);
  return awake == sleepers.size() ? 0 : 1;
}
