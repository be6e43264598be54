// aio::run: asyncio.run(main()), the entry point of an asyncio program.
#pragma once

#include <type_traits>
#include <utility>

#include "aio/coroutine.hpp"
#include "aio/run_until_complete.hpp"
#include "aio/task.hpp"

namespace aio {

// How aio::run makes its loop (asyncio.run's debug=; the rest as EventLoop::Options).
using RunOptions = EventLoop::Options;

namespace detail {
// Fails if a loop already runs in this thread (asyncio.run cannot nest).
void check_no_running_loop();
// The end of asyncio.run: cancel the tasks still pending, run the loop until they are done,
// report those that ended with an exception, then close the loop.
void shut_down(EventLoop& loop);
}  // namespace detail

// region: run
// asyncio.run(main). A new loop; `main` runs as its first task until it is done; the tasks it left
// behind are cancelled and awaited; the loop is closed, which stops its executor taking jobs, and
// run() returns only once the jobs still running have ended (the loop's destructor waits for them;
// unlike asyncio, which runs the loop meanwhile, their results are dropped: no task is left to take
// them). Returns what `main` returned or rethrows what it threw. std::runtime_error when called
// where a loop is already running ("asyncio.run() cannot be called from a running event loop").
template <class T>
T run(Coroutine<T> main, RunOptions options = {}) {
  detail::check_no_running_loop();
  EventLoop loop(std::move(options));
  Task<T> task = create_task(loop, std::move(main));
  try {
    if constexpr (std::is_void_v<T>) {
      run_until_complete(loop, static_cast<const Future<T>&>(task));
      detail::shut_down(loop);
    } else {
      T result = run_until_complete(loop, static_cast<const Future<T>&>(task));
      detail::shut_down(loop);
      return result;
    }
  } catch (...) {
    detail::shut_down(loop);
    throw;
  }
}
// endregion

}  // namespace aio
