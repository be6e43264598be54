// aio::run_until_complete: run the loop until one future is done.
#pragma once

#include <type_traits>
#include <utility>

#include "aio/future.hpp"

namespace aio {

namespace detail {
// Runs `loop` until `future` is done. The checks and the loop run of run_until_complete().
void run_until_done(EventLoop& loop, FutureCore& future);
}  // namespace detail

// region: run_until_complete
// asyncio: loop.run_until_complete(future). Runs the loop until the future is done, then
// returns its result (a copy; a move-only result is moved out) or throws its exception.
// std::invalid_argument if the future belongs to another loop; std::runtime_error if the loop
// is already running, or if it stops (loop.stop()) before the future is done.
template <class T>
T run_until_complete(EventLoop& loop, const Future<T>& future) {
  detail::run_until_done(loop, *future.core());
  if constexpr (std::is_void_v<T>) {
    future.result();
  } else {
    return detail::hand_on(future.result());
  }
}
// endregion

}  // namespace aio
