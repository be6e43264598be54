// Exercise 1.4: aio::SendGenerator<Y, S>, a generator the caller talks back to:
// next(), send(value), throw_into(error) and close() (Python's next, send, throw and close).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "aio/send_generator.hpp"
#include "support/lifetime.hpp"
#include "support/script.hpp"

namespace {

using aio::SendGenerator;
using aio::testing::Lifetimes;
using aio::testing::outcome_of;
using aio::testing::Script;
using aio::testing::Tracked;

constexpr const char* kLesson = "Exercise 1.4";

// The kind only: "std::logic_error" whatever the message (the message is yours to write).
std::string kind_of(const std::string& outcome) {
  for (const char* kind : {"aio::NotImplemented", "std::logic_error", "std::runtime_error"}) {
    if (outcome.starts_with(kind)) return outcome.starts_with("aio::") ? outcome : kind;
  }
  return outcome;
}

using Optional = std::optional<int>;

// ---- generator bodies -------------------------------------------------------------------

// The lesson's example: yields the total so far, adds what it is sent.
SendGenerator<int, int> running_total() {
  int total = 0;
  while (true) {
    std::optional<int> added = co_yield total;
    if (added) total += *added;
  }
}

// Records what each co_yield evaluated to.
SendGenerator<int, int> records_what_it_receives(std::vector<Optional>* received) {
  for (int i = 1;; ++i) received->push_back(co_yield i);
}

// Counts how often its first line ran.
SendGenerator<int, int> counts_its_start(int* runs) {
  ++*runs;
  std::optional<int> first = co_yield 0;
  co_yield first.value_or(-1) * 2;
}

// Two values, then it ends.
SendGenerator<int, int> two_exchanges() {
  std::optional<int> first = co_yield 1;
  co_yield first.value_or(0) + 1;
}

// Catches the error thrown in at its first co_yield, reports it and yields again.
SendGenerator<std::string, int> recovers(std::string* caught) {
  try {
    co_yield "working";
  } catch (const std::runtime_error& e) {
    *caught = e.what();  // (co_yield is not allowed inside a handler: record, then go on)
  }
  co_yield "recovered";
  co_yield "still going";
}

// Catches the error thrown in, then ends without yielding again.
SendGenerator<std::string, int> recovers_and_ends(std::string* caught) {
  try {
    co_yield "working";
  } catch (const std::runtime_error& e) {
    *caught = e.what();
  }
}

// Holds a tracked local across every co_yield, and does not catch anything.
SendGenerator<int, int> holds_a_resource(Lifetimes* lifetimes, int* runs) {
  ++*runs;
  Tracked resource(*lifetimes, "resource");
  for (int i = 1;; ++i) co_yield i;
}

// Throws when it is sent a negative number.
SendGenerator<int, int> refuses_negatives() {
  while (true) {
    std::optional<int> value = co_yield 0;
    if (value && *value < 0) throw std::runtime_error("negative: " + std::to_string(*value));
  }
}

}  // namespace

// ---- next and send -----------------------------------------------------------------------

TEST(Ex14Send, NextThenSendDeliversEachValueToTheParkedCoYield) {
  Script script("prime running_total() with next(), then send it 5 and 10", kLesson);
  SendGenerator<int, int> total = running_total();

  script.step("total.next()");
  EXPECT_STEP_EQ(script, total.next(), Optional(0),
                 "next() runs the body to its first co_yield and returns the value yielded");

  script.step("total.send(5)");
  EXPECT_STEP_EQ(script, total.send(5), Optional(5),
                 "send(5) resumes the parked co_yield, which evaluates to 5; the body adds it "
                 "and send() returns the next value yielded");

  script.step("total.send(10)");
  EXPECT_STEP_EQ(script, total.send(10), Optional(15), "send(10): 5 + 10");
}

TEST(Ex14Send, NextDeliversNothingToTheCoYield) {
  Script script("mix next() and send(); the body records what each co_yield received", kLesson);
  std::vector<Optional> received;
  SendGenerator<int, int> gen = records_what_it_receives(&received);

  script.step("gen.next()  (starts the body: yields 1)");
  EXPECT_STEP_EQ(script, gen.next(), Optional(1), "the first next() returns the first value");
  script.step("gen.next()  (resumes the co_yield that yielded 1)");
  EXPECT_STEP_EQ(script, gen.next(), Optional(2), "next() returns the next value");
  script.step("gen.send(7)");
  EXPECT_STEP_EQ(script, gen.send(7), Optional(3), "send() returns the next value");
  script.step("gen.next()");
  EXPECT_STEP_EQ(script, gen.next(), Optional(4), "next() returns the next value");

  EXPECT_STEP_EQ(script, received, (std::vector<Optional>{std::nullopt, 7, std::nullopt}),
                 "a co_yield resumed by next() evaluates to std::nullopt (Python: None), one "
                 "resumed by send(7) to 7; a sent value is delivered once, then the slot is empty");
}

TEST(Ex14Send, SendIntoAnUnstartedGeneratorIsRefusedAndRunsNothing) {
  Script script("send() into a generator that has not started", kLesson);
  int runs = 0;
  SendGenerator<int, int> gen = counts_its_start(&runs);

  script.step("gen.send(21) before any next()");
  const std::string outcome = outcome_of([&] { gen.send(21); });
  EXPECT_STEP_EQ(script, kind_of(outcome), std::string("std::logic_error"),
                 "there is no parked co_yield to receive a value yet: send() throws "
                 "std::logic_error (Python: TypeError \"can't send non-None value to a "
                 "just-started generator\")");
  EXPECT_STEP_EQ(script, runs, 0, "the refused send() runs none of the body");
  EXPECT_STEP_TRUE(script, !gen.started() && !gen.done(),
                   "the refused send() leaves the generator as it was: not started, not done");

  script.step("prime it: gen.next()");
  EXPECT_STEP_EQ(script, gen.next(), Optional(0), "next() starts the body (priming)");
  script.step("gen.send(21)");
  EXPECT_STEP_EQ(script, gen.send(21), Optional(42), "once primed, send() works");
  EXPECT_STEP_EQ(script, runs, 1, "the body started exactly once");
}

TEST(Ex14Send, SendIntoAFinishedGeneratorReturnsNothing) {
  Script script("send() until the body ends, then once more", kLesson);
  SendGenerator<int, int> gen = two_exchanges();

  script.step("gen.next()");
  EXPECT_STEP_EQ(script, gen.next(), Optional(1), "the first value");
  script.step("gen.send(41)");
  EXPECT_STEP_EQ(script, gen.send(41), Optional(42), "the co_yield received 41");
  script.step("gen.send(0)  (the body returns)");
  EXPECT_STEP_EQ(script, gen.send(0), Optional(),
                 "when the body ends instead of yielding, send() returns std::nullopt "
                 "(Python: StopIteration)");
  EXPECT_STEP_TRUE(script, gen.done(), "the generator is done");
  script.step("gen.send(1) again");
  EXPECT_STEP_EQ(script, gen.send(1), Optional(),
                 "send() into a finished generator returns std::nullopt and throws nothing");
  EXPECT_STEP_EQ(script, gen.next(), Optional(), "so does next()");
}

TEST(Ex14Send, ExceptionEscapingTheBodyAfterASendReachesTheCallerOfSend) {
  Script script("send a value the body rejects by throwing", kLesson);
  SendGenerator<int, int> gen = refuses_negatives();

  script.step("gen.next(); gen.send(3)");
  gen.next();
  EXPECT_STEP_EQ(script, gen.send(3), Optional(0), "a value the body accepts");

  script.step("gen.send(-4)");
  const std::string outcome = outcome_of([&] { gen.send(-4); });
  EXPECT_STEP_EQ(script, outcome, std::string("std::runtime_error: negative: -4"),
                 "an exception that escapes the body while it runs for send() comes out of "
                 "send(), as that exception");
  EXPECT_STEP_TRUE(script, gen.done(), "a body that threw has finished");
  EXPECT_STEP_EQ(script, gen.next(), Optional(), "next() on it returns std::nullopt");
}

// ---- throw_into --------------------------------------------------------------------------

TEST(Ex14Send, ThrowIntoRaisesAtTheCoYieldWhereTheBodyCanCatchIt) {
  Script script("throw a std::runtime_error into a body that catches it", kLesson);
  std::string caught;
  SendGenerator<std::string, int> gen = recovers(&caught);

  script.step("gen.next()");
  EXPECT_STEP_EQ(script, gen.next(), std::optional<std::string>("working"), "the first value");

  script.step("gen.throw_into(std::runtime_error(\"cancelled\"))");
  std::optional<std::string> answer;
  const std::string outcome =
      outcome_of([&] { answer = gen.throw_into(std::runtime_error("cancelled")); });
  EXPECT_STEP_EQ(script, caught, std::string("cancelled"),
                 "throw_into(error) raises error inside the body, at the parked co_yield, where "
                 "a try/catch around it catches it");
  EXPECT_STEP_EQ(script, outcome, std::string("nothing"),
                 "an error the body caught does not come back out of throw_into()");
  EXPECT_STEP_EQ(script, answer, std::optional<std::string>("recovered"),
                 "the body goes on to its next co_yield, and throw_into() returns that value");

  script.step("gen.next()");
  EXPECT_STEP_EQ(script, gen.next(), std::optional<std::string>("still going"),
                 "the generator carries on as usual");
}

TEST(Ex14Send, ThrowIntoABodyThatCatchesAndEndsReturnsNothing) {
  Script script("throw into a body that catches the error and then returns", kLesson);
  std::string caught;
  SendGenerator<std::string, int> gen = recovers_and_ends(&caught);

  script.step("gen.next(); gen.throw_into(std::runtime_error(\"stop\"))");
  gen.next();
  std::optional<std::string> answer = std::string("(not set)");
  const std::string outcome =
      outcome_of([&] { answer = gen.throw_into(std::runtime_error("stop")); });
  EXPECT_STEP_EQ(script, caught, std::string("stop"), "the body caught the error");
  EXPECT_STEP_EQ(script, outcome, std::string("nothing"), "a caught error stays in the body");
  EXPECT_STEP_EQ(script, answer, std::optional<std::string>(),
                 "the body ended without yielding again: throw_into() returns std::nullopt");
  EXPECT_STEP_TRUE(script, gen.done(), "the generator is done");
}

TEST(Ex14Send, ThrowIntoABodyThatDoesNotCatchPropagatesAndFinishesIt) {
  Script script("throw into a body that does not catch", kLesson);
  Lifetimes lifetimes;
  int runs = 0;
  SendGenerator<int, int> gen = holds_a_resource(&lifetimes, &runs);

  script.step("gen.next(); gen.send(0)");
  gen.next();
  EXPECT_STEP_EQ(script, gen.send(0), Optional(2), "the body yields 1, then 2");
  EXPECT_STEP_EQ(script, lifetimes.alive(), 1, "the body's local is alive at its co_yield");

  script.step("gen.throw_into(std::runtime_error(\"timeout\"))");
  const std::string outcome = outcome_of([&] { gen.throw_into(std::runtime_error("timeout")); });
  EXPECT_STEP_EQ(script, outcome, std::string("std::runtime_error: timeout"),
                 "an error the body does not catch leaves the body and comes out of "
                 "throw_into(), unchanged (Python's gen.throw re-raises it)");
  EXPECT_STEP_EQ(script, lifetimes.alive(), 0,
                 "on its way out, the error unwound the body: its locals were destroyed");
  EXPECT_STEP_TRUE(script, gen.done(), "the body has finished");
  EXPECT_STEP_EQ(script, gen.next(), Optional(), "next() on it returns std::nullopt");
}

TEST(Ex14Send, ThrowIntoAnUnstartedGeneratorRethrowsAndNeverRunsTheBody) {
  Script script("throw_into() before any next()", kLesson);
  Lifetimes lifetimes;
  int runs = 0;
  SendGenerator<int, int> gen = holds_a_resource(&lifetimes, &runs);

  script.step("gen.throw_into(std::runtime_error(\"too early\"))");
  const std::string outcome = outcome_of([&] { gen.throw_into(std::runtime_error("too early")); });
  EXPECT_STEP_EQ(script, outcome, std::string("std::runtime_error: too early"),
                 "a body that never started has no co_yield to raise at: throw_into() rethrows "
                 "the error to its caller (as Python does)");
  EXPECT_STEP_EQ(script, runs, 0, "the body never runs, not even its first line");
  EXPECT_STEP_TRUE(script, gen.done(), "the generator is closed: done");
  EXPECT_STEP_EQ(script, gen.next(), Optional(), "next() on it returns std::nullopt");
}

TEST(Ex14Send, ThrowIntoAFinishedGeneratorRethrowsToTheCaller) {
  Script script("throw_into() after the body ended", kLesson);
  SendGenerator<int, int> gen = two_exchanges();

  script.step("gen.next(); gen.send(1); gen.send(2) (the body ends)");
  gen.next();
  gen.send(1);
  EXPECT_STEP_EQ(script, gen.send(2), Optional(), "the body ended");

  script.step("gen.throw_into(std::runtime_error(\"late\"))");
  const std::string outcome = outcome_of([&] { gen.throw_into(std::runtime_error("late")); });
  EXPECT_STEP_EQ(script, outcome, std::string("std::runtime_error: late"),
                 "a finished generator has nowhere to raise the error: throw_into() throws it");
}

// ---- close -------------------------------------------------------------------------------

TEST(Ex14Send, CloseDestroysTheLiveLocalsOnce) {
  Script script("close() a generator suspended at a co_yield", kLesson);
  Lifetimes lifetimes;
  int runs = 0;
  SendGenerator<int, int> gen = holds_a_resource(&lifetimes, &runs);

  script.step("gen.next(); gen.send(5)");
  gen.next();
  EXPECT_STEP_EQ(script, gen.send(5), Optional(2), "the body yields 1, then 2");
  EXPECT_STEP_EQ(script, lifetimes.alive(), 1, "the body's local is alive at its co_yield");

  script.step("gen.close()");
  gen.close();
  EXPECT_STEP_EQ(script, lifetimes.alive(), 0,
                 "close() destroys the frame now: the destructors of its live locals run");
  EXPECT_STEP_EQ(script, lifetimes.destroyed, 1, "each local's cleanup runs exactly once");
  EXPECT_STEP_TRUE(script, gen.done(), "a closed generator is done");
  EXPECT_STEP_EQ(script, gen.next(), Optional(), "next() on it returns std::nullopt");
  EXPECT_STEP_EQ(script, outcome_of([&] { EXPECT_EQ(gen.send(6), Optional()); }),
                 std::string("nothing"),
                 "send() on a closed generator returns std::nullopt, as on a finished one; "
                 "it is not refused as if it had never started");

  script.step("gen.close() again");
  gen.close();
  EXPECT_STEP_EQ(script, lifetimes.destroyed, 1, "closing twice is harmless: nothing runs twice");
}
