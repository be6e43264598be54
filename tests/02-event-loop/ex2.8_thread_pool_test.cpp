// Exercise 2.8: the thread pool: a worker waits for a job, or for the end.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// Jobs and the test meet through flags and barriers (a mutex and a condition variable), never
// through sleeps. A wait that would last forever if the pool were wrong has a deadline that a
// correct pool never reaches. The last tests use the pool as the loop does:
// EventLoop::run_in_executor() runs a blocking job on it and calls back on the loop's thread.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "aio/event_loop.hpp"
#include "aio/thread_pool.hpp"
#include "support/flag.hpp"
#include "support/script.hpp"

namespace {

using aio::testing::Flag;
using aio::testing::outcome_of;
using aio::testing::Script;
using namespace std::chrono_literals;

constexpr const char* kLesson = "Exercise 2.8";
constexpr auto kWatchdog = 5s;  // never reached when the code is right

// `parties` threads meet here: each arrives and waits until all have (or the deadline passed).
class Meeting {
 public:
  explicit Meeting(int parties) : waiting_for_(parties) {}
  // True if everyone arrived in time.
  bool arrive_and_wait() {
    std::unique_lock lock(mutex_);
    if (--waiting_for_ == 0) changed_.notify_all();
    return changed_.wait_for(lock, kWatchdog, [this] { return waiting_for_ <= 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_for_;
};

// Thread ids seen by jobs, from any thread.
class Threads {
 public:
  void add(std::thread::id id) {
    const std::lock_guard lock(mutex_);
    ids_.push_back(id);
  }
  std::vector<std::thread::id> ids() {
    const std::lock_guard lock(mutex_);
    return ids_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::thread::id> ids_;
};

std::string what_of(const std::exception_ptr& error) {
  if (!error) return "no exception";
  try {
    std::rethrow_exception(error);
  } catch (const aio::NotImplemented& e) {
    return std::string("aio::NotImplemented: ") + e.what();
  } catch (const std::runtime_error& e) {
    return std::string("std::runtime_error: ") + e.what();
  } catch (const std::logic_error& e) {
    return std::string("std::logic_error: ") + e.what();
  }
  return "another exception";
}

}  // namespace

// ---- the pool alone ------------------------------------------------------------------------

TEST(Ex28ThreadPool, JobsRunOnWorkerThreadsNotOnTheCaller) {
  Script script("submit 100 jobs to ThreadPool(4); each records its thread", kLesson);
  Threads threads;

  script.step("ThreadPool pool(4); submit 100 jobs; pool.shutdown(true)");
  aio::ThreadPool pool(4);
  for (int i = 0; i < 100; ++i) pool.submit([&] { threads.add(std::this_thread::get_id()); });
  pool.shutdown(true);

  const std::vector<std::thread::id> ids = threads.ids();
  EXPECT_STEP_EQ(script, ids.size(), std::size_t{100}, "every job ran before shutdown returned");
  const std::set<std::thread::id> distinct(ids.begin(), ids.end());
  EXPECT_STEP_TRUE(script, !distinct.contains(std::this_thread::get_id()),
                   "jobs run on the pool's worker threads, never on the thread that submits");
  EXPECT_STEP_TRUE(script, !distinct.empty() && distinct.size() <= 4,
                   "4 workers: the jobs ran on at most 4 threads, reused from job to job");
}

TEST(Ex28ThreadPool, EveryJobRunsExactlyOnce) {
  Script script("submit 10,000 jobs to ThreadPool(4), each counting its own runs", kLesson);
  constexpr int kJobs = 10'000;
  std::vector<std::atomic<int>> runs(kJobs);

  script.step("submit jobs 0..9999; shutdown(true)");
  aio::ThreadPool pool(4);
  for (int i = 0; i < kJobs; ++i) pool.submit([&runs, i] { ++runs[i]; });
  pool.shutdown(true);

  int never = 0;
  int twice = 0;
  for (const auto& count : runs) {
    never += count == 0;
    twice += count > 1;
  }
  EXPECT_STEP_EQ(script, never, 0, "no job is lost: a worker takes every job from the queue");
  EXPECT_STEP_EQ(script, twice, 0,
                 "no job runs twice: a worker removes the job from the queue (under the mutex) "
                 "before it runs it");
}

TEST(Ex28ThreadPool, OneWorkerRunsJobsInTheOrderSubmitted) {
  Script script("ThreadPool(1): 100 jobs record their number", kLesson);
  std::vector<int> order;  // only the one worker writes it

  script.step("submit jobs 0..99; shutdown(true)");
  aio::ThreadPool pool(1);
  for (int i = 0; i < 100; ++i) pool.submit([&order, i] { order.push_back(i); });
  pool.shutdown(true);

  std::vector<int> expected(100);
  for (int i = 0; i < 100; ++i) expected[i] = i;
  EXPECT_STEP_EQ(script, order, expected,
                 "jobs are taken first in, first out: the front of the queue first");
}

TEST(Ex28ThreadPool, SizeWorkersRunJobsAtTheSameTime) {
  Script script("ThreadPool(3): three jobs that each wait until all three have started", kLesson);
  aio::ThreadPool pool(3);
  EXPECT_STEP_EQ(script, pool.size(), std::size_t{3}, "size() is the number of workers");

  script.step("submit three jobs that meet: each waits for the other two (5 s at most)");
  Meeting meeting(3);
  std::atomic<int> met{0};
  for (int i = 0; i < 3; ++i) {
    pool.submit([&] {
      if (meeting.arrive_and_wait()) ++met;
    });
  }
  pool.shutdown(true);
  EXPECT_STEP_EQ(script, met.load(), 3,
                 "3 workers run 3 jobs at once: each worker takes its own job while the others "
                 "are busy (a worker must not hold the mutex while it runs a job)");
}

TEST(Ex28ThreadPool, SubmitAfterShutdownThrows) {
  Script script("submit() to a pool that was shut down", kLesson);
  aio::ThreadPool pool(2);
  std::atomic<int> runs{0};

  script.step("submit(job); shutdown(true)");
  pool.submit([&] { ++runs; });
  pool.shutdown(true);
  EXPECT_STEP_EQ(script, runs.load(), 1, "the job submitted before shutdown ran");

  script.step("submit(job)");
  EXPECT_STEP_EQ(script, outcome_of([&] { pool.submit([&] { ++runs; }); }),
                 std::string("std::runtime_error: cannot schedule new futures after shutdown"),
                 "a pool that was shut down refuses new jobs, as Python's executor does");
  EXPECT_STEP_EQ(script, runs.load(), 1, "the refused job never runs");
}

TEST(Ex28ThreadPool, ShutdownWithWaitWaitsForRunningAndQueuedJobs) {
  Script script("ThreadPool(1): a job is running, more are queued, then shutdown(true)", kLesson);
  aio::ThreadPool pool(1);
  Flag gate;
  std::atomic<bool> shutdown_returned{false};
  std::atomic<int> submitted{0};
  std::atomic<int> ran{0};
  std::atomic<int> ran_after_return{0};
  const auto job = [&] {
    if (shutdown_returned) ++ran_after_return;
    ++ran;
  };

  script.step("submit a job that waits for a gate (it holds the only worker), then 4 more");
  pool.submit([&] {
    gate.wait_for(kWatchdog);
    job();
  });
  for (int i = 0; i < 5; ++i) {
    if (i > 0) pool.submit(job);
    ++submitted;
  }

  script.step(
      "a helper keeps submitting until submit() throws (shutdown has begun), then "
      "opens the gate");
  std::exception_ptr helper_error;
  std::jthread helper([&] {
    try {
      while (true) {
        pool.submit(job);
        ++submitted;
        std::this_thread::yield();
      }
    } catch (const std::runtime_error&) {
      // shutdown() has begun: the pool refuses jobs. Now let the first job finish.
    } catch (...) {
      helper_error = std::current_exception();
    }
    gate.set();
  });

  script.step("shutdown(true)");
  pool.shutdown(true);
  shutdown_returned = true;
  helper.join();
  if (helper_error) std::rethrow_exception(helper_error);

  EXPECT_STEP_EQ(script, ran.load(), submitted.load(),
                 "shutdown(true) returns only when the running job and every queued job have "
                 "run: a worker leaves only when the pool is shut down AND the queue is empty");
  EXPECT_STEP_EQ(script, ran_after_return.load(), 0, "no job ran after shutdown(true) returned");
}

TEST(Ex28ThreadPool, ShutdownWithoutWaitReturnsAtOnceAndQueuedJobsStillRun) {
  Script script("ThreadPool(1): shutdown(false) while a job waits for a gate", kLesson);
  Flag gate;
  std::atomic<int> ran{0};
  std::string refused;
  {
    aio::ThreadPool pool(1);
    script.step("submit a job that waits for the gate, and a second job; shutdown(false)");
    pool.submit([&] {
      gate.wait_for(kWatchdog);
      ++ran;
    });
    pool.submit([&] { ++ran; });
    pool.shutdown(false);
    EXPECT_STEP_EQ(script, ran.load(), 0,
                   "shutdown(false) returns without waiting: the first job is still waiting");
    refused = outcome_of([&] { pool.submit([] {}); });

    script.step("open the gate; destroy the pool (its destructor joins the workers)");
    gate.set();
  }
  EXPECT_STEP_EQ(script, refused,
                 std::string("std::runtime_error: cannot schedule new futures after shutdown"),
                 "after shutdown(false), new jobs are refused too");
  EXPECT_STEP_EQ(script, ran.load(), 2,
                 "the jobs queued before shutdown(false) still run: the workers finish them on "
                 "their own, and the destructor waits for that");
}

TEST(Ex28ThreadPool, ShutdownOfAnIdlePoolWakesTheSleepingWorkers) {
  Script script("ThreadPool(4) with nothing to do, shut down twice", kLesson);
  aio::ThreadPool pool(4);
  std::atomic<int> runs{0};

  script.step("submit one job; shutdown(true)");
  pool.submit([&] { ++runs; });
  pool.shutdown(true);
  EXPECT_STEP_EQ(script, runs.load(), 1,
                 "shutdown(true) returned: every worker, asleep on the condition variable with "
                 "an empty queue, was woken and saw that the pool no longer accepts jobs");

  script.step("shutdown(true) again");
  EXPECT_STEP_EQ(script, outcome_of([&] { pool.shutdown(true); }), std::string("nothing"),
                 "shutting down twice does nothing more");
}

TEST(Ex28ThreadPool, DestructorRunsTheQueuedJobs) {
  Script script("a pool destroyed with jobs still queued", kLesson);
  std::atomic<int> runs{0};

  script.step("{ ThreadPool pool(2); submit 50 jobs; } (no shutdown call)");
  {
    aio::ThreadPool pool(2);
    for (int i = 0; i < 50; ++i) pool.submit([&] { ++runs; });
  }
  EXPECT_STEP_EQ(script, runs.load(), 50,
                 "the destructor is shutdown(true): the queued jobs run before it returns");
}

// ---- the loop's executor -------------------------------------------------------------------

TEST(Ex28ThreadPool, RunInExecutorCallsDoneOnTheLoopThreadWithNoError) {
  Script script("run_in_executor(job, done) on a running loop", kLesson);
  aio::EventLoop loop;  // the real clock: the loop waits in its selector for the job
  const std::thread::id loop_thread = std::this_thread::get_id();
  std::thread::id job_thread;
  std::thread::id done_thread;
  std::string error = "done not called";
  bool watchdog_fired = false;

  script.step("run_in_executor(record the thread, done: record the thread and error, stop)");
  loop.run_in_executor([&] { job_thread = std::this_thread::get_id(); },
                       [&](std::exception_ptr e) {
                         done_thread = std::this_thread::get_id();
                         error = what_of(e);
                         loop.stop();
                       });
  loop.call_later(5.0, [&] {
    watchdog_fired = true;
    loop.stop();
  });

  script.step("run_forever()");
  loop.run_forever();
  EXPECT_STEP_TRUE(script, !watchdog_fired, "done was called (the 5 s watchdog did not fire)");
  EXPECT_STEP_TRUE(script, job_thread != loop_thread, "the job ran on a worker thread");
  EXPECT_STEP_TRUE(script, done_thread == loop_thread,
                   "done runs on the loop's thread: the worker posts it with "
                   "call_soon_threadsafe()");
  EXPECT_STEP_EQ(script, error, std::string("no exception"),
                 "a job that returned gives done an empty exception_ptr");
}

TEST(Ex28ThreadPool, RunInExecutorHandsTheJobsExceptionToDone) {
  Script script("run_in_executor() of a job that throws", kLesson);
  aio::EventLoop loop;
  std::string error = "done not called";
  int handler_calls = 0;

  script.step("set an exception handler; run_in_executor(throw \"disk on fire\", done)");
  loop.set_exception_handler(
      [&](aio::EventLoop&, const aio::ExceptionContext&) { ++handler_calls; });
  loop.run_in_executor([] { throw std::runtime_error("disk on fire"); },
                       [&](std::exception_ptr e) {
                         error = what_of(e);
                         loop.stop();
                       });
  loop.call_later(5.0, [&] { loop.stop(); });  // a watchdog

  script.step("run_forever()");
  loop.run_forever();
  EXPECT_STEP_EQ(script, error, std::string("std::runtime_error: disk on fire"),
                 "what the job threw reaches done, on the loop's thread; it never ends a worker");
  EXPECT_STEP_EQ(script, handler_calls, 0,
                 "the error belongs to done: the loop's exception handler is not called");
}

TEST(Ex28ThreadPool, RunInExecutorRunsJobsInParallelWhileTheLoopGoesOn) {
  Script script("4 executor jobs that must all run at once, and a loop timer meanwhile", kLesson);
  aio::EventLoop::Options options;
  options.executor_workers = 4;
  aio::EventLoop loop(std::move(options));
  Meeting meeting(4);
  Flag timer_fired;
  int done_calls = 0;
  int ok = 0;

  script.step("run_in_executor() 4 jobs: each waits for the other three, then for the timer");
  for (int i = 0; i < 4; ++i) {
    loop.run_in_executor(
        [&] {
          if (!meeting.arrive_and_wait()) throw std::runtime_error("the jobs did not meet");
          if (!timer_fired.wait_for(kWatchdog)) throw std::runtime_error("no timer meanwhile");
        },
        [&](std::exception_ptr e) {
          ok += !e;
          if (++done_calls == 4) loop.stop();
        });
  }
  script.step("call_later(0.01, timer); run_forever()");
  loop.call_later(0.01, [&] { timer_fired.set(); });
  loop.call_later(10.0, [&] { loop.stop(); });  // a watchdog
  loop.run_forever();
  EXPECT_STEP_EQ(script, done_calls, 4, "every job's done was called once");
  EXPECT_STEP_EQ(script, ok, 4,
                 "Options::executor_workers = 4: four jobs run at the same time, off the loop, "
                 "and the loop's timer fires while they block their workers");
}
