// Echo round trips through two servers on 127.0.0.1, measured in the same run:
//
//   BM_Echo_Callbacks/connections:C          the callback server of echo_server_callbacks
//                                            (echo_server.hpp): one thread, one event loop
//   BM_Echo_ThreadPerConnection/connections:C the classic blocking server: a thread per client
//
// The load: C client threads, each with one blocking connection, each sending a 64-byte
// message and waiting for its echo, again and again. One benchmark iteration is kRoundTrips
// round trips shared among the clients. per_round_trip is the wall-clock time of one round
// trip with all C clients busy (so 1/throughput), the figure to compare.

#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "../../chapters/02-event-loop/examples/echo_server.hpp"
#include "aio/event_loop.hpp"

namespace {

constexpr int kRoundTrips = 2'000;    // per benchmark iteration, all clients together
constexpr std::size_t kMessage = 64;  // bytes per round trip
constexpr int kTimeoutSeconds = 5;    // a blocking call that waits longer is a failure

// ---- the two servers ----------------------------------------------------------------------

// echo::Server on an aio::EventLoop of its own thread. Everything is made and destroyed on
// that thread: the loop belongs to it.
class CallbackServer {
 public:
  CallbackServer() {
    std::promise<std::pair<aio::EventLoop*, std::uint16_t>> started;
    auto ready = started.get_future();
    thread_ = std::thread([&started] {
      aio::EventLoop loop;
      echo::Server server(loop, 0);
      started.set_value({&loop, server.port()});
      loop.run_forever();
      server.close();
    });
    std::tie(loop_, port_) = ready.get();
  }
  ~CallbackServer() {
    loop_->call_soon_threadsafe([loop = loop_] { loop->stop(); });  // the only cross-thread call
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  std::thread thread_;
  aio::EventLoop* loop_ = nullptr;
  std::uint16_t port_ = 0;
};

int listen_on_loopback(std::uint16_t& port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, SOMAXCONN) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::system_error(errno, std::generic_category(), "listen");
  }
  port = ntohs(address.sin_port);
  return fd;
}

// Blocking sockets, one thread per client: the simplest server there is, and the one that the
// event loop replaces. Each thread costs a stack and a context switch per message.
class ThreadPerConnectionServer {
 public:
  ThreadPerConnectionServer() : listener_(listen_on_loopback(port_)) {
    acceptor_ = std::thread([this] {
      while (true) {
        const int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd == -1) {
          if (errno == EINTR || errno == ECONNABORTED) continue;
          return;  // shutdown() of the listener: time to stop
        }
        connections_.emplace_back([fd] { echo_until_eof(fd); });
      }
    });
  }
  ~ThreadPerConnectionServer() {
    shutdown(listener_, SHUT_RDWR);  // wakes the blocked accept() with an error
    acceptor_.join();
    for (std::thread& connection : connections_) connection.join();  // clients are gone
    close(listener_);
  }
  std::uint16_t port() const { return port_; }

 private:
  static void echo_until_eof(int fd) {
    char buffer[64 * 1024];
    while (true) {
      const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      for (ssize_t sent = 0; sent < got;) {
        const ssize_t n =
            send(fd, buffer + sent, static_cast<std::size_t>(got - sent), MSG_NOSIGNAL);
        if (n <= 0) return (void)close(fd);
        sent += n;
      }
    }
    close(fd);
  }

  std::uint16_t port_ = 0;
  int listener_;
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // only the acceptor touches it until the join
};

// ---- the load -----------------------------------------------------------------------------

// C client threads with one blocking connection each. run(n) makes each do n round trips and
// returns when all are done; between runs they wait on a condition variable.
class Load {
 public:
  Load(std::uint16_t port, int connections) {
    for (int i = 0; i < connections; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      const timeval timeout{kTimeoutSeconds, 0};  // no blocking call may hang the benchmark
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(port);
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) failed_ = true;
      fds_.push_back(fd);
      threads_.emplace_back([this, fd] { client(fd); });
    }
  }

  ~Load() {
    {
      const std::lock_guard lock(mutex_);
      quit_ = true;
    }
    go_.notify_all();
    for (std::thread& thread : threads_) thread.join();
    for (const int fd : fds_) close(fd);  // the servers see EOF and let go
  }

  // Every client does `each` round trips; false if any failed.
  bool run(int each) {
    std::unique_lock lock(mutex_);
    each_ = each;
    running_ = static_cast<int>(threads_.size());
    ++generation_;
    go_.notify_all();
    done_.wait(lock, [&] { return running_ == 0; });
    return !failed_;
  }

 private:
  void client(int fd) {
    std::uint64_t seen = 0;
    const std::string message(kMessage, 'x');
    std::string echo(kMessage, '\0');
    while (true) {
      int each = 0;
      {
        std::unique_lock lock(mutex_);
        go_.wait(lock, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
        each = each_;
      }
      for (int i = 0; i < each && !failed_; ++i) {
        if (!round_trip(fd, message, echo)) failed_ = true;
      }
      const std::lock_guard lock(mutex_);
      if (--running_ == 0) done_.notify_one();
    }
  }

  static bool round_trip(int fd, const std::string& message, std::string& echo) {
    if (send(fd, message.data(), message.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(message.size())) {
      return false;
    }
    for (std::size_t got = 0; got < kMessage;) {
      const ssize_t n = recv(fd, echo.data() + got, kMessage - got, 0);
      if (n <= 0) return false;  // EOF, an error, or the timeout
      got += static_cast<std::size_t>(n);
    }
    return true;
  }

  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable go_, done_;
  std::uint64_t generation_ = 0;
  int each_ = 0;
  int running_ = 0;
  bool quit_ = false;
  std::atomic<bool> failed_ = false;
};

template <class Server>
void run_echo(benchmark::State& state) {
  const auto connections = static_cast<int>(state.range(0));
  Server server;
  Load load(server.port(), connections);
  const int each = kRoundTrips / connections;
  for (auto _ : state) {
    if (!load.run(each)) {
      state.SkipWithError("a round trip failed or timed out");
      break;
    }
  }
  const std::int64_t per_iteration = static_cast<std::int64_t>(each) * connections;
  state.SetItemsProcessed(state.iterations() * per_iteration);
  state.counters["per_round_trip"] = benchmark::Counter(
      static_cast<double>(per_iteration),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_Echo_Callbacks(benchmark::State& state) {
  run_echo<CallbackServer>(state);
}
BENCHMARK(BM_Echo_Callbacks)->ArgName("connections")->Arg(1)->Arg(100)->UseRealTime();

void BM_Echo_ThreadPerConnection(benchmark::State& state) {
  run_echo<ThreadPerConnectionServer>(state);
}
BENCHMARK(BM_Echo_ThreadPerConnection)->ArgName("connections")->Arg(1)->Arg(100)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
