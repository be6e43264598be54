// Tour 5: producers and consumers through a bounded aio::Queue; join() waits for every item.
//
// Two producers put jobs, as fast as they can, into a queue that holds at most two; three
// consumers take them out, each "works" on a job for a while (a sleep), then calls
// task_done(). Nobody blocks the thread: a producer that finds the queue full waits in put()
// until a consumer takes an item out, and a consumer that finds it empty waits in get() until
// a producer puts one in. So the producers slow down to the pace of the consumers, by
// themselves. main() waits for the two producers with gather, then for the queue with join():
// it returns once every job put has been taken and marked done. The consumers loop forever,
// as workers do; main() cancels them at the end, and they stop at their get(), where they wait.
//
// Usage: producer_consumer_queue [--fast]    --fast: every delay ten times shorter

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/asyncio.hpp"

namespace {

double scale = 1.0;  // --fast: 0.1

// The loop's time since the first line: absolute loop times mean nothing to a reader.
double elapsed() {
  static const double start = aio::get_running_loop().time();
  return aio::get_running_loop().time() - start;
}

template <class... Args>
void say(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print("t={:.3f}s  {}\n", elapsed(), fmt::format(format, std::forward<Args>(args)...));
}

constexpr std::size_t kQueueSize = 2;
constexpr int kJobsPerProducer = 4;

// region: program
// The queue by pointer: a coroutine keeps its parameters in its frame, and the queue lives
// in amain()'s frame, which outlives every task here.
aio::Coroutine<void> producer(aio::Queue<std::string>* jobs, std::string name) {
  for (int i = 1; i <= kJobsPerProducer; ++i) {
    std::string job = fmt::format("{}-job{}", name, i);
    if (jobs->full()) say("{}: the queue is full, waits to put {}", name, job);
    co_await jobs->put(job);
    say("{}: put {} (queue size {})", name, job, jobs->qsize());
  }
  say("{}: done", name);
}

aio::Coroutine<void> consumer(aio::Queue<std::string>* jobs, std::string name, int* worked) {
  while (true) {
    const std::string job = co_await jobs->get();  // waits while the queue is empty
    say("{}: works on {}", name, job);
    co_await aio::sleep(0.3 * scale);
    jobs->task_done();
    ++*worked;
  }
}

aio::Coroutine<bool> amain() {
  aio::Queue<std::string> jobs(kQueueSize);
  int worked = 0;
  std::vector<aio::Task<void>> consumers;
  for (const char* name : {"consumer 1", "consumer 2", "consumer 3"}) {
    consumers.push_back(aio::create_task(consumer(&jobs, name, &worked)));
  }

  co_await aio::gather(producer(&jobs, "producer A"), producer(&jobs, "producer B"));
  say("main: both producers are done; join()...");
  co_await jobs.join();
  say("main: join() returned: {} jobs worked on, the queue is empty: {}", worked, jobs.empty());

  for (const aio::Task<void>& task : consumers) task.cancel();
  int stopped = 0;
  for (const aio::Task<void>& task : consumers) {
    try {
      co_await task;
    } catch (const aio::CancelledError&) {
      ++stopped;  // the consumer was waiting in get(): it stops there
    }
  }
  say("main: {} consumers cancelled", stopped);
  const bool every_job_done = worked == 2 * kJobsPerProducer && stopped == 3;
  co_return every_job_done;
}
// endregion

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--fast") scale = 0.1;
  return aio::run(amain()) ? 0 : 1;
}
