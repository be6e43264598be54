// Exercise 2.5: readers and writers: watch fds, queue their callbacks when ready.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// Every scenario runs twice, once per selector (epoll and poll): the loop's rules for readers
// and writers do not depend on how the operating system is asked. The clock is a ManualClock,
// so run_once() never blocks: it looks at the fds (a wait of 0), runs what is ready, returns.
// The fds are pipes and socketpairs made non-blocking, so a read of an empty one returns at once.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "aio/event_loop.hpp"
#include "support/fds.hpp"
#include "support/script.hpp"

namespace {

using aio::testing::open_fd_count;
using aio::testing::Script;
using Trace = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 2.5";

// ---- file descriptors --------------------------------------------------------------------

// Owns one fd and closes it: a test never leaks one, whatever fails.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }

  int get() const noexcept { return fd_; }
  void reset() noexcept {
    if (fd_ != -1) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read_end;
  Fd write_end;
};

Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

// Two connected stream sockets: what one writes, the other reads; each is its own fd.
std::pair<Fd, Fd> make_socketpair() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    throw std::system_error(errno, std::generic_category(), "socketpair");
  }
  return {Fd(fds[0]), Fd(fds[1])};
}

void write_bytes(int fd, const std::string& bytes) {
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
}

// Reads one byte; returns what read() returned (1, 0 at end of file, -1 when nothing is there).
ssize_t read_one(int fd) {
  char byte = 0;
  return ::read(fd, &byte, 1);
}

// Writes until the kernel's buffer is full (EAGAIN): the fd is then no longer writable.
void fill(int fd) {
  const std::string chunk(65536, 'x');
  while (::write(fd, chunk.data(), chunk.size()) > 0) {
  }
}

// Reads until there is nothing left.
void drain(int fd) {
  char buffer[65536];
  while (::read(fd, buffer, sizeof buffer) > 0) {
  }
}

// What a call threw, in words, naming the exact standard type the finished code throws. A
// starter's stub (aio::NotImplemented) is named as such, never mistaken for one of them.
template <class F>
std::string error_of(F&& call) {
  try {
    call();
  } catch (const aio::NotImplemented& e) {
    return std::string("aio::NotImplemented: ") + e.what();
  } catch (const std::invalid_argument& e) {
    return std::string("std::invalid_argument: ") + e.what();
  } catch (const std::system_error& e) {
    return "std::system_error: " + e.code().message();
  } catch (const std::runtime_error& e) {
    return std::string("std::runtime_error: ") + e.what();
  } catch (const std::logic_error& e) {
    return std::string("std::logic_error: ") + e.what();
  }
  return "nothing";
}

// ---- the two selectors -------------------------------------------------------------------

struct SelectorKind {
  const char* name;
  std::unique_ptr<aio::Selector> (*make)();
};

// How GoogleTest prints the parameter in its messages: the selector's name.
void PrintTo(const SelectorKind& kind, std::ostream* out) {
  *out << kind.name;
}

class Ex25ReadersWriters : public ::testing::TestWithParam<SelectorKind> {
 protected:
  Ex25ReadersWriters()
      : loop(aio::EventLoop::Options{.selector = GetParam().make(), .clock = clock}) {}

  // The scenario's name, with the selector it runs on.
  static std::string scenario(const std::string& what) {
    return what + " (" + GetParam().name + " selector)";
  }

  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  aio::EventLoop loop;
};

}  // namespace

// ---- readers -----------------------------------------------------------------------------

TEST_P(Ex25ReadersWriters, ReaderRunsInEveryIterationWhileTheFdIsReadable) {
  Script script(scenario("a reader that takes one byte per call, on a pipe holding three"),
                kLesson);
  Pipe pipe = make_pipe();
  int calls = 0;

  script.step("write \"abc\" into the pipe; add_reader(read end, read one byte)");
  write_bytes(pipe.write_end.get(), "abc");
  loop.add_reader(pipe.read_end.get(), [&] {
    ++calls;
    read_one(pipe.read_end.get());
  });
  EXPECT_STEP_EQ(script, calls, 0, "add_reader() only registers the callback: it runs in run_once");

  script.step("run_once() three times");
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 1, "a reader runs in the iteration in which its fd is readable");
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 3,
                 "a reader runs in every iteration while its fd is readable (level-triggered: "
                 "the loop asks again each time, bytes left over make it ready again)");

  script.step("run_once() twice more: the pipe is empty now");
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 3, "a reader does not run while its fd has nothing to read");

  script.step("write \"d\", then run_once()");
  write_bytes(pipe.write_end.get(), "d");
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 4, "the reader stays registered: new bytes wake it again");
  EXPECT_TRUE(loop.remove_reader(pipe.read_end.get()));
}

TEST_P(Ex25ReadersWriters, ReaderStillRunsWhileCallbacksAreAlwaysReady) {
  Script script(scenario("a callback that reschedules itself forever, and a readable pipe"),
                kLesson);
  Pipe pipe = make_pipe();
  int spins = 0;
  int reads = 0;

  script.step("call_soon(spin: call_soon(spin)); write \"ab\"; add_reader(read one byte)");
  std::function<void()> spin = [&] {
    ++spins;
    loop.call_soon(spin);
  };
  loop.call_soon(spin);
  write_bytes(pipe.write_end.get(), "ab");
  loop.add_reader(pipe.read_end.get(), [&] {
    ++reads;
    read_one(pipe.read_end.get());
  });

  script.step("run_once() twice");
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, spins, 2, "spin runs once per iteration");
  EXPECT_STEP_EQ(script, reads, 2,
                 "the reader runs in both iterations too: with callbacks ready the loop does not "
                 "wait, but while an fd is watched it still looks (select with timeout 0); "
                 "only a loop watching no fd may skip that look");
  EXPECT_TRUE(loop.remove_reader(pipe.read_end.get()));
}

TEST_P(Ex25ReadersWriters, ReaderQueuedInTheIterationThatStopsRunsOnceNotTwice) {
  Script script(scenario("stop() in the iteration in which a reader's fd became readable"),
                kLesson);
  Pipe pipe = make_pipe();
  int calls = 0;

  script.step("call_soon(stop); write one byte; add_reader(read end, read it); run_forever()");
  loop.call_soon([&] { loop.stop(); });
  write_bytes(pipe.write_end.get(), "x");
  loop.add_reader(pipe.read_end.get(), [&] {
    ++calls;
    read_one(pipe.read_end.get());
  });
  loop.run_forever();
  EXPECT_STEP_EQ(script, calls, 1,
                 "stop() lets the iteration finish: the reader queued in it still runs, once");

  script.step("run_once() twice more, with nothing written");
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 1,
                 "nothing of the stopped iteration is left queued: the reader does not run "
                 "a second time for the same byte (asyncio's "
                 "test_single_selecter_event_callback_after_stopping)");
  EXPECT_TRUE(loop.remove_reader(pipe.read_end.get()));
}

TEST_P(Ex25ReadersWriters, WriterRunsWhileTheFdIsWritableAndWaitsWhileItIsFull) {
  Script script(scenario("a writer on one end of a socketpair"), kLesson);
  auto [ours, peer] = make_socketpair();
  int calls = 0;

  script.step("add_writer(ours, count the calls); run_once() twice");
  loop.add_writer(ours.get(), [&] { ++calls; });
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 2,
                 "a writer runs in every iteration while its fd has room in its send buffer");

  script.step("fill the socket's buffer until write() says EAGAIN; run_once() twice");
  fill(ours.get());
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 2, "a writer does not run while its fd is full");

  script.step("the peer reads everything; run_once()");
  drain(peer.get());
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 3, "once there is room again, the writer runs again");

  script.step("remove_writer(ours); run_once()");
  EXPECT_STEP_TRUE(script, loop.remove_writer(ours.get()),
                   "remove_writer() returns true when it removed a writer");
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 3, "a removed writer never runs again");
}

TEST_P(Ex25ReadersWriters, ReaderAndWriterOnOneFdAreIndependent) {
  Script script(scenario("a reader and a writer on the same socket"), kLesson);
  auto [ours, peer] = make_socketpair();
  Trace trace;

  script.step("the peer sends \"x\"; add_reader(ours, R) and add_writer(ours, W); run_once()");
  write_bytes(peer.get(), "x");
  loop.add_reader(ours.get(), [&] { trace.push_back("R"); });
  loop.add_writer(ours.get(), [&] { trace.push_back("W"); });
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"R", "W"}),
                 "an fd both readable and writable queues its reader, then its writer, in the "
                 "same iteration: the selector watches it for both");

  script.step("remove_reader(ours); run_once()");
  EXPECT_STEP_TRUE(script, loop.remove_reader(ours.get()), "remove_reader() removed the reader");
  trace.clear();
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"W"}),
                 "removing the reader keeps the writer: the fd is then watched for writing only");

  script.step("add_reader(ours, R) again, remove_writer(ours); run_once()");
  loop.add_reader(ours.get(), [&] { trace.push_back("R"); });
  EXPECT_STEP_TRUE(script, loop.remove_writer(ours.get()), "remove_writer() removed the writer");
  trace.clear();
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"R"}),
                 "removing the writer keeps the reader (the unread \"x\" keeps the fd readable)");

  script.step("remove_reader(ours); run_once()");
  EXPECT_STEP_TRUE(script, loop.remove_reader(ours.get()), "remove_reader() removed the reader");
  trace.clear();
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{}, "with both removed, nothing runs for this fd");
}

TEST_P(Ex25ReadersWriters, RemoveReturnsTrueOnlyWhenItRemovedSomething) {
  Script script(scenario("remove_reader() and remove_writer() report what they did"), kLesson);
  Pipe pipe = make_pipe();
  const int fd = pipe.read_end.get();

  script.step("remove_reader(fd) on an fd never watched");
  EXPECT_STEP_EQ(script, loop.remove_reader(fd), false,
                 "remove_reader() of an fd without a reader returns false, and is no error");

  script.step("add_reader(fd, ...); remove_writer(fd)");
  loop.add_reader(fd, [] {});
  EXPECT_STEP_EQ(script, loop.remove_writer(fd), false,
                 "remove_writer() returns false when the fd has a reader but no writer");

  script.step("remove_reader(fd) twice");
  EXPECT_STEP_EQ(script, loop.remove_reader(fd), true, "the first remove_reader() removes it");
  EXPECT_STEP_EQ(script, loop.remove_reader(fd), false,
                 "the second finds nothing to remove: false");

  script.step("remove_reader(-1)");
  EXPECT_STEP_EQ(script, loop.remove_reader(-1), false,
                 "removing from an fd that cannot exist is simply false");
}

TEST_P(Ex25ReadersWriters, SecondAddReaderReplacesTheFirst) {
  Script script(scenario("add_reader() twice on the same fd"), kLesson);
  Pipe pipe = make_pipe();
  const int fd = pipe.read_end.get();
  Trace trace;

  script.step("add_reader(fd, first); add_reader(fd, second); write a byte; run_once()");
  loop.add_reader(fd, [&] { trace.push_back("first"); });
  loop.add_reader(fd, [&] { trace.push_back("second"); });
  write_bytes(pipe.write_end.get(), "x");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"second"}),
                 "an fd has at most one reader: a second add_reader() replaces the first, whose "
                 "callback never runs again");

  script.step("remove_reader(fd) twice");
  EXPECT_STEP_EQ(script, loop.remove_reader(fd), true, "the one reader is removed");
  EXPECT_STEP_EQ(script, loop.remove_reader(fd), false,
                 "there was only one reader to remove: replacing did not stack them");
}

TEST_P(Ex25ReadersWriters, ReaderThatRemovesItselfNeverRunsAgain) {
  Script script(scenario("a reader that calls remove_reader() on its own fd while it runs"),
                kLesson);
  Pipe pipe = make_pipe();
  const int fd = pipe.read_end.get();
  int calls = 0;
  bool removed = false;

  script.step("write \"xyz\"; add_reader(fd, take one byte then remove_reader(fd)); run_once()");
  write_bytes(pipe.write_end.get(), "xyz");
  loop.add_reader(fd, [&] {
    ++calls;
    read_one(fd);
    removed = loop.remove_reader(fd);  // destroys nothing the running callback still needs
  });
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 1, "the reader ran once");
  EXPECT_STEP_TRUE(script, removed,
                   "a callback may remove its own reader: remove_reader() is true");

  script.step("run_once() twice: two bytes are still in the pipe");
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 1, "a removed reader never runs, even though its fd is readable");
}

TEST_P(Ex25ReadersWriters, ReaderRemovedByAnotherReaderOfTheSameIterationDoesNotRun) {
  Script script(scenario("two readable pipes whose readers each remove the other's reader"),
                kLesson);
  Pipe a = make_pipe();
  Pipe b = make_pipe();
  Trace trace;

  script.step("write into both pipes; reader A removes B's reader, reader B removes A's");
  write_bytes(a.write_end.get(), "aaa");
  write_bytes(b.write_end.get(), "bbb");
  loop.add_reader(a.read_end.get(), [&] {
    trace.push_back("A");
    loop.remove_reader(b.read_end.get());
  });
  loop.add_reader(b.read_end.get(), [&] {
    trace.push_back("B");
    loop.remove_reader(a.read_end.get());
  });

  script.step("run_once(): both fds are ready, both readers were queued");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace.size(), std::size_t{1},
                 "a reader removed earlier in the same iteration must not run, though it was "
                 "already queued: remove_reader() cancels its handle");

  script.step("run_once() again");
  loop.run_once();
  ASSERT_EQ(trace.size(), 2u) << script.report("the reader that was not removed runs again");
  EXPECT_STEP_EQ(script, trace[1], trace[0], "only the surviving reader runs");
}

TEST_P(Ex25ReadersWriters, ReaderRemovedByAnEarlierCallbackDoesNotRun) {
  Script script(scenario("a call_soon() callback removes a reader whose fd is ready"), kLesson);
  Pipe pipe = make_pipe();
  const int fd = pipe.read_end.get();
  Trace trace;

  script.step("write a byte; add_reader(fd, reader); call_soon(remove_reader(fd))");
  write_bytes(pipe.write_end.get(), "x");
  loop.add_reader(fd, [&] { trace.push_back("reader"); });
  loop.call_soon([&] { trace.push_back(loop.remove_reader(fd) ? "removed" : "not removed"); });

  script.step("run_once(): the call_soon callback was queued first, then the ready reader");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"removed"}),
                 "the reader was queued in this iteration, but removed before its turn: a "
                 "cancelled handle is skipped");
}

TEST_P(Ex25ReadersWriters, ReaderReplacedWhileQueuedRunsOnlyAsTheNewOneNextIteration) {
  Script script(scenario("a call_soon() callback replaces a reader whose fd is ready"), kLesson);
  Pipe pipe = make_pipe();
  const int fd = pipe.read_end.get();
  Trace trace;

  script.step("write a byte; add_reader(fd, old); call_soon(add_reader(fd, new))");
  write_bytes(pipe.write_end.get(), "x");
  loop.add_reader(fd, [&] { trace.push_back("old"); });
  loop.call_soon([&] { loop.add_reader(fd, [&] { trace.push_back("new"); }); });

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, Trace{},
                 "the replaced reader was queued already, but replacing cancels it; the new one "
                 "was not ready when this iteration began");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, trace, (Trace{"new"}), "the next iteration runs the new reader");
}

TEST_P(Ex25ReadersWriters, AddReaderOnAClosedFdThrowsSystemErrorAndRegistersNothing) {
  Script script(scenario("add_reader() on an fd that was closed"), kLesson);
  int closed_fd = -1;
  {
    Pipe pipe = make_pipe();
    closed_fd = pipe.read_end.get();
  }  // both ends closed here

  script.step("add_reader(closed fd, ...)");
  const std::string error = error_of([&] { loop.add_reader(closed_fd, [] {}); });
  EXPECT_STEP_EQ(script, error, std::string("std::system_error: ") + std::strerror(EBADF),
                 "an fd that is not open is refused with std::system_error (EBADF), from the "
                 "selector's register_fd");

  script.step("remove_reader(closed fd)");
  EXPECT_STEP_EQ(script, loop.remove_reader(closed_fd), false,
                 "a refused add_reader() leaves nothing registered: there is no reader to remove");

  script.step("open a new pipe (it may reuse the number), add_reader on it, write, run_once()");
  Pipe fresh = make_pipe();
  int calls = 0;
  loop.add_reader(fresh.read_end.get(), [&] { ++calls; });
  write_bytes(fresh.write_end.get(), "x");
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, 1,
                 "a later add_reader() works: the failed one left no half-registered fd behind");
  EXPECT_TRUE(loop.remove_reader(fresh.read_end.get()));
}

TEST_P(Ex25ReadersWriters, AddReaderOrWriterOnMinusOneThrowsInvalidArgument) {
  Script script(scenario("add_reader(-1) and add_writer(-1)"), kLesson);

  script.step("add_reader(-1, ...)");
  EXPECT_STEP_EQ(script, error_of([&] { loop.add_reader(-1, [] {}); }),
                 std::string("std::invalid_argument: Invalid file descriptor: -1"),
                 "a negative fd is std::invalid_argument");

  script.step("add_writer(-1, ...)");
  EXPECT_STEP_EQ(script, error_of([&] { loop.add_writer(-1, [] {}); }),
                 std::string("std::invalid_argument: Invalid file descriptor: -1"),
                 "a negative fd is std::invalid_argument, for writers too");

  script.step("remove_reader(-1), remove_writer(-1)");
  EXPECT_STEP_EQ(script, loop.remove_reader(-1), false, "nothing was registered for -1");
  EXPECT_STEP_EQ(script, loop.remove_writer(-1), false, "nothing was registered for -1");
}

TEST_P(Ex25ReadersWriters, AfterCloseAddIsRefusedAndRemoveReturnsFalse) {
  Script script(scenario("readers and writers on a closed loop"), kLesson);
  Pipe pipe = make_pipe();
  const int fd = pipe.read_end.get();

  script.step("add_reader(fd, ...); close() the loop");
  loop.add_reader(fd, [] {});
  loop.close();

  script.step("remove_reader(fd), remove_writer(fd)");
  EXPECT_STEP_EQ(script, loop.remove_reader(fd), false,
                 "close() dropped every reader: remove_reader() on a closed loop returns false");
  EXPECT_STEP_EQ(script, loop.remove_writer(fd), false,
                 "remove_writer() on a closed loop returns false");

  script.step("add_reader(fd, ...), add_writer(fd, ...)");
  EXPECT_STEP_EQ(script, error_of([&] { loop.add_reader(fd, [] {}); }),
                 std::string("std::runtime_error: Event loop is closed"),
                 "add_reader() on a closed loop is refused");
  EXPECT_STEP_EQ(script, error_of([&] { loop.add_writer(fd, [] {}); }),
                 std::string("std::runtime_error: Event loop is closed"),
                 "add_writer() on a closed loop is refused");
}

TEST_P(Ex25ReadersWriters, ReaderSeesEndOfFileWhenThePeerCloses) {
  Script script(scenario("the peer of a socketpair closes its end"), kLesson);
  auto [ours, peer] = make_socketpair();
  std::vector<ssize_t> reads;

  script.step("add_reader(ours, read one byte; on end of file remove itself); run_once()");
  loop.add_reader(ours.get(), [&] {
    reads.push_back(read_one(ours.get()));
    if (reads.back() == 0) loop.remove_reader(ours.get());
  });
  loop.run_once();
  EXPECT_STEP_EQ(script, reads.size(), std::size_t{0}, "nothing was sent: the reader waits");

  script.step("the peer sends \"x\" and closes; run_once() three times");
  write_bytes(peer.get(), "x");
  peer.reset();
  loop.run_once();
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, reads, (std::vector<ssize_t>{1, 0}),
                 "the byte comes first; then a closed peer makes the fd readable, and read() "
                 "returns 0: that is how a reader learns of the end of file");
}

TEST_P(Ex25ReadersWriters, WaitLastsUntilTheNearestTimerWhileTheFdsAreIdle) {
  Script script(scenario("an idle pipe with a reader, and timers at 5 s and 10 s"), kLesson);
  Pipe pipe = make_pipe();
  Trace trace;

  script.step("a ManualClock at 0 with auto_advance (a wait jumps the clock to its end)");
  clock->set_auto_advance(true);
  script.step("add_reader(idle pipe, ...); call_at(10, t10); call_at(5, t5)");
  loop.add_reader(pipe.read_end.get(), [&] { trace.push_back("reader"); });
  loop.call_at(10, [&] { trace.push_back("t10"); });
  loop.call_at(5, [&] { trace.push_back("t5"); });

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, loop.time(), 5.0,
                 "with nothing ready, the loop waits in its selector until the nearest timer is "
                 "due, no longer: the clock reads 5");
  EXPECT_STEP_EQ(script, trace, (Trace{"t5"}), "the timer at 5 s ran; the idle reader did not");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_EQ(script, loop.time(), 10.0, "the next wait ends at the next timer");
  EXPECT_STEP_EQ(script, trace, (Trace{"t5", "t10"}), "the timer at 10 s ran");
}

TEST_P(Ex25ReadersWriters, ThrowingReaderIsReportedAndStaysRegistered) {
  Script script(scenario("a reader that throws every time it runs"), kLesson);
  Pipe pipe = make_pipe();
  std::vector<std::string> reported;

  script.step("set an exception handler that keeps the messages; add a throwing reader");
  loop.set_exception_handler([&](aio::EventLoop&, const aio::ExceptionContext& context) {
    reported.push_back(context.message);
  });
  loop.add_reader(
      pipe.read_end.get(), [] { throw std::runtime_error("bad input"); }, "parse");

  script.step("write a byte; run_once() twice");
  write_bytes(pipe.write_end.get(), "x");
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(
      script, reported,
      (std::vector<std::string>{"Exception in callback parse", "Exception in callback parse"}),
      "a reader is an ordinary callback: what it throws goes to the exception handler, "
      "and it stays registered (it runs again while the fd is readable)");
  EXPECT_TRUE(loop.remove_reader(pipe.read_end.get()));
}

TEST_P(Ex25ReadersWriters, ManyReadersEachRunOncePerIteration) {
  Script script(scenario("50 readable pipes, one reader each"), kLesson);
  constexpr int kPipes = 50;
  std::vector<Pipe> pipes;
  std::vector<int> calls(kPipes, 0);

  script.step("write a byte into each pipe; add one reader per pipe; run_once() twice");
  for (int i = 0; i < kPipes; ++i) {
    pipes.push_back(make_pipe());
    write_bytes(pipes.back().write_end.get(), "x");
    loop.add_reader(pipes.back().read_end.get(), [&calls, i] { ++calls[i]; });
  }
  loop.run_once();
  loop.run_once();
  EXPECT_STEP_EQ(script, calls, std::vector<int>(kPipes, 2),
                 "every ready fd's reader runs once per iteration, none twice, none skipped");
  for (const Pipe& p : pipes) loop.remove_reader(p.read_end.get());
}

TEST_P(Ex25ReadersWriters, ALoopWithReadersLeaksNoFdWhenClosed) {
  Script script(scenario("a second loop with readers and writers, then closed"), kLesson);
  const std::size_t before = open_fd_count();
  {
    Pipe pipe = make_pipe();
    auto [ours, peer] = make_socketpair();

    script.step("make a loop; add a reader on a pipe and a writer on a socket; run_once()");
    aio::EventLoop other(aio::EventLoop::Options{.selector = GetParam().make(), .clock = clock});
    int calls = 0;
    other.add_reader(pipe.read_end.get(), [&] { ++calls; });
    other.add_writer(ours.get(), [&] { ++calls; });
    other.run_once();
    EXPECT_STEP_EQ(script, calls, 1, "the writer ran; the idle reader did not");

    script.step("close() the loop, then destroy it and the fds");
    other.close();
  }
  EXPECT_STEP_EQ(script, open_fd_count(), before,
                 "a closed loop leaves no fd open: its selector's and its wake-up fd are closed, "
                 "and the fds it watched belong to their owners");
}

// The test names end with the selector: "Selectors/Ex25ReadersWriters.<test>/epoll" and "/poll".
INSTANTIATE_TEST_SUITE_P(Selectors, Ex25ReadersWriters,
                         ::testing::Values(SelectorKind{"epoll", &aio::make_epoll_selector},
                                           SelectorKind{"poll", &aio::make_poll_selector}),
                         [](const ::testing::TestParamInfo<SelectorKind>& info) {
                           return std::string(info.param.name);
                         });
