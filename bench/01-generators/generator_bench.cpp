// What a value costs when it comes out of an aio::Generator.
//
//   BM_Generator_Resume        a Generator<int> counting 0..N-1: one resume per value
//   BM_HandWritten_Resume      the same count as a hand-written state machine (RowCursor's shape)
//   BM_Vector_Walk             the same N values read from a std::vector<int>
//   BM_Delegation/depth:D      the innermost of D nested generators yields N values; every
//                              other level only delegates with co_yield aio::elements_of
//   BM_Delegation_WholeChain   one value through D levels, from making the chain to freeing it:
//                              the O(depth) part, paid once per chain (per_level)
//   BM_Generator_CreateDestroy a generator made and dropped without running: the frame's
//                              allocation and deallocation
//   BM_Generator_FirstValue    made, run to its first value, dropped
//
// The per_value counter is the time of one value; it is the figure to compare. Delegation is
// measured while the chain stands: building it, running down to the first value, letting every
// level finish after the last value and freeing the frames are O(depth), paid once per chain,
// and done while the clock is paused (BM_Delegation_WholeChain measures them). What is left,
// the cost of one value, must not depend on the depth.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <numeric>
#include <optional>
#include <vector>

#include "aio/generator.hpp"

namespace {

constexpr int kValues = 10'000;  // values per pass in the first three benchmarks

void report_per_value(benchmark::State& state, std::int64_t values_per_iteration) {
  state.SetItemsProcessed(state.iterations() * values_per_iteration);
  state.counters["per_value"] = benchmark::Counter(
      static_cast<double>(values_per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// ---- one value, three ways ------------------------------------------------------------------

aio::Generator<int> count_to(int n) {
  for (int i = 0; i < n; ++i) co_yield i;
}

void BM_Generator_Resume(benchmark::State& state) {
  for (auto _ : state) {
    for (int value : count_to(kValues)) benchmark::DoNotOptimize(value);
  }
  report_per_value(state, kValues);
}
BENCHMARK(BM_Generator_Resume);

// count_to() written by hand, as aio::RowCursor writes fetch_rows(): the frame is the members,
// the body is resume(), a switch that jumps back to where it stopped.
class HandWrittenCounter {
 public:
  explicit HandWrittenCounter(int n) noexcept : n_(n) {}

  bool resume() noexcept {
    switch (state_) {
      case State::kStart:
        i_ = 0;
        break;
      case State::kAtYield:
        ++i_;
        break;
      case State::kDone:
        return false;
    }
    if (i_ >= n_) {
      state_ = State::kDone;
      return false;
    }
    state_ = State::kAtYield;
    return true;
  }
  int current() const noexcept { return i_; }

 private:
  enum class State { kStart, kAtYield, kDone };
  State state_ = State::kStart;
  int n_;
  int i_ = 0;
};

void BM_HandWritten_Resume(benchmark::State& state) {
  for (auto _ : state) {
    HandWrittenCounter counter(kValues);
    while (counter.resume()) benchmark::DoNotOptimize(counter.current());
  }
  report_per_value(state, kValues);
}
BENCHMARK(BM_HandWritten_Resume);

void BM_Vector_Walk(benchmark::State& state) {
  std::vector<int> values(kValues);
  std::iota(values.begin(), values.end(), 0);
  for (auto _ : state) {
    for (int value : values) benchmark::DoNotOptimize(value);
  }
  report_per_value(state, kValues);
}
BENCHMARK(BM_Vector_Walk);

// ---- delegation -----------------------------------------------------------------------------

// `depth` generators deep: each level hands everything over to the next one, and only the
// innermost (depth 0) yields, n values.
aio::Generator<int> chain(int depth, int n) {
  if (depth == 0) {
    for (int i = 0; i < n; ++i) co_yield i;
  } else {
    co_yield aio::elements_of(chain(depth - 1, n));
  }
}

void BM_Delegation(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  constexpr int kDelegatedValues = 100'000;
  for (auto _ : state) {
    state.PauseTiming();
    // One value more than is timed: the clock stops while the chain still stands.
    std::optional<aio::Generator<int>> values(chain(depth, kDelegatedValues + 1));
    auto it = values->begin();  // runs down the chain to the first value: not timed
    state.ResumeTiming();

    for (int i = 0; i < kDelegatedValues; ++i) {
      benchmark::DoNotOptimize(*it);
      ++it;
    }

    state.PauseTiming();
    values.reset();  // tears the chain down: not timed
    state.ResumeTiming();
  }
  report_per_value(state, kDelegatedValues);
}
BENCHMARK(BM_Delegation)->ArgName("depth")->Arg(1)->Arg(100)->Arg(10'000);

// What the per-value figure leaves out, paid once per chain: making the frames, running down
// to the first value, each level finishing in turn after the last value, freeing the frames.
void BM_Delegation_WholeChain(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  for (auto _ : state) {
    for (int value : chain(depth, 1)) benchmark::DoNotOptimize(value);
  }
  state.counters["per_level"] = benchmark::Counter(
      static_cast<double>(depth + 1),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Delegation_WholeChain)->ArgName("depth")->Arg(1)->Arg(100)->Arg(10'000);

// ---- the frame --------------------------------------------------------------------------------

void BM_Generator_CreateDestroy(benchmark::State& state) {
  for (auto _ : state) {
    aio::Generator<int> values = count_to(kValues);
    benchmark::DoNotOptimize(values);
  }
}
BENCHMARK(BM_Generator_CreateDestroy);

void BM_Generator_FirstValue(benchmark::State& state) {
  for (auto _ : state) {
    aio::Generator<int> values = count_to(kValues);
    benchmark::DoNotOptimize(*values.begin());
  }
}
BENCHMARK(BM_Generator_FirstValue);

}  // namespace

BENCHMARK_MAIN();
