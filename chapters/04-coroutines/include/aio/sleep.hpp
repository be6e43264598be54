// aio::sleep: a coroutine that waits on the loop's timers.
#pragma once

#include "aio/coroutine.hpp"
#include "aio/task.hpp"

namespace aio {

// asyncio.sleep(delay). Suspends the task for `delay` seconds of the loop's clock, with a
// future that a call_later completes. sleep(0) (or less) is one trip through the loop: it
// lets the other ready tasks run, as a bare `yield` does in asyncio. NaN is
// std::invalid_argument. Cancelling the task cancels the sleep and its timer.
Coroutine<void> sleep(double delay);

}  // namespace aio
