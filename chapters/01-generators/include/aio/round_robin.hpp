// aio::RoundRobin: a scheduler of generators, the idea of an event loop before there is any I/O.
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <string>

#include "aio/generator.hpp"

namespace aio {

// region: job
// What a job yields to give up the processor: `co_yield aio::next_turn;`
struct Turn {};
inline constexpr Turn next_turn{};

// A job is a generator that runs until it yields, then waits for its next turn.
using Job = Generator<Turn>;
// endregion

// region: round_robin
// Runs jobs in turns, first come first served: each turn resumes one job until it yields,
// then sends it to the back of the queue. A job that finishes leaves; a job that throws
// is reported and leaves; the others go on. No job can be interrupted: a job that never
// yields keeps the processor (cooperative multitasking, as in asyncio).
class RoundRobin {
 public:
  // Called with the name of a job that failed and what escaped it.
  using ErrorReporter = std::function<void(const std::string& job, std::exception_ptr error)>;

  // The default reporter prints one line on stderr: job 'name' failed: what().
  RoundRobin();
  explicit RoundRobin(ErrorReporter report);

  // Adds a job at the back of the queue (asyncio: loop.create_task). Nothing runs yet.
  // A job may spawn others while it runs: they take their turn after the jobs already queued.
  void spawn(std::string name, Job job);

  // Gives one turn to the job at the front. Returns false if there was no job to run.
  bool run_once();

  // Gives turns until every job has finished (asyncio: run_until_complete). Returns how many turns.
  std::size_t run();

  // Jobs that have not finished.
  std::size_t size() const noexcept { return ready_.size(); }

 private:
  struct Entry {
    std::string name;
    Job job;
    Job::iterator position;  // where the job is parked; empty before its first turn
    bool started = false;
  };

  std::deque<Entry> ready_;
  ErrorReporter report_;
};
// endregion

}  // namespace aio
