// aio::ThreadPool: worker threads for blocking work (asyncio's default executor).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace aio {

// A fixed set of worker threads that run jobs in the order submitted
// (concurrent.futures.ThreadPoolExecutor). The loop hands them what would block it.
class ThreadPool {
 public:
  explicit ThreadPool(std::size_t workers);
  ~ThreadPool() { stop(true); }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `job` for a worker. After shutdown(): std::runtime_error
  // ("cannot schedule new futures after shutdown", as Python says). If a worker died of an
  // exception (see run_worker), that exception instead.
  void submit(std::function<void()> job);

  // Refuses new jobs. With `wait`, the queued and running jobs finish and the workers are
  // joined before it returns, and the exception a worker died of, if any, is rethrown here;
  // without, the workers finish them on their own, and the destructor joins them.
  void shutdown(bool wait = true);

  std::size_t size() const noexcept { return workers_.size(); }

 private:
  void work();
  void run_worker() noexcept;  // work(), keeping what escapes it for the caller's thread
  void stop(bool wait);        // shutdown() without rethrowing: for the destructor

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool accepting_ = true;
  std::exception_ptr failure_;  // the first exception that ended a worker
  std::vector<std::thread> workers_;
};

}  // namespace aio
