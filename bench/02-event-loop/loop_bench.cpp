// What the event loop's machinery costs: dispatching callbacks, timers, waiting on many fds.
//
//   BM_CallSoon_Batch/batch:N      N callbacks scheduled, then one run_once() runs them all
//   BM_CallSoon_Chain              each callback schedules the next: one iteration each
//   BM_Timers_ScheduleAndFire/timers:T  T timers at random times, then all fired at once
//                                  (ManualClock: no real waiting, only the heap's work); at
//                                  1,000,000 the heap outgrows the caches and each comparison,
//                                  which reads two timers through their pointers, is a miss
//   BM_Timers_ScheduleCancel/live:L a timer scheduled and cancelled at once (a timeout that was
//                                  not needed), with L other timers pending in the heap
//   BM_RunOnce_IdleFds/SEL/idle:I  one run_once() with I idle fds registered and 1 ready,
//                                  for SEL = poll and epoll
//
// The counters per_callback, per_timer and per_iteration are the figures to compare. A batch
// pays the selector call (a syscall) once for N callbacks; a chain pays it for each one.
// poll(2) hands the kernel the whole list of fds on every call, so its cost grows with the
// idle fds; epoll(7) keeps the list in the kernel and reports only the ready ones.

#include <benchmark/benchmark.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "aio/event_loop.hpp"

namespace {

void report_per(benchmark::State& state, const char* counter, std::int64_t per_iteration) {
  state.SetItemsProcessed(state.iterations() * per_iteration);
  state.counters[counter] = benchmark::Counter(
      static_cast<double>(per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// A loop on a manual clock: timers fire when the benchmark says, never after a real wait.
struct ManualLoop {
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  std::unique_ptr<aio::EventLoop> loop;
  ManualLoop() {
    aio::EventLoop::Options options;
    options.clock = clock;
    loop = std::make_unique<aio::EventLoop>(std::move(options));
  }
};

// ---- call_soon --------------------------------------------------------------------------------

void BM_CallSoon_Batch(benchmark::State& state) {
  const auto batch = static_cast<int>(state.range(0));
  ManualLoop manual;
  aio::EventLoop& loop = *manual.loop;
  std::int64_t ran = 0;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) loop.call_soon([&ran] { ++ran; });
    loop.run_once();
  }
  benchmark::DoNotOptimize(ran);
  report_per(state, "per_callback", batch);
}
BENCHMARK(BM_CallSoon_Batch)->ArgName("batch")->Arg(1)->Arg(100)->Arg(10'000);

// A callback that schedules the next one: what a chain of small steps (or a coroutine that
// yields to the loop again and again) costs. Each link is one iteration of the loop.
struct Chain {
  aio::EventLoop& loop;
  int left = 0;
  void step() {
    if (--left > 0) {
      loop.call_soon([this] { step(); });
    } else {
      loop.stop();
    }
  }
};

void BM_CallSoon_Chain(benchmark::State& state) {
  constexpr int kLinks = 10'000;
  ManualLoop manual;
  Chain chain{*manual.loop};
  for (auto _ : state) {
    chain.left = kLinks;
    manual.loop->call_soon([&chain] { chain.step(); });
    manual.loop->run_forever();
  }
  report_per(state, "per_callback", kLinks);
}
BENCHMARK(BM_CallSoon_Chain);

// ---- timers -----------------------------------------------------------------------------------

void BM_Timers_ScheduleAndFire(benchmark::State& state) {
  const auto timers = static_cast<int>(state.range(0));
  // Random delays: the heap's real work (in order, every push would be a cheap append).
  std::mt19937_64 random(42);
  std::uniform_real_distribution<double> delay(0.0, 1.0);
  std::vector<double> delays(static_cast<std::size_t>(timers));
  for (double& d : delays) d = delay(random);

  ManualLoop manual;
  aio::EventLoop& loop = *manual.loop;
  std::int64_t fired = 0;
  for (auto _ : state) {
    for (const double d : delays) loop.call_later(d, [&fired] { ++fired; });
    manual.clock->advance(1.0);  // every timer is due now
    loop.run_once();             // pops all of them in order and runs them
  }
  if (fired != state.iterations() * timers) state.SkipWithError("not every timer fired");
  report_per(state, "per_timer", timers);
}
BENCHMARK(BM_Timers_ScheduleAndFire)
    ->ArgName("timers")
    ->Arg(10'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

// A timeout set and then not needed: schedule, cancel. The cancelled timer stays in the heap
// until the heap compacts (when cancelled timers are the majority), so the churn costs O(1)
// amortised and the heap stays small however long it goes on.
void BM_Timers_ScheduleCancel(benchmark::State& state) {
  constexpr int kChurn = 100'000;
  const auto live = static_cast<int>(state.range(0));
  ManualLoop manual;
  aio::EventLoop& loop = *manual.loop;
  auto nothing = [] {};
  for (int i = 0; i < live; ++i) loop.call_later(1000.0 + i, nothing);  // never due here
  for (auto _ : state) {
    for (int i = 0; i < kChurn; ++i) loop.call_later(10.0, nothing)->cancel();
  }
  state.counters["heap_size"] = static_cast<double>(loop.timers().size());
  report_per(state, "per_timer", kChurn);
}
BENCHMARK(BM_Timers_ScheduleCancel)->ArgName("live")->Arg(0)->Arg(10'000);

// ---- selectors --------------------------------------------------------------------------------

// Makes room for `fds` more open files: the soft limit up to the hard one. False if the hard
// limit is too low (then the benchmark is skipped, not failed).
bool allow_open_files(rlim_t fds) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur >= fds) return true;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < fds) return false;
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? fds : limit.rlim_max;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

template <class MakeSelector>
void BM_RunOnce_IdleFds(benchmark::State& state, MakeSelector make_selector) {
  const auto idle = static_cast<int>(state.range(0));
  if (!allow_open_files(static_cast<rlim_t>(idle) + 64)) {
    state.SkipWithError("RLIMIT_NOFILE's hard limit is too low for this many fds");
    return;
  }
  aio::EventLoop::Options options;
  options.selector = make_selector();
  aio::EventLoop loop(std::move(options));

  // eventfds cost one fd each (a pipe costs two). Their counter is 0: never readable, idle.
  std::vector<int> fds;
  auto nothing = [] {};
  for (int i = 0; i < idle; ++i) {
    fds.push_back(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (fds.back() == -1) {
      fds.pop_back();
      state.SkipWithError("eventfd failed (out of file descriptors?)");
      break;
    }
    loop.add_reader(fds.back(), nothing);
  }
  // The active one: a counter of 1 that nobody reads stays readable, and a level-triggered
  // selector reports it on every call. run_once() then never blocks.
  const int active = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
  std::int64_t calls = 0;
  loop.add_reader(active, [&calls] { ++calls; });

  if (!state.error_occurred()) {
    for (auto _ : state) loop.run_once();
  }
  if (!state.error_occurred() && calls != state.iterations())
    state.SkipWithError("the active fd was not served each time");
  for (const int fd : fds) {
    loop.remove_reader(fd);
    close(fd);
  }
  loop.remove_reader(active);
  close(active);
  report_per(state, "per_iteration", 1);
}
BENCHMARK_CAPTURE(BM_RunOnce_IdleFds, poll, aio::make_poll_selector)
    ->ArgName("idle")
    ->Arg(100)
    ->Arg(1'000)
    ->Arg(10'000);
BENCHMARK_CAPTURE(BM_RunOnce_IdleFds, epoll, aio::make_epoll_selector)
    ->ArgName("idle")
    ->Arg(100)
    ->Arg(1'000)
    ->Arg(10'000);

}  // namespace

BENCHMARK_MAIN();
