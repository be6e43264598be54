// What coroutines and tasks cost on top of the loop (lesson, "Measured").
//
//   BM_Await_Inline              one task awaits, 100,000 times in a row, a coroutine that
//                                returns at once: the trampoline's push, resume, pop, and the
//                                child's frame (allocated and freed each time)
//   BM_TaskSwitch_Sleep0         two tasks hand the loop to each other with sleep(0), 50,000
//                                times each: a step booked with call_soon, the loop's dispatch,
//                                the step itself
//   BM_Task_CreateRunFinish/batch:N   N tasks of a coroutine that returns at once, created,
//                                run by one run_once(), finished
//   BM_IdleTasks_WaitOnEvent/tasks:N  N tasks each waiting on one aio::Event: the memory one
//                                idle task holds (bytes_per_task, counted by the operator new
//                                below), and the time to wake them all (set(), then the loop
//                                runs until every task is done): the benchmark's time, and
//                                per_task (the time to wake all, per task)
//   BM_Gather/tasks:N            gather_all of N coroutines that return at once, awaited
//   BM_Lock_Handoff/tasks:N      N tasks share one aio::Lock: each acquires it, yields once
//                                (sleep(0)) holding it, so the others queue up, and releases:
//                                every acquisition is a hand-off to the next in line
//   BM_CallSoon_Batch/batch:N    chapter 02's call_soon + dispatch, the yardstick, in this run
//
// The counters per_await, per_switch, per_task, per_handoff and per_callback are the figures
// to compare (nanoseconds per item in `course bench`). Every loop here runs on a manual clock:
// nothing waits for real time.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "aio/asyncio.hpp"

// ---- counting memory --------------------------------------------------------------------------

// The program's operator new and delete, replaced so that BM_IdleTasks_WaitOnEvent can count
// the bytes its tasks hold. Counting is off except in that benchmark: off, it costs one
// predictable branch per allocation. What is counted is malloc's usable size of each block
// (what was asked for, rounded up to malloc's granule), not malloc's own header of 8 bytes.
namespace {

bool counting = false;        // written by the benchmark thread only; no other thread allocates
std::int64_t live_bytes = 0;  // while counting: allocated minus freed
std::int64_t allocations = 0;

void* allocate(std::size_t size) {
  void* block = std::malloc(size == 0 ? 1 : size);
  if (block == nullptr) throw std::bad_alloc();
  if (counting) {
    live_bytes += static_cast<std::int64_t>(malloc_usable_size(block));
    ++allocations;
  }
  return block;
}

void deallocate(void* block) noexcept {
  if (block == nullptr) return;
  if (counting) live_bytes -= static_cast<std::int64_t>(malloc_usable_size(block));
  std::free(block);
}

}  // namespace

void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* block) noexcept {
  deallocate(block);
}
void operator delete[](void* block) noexcept {
  deallocate(block);
}
void operator delete(void* block, std::size_t) noexcept {
  deallocate(block);
}
void operator delete[](void* block, std::size_t) noexcept {
  deallocate(block);
}

namespace {

void report_per(benchmark::State& state, const char* counter, std::int64_t per_iteration) {
  state.SetItemsProcessed(state.iterations() * per_iteration);
  state.counters[counter] = benchmark::Counter(
      static_cast<double>(per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// A loop on a manual clock, as in the other chapters' benchmarks.
struct ManualLoop {
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  std::unique_ptr<aio::EventLoop> loop;
  ManualLoop() {
    aio::EventLoop::Options options;
    options.clock = clock;
    loop = std::make_unique<aio::EventLoop>(std::move(options));
  }
};

// The smallest coroutine: returns its argument at once, without suspending.
aio::Coroutine<int> ready_value(int value) {
  co_return value;
}

// ---- an inline co_await -----------------------------------------------------------------------

aio::Coroutine<std::int64_t> await_many(int awaits) {
  std::int64_t sum = 0;
  for (int i = 0; i < awaits; ++i) sum += co_await ready_value(1);
  co_return sum;
}

void BM_Await_Inline(benchmark::State& state) {
  constexpr int kAwaits = 100'000;
  ManualLoop manual;
  std::int64_t total = 0;
  for (auto _ : state) {
    const aio::Future<std::int64_t> task = aio::create_task(*manual.loop, await_many(kAwaits));
    total += aio::run_until_complete(*manual.loop, task);
  }
  if (total != state.iterations() * kAwaits) state.SkipWithError("an await lost its value");
  report_per(state, "per_await", kAwaits);
}
BENCHMARK(BM_Await_Inline);

// ---- a task switch ----------------------------------------------------------------------------

aio::Coroutine<void> yield_many(int yields, std::int64_t* count) {
  for (int i = 0; i < yields; ++i) {
    co_await aio::sleep(0);
    ++*count;
  }
}

aio::Coroutine<void> ping_pong(int yields, std::int64_t* count) {
  co_await aio::gather(yield_many(yields, count), yield_many(yields, count));
}

void BM_TaskSwitch_Sleep0(benchmark::State& state) {
  constexpr int kYields = 50'000;  // per task: 100,000 switches in all
  ManualLoop manual;
  std::int64_t switches = 0;
  for (auto _ : state) {
    const aio::Future<void> task = aio::create_task(*manual.loop, ping_pong(kYields, &switches));
    aio::run_until_complete(*manual.loop, task);
  }
  if (switches != state.iterations() * 2 * kYields) state.SkipWithError("a switch went missing");
  report_per(state, "per_switch", 2 * kYields);
}
BENCHMARK(BM_TaskSwitch_Sleep0)->Unit(benchmark::kMicrosecond);

// ---- a task's life ----------------------------------------------------------------------------

void BM_Task_CreateRunFinish(benchmark::State& state) {
  const auto batch = static_cast<int>(state.range(0));
  ManualLoop manual;
  aio::EventLoop& loop = *manual.loop;
  std::vector<aio::Task<int>> tasks;
  tasks.reserve(static_cast<std::size_t>(batch));
  std::int64_t total = 0;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) tasks.push_back(aio::create_task(loop, ready_value(1)));
    loop.run_once();  // every task's one and only step
    for (const aio::Task<int>& task : tasks) total += task.result();
    tasks.clear();
  }
  if (total != state.iterations() * batch) state.SkipWithError("a task did not finish");
  report_per(state, "per_task", batch);
}
BENCHMARK(BM_Task_CreateRunFinish)->ArgName("batch")->Arg(1)->Arg(1'000);

// ---- idle tasks: memory, and waking them all --------------------------------------------------

aio::Coroutine<void> wait_for_event(aio::Event* event, std::int64_t* woken) {
  co_await event->wait();
  ++*woken;
}

// What one run of BM_IdleTasks_WaitOnEvent found.
struct IdleRun {
  std::int64_t bytes = 0;        // held by the idle tasks, all together
  std::int64_t allocations = 0;  // blocks allocated for them
  double wake_seconds = 0;       // set(), until every task has run to its end
};

// Runs as a task: the event's wait() binds it to the running loop, which only a loop run by
// run_until_complete (or run_forever) is; a bare run_once() is not "running".
aio::Coroutine<void> idle_tasks(int count, IdleRun* run) {
  aio::EventLoop& loop = aio::get_running_loop();
  aio::Event event;
  std::int64_t woken = 0;
  live_bytes = 0;
  allocations = 0;
  counting = true;
  // No handles kept: an idle task lives on through the done callback of its waiter's future.
  for (int i = 0; i < count; ++i)
    static_cast<void>(aio::create_task(loop, wait_for_event(&event, &woken)));
  co_await aio::sleep(0);  // queued after every first step: each task now waits on the event
  counting = false;
  run->bytes = live_bytes;
  run->allocations = allocations;

  const auto start = std::chrono::steady_clock::now();
  event.set();
  // One iteration runs every wake-up, and each woken task runs to its end right there.
  while (woken < count) co_await aio::sleep(0);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  run->wake_seconds = took.count();
}

void BM_IdleTasks_WaitOnEvent(benchmark::State& state) {
  const auto count = static_cast<int>(state.range(0));
  std::int64_t bytes = 0;
  std::int64_t blocks = 0;
  for (auto _ : state) {
    ManualLoop manual;
    IdleRun run;
    const aio::Future<void> driver = aio::create_task(*manual.loop, idle_tasks(count, &run));
    aio::run_until_complete(*manual.loop, driver);
    state.SetIterationTime(run.wake_seconds);
    bytes += run.bytes;
    blocks += run.allocations;
  }
  const double tasks_seen = static_cast<double>(state.iterations()) * count;
  state.counters["bytes_per_task"] = static_cast<double>(bytes) / tasks_seen;
  state.counters["allocations_per_task"] = static_cast<double>(blocks) / tasks_seen;
  report_per(state, "per_task", count);
}
BENCHMARK(BM_IdleTasks_WaitOnEvent)
    ->ArgName("tasks")
    ->Arg(1'000'000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// ---- gather -----------------------------------------------------------------------------------

aio::Coroutine<std::int64_t> gather_many(int count) {
  std::vector<aio::Coroutine<int>> coroutines;
  coroutines.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) coroutines.push_back(ready_value(1));
  const std::vector<int> results = co_await aio::gather_all(std::move(coroutines));
  std::int64_t sum = 0;
  for (const int value : results) sum += value;
  co_return sum;
}

void BM_Gather(benchmark::State& state) {
  const auto count = static_cast<int>(state.range(0));
  ManualLoop manual;
  std::int64_t total = 0;
  for (auto _ : state) {
    const aio::Future<std::int64_t> task = aio::create_task(*manual.loop, gather_many(count));
    total += aio::run_until_complete(*manual.loop, task);
  }
  if (total != state.iterations() * count) state.SkipWithError("gather lost results");
  report_per(state, "per_task", count);
}
BENCHMARK(BM_Gather)->ArgName("tasks")->Arg(100'000)->Unit(benchmark::kMillisecond);

// ---- a lock handed from task to task ----------------------------------------------------------

aio::Coroutine<void> take_turns(aio::Lock* lock, int turns, std::int64_t* acquired) {
  for (int i = 0; i < turns; ++i) {
    co_await lock->acquire();
    ++*acquired;
    co_await aio::sleep(0);  // holding the lock: the other tasks queue up behind it
    lock->release();
  }
}

aio::Coroutine<void> share_lock(int tasks, int turns, std::int64_t* acquired) {
  aio::Lock lock;
  std::vector<aio::Coroutine<void>> takers;
  for (int i = 0; i < tasks; ++i) takers.push_back(take_turns(&lock, turns, acquired));
  co_await aio::gather_all(std::move(takers));
}

void BM_Lock_Handoff(benchmark::State& state) {
  constexpr int kAcquisitions = 100'000;
  const auto tasks = static_cast<int>(state.range(0));
  const int turns = kAcquisitions / tasks;
  ManualLoop manual;
  std::int64_t acquired = 0;
  for (auto _ : state) {
    const aio::Future<void> task =
        aio::create_task(*manual.loop, share_lock(tasks, turns, &acquired));
    aio::run_until_complete(*manual.loop, task);
  }
  if (acquired != state.iterations() * tasks * turns) state.SkipWithError("a turn went missing");
  report_per(state, "per_handoff", static_cast<std::int64_t>(tasks) * turns);
}
BENCHMARK(BM_Lock_Handoff)->ArgName("tasks")->Arg(2)->Arg(100)->Unit(benchmark::kMillisecond);

// ---- chapter 02's yardstick -------------------------------------------------------------------

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
  report_per(state, "per_callback", batch);
}
BENCHMARK(BM_CallSoon_Batch)->ArgName("batch")->Arg(1)->Arg(1'000);

}  // namespace

BENCHMARK_MAIN();
