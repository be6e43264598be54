#include "aio/clock.hpp"

#include <cmath>
#include <ctime>
#include <stdexcept>

namespace aio {

double MonotonicClock::now() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void ManualClock::advance(double seconds) {
  if (!(seconds >= 0)) {  // also refuses NaN
    throw std::invalid_argument("ManualClock::advance: time only moves forward");
  }
  now_ += seconds;
}

// region: wait_budget
double ManualClock::wait_budget(double timeout) {
  if (auto_advance_ && timeout > 0) now_ += timeout;
  return 0;  // never block: a manual clock would make the wait last forever
}
// endregion

}  // namespace aio
