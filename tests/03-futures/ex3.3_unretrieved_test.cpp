// Exercise 3.3: an exception nobody retrieved ("Future exception was never retrieved",
// reported through the loop's exception handler when the last handle on the future goes).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
//
// Finishing, reading and cancelling futures need Exercise 3.1; the tests where a done callback
// holds the future need Exercise 3.2 too. A report is made from a destructor, which must not
// throw: until Exercise 3.3 is written these tests fail by seeing no report at all.
// A future is dropped by leaving the inner scope that holds its handles.
#include <gtest/gtest.h>

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio/clock.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "support/script.hpp"

namespace {

using aio::EventLoop;
using aio::Future;
using aio::testing::Script;
using Lines = std::vector<std::string>;

constexpr const char* kLesson = "Exercise 3.3";
const std::string kNeverRetrieved = "Future exception was never retrieved";

class DiskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::exception_ptr disk_error(const std::string& what) {
  return std::make_exception_ptr(DiskError(what));
}

std::string what_of(const std::exception_ptr& error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// What the exception handler received: the message, and what() of the exception.
struct Report {
  std::string message;
  std::string what;
  bool operator==(const Report&) const = default;
};

void PrintTo(const Report& report, std::ostream* out) {
  *out << "{\"" << report.message << "\", \"" << report.what << "\"}";
}

using Reports = std::vector<Report>;

EventLoop::Options on(std::shared_ptr<aio::Clock> clock) {
  EventLoop::Options options;
  options.clock = std::move(clock);
  return options;
}

// Every test keeps what the loop's exception handler receives.
class Ex33Unretrieved : public ::testing::Test {
 protected:
  Ex33Unretrieved() {
    loop.set_exception_handler([this](EventLoop&, const aio::ExceptionContext& context) {
      reports.push_back(Report{context.message, what_of(context.exception)});
      exceptions.push_back(context.exception);
      handle_given = handle_given || context.handle != nullptr;
    });
  }

  // Declared before the loop: the loop's handler writes here until the loop is gone.
  Reports reports;
  std::vector<std::exception_ptr> exceptions;
  bool handle_given = false;
  Lines log;  // the loop's log, once a test sends it here
  std::shared_ptr<aio::ManualClock> clock = std::make_shared<aio::ManualClock>();
  EventLoop loop{on(clock)};
};

}  // namespace

TEST_F(Ex33Unretrieved, ExceptionNobodyRetrievedIsReportedWhenTheLastHandleGoes) {
  Script script("a future finishes with an exception; nobody ever looks at it", kLesson);
  const std::exception_ptr error = disk_error("disk on fire");

  script.step("in an inner scope: set_exception(DiskError(\"disk on fire\"))");
  {
    Future<int> future(loop);
    future.set_exception(error);
    EXPECT_STEP_EQ(script, reports, Reports{},
                   "nothing is reported while a handle lives: its owner may still read it");

    script.step("leave the scope: the only handle goes");
  }
  EXPECT_STEP_EQ(script, reports, (Reports{{kNeverRetrieved, "disk on fire"}}),
                 "the last handle going with the exception unread reports it once to the "
                 "loop's exception handler, as \"Future exception was never retrieved\" with "
                 "the exception (else an error could vanish without a trace)");
  EXPECT_STEP_TRUE(script, exceptions.size() == 1 && exceptions[0] == error,
                   "the context carries the stored exception itself");
  EXPECT_STEP_TRUE(script, !handle_given, "no callback failed: the context has no handle");
}

TEST_F(Ex33Unretrieved, ReadingTheExceptionSilencesTheReport) {
  Script script("three futures fail; one is read with result(), one with exception(), one not",
                kLesson);

  script.step(
      "in an inner scope: each of by_result, by_exception, unread gets set_exception(); "
      "by_result.result() (caught), by_exception.exception(); leave the scope");
  {
    Future<int> by_result(loop);
    Future<int> by_exception(loop);
    Future<int> unread(loop);
    by_result.set_exception(disk_error("read by result()"));
    by_exception.set_exception(disk_error("read by exception()"));
    unread.set_exception(disk_error("unread"));
    try {
      by_result.result();
    } catch (const DiskError&) {
      // handled: the point of this step
    }
    by_exception.exception();
  }
  EXPECT_STEP_EQ(script, reports, (Reports{{kNeverRetrieved, "unread"}}),
                 "an exception that result() threw or exception() returned was retrieved: "
                 "somebody had the chance to handle it, so only the unread one is reported");
}

TEST_F(Ex33Unretrieved, CancellingAFailedFutureSilencesTheReportToo) {
  Script script("two futures fail; one of them is then cancelled (too late), the other not",
                kLesson);

  script.step(
      "in an inner scope: set_exception() on cancelled_late and on unread; "
      "cancelled_late.cancel(), which returns false; leave the scope");
  {
    Future<int> cancelled_late(loop);
    Future<int> unread(loop);
    cancelled_late.set_exception(disk_error("cancelled late"));
    unread.set_exception(disk_error("unread"));
    EXPECT_STEP_TRUE(script, !cancelled_late.cancel(), "cancel() of a done future returns false");
  }
  EXPECT_STEP_EQ(script, reports, (Reports{{kNeverRetrieved, "unread"}}),
                 "whoever cancels a future says they no longer care how it ends: its exception "
                 "counts as retrieved even though cancel() came too late (asyncio does the same; "
                 "the line is in cancel(), Exercise 3.1)");
}

TEST_F(Ex33Unretrieved, OnlyAFutureFinishedWithAnExceptionIsEverReported) {
  Script script("drop a pending, a finished, a cancelled and a failed future, in that order",
                kLesson);

  script.step("drop a pending future");
  { Future<int> pending(loop); }
  EXPECT_STEP_EQ(script, reports, Reports{},
                 "a pending future has no exception: dropping it reports nothing");

  script.step("drop a future finished with set_result(1), never read");
  {
    Future<int> finished(loop);
    finished.set_result(1);
  }
  EXPECT_STEP_EQ(script, reports, Reports{}, "an unread value is nobody's error: no report");

  script.step("drop a cancelled future, never read");
  {
    Future<int> cancelled(loop);
    cancelled.cancel("not needed");
  }
  EXPECT_STEP_EQ(script, reports, Reports{},
                 "a cancellation is asked for, not an error: no report (asyncio too)");

  script.step("drop a future finished with set_exception(DiskError(\"failed\")), never read");
  {
    Future<int> failed(loop);
    failed.set_exception(disk_error("failed"));
  }
  EXPECT_STEP_EQ(script, reports, (Reports{{kNeverRetrieved, "failed"}}),
                 "only the future with an unread exception is reported");
}

TEST_F(Ex33Unretrieved, ReportComesOnceWhenTheLastOfSeveralCopiesGoes) {
  Script script("a failed future with three handles, dropped one by one", kLesson);

  script.step("set_exception(DiskError(\"shared\")) through one of three handles");
  std::optional<Future<int>> first{Future<int>(loop)};
  std::optional<Future<int>> second = first;
  std::optional<Future<int>> third = first;
  first->set_exception(disk_error("shared"));

  script.step("drop the first handle, then the second");
  first.reset();
  second.reset();
  EXPECT_STEP_EQ(script, reports, Reports{},
                 "a copy is a handle, not the future: while one handle lives, its owner can "
                 "still read the exception, so nothing is reported");

  script.step("drop the third handle");
  third.reset();
  EXPECT_STEP_EQ(script, reports, (Reports{{kNeverRetrieved, "shared"}}),
                 "the last handle reports it, once: the report belongs to the one shared "
                 "future, not to each handle");
}

TEST_F(Ex33Unretrieved, ScheduledCallbackDelaysTheReportUntilItHasRun) {
  Script script("a failed future whose done callbacks are still waiting on the loop", kLesson);
  bool looked = false;
  bool read = false;

  script.step(
      "in an inner scope: two futures with a done callback each: `looks` only checks done(), "
      "`reads` calls exception(); set_exception() on both; leave the scope");
  {
    Future<int> looked_at(loop);
    Future<int> read_by_callback(loop);
    looked_at.add_done_callback([&looked](const Future<int>& done) { looked = done.done(); });
    read_by_callback.add_done_callback(
        [&read](const Future<int>& done) { read = done.exception() != nullptr; });
    looked_at.set_exception(disk_error("only looked at"));
    read_by_callback.set_exception(disk_error("read by its callback"));
  }
  EXPECT_STEP_EQ(script, reports, Reports{},
                 "no report yet: the test's handles are gone, but each scheduled callback still "
                 "holds its future, and a callback may yet read the exception");

  script.step("run_once()");
  loop.run_once();
  EXPECT_STEP_TRUE(script, looked && read, "both callbacks ran");
  EXPECT_STEP_EQ(script, reports, (Reports{{kNeverRetrieved, "only looked at"}}),
                 "once the callbacks have run, the loop drops them and the futures go: the one "
                 "whose callback read the exception is silent, the other is reported");
}

TEST_F(Ex33Unretrieved, ClosingTheLoopDropsTheCallbacksAndTheReportComes) {
  Script script("a failed future whose done callback never gets to run", kLesson);
  bool ran = false;

  script.step("in an inner scope: add_done_callback(cb); set_exception(); leave the scope");
  {
    Future<int> future(loop);
    future.add_done_callback([&ran](const Future<int>&) { ran = true; });
    future.set_exception(disk_error("lost at close"));
  }
  EXPECT_STEP_EQ(script, reports, Reports{}, "the scheduled callback still holds the future");

  script.step("loop.close()");
  loop.close();
  EXPECT_STEP_TRUE(script, !ran, "close() drops the pending callbacks unrun");
  EXPECT_STEP_EQ(script, reports, (Reports{{kNeverRetrieved, "lost at close"}}),
                 "dropping the callback drops the last hold on the future: its exception, "
                 "never retrieved, is reported then");
}

TEST_F(Ex33Unretrieved, DefaultHandlerWritesTheReportToTheLog) {
  Script script("no exception handler set: the default one writes the report", kLesson);

  script.step("set_exception_handler({}) (the default); set_log(keep the lines)");
  loop.set_exception_handler({});
  loop.set_log([this](std::string_view line) { log.emplace_back(line); });

  script.step("drop a future finished with set_exception(DiskError(\"disk on fire\"))");
  {
    Future<int> future(loop);
    future.set_exception(disk_error("disk on fire"));
  }
  EXPECT_STEP_EQ(script, log, Lines{"Future exception was never retrieved: disk on fire"},
                 "the default exception handler writes one line: the message, then what() of "
                 "the exception (report through loop.call_exception_handler(), not straight "
                 "to stderr)");
}
