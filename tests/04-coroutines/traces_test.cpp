// The same order as CPython (lesson, section 13). Each test runs the C++ twin of a Python
// program in tests/04-coroutines/traces/, records one line per step as the Python program
// prints it, and compares the lines with traces/<name>.expected, the output CPython printed,
// committed next to the program. So the comparison needs no Python; `./course check` runs the
// Python programs again when python3 is there, and fails if CPython now prints something else
// (`./course traces --write` refreshes the files).
//
// The C++ programs run on an aio::ManualClock with auto_advance: their sleeps take no real
// time, and the order of the steps does not depend on how loaded the machine is. The Python
// programs sleep for real, with delays far enough apart that their order is just as certain.
// A difference is a finding, never a reason to edit the expected file by hand: either the
// course's order differs from asyncio's (a bug, or a deliberate difference that the lesson
// names and a comment here explains), or the C++ twin is not the same program.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/coroutine.hpp"
#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/gather_tasks.hpp"
#include "aio/queues.hpp"
#include "aio/run_until_complete.hpp"
#include "aio/runners.hpp"
#include "aio/sleep.hpp"
#include "aio/task.hpp"
#include "aio/timeouts.hpp"

namespace {

using aio::Coroutine;

// What a program printed, one line per step.
struct Trace {
  std::vector<std::string> lines;
  void note(std::string line) { lines.push_back(std::move(line)); }
};

// Python's spelling of a bool, as the programs print it.
const char* py(bool value) {
  return value ? "True" : "False";
}

// A loop whose clock jumps to the next timer: sleeps take no real time.
aio::EventLoop::Options manual_clock() {
  aio::EventLoop::Options options;
  options.clock = std::make_shared<aio::ManualClock>(0.0, /*auto_advance=*/true);
  return options;
}

// ---- reading and comparing ------------------------------------------------------------------

// traces/<name>.expected, next to this file: the build passes no source directory to tests,
// and __FILE__ is the absolute path the build compiled this file from.
std::filesystem::path expected_path(const std::string& name) {
  return std::filesystem::path(__FILE__).parent_path() / "traces" / (name + ".expected");
}

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The two sequences in two columns, the first difference marked: what a failure shows.
std::string side_by_side(const std::vector<std::string>& cpython,
                         const std::vector<std::string>& cpp) {
  std::size_t width = std::string_view("CPython (.expected)").size();
  for (const std::string& line : cpython) width = std::max(width, line.size());
  std::string text = fmt::format("\n     {:<{}}  | C++ (aio)\n", "CPython (.expected)", width);
  bool marked = false;
  for (std::size_t i = 0; i < std::max(cpython.size(), cpp.size()); ++i) {
    const std::string left = i < cpython.size() ? cpython[i] : "(nothing)";
    const std::string right = i < cpp.size() ? cpp[i] : "(nothing)";
    const bool first_difference = !marked && left != right;
    marked = marked || first_difference;
    text += fmt::format("{} {:>2} {:<{}}  {} {}\n", first_difference ? ">>" : "  ", i + 1, left,
                        width, left == right ? "|" : "X", right);
  }
  return text;
}

void expect_same_as_cpython(const std::string& name, const Trace& trace) {
  const std::filesystem::path path = expected_path(name);
  ASSERT_TRUE(std::filesystem::exists(path))
      << "no expected output at " << path << " (run ./course traces --write)";
  const std::vector<std::string> cpython = read_lines(path);
  // EXPECT_TRUE, not EXPECT_EQ: the two columns say it all, without a dump of each vector.
  EXPECT_TRUE(trace.lines == cpython)
      << "The C++ twin of traces/" << name << ".py does not print the steps in CPython's order."
      << side_by_side(cpython, trace.lines)
      << "Re-read: \"13. The same order as CPython\" in the lesson.";
}

// ---- gather_sleeps.py -----------------------------------------------------------------------

Coroutine<std::string> sleeper(Trace* trace, std::string name, double delay) {
  trace->note(fmt::format("{}: starts, sleeps {}", name, delay));
  co_await aio::sleep(delay);
  trace->note(name + ": wakes up");
  co_return name;
}

Coroutine<void> gather_sleeps(Trace* trace) {
  trace->note("main: gather(c 0.3, a 0.1, b 0.2)");
  const auto gathering =
      aio::gather(sleeper(trace, "c", 0.3), sleeper(trace, "a", 0.1), sleeper(trace, "b", 0.2));
  gathering.add_done_callback([trace](const auto&) { trace->note("gather: done callback"); });
  trace->note("main: sleep(0)");
  co_await aio::sleep(0);
  trace->note("main: awaits the gather");
  const auto results = co_await gathering;
  const auto& [c, a, b] = results;
  trace->note("main: results " + c + " " + a + " " + b);
}

TEST(SameOrderAsCPython, GatherOfThreeSleeps) {
  Trace trace;
  aio::run(gather_sleeps(&trace), manual_clock());
  expect_same_as_cpython("gather_sleeps", trace);
}

// ---- take_your_time.py ----------------------------------------------------------------------

Coroutine<int> take_your_time(Trace* trace) {
  trace->note("take_your_time: starts, sleeps 0.1");
  co_await aio::sleep(0.1);
  trace->note("take_your_time: returns 42");
  co_return 42;
}

TEST(SameOrderAsCPython, TakeYourTimeAsATaskOnALoopDrivenByHand) {
  Trace trace;
  aio::EventLoop loop(manual_clock());
  const aio::Task<int> task = aio::create_task(loop, take_your_time(&trace));
  trace.note(fmt::format("main: task created, done {}", py(task.done())));
  task.add_done_callback([&trace](const aio::Future<int>& done) {
    trace.note(fmt::format("done callback: result {}", done.result()));
    done.get_loop().call_soon([&trace] { trace.note("call_soon from the done callback"); });
  });
  loop.call_soon([&trace] { trace.note("call_soon made after create_task"); });
  trace.note("main: run_until_complete(task)");
  const int result = aio::run_until_complete(loop, static_cast<const aio::Future<int>&>(task));
  trace.note(fmt::format("main: run_until_complete returned {}", result));
  trace.note("main: run_until_complete(sleep(0))");
  const aio::Future<void> yielded = aio::create_task(loop, aio::sleep(0));
  aio::run_until_complete(loop, yielded);
  trace.note("main: the loop stopped again");
  loop.close();
  expect_same_as_cpython("take_your_time", trace);
}

// ---- producer_consumer.py -------------------------------------------------------------------

using Queue = aio::Queue<std::string>;

Coroutine<void> producer(Trace* trace, Queue* queue, std::string name, int count) {
  for (int i = 1; i <= count; ++i) {
    const std::string item = name + std::to_string(i);
    trace->note(fmt::format("{}: put {}, size {}", name, item, queue->qsize()));
    co_await queue->put(item);
    trace->note(fmt::format("{}: put {} done, size {}", name, item, queue->qsize()));
  }
  trace->note(name + ": finished");
}

Coroutine<void> consumer(Trace* trace, Queue* queue, std::string name) {
  while (true) {
    const std::string item = co_await queue->get();
    trace->note(fmt::format("{}: got {}, size {}", name, item, queue->qsize()));
    co_await aio::sleep(0);
    trace->note(fmt::format("{}: task_done {}", name, item));
    queue->task_done();
  }
}

// The name of the exception's class, as Python's type(o).__name__ gives it.
std::string class_name(const std::exception_ptr& error) {
  if (!error) return "NoneType";
  try {
    std::rethrow_exception(error);
  } catch (const aio::CancelledError&) {
    return "CancelledError";
  } catch (const std::exception& e) {
    return std::string("std::exception: ") + e.what();
  }
}

Coroutine<void> producer_consumer(Trace* trace) {
  Queue queue(2);
  std::vector<aio::Task<void>> consumers;
  for (const char* name : {"c1", "c2"}) {
    consumers.push_back(aio::create_task(consumer(trace, &queue, name)));
  }
  co_await aio::gather(producer(trace, &queue, "a", 3), producer(trace, &queue, "b", 3));
  trace->note("main: producers finished");
  co_await queue.join();
  trace->note("main: join returned");
  for (const aio::Task<void>& task : consumers) task.cancel();
  const auto outcomes = co_await aio::gather(aio::return_exceptions, consumers[0], consumers[1]);
  trace->note("main: consumers ended with " + class_name(std::get<0>(outcomes).exception()) + " " +
              class_name(std::get<1>(outcomes).exception()));
}

TEST(SameOrderAsCPython, ProducersAndConsumersOverABoundedQueue) {
  Trace trace;
  aio::run(producer_consumer(&trace), manual_clock());
  expect_same_as_cpython("producer_consumer", trace);
}

// ---- cancelled_wait_for.py ------------------------------------------------------------------

// Python cleans up inside `except CancelledError:` with an await; C++ allows no co_await in a
// handler, so the handler keeps the exception and the cleanup comes after it.
Coroutine<void> slow(Trace* trace, std::string name) {
  trace->note(name + ": starts");
  std::exception_ptr cancelled;
  try {
    co_await aio::sleep(10);
  } catch (const aio::CancelledError&) {
    cancelled = std::current_exception();
  }
  if (cancelled) {
    trace->note(name + ": cancelled, cleans up");
    co_await aio::sleep(0);
    trace->note(name + ": cleaned up");
    std::rethrow_exception(cancelled);
  }
  trace->note(name + ": finished");
}

Coroutine<void> cancelled_wait_for(Trace* trace) {
  try {
    co_await aio::wait_for(slow(trace, "coroutine"), 0.1);
  } catch (const aio::TimeoutError&) {
    trace->note("main: TimeoutError for the coroutine");
  }

  const aio::Task<void> task = aio::create_task(slow(trace, "task"));
  try {
    co_await aio::wait_for(task, 0.1);
  } catch (const aio::TimeoutError&) {
    trace->note(fmt::format("main: TimeoutError for the task, cancelled {}", py(task.cancelled())));
  }

  try {
    co_await aio::wait_for(slow(trace, "never"), 0.0);
  } catch (const aio::TimeoutError&) {
    trace->note("main: TimeoutError at once");
  }

  const aio::Task<void> waiter = aio::create_task(aio::wait_for(slow(trace, "inner"), 10.0));
  co_await aio::sleep(0.1);
  trace->note("main: cancels the waiter");
  waiter.cancel();
  try {
    co_await waiter;
  } catch (const aio::CancelledError&) {
    trace->note(fmt::format("main: the waiter ended cancelled {}", py(waiter.cancelled())));
  }
}

TEST(SameOrderAsCPython, WaitForThatTimesOutOrIsCancelled) {
  Trace trace;
  aio::run(cancelled_wait_for(&trace), manual_clock());
  expect_same_as_cpython("cancelled_wait_for", trace);
}

}  // namespace
