#include "aio/round_robin.hpp"
#include "aio/not_implemented.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <utility>

namespace aio {

namespace {

void print_error(const std::string& job, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    fmt::print(stderr, "job '{}' failed: {}\n", job, e.what());
  } catch (...) {
    fmt::print(stderr, "job '{}' failed with an exception that is not a std::exception\n", job);
  }
}

}  // namespace

RoundRobin::RoundRobin() : RoundRobin(print_error) {}

RoundRobin::RoundRobin(ErrorReporter report) : report_(std::move(report)) {}

void RoundRobin::spawn(std::string name, Job job) {
  ready_.push_back(Entry{std::move(name), std::move(job), {}, false});
}

// region: run_once
bool RoundRobin::run_once() {
  // EXERCISE 1.5: one turn of the round-robin scheduler
  // Give one turn to the job at the front of the queue.
  // Take the front entry out of the queue first (the job may spawn others while it runs).
  // Its first turn starts it with begin(); later turns resume it with ++position.
  // Not finished: back of the queue. Finished: it leaves. Threw: report_(name, error), it leaves.
  throw aio::NotImplemented{"1.5"};
  // END EXERCISE
}
// endregion

std::size_t RoundRobin::run() {
  std::size_t turns = 0;
  while (run_once()) ++turns;
  return turns;
}

}  // namespace aio
