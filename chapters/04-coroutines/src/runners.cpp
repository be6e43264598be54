#include "aio/runners.hpp"

#include <stdexcept>

#include "aio/not_implemented.hpp"

namespace aio::detail {

void check_no_running_loop() {
  bool running = true;
  try {
    get_running_loop();
  } catch (const std::runtime_error&) {
    running = false;
  }
  if (running) throw std::runtime_error("asyncio.run() cannot be called from a running event loop");
}

// region: shut_down
void shut_down(EventLoop& loop) {
  // EXERCISE 4.7: aio::run
  // asyncio's _cancel_all_tasks: cancel every task of the loop that is not done, then run the
  // loop until each is done (a done callback counts them down, the last stops the loop). A
  // task that ended with an exception other than CancelledError goes to the exception handler
  // ("unhandled exception during asyncio.run() shutdown"). Then close the loop.
  throw aio::NotImplemented{"4.7"};
  // END EXERCISE
}
// endregion

}  // namespace aio::detail
