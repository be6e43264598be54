// Tour 2: the loop that stops itself: a ticker ticks every 0.1 s until a stopper timer stops it.
//
// run_forever() really runs forever: it returns only when some callback calls loop.stop().
// Here two callbacks share the loop. tick() prints a line and schedules itself again 0.1 s
// later, so it would go on without end; stopper(), scheduled once with call_later(0.55, ...),
// calls loop.stop(). The iteration in which stop() is called finishes, then run_forever()
// returns: the tick that was due next is still in the timer heap, and never runs.

#include <fmt/format.h>

#include "aio/event_loop.hpp"

namespace {

constexpr double kTickEvery = 0.1;   // seconds between ticks
constexpr double kStopAfter = 0.55;  // between the 5th and the 6th tick

struct Ticker {
  aio::EventLoop& loop;
  double start;
  int ticks = 0;

  // One tick, then the next one booked: a callback that keeps itself alive by rescheduling.
  // call_at(start + n * 0.1) rather than call_later(0.1): each wake-up comes a little late, and
  // with call_later the lateness would add up from tick to tick; an absolute time does not drift.
  void tick() {
    ++ticks;
    fmt::print("t={:.3f}s  tick {}\n", loop.time() - start, ticks);
    loop.call_at(start + ticks * kTickEvery, [this] { tick(); });
  }
};

// The callback that ends the run, as asyncio's call_later(delay, stopper, loop).
void stopper(aio::EventLoop& loop, double start) {
  fmt::print("t={:.3f}s  stopper: loop.stop()\n", loop.time() - start);
  loop.stop();
}

}  // namespace

int main() {
  aio::EventLoop loop;
  const double start = loop.time();
  Ticker ticker{loop, start};

  // The first tick as soon as the loop runs, then every kTickEvery seconds.
  loop.call_soon([&] { ticker.tick(); });
  loop.call_later(kStopAfter, [&] { stopper(loop, start); });

  fmt::print("run_forever()...\n");
  loop.run_forever();
  fmt::print("run_forever() returned after {} ticks; {} timer(s) still scheduled\n", ticker.ticks,
             loop.timers().size());
  // Ticks at 0.0, 0.1, ..., 0.5: six of them before the stop at 0.55.
  return ticker.ticks == 6 ? 0 : 1;
}
