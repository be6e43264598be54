// The example programs of chapter 02 run, exit 0, and do what the tour promises.
// Timings are checked only loosely (within 50%), and every wait has a deadline: the tests must
// neither be flaky nor hang. The echo server runs as a child process on 127.0.0.1 and is
// talked to from here, through real sockets, as any client would.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/programs.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Running a program to its end: run_command() and run_example(), in support/programs.hpp.
using aio::testing::ProgramOutput;
using aio::testing::run_command;
using aio::testing::run_example;
using aio::testing::split_lines;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// "t=0.301s  sleeper B wakes up ..." -> 0.301
double time_of(const std::string& line) {
  return std::stod(line.substr(2));
}

// ---- sleepy -------------------------------------------------------------------------------

TEST(Examples, SleepyWakesInOrderOfDelaysAndTakesTheLongestNotTheSum) {
  const ProgramOutput run = run_example("sleepy");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  std::vector<std::string> woke;
  std::vector<double> at;
  double total = -1;
  for (const std::string& line : run.lines) {
    const auto wakes = line.find(" wakes up");
    if (wakes != std::string::npos) {
      woke.push_back(line.substr(line.find("sleeper"), wakes - line.find("sleeper")));
      at.push_back(time_of(line));
    }
    if (line.rfind("total ", 0) == 0) total = std::stod(line.substr(6));
  }
  // Started in the order C, A, D, B; woken in the order of their delays.
  EXPECT_EQ(woke, (std::vector<std::string>{"sleeper A", "sleeper B", "sleeper C", "sleeper D"}))
      << run.output;
  EXPECT_TRUE(std::is_sorted(at.begin(), at.end())) << run.output;
  // The delays overlap: the total is about the longest delay (0.6 s), far from their sum (1.5 s).
  EXPECT_GE(total, 0.6 * 0.5) << run.output;
  EXPECT_LE(total, 0.6 * 1.5) << run.output;
  EXPECT_TRUE(contains(run.output, "the longest delay is 0.6s, the sum of the delays 1.5s"))
      << run.output;
}

// ---- stopper ------------------------------------------------------------------------------

TEST(Examples, StopperStopsTheLoopAfterSixTicks) {
  const ProgramOutput run = run_example("stopper");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  int ticks = 0;
  bool stopped = false;
  for (const std::string& line : run.lines) {
    if (contains(line, "  tick ")) {
      EXPECT_FALSE(stopped) << "a tick after the stop:\n" << run.output;
      ++ticks;
    }
    if (contains(line, "stopper: loop.stop()")) stopped = true;
  }
  EXPECT_EQ(ticks, 6) << run.output;  // at 0.0, 0.1, ... 0.5; the stop comes at 0.55
  EXPECT_TRUE(stopped) << run.output;
  EXPECT_TRUE(contains(run.output, "run_forever() returned after 6 ticks")) << run.output;
}

// ---- echo_server_callbacks --demo ---------------------------------------------------------

TEST(Examples, EchoServerDemoServesThreeClientsAndSurvivesAHangUp) {
  const ProgramOutput run = run_example("echo_server_callbacks", "--demo");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "listening on 127.0.0.1:")) << run.output;
  EXPECT_TRUE(contains(run.output, "hangs up in the middle of a line")) << run.output;
  EXPECT_TRUE(contains(run.output, "summary: 3 connections served")) << run.output;
  EXPECT_TRUE(contains(run.output, "every echo matched: yes")) << run.output;
  EXPECT_FALSE(contains(run.output, "WRONG ECHO")) << run.output;
  const auto gone = std::count_if(run.lines.begin(), run.lines.end(),
                                  [](const std::string& l) { return contains(l, " gone ("); });
  EXPECT_EQ(gone, 3) << run.output;
}

// ---- the echo server as a child process ---------------------------------------------------

// A point in time that every wait of a test must not pass.
struct Deadline {
  Clock::time_point at;
  explicit Deadline(std::chrono::milliseconds in) : at(Clock::now() + in) {}
  int remaining_ms() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at - Clock::now());
    return static_cast<int>(std::max<long long>(0, left.count()));
  }
  bool passed() const { return Clock::now() >= at; }
};

// Waits until `fd` is ready for `events`; false if the deadline passed first.
bool wait_for(int fd, short events, const Deadline& deadline) {
  while (true) {
    pollfd entry{fd, events, 0};
    const int ready = poll(&entry, 1, deadline.remaining_ms());
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

// The server, started with --port 0. Its stdout is read by a thread, line by line, so that the
// server never blocks on a full pipe and the test can wait for a line with a deadline.
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> args = {}) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy: exec keeps it
      dup2(out[1], STDERR_FILENO);
      const std::string path = std::string(AIO_BIN_DIR) + "/echo_server_callbacks";
      args.insert(args.begin(), {path, "--port", "0"});
      std::vector<char*> argv;
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execv(path.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    reader_ = std::thread([this, fd = out[0]] { read_output(fd); });
    const std::string prefix = "listening on 127.0.0.1:";
    const std::string line = wait_for_line(prefix, std::chrono::seconds(10));
    if (!line.empty()) port_ = std::atoi(line.c_str() + prefix.size());
  }

  ~ServerProcess() { terminate(); }

  int port() const { return port_; }

  // The first line that contains `part`, waiting for it until `timeout`; "" if none came.
  std::string wait_for_line(const std::string& part, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::string found;
    changed_.wait_for(lock, timeout, [&] {
      for (const std::string& line : split_lines(output_)) {
        if (contains(line, part)) found = line;
        if (!found.empty()) return true;
      }
      return eof_;
    });
    return found;
  }

  std::string output() {
    const std::lock_guard lock(mutex_);
    return output_;
  }

  // SIGTERM, then the exit status (-1: killed or did not exit in time).
  int terminate() {
    if (exit_status_ != kRunning) return exit_status_;  // reaped already: its pid may be reused
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    {
      // The server closes its stdout when it exits: EOF is the sign, waited for with a deadline.
      std::unique_lock lock(mutex_);
      if (!changed_.wait_for(lock, std::chrono::seconds(10), [&] { return eof_; })) {
        kill(pid_, SIGKILL);
      }
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    reader_.join();
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_status_;
  }

 private:
  static constexpr int kRunning = -2;

  void read_output(int fd) {
    std::array<char, 4096> buffer{};
    while (true) {
      const ssize_t got = read(fd, buffer.data(), buffer.size());
      if (got < 0 && errno == EINTR) continue;
      const std::lock_guard lock(mutex_);
      if (got <= 0) {
        eof_ = true;
        changed_.notify_all();
        break;
      }
      output_.append(buffer.data(), static_cast<std::size_t>(got));
      changed_.notify_all();
    }
    close(fd);
  }

  pid_t pid_ = -1;
  int port_ = 0;
  int exit_status_ = kRunning;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string output_;
  bool eof_ = false;
};

// A blocking TCP client socket with no wait longer than its deadline.
int connect_to(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& data, const Deadline& deadline) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    if (!wait_for(fd, POLLOUT, deadline)) return false;
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads `size` bytes, or what came before EOF, an error or the deadline.
std::string receive(int fd, std::size_t size, const Deadline& deadline) {
  std::string got;
  std::array<char, 65536> buffer{};
  while (got.size() < size && wait_for(fd, POLLIN, deadline)) {
    const ssize_t n = recv(fd, buffer.data(), std::min(buffer.size(), size - got.size()), 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;
    if (n > 0) got.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return got;
}

// One line there and back on a new connection.
std::string round_trip(int port, const std::string& line) {
  const Deadline deadline(std::chrono::seconds(5));
  const int fd = connect_to(port);
  if (fd < 0) return "<connect failed>";
  std::string echo = send_all(fd, line, deadline) ? receive(fd, line.size(), deadline) : "";
  close(fd);
  return echo;
}

class ExampleEchoServer : public testing::Test {
 protected:
  explicit ExampleEchoServer(std::vector<std::string> args = {}) : server_(std::move(args)) {}

  void SetUp() override { ASSERT_GT(server_.port(), 0) << server_.output(); }

  // Every test ends with SIGTERM: the server must stop cleanly and exit 0.
  void TearDown() override {
    EXPECT_EQ(server_.terminate(), 0) << server_.output();
    EXPECT_TRUE(contains(server_.output(), "SIGTERM received")) << server_.output();
    EXPECT_TRUE(contains(server_.output(), "summary: ")) << server_.output();
  }

  ServerProcess server_;
};

// The kernel grows a socket's send buffer up to megabytes: 1 MB would fit there, and the
// server's own buffer would never fill. A 32 KiB one makes its flow control come into play.
class ExampleEchoServerSmallSendBuffer : public ExampleEchoServer {
 protected:
  ExampleEchoServerSmallSendBuffer() : ExampleEchoServer({"--sndbuf", "32768"}) {}
};

TEST_F(ExampleEchoServer, EchoesOneLine) {
  EXPECT_EQ(round_trip(server_.port(), "hello, echo\n"), "hello, echo\n");
}

TEST_F(ExampleEchoServer, ServesManyClientsAtOnce) {
  constexpr int kClients = 20;
  const Deadline deadline(std::chrono::seconds(10));
  std::vector<int> fds;
  // All connected and all sent before any reads: the server must hold 20 conversations at once.
  for (int i = 0; i < kClients; ++i) {
    fds.push_back(connect_to(server_.port()));
    ASSERT_GE(fds.back(), 0);
    ASSERT_TRUE(send_all(fds.back(), "client " + std::to_string(i) + "\n", deadline));
  }
  for (int i = kClients - 1; i >= 0; --i) {  // read back in the reverse order
    const std::string expected = "client " + std::to_string(i) + "\n";
    EXPECT_EQ(receive(fds[i], expected.size(), deadline), expected);
    close(fds[i]);
  }
  EXPECT_FALSE(server_.wait_for_line("client 20 gone", std::chrono::seconds(5)).empty())
      << server_.output();
}

TEST_F(ExampleEchoServer, SurvivesAClientThatHangsUpMidLine) {
  const Deadline deadline(std::chrono::seconds(5));
  const int fd = connect_to(server_.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, "this line never ends", deadline));
  close(fd);
  // The server notices, cleans up, says so, and goes on serving the others.
  EXPECT_FALSE(server_.wait_for_line("client 1 gone", std::chrono::seconds(5)).empty())
      << server_.output();
  EXPECT_EQ(round_trip(server_.port(), "still there?\n"), "still there?\n");
}

TEST_F(ExampleEchoServerSmallSendBuffer, EchoesAMegabyteSentWithoutReadingWithBoundedBuffer) {
  constexpr std::size_t kSize = 1 << 20;
  std::string data(kSize, '\0');
  for (std::size_t i = 0; i < kSize; ++i) data[i] = static_cast<char>('a' + (i * 7919) % 26);
  const Deadline deadline(std::chrono::seconds(20));
  const int fd = connect_to(server_.port());
  ASSERT_GE(fd, 0);
  // A small receive buffer: the echo backs up in the server soon, not in our kernel.
  const int small = 16 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);

  // Phase 1: send without reading, until everything is sent or the socket stays full for a
  // while (the server stopped reading us: flow control).
  std::size_t sent = 0;
  while (sent < kSize) {
    const Deadline stall(std::chrono::milliseconds(300));
    if (!wait_for(fd, POLLOUT, stall)) break;
    const ssize_t n = send(fd, data.data() + sent, kSize - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  // Whatever this client does, the others are served.
  EXPECT_EQ(round_trip(server_.port(), "not blocked\n"), "not blocked\n");

  // Phase 2: read everything back, sending the rest as the socket takes it.
  std::string echoed;
  std::array<char, 65536> buffer{};
  while (echoed.size() < kSize && !deadline.passed()) {
    pollfd entry{fd, static_cast<short>(POLLIN | (sent < kSize ? POLLOUT : 0)), 0};
    if (poll(&entry, 1, deadline.remaining_ms()) <= 0) break;
    if (entry.revents & POLLOUT) {
      const ssize_t n = send(fd, data.data() + sent, kSize - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
    if (entry.revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n == 0) break;
      if (n > 0) echoed.append(buffer.data(), static_cast<std::size_t>(n));
    }
  }
  close(fd);
  ASSERT_EQ(echoed.size(), kSize) << "bytes sent: " << sent;
  EXPECT_TRUE(echoed == data) << "the echo differs from what was sent";

  // The server's buffer for this client stayed near its high-water mark (256 KiB), plus at
  // most one read (64 KiB): the rest waited in the kernel's socket buffers.
  EXPECT_EQ(server_.terminate(), 0);
  const std::string summary = server_.wait_for_line("summary: ", std::chrono::seconds(1));
  const auto at = summary.find("largest output buffer ");
  ASSERT_NE(at, std::string::npos) << server_.output();
  const long long peak = std::atoll(summary.c_str() + at + 22);
  EXPECT_GT(peak, 0) << summary;
  EXPECT_LE(peak, 320 * 1024) << summary;
  // And it did come into play: the server stopped reading this client, then read again.
  EXPECT_TRUE(contains(server_.output(), "client 1 paused")) << server_.output();
  EXPECT_TRUE(contains(server_.output(), "client 1 resumed")) << server_.output();
}

TEST_F(ExampleEchoServer, EchoesForNetcat) {
  if (std::system("command -v nc > /dev/null 2>&1") != 0) GTEST_SKIP() << "nc is not installed";
  // -N: shut the socket down after the input's EOF (the server then finishes and closes);
  // -w 5: give up after 5 idle seconds, so that the test cannot hang.
  const ProgramOutput run =
      run_command("printf 'hello\\n' | nc -N -w 5 127.0.0.1 " + std::to_string(server_.port()));
  EXPECT_EQ(run.exit_status, 0) << run.output;
  EXPECT_EQ(run.output, "hello\n");
}

}  // namespace
