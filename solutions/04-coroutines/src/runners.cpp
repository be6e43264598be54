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
  if (loop.is_closed()) return;
  std::vector<AnyTask> left = all_tasks(loop);
  // Shared, not a local captured by reference: the callbacks may outlive this call (a run that
  // throws, then a second shut_down).
  auto pending = std::make_shared<std::size_t>(left.size());
  for (const AnyTask& task : left) {
    task.cancel();
    task.core()->add_done_callback(
        [&loop, pending](FutureCore&) {
          if (--*pending == 0) loop.stop();
        },
        "asyncio.run shutdown");
  }
  if (*pending > 0) loop.run_forever();
  for (const AnyTask& task : left) {
    if (!task.done() || task.cancelled()) continue;
    if (const std::exception_ptr error = task.exception()) {
      loop.call_exception_handler(
          {"unhandled exception during asyncio.run() shutdown (task " + task.get_name() + ")",
           error, nullptr});
    }
  }
  loop.close();
  // END EXERCISE
}
// endregion

}  // namespace aio::detail
