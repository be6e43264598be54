// What a future costs on top of the bare loop, and what the other tools of chapter 03 cost.
//
//   BM_Future_SetResult/batch:N   N futures created, each given one done callback and a
//                                 result, then one run_once() runs the N callbacks
//   BM_CallSoon_Batch/batch:N     chapter 02's bare dispatch, for comparison in the same run:
//                                 N callbacks scheduled with call_soon, one run_once()
//   BM_Gather                     10,000 futures gathered, all completed, run_until_complete
//                                 on the gathering future
//   BM_Deferred_Chain             a Deferred with 10 add_callback steps (int in, int out),
//                                 fired: the whole chain runs inside callback()
//   BM_RunInExecutor_RoundTrip    a trivial function sent to the thread pool, its future run
//                                 to completion: two thread hand-overs and a loop wake-up
//
// The counters per_future, per_callback, per_chain, per_step and per_round_trip are the
// figures to compare. A future's done callback goes through call_soon too, so
// per_future - per_callback is what the future itself adds: its shared state, the callback
// list, the type-erased callback.

#include <benchmark/benchmark.h>

#include <any>
#include <cstdint>
#include <memory>
#include <vector>

#include "aio/futures.hpp"

namespace {

void report_per(benchmark::State& state, const char* counter, std::int64_t per_iteration) {
  state.counters[counter] = benchmark::Counter(
      static_cast<double>(per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// A loop on a manual clock, as in chapter 02's benchmarks: no timer here waits for real time.
struct ManualLoop {
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  std::unique_ptr<aio::EventLoop> loop;
  ManualLoop() {
    aio::EventLoop::Options options;
    options.clock = clock;
    loop = std::make_unique<aio::EventLoop>(std::move(options));
  }
};

// ---- a future against a bare callback ---------------------------------------------------------

void BM_Future_SetResult(benchmark::State& state) {
  const auto batch = static_cast<int>(state.range(0));
  ManualLoop manual;
  aio::EventLoop& loop = *manual.loop;
  std::int64_t ran = 0;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) {
      aio::Future<int> future(loop);
      future.add_done_callback([&ran](const aio::Future<int>& done) { ran += done.result(); });
      future.set_result(1);  // schedules the callback; the callback keeps the future alive
    }
    loop.run_once();
  }
  if (ran != state.iterations() * batch) state.SkipWithError("not every done callback ran");
  state.SetItemsProcessed(state.iterations() * batch);
  report_per(state, "per_future", batch);
}
BENCHMARK(BM_Future_SetResult)->ArgName("batch")->Arg(1)->Arg(1'000);

void BM_CallSoon_Batch(benchmark::State& state) {
  const auto batch = static_cast<int>(state.range(0));
  ManualLoop manual;
  aio::EventLoop& loop = *manual.loop;
  std::int64_t ran = 0;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) loop.call_soon([&ran] { ++ran; });
    loop.run_once();
  }
  if (ran != state.iterations() * batch) state.SkipWithError("not every callback ran");
  state.SetItemsProcessed(state.iterations() * batch);
  report_per(state, "per_callback", batch);
}
BENCHMARK(BM_CallSoon_Batch)->ArgName("batch")->Arg(1)->Arg(1'000);

// ---- gather -----------------------------------------------------------------------------------

void BM_Gather(benchmark::State& state) {
  constexpr int kFutures = 10'000;
  ManualLoop manual;
  aio::EventLoop& loop = *manual.loop;
  std::int64_t total = 0;
  for (auto _ : state) {
    std::vector<aio::Future<int>> futures;
    futures.reserve(kFutures);
    for (int i = 0; i < kFutures; ++i) futures.emplace_back(loop);
    const aio::Future<std::vector<int>> all = aio::gather(futures);
    for (const aio::Future<int>& future : futures) future.set_result(1);
    for (const int value : aio::run_until_complete(loop, all)) total += value;
  }
  if (total != state.iterations() * kFutures) state.SkipWithError("gather lost results");
  state.SetItemsProcessed(state.iterations() * kFutures);
  report_per(state, "per_future", kFutures);
}
BENCHMARK(BM_Gather)->Unit(benchmark::kMicrosecond);

// ---- a Deferred's chain -----------------------------------------------------------------------

void BM_Deferred_Chain(benchmark::State& state) {
  constexpr int kSteps = 10;
  ManualLoop manual;  // a Deferred needs a loop only to report an unhandled failure
  std::int64_t total = 0;
  for (auto _ : state) {
    const aio::Deferred deferred(*manual.loop);
    for (int i = 0; i < kSteps; ++i) deferred.add_callback<int>([](int n) { return n + 1; });
    deferred.callback(0);  // runs the ten steps, here and now
    total += std::any_cast<int>(deferred.result());
  }
  if (total != state.iterations() * kSteps) state.SkipWithError("the chain did not run through");
  report_per(state, "per_chain", 1);
  report_per(state, "per_step", kSteps);
}
BENCHMARK(BM_Deferred_Chain);

// ---- run_in_executor --------------------------------------------------------------------------

// A real loop: the worker thread's call_soon_threadsafe must wake it from its selector.
void BM_RunInExecutor_RoundTrip(benchmark::State& state) {
  aio::EventLoop loop;
  std::int64_t total = 0;
  for (auto _ : state) {
    total += aio::run_until_complete(loop, aio::run_in_executor(loop, [] { return 1; }));
  }
  if (total != state.iterations()) state.SkipWithError("a round trip lost its result");
  report_per(state, "per_round_trip", 1);
}
BENCHMARK(BM_RunInExecutor_RoundTrip)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
