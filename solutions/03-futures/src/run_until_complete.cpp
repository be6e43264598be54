#include "aio/run_until_complete.hpp"

#include <stdexcept>

#include "aio/not_implemented.hpp"

namespace aio::detail {

// region: run_until_done
void run_until_done(EventLoop& loop, FutureCore& future) {
  // EXERCISE 3.4: run_until_complete
  // Refuse a future of another loop (std::invalid_argument) and a loop that is already
  // running (std::runtime_error). Give the future a done callback that stops the loop, run the
  // loop forever, and take the callback off again, even if the run throws. If the loop came
  // back while the future is still pending, somebody else stopped it: std::runtime_error.
  if (&future.get_loop() != &loop) {
    throw std::invalid_argument("The future belongs to a different loop than the one specified");
  }
  if (loop.is_running()) throw std::runtime_error("This event loop is already running");
  const CallbackId stopper =
      future.add_done_callback([&loop](FutureCore&) { loop.stop(); }, "run_until_complete");
  try {
    loop.run_forever();
  } catch (...) {
    future.remove_done_callback(stopper);
    throw;
  }
  future.remove_done_callback(stopper);
  if (!future.done()) throw std::runtime_error("Event loop stopped before Future completed.");
  // END EXERCISE
}
// endregion

}  // namespace aio::detail
