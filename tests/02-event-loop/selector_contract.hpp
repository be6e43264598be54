// What every aio::Selector must do, as value-parameterised tests (TEST_P): a test file
// instantiates them for one selector (ex2.2_epoll_selector_test.cpp for epoll, the exercise;
// poll_selector_test.cpp for poll, the reference the lesson compares it with).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
// Real fds only, from pipe2() and socketpair(); each is closed by RAII even when a step throws,
// and every test checks that the number of open fds is back where it started.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "aio/selector.hpp"
#include "support/fds.hpp"
#include "support/script.hpp"

namespace aio::testing {

constexpr const char* kSelectorLesson = "Exercise 2.2";

// An fd closed when it goes out of scope (or earlier, with close()).
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Fd() { close(); }

  int get() const noexcept { return fd_; }
  void close() noexcept {
    if (fd_ != -1) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// A pipe: bytes written to `write` come out of `read`.
struct Pipe {
  Fd read;
  Fd write;
};

inline Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

// Two connected Unix stream sockets: each is readable when the other wrote.
struct SocketPair {
  Fd a;
  Fd b;
};

inline SocketPair make_socketpair() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) == -1) {
    throw std::system_error(errno, std::generic_category(), "socketpair");
  }
  return SocketPair{Fd(fds[0]), Fd(fds[1])};
}

inline void write_byte(const Fd& fd) {
  if (::write(fd.get(), "x", 1) != 1)
    throw std::system_error(errno, std::generic_category(), "write");
}

// What a ready fd was ready for, in words: "readable", "writable", "readable+writable".
inline std::string readiness(unsigned events) {
  std::string words;
  if (events & kReadable) words = "readable";
  if (events & kWritable) words += words.empty() ? "writable" : "+writable";
  return words.empty() ? "nothing" : words;
}

// select(timeout) as "fd: readiness" entries, sorted by fd, with the test's names for the fds.
struct Named {
  int fd;
  std::string name;
};

inline std::vector<std::string> select_named(Selector& selector, double timeout,
                                             const std::vector<Named>& names) {
  std::vector<ReadyFd> ready;
  selector.select(timeout, ready);
  std::sort(ready.begin(), ready.end(),
            [](const ReadyFd& x, const ReadyFd& y) { return x.fd < y.fd; });
  std::vector<std::string> seen;
  for (const ReadyFd& entry : ready) {
    std::string name = "fd " + std::to_string(entry.fd);
    for (const Named& known : names) {
      if (known.fd == entry.fd) name = known.name;
    }
    seen.push_back(name + ": " + readiness(entry.events));
  }
  return seen;
}

// Which selector a TEST_P runs on.
struct SelectorKind {
  std::string name;
  std::unique_ptr<Selector> (*make)();
};

// gtest prints the parameter as its name, not its bytes; CTest then names each test
// <Instantiation>/SelectorContract.<Test>/<selector> (Epoll/SelectorContract.X/epoll).
inline void PrintTo(const SelectorKind& kind, std::ostream* out) {
  *out << kind.name;
}

class SelectorContract : public ::testing::TestWithParam<SelectorKind> {
 protected:
  void SetUp() override { selector_ = GetParam().make(); }
  void TearDown() override {
    selector_.reset();
    EXPECT_EQ(open_fd_count(), fds_before_)
        << "every fd the test (and the selector) opened must be closed again: an fd leaked";
  }

  Selector& selector() { return *selector_; }
  std::string scenario(const std::string& what) const {
    return what + " (" + GetParam().name + " selector)";
  }

 private:
  std::size_t fds_before_ = open_fd_count();
  std::unique_ptr<Selector> selector_;
};

using Entries = std::vector<std::string>;

// ---- readiness -----------------------------------------------------------------------------

TEST_P(SelectorContract, PipeBecomesReadableAfterAWrite) {
  Script script(scenario("watch a pipe's read end, then write one byte"), kSelectorLesson);
  Pipe pipe = make_pipe();
  const std::vector<Named> names{{pipe.read.get(), "read end"}};

  script.step("register the read end for kReadable; select(0)");
  selector().register_fd(pipe.read.get(), kReadable);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{},
                 "an empty pipe is not readable: select() reports nothing");

  script.step("write one byte into the pipe; select(0)");
  write_byte(pipe.write);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"read end: readable"},
                 "a pipe with data is readable (EPOLLIN becomes kReadable)");

  script.step("select(0) again, without reading the byte");
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"read end: readable"},
                 "readiness is level-triggered: the fd stays readable until the data is read");
  selector().unregister(pipe.read.get());
}

TEST_P(SelectorContract, EmptyPipesWriteEndIsWritable) {
  Script script(scenario("watch an empty pipe's write end for kWritable"), kSelectorLesson);
  Pipe pipe = make_pipe();
  const std::vector<Named> names{{pipe.write.get(), "write end"}};

  script.step("register the write end for kWritable; select(0)");
  selector().register_fd(pipe.write.get(), kWritable);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"write end: writable"},
                 "a pipe with room in its buffer is writable (EPOLLOUT becomes kWritable)");
  selector().unregister(pipe.write.get());
}

TEST_P(SelectorContract, FullPipeIsNotWritableUntilItIsRead) {
  Script script(scenario("fill a pipe, then drain it"), kSelectorLesson);
  Pipe pipe = make_pipe();
  const std::vector<Named> names{{pipe.write.get(), "write end"}};
  selector().register_fd(pipe.write.get(), kWritable);

  script.step("write into the (non-blocking) pipe until it refuses (EAGAIN); select(0)");
  const std::vector<char> block(4096, 'x');
  while (::write(pipe.write.get(), block.data(), block.size()) > 0) {
  }
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{},
                 "a full pipe is not writable: select() reports nothing");

  script.step("read everything back; select(0)");
  std::vector<char> sink(65536);
  while (::read(pipe.read.get(), sink.data(), sink.size()) > 0) {
  }
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"write end: writable"},
                 "once there is room again, the write end is writable");
  selector().unregister(pipe.write.get());
}

TEST_P(SelectorContract, TimeoutZeroReturnsAtOnceWithNothingReady) {
  Script script(scenario("select(0) with a watched fd that is not ready"), kSelectorLesson);
  Pipe pipe = make_pipe();
  selector().register_fd(pipe.read.get(), kReadable);

  script.step("fill `ready` with a stale entry; select(0, ready)");
  std::vector<ReadyFd> ready{ReadyFd{12345, kReadable}};
  const auto start = std::chrono::steady_clock::now();
  selector().select(0, ready);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_STEP_TRUE(script, ready.empty(),
                   "select() clears `ready` first, then reports nothing: no fd is ready");
  EXPECT_STEP_TRUE(
      script, took < 1.0,
      "a timeout of 0 means just look, never wait (it took " + std::to_string(took) + " s)");
  selector().unregister(pipe.read.get());
}

TEST_P(SelectorContract, SelectWithNothingRegisteredReturnsNothing) {
  Script script(scenario("select(0) on a selector that watches no fd"), kSelectorLesson);

  script.step("select(0)");
  std::vector<ReadyFd> ready;
  const std::string outcome = outcome_of([&] { selector().select(0, ready); });
  EXPECT_STEP_EQ(script, outcome, std::string("nothing"),
                 "select() with nothing registered is no error (epoll_wait needs room for at "
                 "least one event: size the buffer for at least one)");
  EXPECT_STEP_TRUE(script, ready.empty(), "and it reports nothing");
}

TEST_P(SelectorContract, NoLimitReturnsAtOnceWhenAnFdIsAlreadyReady) {
  Script script(scenario("select(-1) when a watched pipe already holds data"), kSelectorLesson);
  Pipe pipe = make_pipe();
  const std::vector<Named> names{{pipe.read.get(), "read end"}};
  selector().register_fd(pipe.read.get(), kReadable);

  script.step("write one byte; select(-1) (wait without limit)");
  write_byte(pipe.write);
  EXPECT_STEP_EQ(script, select_named(selector(), -1, names), Entries{"read end: readable"},
                 "a negative timeout waits without limit only while nothing is ready; an fd "
                 "that is ready ends the wait at once");

  script.step("select(3600) on the same pipe");
  EXPECT_STEP_EQ(script, select_named(selector(), 3600, names), Entries{"read end: readable"},
                 "a long timeout too returns at once when an fd is ready");
  selector().unregister(pipe.read.get());
}

TEST_P(SelectorContract, HangUpReportsReadable) {
  Script script(scenario("the peer of a watched pipe closes its end"), kSelectorLesson);
  Pipe pipe = make_pipe();
  const std::vector<Named> names{{pipe.read.get(), "read end"}};
  selector().register_fd(pipe.read.get(), kReadable);

  script.step("close the write end; select(0)");
  pipe.write.close();
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"read end: readable+writable"},
                 "a hang-up (EPOLLHUP) reports the fd readable and writable, so that whoever "
                 "reads next learns the peer is gone (read() returns 0, end of file)");
  selector().unregister(pipe.read.get());
}

TEST_P(SelectorContract, ReportsOnlyTheReadyFdsOnePerFd) {
  Script script(scenario("three pipes and a socket pair; only some are ready"), kSelectorLesson);
  Pipe p1 = make_pipe();
  Pipe p2 = make_pipe();
  Pipe p3 = make_pipe();
  SocketPair sockets = make_socketpair();
  const std::vector<Named> names{{p1.read.get(), "pipe 1"},
                                 {p2.read.get(), "pipe 2"},
                                 {p3.read.get(), "pipe 3"},
                                 {sockets.a.get(), "socket a"}};

  script.step("watch the three read ends for kReadable, socket a for kReadable|kWritable");
  selector().register_fd(p1.read.get(), kReadable);
  selector().register_fd(p2.read.get(), kReadable);
  selector().register_fd(p3.read.get(), kReadable);
  selector().register_fd(sockets.a.get(), kReadable | kWritable);

  script.step("write into pipe 2 and into socket b; select(0)");
  write_byte(p2.write);
  write_byte(sockets.b);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names),
                 (Entries{"pipe 2: readable", "socket a: readable+writable"}),
                 "select() reports the ready fds only, each once, with everything it is ready "
                 "for in one entry");
  for (const Named& known : names) selector().unregister(known.fd);
}

TEST_P(SelectorContract, ReportsEveryReadyFdInOneCall) {
  Script script(scenario("50 pipes, all readable at once"), kSelectorLesson);
  std::vector<Pipe> pipes;
  for (int i = 0; i < 50; ++i) pipes.push_back(make_pipe());

  script.step("watch the 50 read ends; write one byte into each; select(0)");
  for (const Pipe& pipe : pipes) selector().register_fd(pipe.read.get(), kReadable);
  for (const Pipe& pipe : pipes) write_byte(pipe.write);
  std::vector<ReadyFd> ready;
  selector().select(0, ready);
  EXPECT_STEP_EQ(script, ready.size(), std::size_t{50},
                 "one select() reports every ready fd: size the event buffer for every "
                 "registered fd");
  for (const Pipe& pipe : pipes) selector().unregister(pipe.read.get());
}

// ---- registration --------------------------------------------------------------------------

TEST_P(SelectorContract, UnregisteredFdIsNoLongerReported) {
  Script script(scenario("a readable pipe is unregistered"), kSelectorLesson);
  Pipe pipe = make_pipe();
  const std::vector<Named> names{{pipe.read.get(), "read end"}};

  script.step("register the read end; write one byte; select(0)");
  selector().register_fd(pipe.read.get(), kReadable);
  write_byte(pipe.write);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"read end: readable"},
                 "the pipe is readable");

  script.step("unregister the read end; select(0)");
  selector().unregister(pipe.read.get());
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{},
                 "an fd that is no longer watched is never reported, ready or not");

  script.step("unregister it again");
  EXPECT_STEP_EQ(script, outcome_of([&] { selector().unregister(pipe.read.get()); }),
                 std::string("nothing"), "unregistering an fd that is not watched is no error");

  script.step("register it again; select(0)");
  selector().register_fd(pipe.read.get(), kReadable);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"read end: readable"},
                 "an unregistered fd can be registered again");
  selector().unregister(pipe.read.get());
}

TEST_P(SelectorContract, ModifyChangesWhatIsWatched) {
  Script script(scenario("a socket watched for reading, then for writing, then both"),
                kSelectorLesson);
  SocketPair sockets = make_socketpair();
  const std::vector<Named> names{{sockets.a.get(), "socket a"}};

  script.step("register socket a for kReadable; select(0)");
  selector().register_fd(sockets.a.get(), kReadable);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{},
                 "no data: not readable; that it could be written is not asked");

  script.step("modify it to kWritable; select(0)");
  selector().modify(sockets.a.get(), kWritable);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"socket a: writable"},
                 "after modify(), the selector watches for what it was told now");

  script.step("socket b writes one byte; select(0)");
  write_byte(sockets.b);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"socket a: writable"},
                 "data arrived, but reading is not watched any more");

  script.step("modify it to kReadable|kWritable; select(0)");
  selector().modify(sockets.a.get(), kReadable | kWritable);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"socket a: readable+writable"},
                 "now both are watched, and both hold");
  selector().unregister(sockets.a.get());
}

TEST_P(SelectorContract, RegisteringMinusOneIsInvalidArgument) {
  Script script(scenario("register fd -1"), kSelectorLesson);
  Pipe pipe = make_pipe();
  const std::vector<Named> names{{pipe.read.get(), "read end"}};

  script.step("register_fd(-1, kReadable)");
  EXPECT_STEP_EQ(script, outcome_of([&] { selector().register_fd(-1, kReadable); }),
                 std::string("std::logic_error: Invalid file descriptor: -1"),
                 "a negative fd is refused with std::invalid_argument");

  script.step("the selector still works: watch a pipe, write, select(0)");
  selector().register_fd(pipe.read.get(), kReadable);
  write_byte(pipe.write);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"read end: readable"},
                 "a refused registration leaves the selector as it was");
  selector().unregister(pipe.read.get());
}

TEST_P(SelectorContract, RegisteringAClosedFdIsSystemError) {
  Script script(scenario("register an fd that was just closed"), kSelectorLesson);
  Pipe pipe = make_pipe();
  const int closed = pipe.read.get();
  pipe.read.close();

  script.step("close a pipe's read end; register_fd(that fd, kReadable)");
  std::string outcome = "nothing";
  int code = 0;
  try {
    selector().register_fd(closed, kReadable);
  } catch (const std::system_error& e) {
    outcome = "std::system_error";
    code = e.code().value();
  } catch (const std::logic_error& e) {
    outcome = std::string("std::logic_error: ") + e.what();
  }
  EXPECT_STEP_EQ(script, outcome, std::string("std::system_error"),
                 "an fd that is not open is refused with std::system_error");
  EXPECT_STEP_EQ(script, code, EBADF, "its error code is EBADF (bad file descriptor)");

  script.step("select(0)");
  EXPECT_STEP_EQ(script, select_named(selector(), 0, {}), Entries{},
                 "the refused fd is not watched: nothing is reported");
}

TEST_P(SelectorContract, RegisteringTwiceIsInvalidArgument) {
  Script script(scenario("register the same fd twice"), kSelectorLesson);
  Pipe pipe = make_pipe();
  const std::vector<Named> names{{pipe.read.get(), "read end"}};

  script.step("register the read end for kReadable; register it again for kWritable");
  selector().register_fd(pipe.read.get(), kReadable);
  const std::string outcome =
      outcome_of([&] { selector().register_fd(pipe.read.get(), kWritable); });
  EXPECT_STEP_TRUE(script, outcome.starts_with("std::logic_error: "),
                   "an fd already registered is refused with std::invalid_argument (use "
                   "modify() to change what it is watched for); it threw " +
                       outcome);

  script.step("write one byte; select(0)");
  write_byte(pipe.write);
  EXPECT_STEP_EQ(script, select_named(selector(), 0, names), Entries{"read end: readable"},
                 "the first registration stands, and the fd is reported once");
  selector().unregister(pipe.read.get());
}

}  // namespace aio::testing
