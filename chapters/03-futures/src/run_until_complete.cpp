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
  throw aio::NotImplemented{"3.4"};
  // END EXERCISE
}
// endregion

}  // namespace aio::detail
