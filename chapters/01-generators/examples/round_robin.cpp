// Tour 3: a round-robin scheduler takes turns among four countdowns; one of them fails midway.
//
// Each job is a generator that does one step of work, then gives the processor back with
// `co_yield aio::next_turn`. aio::RoundRobin resumes the job at the front of its queue and puts
// it at the back: the countdowns advance in turns although no thread is involved. The job
// "delta" throws on its third turn: the scheduler reports it, drops it, and the others go on.
// Every turn prints exactly one line.

#include <fmt/format.h>

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aio/round_robin.hpp"

namespace {

std::size_t lines_printed = 0;

void say(std::string_view job, std::string_view what) {
  ++lines_printed;
  fmt::print("turn {:>2}  {:<8} {}\n", lines_printed, job, what);
}

// Counts down from `from`, one number a turn, then lifts off.
aio::Job countdown(std::string name, int from) {
  for (int n = from; n > 0; --n) {
    say(name, std::to_string(n));
    co_yield aio::next_turn;
  }
  say(name, "liftoff!");
}

// Counts down like the others, but throws instead of showing `fails_at`.
aio::Job faulty_countdown(std::string name, int from, int fails_at) {
  for (int n = from; n > 0; --n) {
    if (n == fails_at) throw std::runtime_error(fmt::format("engine stalled at {}", n));
    say(name, std::to_string(n));
    co_yield aio::next_turn;
  }
  say(name, "liftoff!");
}

// The scheduler calls this for a job that threw; it prints on stdout, as the jobs do.
void report(const std::string& job, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    say(job, fmt::format("FAILED: {} (the job leaves, the others go on)", e.what()));
  }
}

}  // namespace

int main() {
  aio::RoundRobin scheduler(report);
  scheduler.spawn("alpha", countdown("alpha", 3));
  scheduler.spawn("bravo", countdown("bravo", 5));
  scheduler.spawn("charlie", countdown("charlie", 2));
  scheduler.spawn("delta", faulty_countdown("delta", 4, 2));
  fmt::print("4 jobs spawned; nothing has run yet ({} lines printed)\n\n", lines_printed);

  const std::size_t turns = scheduler.run();

  fmt::print("\nrun() returned after {} turns; jobs left: {}\n", turns, scheduler.size());
  return turns == lines_printed ? 0 : 1;
}
