// aio::run_in_executor: blocking work on the loop's thread pool, its result in a Future.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "aio/future.hpp"
#include "aio/not_implemented.hpp"

namespace aio {

// region: run_in_executor
// asyncio: loop.run_in_executor(None, fn). Runs fn() on the loop's thread pool and returns a
// future that the loop's own thread completes with what fn returned, or with what it threw.
// A future cancelled meanwhile stays cancelled, but fn still runs to its end: chapter 02's
// pool cannot take back a job, queued or started.
template <class F>
Future<std::invoke_result_t<F&>> run_in_executor(EventLoop& loop, F fn) {
  // EXERCISE 3.8: run_in_executor returns a Future
  // Use loop.run_in_executor(job, done) from chapter 02. The job runs on a worker thread: it
  // must not touch the future (not thread-safe), so it leaves the value in a slot that both
  // sides share. done() runs on the loop's thread: there, complete the future from the slot
  // or with the exception, unless it was cancelled in the meantime.
  throw aio::NotImplemented{"3.8"};
  // END EXERCISE
}
// endregion

}  // namespace aio
