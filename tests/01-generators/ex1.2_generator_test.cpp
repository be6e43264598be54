// Exercise 1.2: aio::Generator<T>, a lazy sequence written as a function with co_yield.
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
#include <gtest/gtest.h>

#include <concepts>
#include <memory>
#include <ranges>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "aio/generator.hpp"
#include "support/lifetime.hpp"
#include "support/script.hpp"

namespace {

using aio::Generator;
using aio::testing::Lifetimes;
using aio::testing::outcome_of;
using aio::testing::Script;
using aio::testing::Tracked;

constexpr const char* kLesson = "Exercise 1.2";

// ---- generator bodies -------------------------------------------------------------------

Generator<int> count_to(int n) {
  for (int i = 1; i <= n; ++i) co_yield i;
}

// Counts how often its first line ran, then yields 1, 2, 3.
Generator<int> counted_start(int* runs) {
  ++*runs;
  co_yield 1;
  co_yield 2;
  co_yield 3;
}

Generator<int> naturals() {
  for (int i = 1;; ++i) co_yield i;
}

Generator<int> nothing_to_yield(bool* ran) {
  *ran = true;
  co_return;
}

Generator<int> fails_after(int good_values, std::string message) {
  for (int i = 1; i <= good_values; ++i) co_yield i;
  throw std::runtime_error(message);
}

// Holds a tracked local across every yield.
Generator<int> holds_a_resource(Lifetimes* lifetimes) {
  Tracked resource(*lifetimes, "resource");
  for (int i = 1;; ++i) co_yield i;
}

// A loop whose body owns one tracked object per value (alive while its value is out).
Generator<int> one_resource_per_value(Lifetimes* lifetimes) {
  for (int i = 1; i <= 5; ++i) {
    Tracked resource(*lifetimes, "value" + std::to_string(i));
    co_yield i;
  }
}

// Asks its own generator for the next value, through a pointer the test fills in first.
Generator<int> resumes_itself(Generator<int>* const* self) {
  co_yield 1;
  auto it = (*self)->begin();
  ++it;  // resumes the generator that is running this very line
  co_yield 2;
}

// Yields a variable (an lvalue), tells the test where that variable lives, then changes it.
Generator<int> yields_a_variable(const int** where) {
  int counter = 1;
  *where = &counter;
  co_yield counter;
  counter += 1;
  co_yield counter;
}

Generator<std::unique_ptr<int>> boxes(bool* local_was_emptied) {
  co_yield std::make_unique<int>(1);
  co_yield std::make_unique<int>(2);
  auto local = std::make_unique<int>(3);
  co_yield std::move(local);
  *local_was_emptied = (local == nullptr);
}

}  // namespace

// ---- lazy start (misconception 1) ---------------------------------------------------------

TEST(Ex12Generator, CallingAGeneratorFunctionRunsNoneOfItsBody) {
  Script script("a generator function is called, then asked for its first value", kLesson);
  int runs = 0;

  script.step("call counted_start(&runs), which increments runs before its first co_yield");
  Generator<int> gen = counted_start(&runs);
  EXPECT_STEP_EQ(script, runs, 0,
                 "calling a generator function runs none of its body: it only builds the "
                 "generator (the body waits at its initial suspend point)");

  script.step("call begin(): the consumer asks for the first value");
  auto it = gen.begin();
  EXPECT_STEP_EQ(script, runs, 1,
                 "begin() runs the body from its first line to its first co_yield, once");
  EXPECT_STEP_EQ(script, *it, 1, "*begin() is the first value yielded");

  script.step("call ++it twice");
  ++it;
  ++it;
  EXPECT_STEP_EQ(script, runs, 1,
                 "later values resume the body where it stopped; it does not start over");
  EXPECT_STEP_EQ(script, *it, 3, "each ++it runs the body to its next co_yield");
}

// ---- values in order ---------------------------------------------------------------------

TEST(Ex12Generator, IteratorDeliversValuesInOrderThenReachesTheEnd) {
  Script script("walk count_to(3) with an explicit iterator", kLesson);
  Generator<int> gen = count_to(3);

  script.step("it = gen.begin()");
  auto it = gen.begin();
  EXPECT_STEP_TRUE(script, it != gen.end(), "a generator that yields is not empty at begin()");
  EXPECT_STEP_EQ(script, *it, 1, "*it reads the value the body is parked on");

  script.step("++it");
  ++it;
  EXPECT_STEP_EQ(script, *it, 2, "++it resumes the body up to its next co_yield");

  script.step("++it");
  ++it;
  EXPECT_STEP_EQ(script, *it, 3, "++it resumes the body up to its next co_yield");

  script.step("++it: the body leaves its loop and returns");
  ++it;
  EXPECT_STEP_TRUE(script, it == gen.end(),
                   "when the body finishes, the iterator equals end(): the sequence is over");
}

TEST(Ex12Generator, RangeForLoopSeesEveryValueInOrder) {
  Script script("a range-for loop over count_to(5)", kLesson);
  std::vector<int> seen;

  script.step("for (int i : count_to(5)) seen.push_back(i)");
  for (int i : count_to(5)) seen.push_back(i);
  EXPECT_STEP_EQ(script, seen, (std::vector<int>{1, 2, 3, 4, 5}),
                 "a range-for loop gets every yielded value, in the order the body yields them");
}

TEST(Ex12Generator, GeneratorThatYieldsNothingIsAnEmptyRange) {
  Script script("a generator whose body returns without a co_yield", kLesson);
  bool ran = false;
  Generator<int> gen = nothing_to_yield(&ran);

  script.step("call begin()");
  auto it = gen.begin();
  EXPECT_STEP_TRUE(script, ran, "begin() runs the body, even if it never yields");
  EXPECT_STEP_TRUE(script, it == gen.end(),
                   "a body that finishes without yielding gives an empty range: begin() == end()");

  script.step("run a range-for loop over a fresh nothing_to_yield()");
  int iterations = 0;
  for ([[maybe_unused]] int value : nothing_to_yield(&ran)) ++iterations;
  EXPECT_STEP_EQ(script, iterations, 0, "a loop over an empty generator runs zero times");
}

// ---- std::ranges -------------------------------------------------------------------------

static_assert(std::ranges::input_range<Generator<int>>,
              "Generator<T> must be an input range: begin() and end() that ranges accept");
static_assert(std::ranges::view<Generator<int>>,
              "Generator<T> must be a view: movable, default-constructible, cheap to move");
static_assert(!std::ranges::forward_range<Generator<int>>,
              "Generator<T> is single-pass: it must not claim to be a forward range");

TEST(Ex12Generator, WorksInRangesPipelines) {
  Script script("generators in std::ranges pipelines", kLesson);

  script.step("count_to(10) | views::filter(even) | views::transform(square)");
  std::vector<int> squares;
  for (int v : count_to(10) | std::views::filter([](int i) { return i % 2 == 0; }) |
                   std::views::transform([](int i) { return i * i; })) {
    squares.push_back(v);
  }
  EXPECT_STEP_EQ(script, squares, (std::vector<int>{4, 16, 36, 64, 100}),
                 "a Generator is a std::ranges::view, so range adaptors compose with it");

  script.step("count_to(10) | views::take(3)");
  std::vector<int> first_three;
  for (int v : count_to(10) | std::views::take(3)) first_three.push_back(v);
  EXPECT_STEP_EQ(script, first_three, (std::vector<int>{1, 2, 3}),
                 "views::take stops asking for values after three");
}

TEST(Ex12Generator, InfiniteGeneratorIsFineBecauseValuesAreMadeOnDemand) {
  Script script("an endless generator, read through views::take", kLesson);

  script.step("naturals() | views::transform(times 10) | views::take(4)");
  std::vector<int> seen;
  for (int v :
       naturals() | std::views::transform([](int i) { return i * 10; }) | std::views::take(4)) {
    seen.push_back(v);
  }
  EXPECT_STEP_EQ(script, seen, (std::vector<int>{10, 20, 30, 40}),
                 "a generator computes each value when it is asked for, so an endless "
                 "sequence costs only the values read");
}

// ---- move-only ---------------------------------------------------------------------------

static_assert(!std::copy_constructible<Generator<int>>,
              "a Generator owns its coroutine frame: copying it would mean two owners");
static_assert(!std::is_copy_assignable_v<Generator<int>>, "a Generator is move-only");
static_assert(std::movable<Generator<int>>, "a Generator can be moved to a new owner");

TEST(Ex12Generator, MovedFromGeneratorIsEmptyAndTheNewOwnerContinues) {
  Script script("move a generator to a new owner in the middle of a loop", kLesson);
  Generator<int> first = count_to(4);

  script.step("it = first.begin() (value 1), then move first into second");
  auto it = first.begin();
  EXPECT_STEP_EQ(script, *it, 1, "begin() yields the first value");
  Generator<int> second = std::move(first);

  script.step("iterate the moved-from generator");
  std::vector<int> from_moved_from;
  for (int v : first) from_moved_from.push_back(v);  // NOLINT(bugprone-use-after-move)
  EXPECT_STEP_EQ(script, from_moved_from, std::vector<int>{},
                 "a moved-from generator owns no frame: iterating it yields nothing");

  script.step("iterate the new owner");
  std::vector<int> from_second;
  for (int v : second) from_second.push_back(v);
  EXPECT_STEP_EQ(script, from_second, (std::vector<int>{1, 2, 3, 4}),
                 "moving hands over the suspended frame: the new owner continues where the "
                 "body is parked (at 1, which nobody has stepped past)");
}

TEST(Ex12Generator, MoveAssigningOverAnUnfinishedGeneratorDestroysItsFrame) {
  Script script("assign a new generator over one that is suspended", kLesson);
  Lifetimes lifetimes;
  Generator<int> gen = holds_a_resource(&lifetimes);

  script.step("gen.begin(): the body constructs its tracked local and yields");
  EXPECT_STEP_EQ(script, *gen.begin(), 1, "begin() yields the first value");
  EXPECT_STEP_EQ(script, lifetimes.alive(), 1, "the suspended body's local is alive");

  script.step("gen = count_to(2)");
  gen = count_to(2);
  EXPECT_STEP_EQ(script, lifetimes.alive(), 0,
                 "the old frame is destroyed when it loses its owner: its locals die then");

  std::vector<int> seen;
  for (int v : gen) seen.push_back(v);
  EXPECT_STEP_EQ(script, seen, (std::vector<int>{1, 2}), "gen now runs the new body");
}

// ---- exceptions (misconception 3) --------------------------------------------------------

TEST(Ex12Generator, ExceptionInTheBodyReachesTheLoopAfterTheValuesBeforeIt) {
  Script script("a body yields 1 and 2, then throws std::runtime_error", kLesson);
  std::vector<int> seen;

  script.step("for (int v : fails_after(2, \"row 3 is corrupt\")) seen.push_back(v)");
  const std::string outcome = outcome_of([&] {
    for (int v : fails_after(2, "row 3 is corrupt")) seen.push_back(v);
  });
  EXPECT_STEP_EQ(script, seen, (std::vector<int>{1, 2}),
                 "the values yielded before the exception reach the consumer, in order");
  EXPECT_STEP_EQ(script, outcome, std::string("std::runtime_error: row 3 is corrupt"),
                 "an exception that escapes the body reaches the consumer as that exception, "
                 "at the point where it asked for the next value: never as a silent end of "
                 "the sequence (Python's PEP 479 rule)");
}

TEST(Ex12Generator, ExceptionSurfacesFromTheIncrementThatAskedForTheNextValue) {
  Script script("step through a generator that fails after one value", kLesson);
  Generator<int> gen = fails_after(1, "disk on fire");

  script.step("it = gen.begin()");
  auto it = gen.begin();
  EXPECT_STEP_EQ(script, *it, 1, "the first value arrives normally");

  script.step("++it: the body throws instead of yielding");
  const std::string outcome = outcome_of([&] { ++it; });
  EXPECT_STEP_EQ(script, outcome, std::string("std::runtime_error: disk on fire"),
                 "++it rethrows what escaped the body, in the consumer");

  script.step("compare it with end()");
  EXPECT_STEP_TRUE(script, it == gen.end(),
                   "a body that threw has finished: the iterator is at the end");
}

TEST(Ex12Generator, ExceptionBeforeTheFirstYieldIsThrownByBegin) {
  Script script("a body that throws before it yields anything", kLesson);
  Generator<int> gen = fails_after(0, "no connection");

  script.step("call gen.begin()");
  const std::string outcome = outcome_of([&] { gen.begin(); });
  EXPECT_STEP_EQ(script, outcome, std::string("std::runtime_error: no connection"),
                 "begin() runs the body to its first co_yield, so an exception on the way "
                 "comes out of begin()");
}

// ---- destruction (misconception 5) -------------------------------------------------------

TEST(Ex12Generator, DestroyingAnUnfinishedGeneratorDestroysItsLiveLocalsThen) {
  Script script("destroy a generator parked at a co_yield", kLesson);
  Lifetimes lifetimes;
  {
    Generator<int> gen = holds_a_resource(&lifetimes);
    EXPECT_STEP_EQ(script, lifetimes.constructed, 0, "calling the function runs no body code");

    script.step("it = gen.begin(); ++it (the body is parked at its second co_yield)");
    auto it = gen.begin();
    ++it;
    EXPECT_STEP_EQ(script, *it, 2, "the body yields 1, then 2");
    EXPECT_STEP_EQ(script, lifetimes.alive(), 1,
                   "a local of a suspended body stays alive between two values");

    script.step("the generator goes out of scope, unfinished");
  }
  EXPECT_STEP_EQ(script, lifetimes.alive(), 0,
                 "destroying the generator destroys its frame, which runs the destructors of "
                 "the locals alive at the co_yield, right there (Python's close())");
  EXPECT_STEP_EQ(script, lifetimes.destroyed, 1, "each local is destroyed exactly once");
}

TEST(Ex12Generator, BreakingOutOfALoopThenDestroyingRunsCleanupAtThatPoint) {
  Script script("break out of a range-for loop at value 3", kLesson);
  Lifetimes lifetimes;
  std::vector<std::string> log_at_break;
  {
    Generator<int> gen = one_resource_per_value(&lifetimes);
    script.step("for (int v : gen) { if (v == 3) break; }");
    for (int v : gen) {
      if (v == 3) break;
    }
    log_at_break = lifetimes.log;
    EXPECT_STEP_EQ(script, lifetimes.alive(), 1,
                   "break leaves the body parked at its co_yield: the local of value 3 is still "
                   "alive, because the generator still exists");
    script.step("the generator goes out of scope");
  }
  EXPECT_STEP_EQ(
      script, log_at_break,
      (std::vector<std::string>{"+value1", "-value1", "+value2", "-value2", "+value3"}),
      "each value's local lives while its value is out; value 3's is alive at the break");
  EXPECT_STEP_EQ(script, lifetimes.log.back(), std::string("-value3"),
                 "destroying the generator after the break destroys the parked local, then");
  EXPECT_STEP_EQ(script, lifetimes.alive(), 0, "nothing of the frame outlives the generator");
}

// ---- single pass, not re-entrant (misconception 6) ----------------------------------------

TEST(Ex12Generator, SecondLoopOverAnExhaustedGeneratorIsEmpty) {
  Script script("loop twice over the same generator", kLesson);
  Generator<int> gen = count_to(3);
  std::vector<int> first_loop;
  std::vector<int> second_loop;

  script.step("first loop: for (int v : gen)");
  for (int v : gen) first_loop.push_back(v);
  EXPECT_STEP_EQ(script, first_loop, (std::vector<int>{1, 2, 3}),
                 "the first loop gets every value");

  script.step("second loop: for (int v : gen)");
  for (int v : gen) second_loop.push_back(v);
  EXPECT_STEP_EQ(script, second_loop, std::vector<int>{},
                 "a generator is single-pass: once exhausted, a second loop gets nothing "
                 "(it does not start the body again)");
}

TEST(Ex12Generator, SecondLoopAfterABreakContinuesAtTheValueTheFirstBrokeOn) {
  Script script("break out of a loop at 2, then loop again over the same generator", kLesson);
  Generator<int> gen = count_to(4);
  std::vector<int> first_loop;
  std::vector<int> second_loop;

  script.step("first loop: push each value, break at 2");
  for (int v : gen) {
    first_loop.push_back(v);
    if (v == 2) break;
  }
  EXPECT_STEP_EQ(script, first_loop, (std::vector<int>{1, 2}), "the first loop stops at 2");

  script.step("second loop: for (int v : gen)");
  for (int v : gen) second_loop.push_back(v);
  EXPECT_STEP_EQ(script, second_loop, (std::vector<int>{2, 3, 4}),
                 "a second begin() returns an iterator at the value the body is parked on, so "
                 "the second loop starts with 2, the value the first loop broke on (this differs "
                 "from Python, where next() already consumed 2 and the second loop starts at 3)");
}

TEST(Ex12Generator, BodyThatResumesItsOwnGeneratorGetsAlreadyExecuting) {
  Script script("a body asks its own generator for the next value", kLesson);
  Generator<int>* self = nullptr;
  Generator<int> gen = resumes_itself(&self);
  self = &gen;

  script.step("it = gen.begin() (value 1)");
  auto it = gen.begin();
  EXPECT_STEP_EQ(script, *it, 1, "the body yields 1 before it misbehaves");

  script.step("++it: the body calls ++ on an iterator of its own generator");
  const std::string outcome = outcome_of([&] { ++it; });
  const std::string expected = "std::logic_error: generator already executing";
  EXPECT_STEP_EQ(script, outcome.starts_with(expected) ? expected : outcome, expected,
                 "resuming a generator from inside its own body throws std::logic_error "
                 "\"generator already executing\" (Python: ValueError) instead of resuming a "
                 "coroutine that is not suspended: advance() holds an ExecutingGuard while the "
                 "body runs");
  EXPECT_STEP_TRUE(script, it == gen.end(),
                   "the error escaped the body, so the generator has finished");
}

// ---- how values are handed over ------------------------------------------------------------

TEST(Ex12Generator, YieldingAVariableGivesTheConsumerACopy) {
  Script script("the body yields a variable, which it changes after resuming", kLesson);
  const int* body_variable = nullptr;
  Generator<int> gen = yields_a_variable(&body_variable);

  script.step("it = gen.begin(); keep a pointer to *it");
  auto it = gen.begin();
  const int* read = &*it;
  EXPECT_STEP_EQ(script, *it, 1, "the body yields counter == 1");
  EXPECT_STEP_TRUE(script, read != body_variable,
                   "co_yield of an lvalue hands the consumer a copy, not the body's variable");

  script.step("the consumer writes 50 into *it, then ++it (the body adds 1 to its counter)");
  *it = 50;
  ++it;
  EXPECT_STEP_EQ(script, *it, 2,
                 "writing into the copy did not touch the body's counter (1 + 1 == 2)");
}

TEST(Ex12Generator, MoveOnlyValuesCanBeMovedOutOfTheIterator) {
  Script script("a Generator<std::unique_ptr<int>> whose consumer moves each value out", kLesson);
  bool local_was_emptied = false;
  std::vector<int> seen;

  script.step("for (auto it = gen.begin(); ...; ++it) { auto box = std::move(*it); ... }");
  Generator<std::unique_ptr<int>> gen = boxes(&local_was_emptied);
  for (auto it = gen.begin(); it != gen.end(); ++it) {
    std::unique_ptr<int> box = std::move(*it);
    seen.push_back(box ? *box : -1);
  }
  EXPECT_STEP_EQ(script, seen, (std::vector<int>{1, 2, 3}),
                 "a move-only value is yielded without a copy: the consumer reads it where it "
                 "lives in the frame and may move it out");
  EXPECT_STEP_TRUE(script, local_was_emptied,
                   "co_yield std::move(local) lends the consumer the body's own object: after "
                   "the consumer moved it out, the body's local is empty");
}
