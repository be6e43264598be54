#include "aio/sleep.hpp"

#include <cmath>
#include <stdexcept>

namespace aio {

// region: sleep
Coroutine<void> sleep(double delay) {
  if (std::isnan(delay)) throw std::invalid_argument("sleep: the delay is NaN");
  if (delay <= 0) {
    co_await detail::YieldAwaiter{};
    co_return;
  }
  EventLoop& loop = get_running_loop();
  const Future<void> woken(loop);
  const TimerHandlePtr timer = loop.call_later(
      delay,
      [woken] {
        if (!woken.done()) woken.set_result();
      },
      "sleep");
  try {
    co_await woken;
  } catch (...) {
    timer->cancel();  // cancelled: the timer must not keep the future (and the loop) busy
    throw;
  }
}
// endregion

}  // namespace aio
