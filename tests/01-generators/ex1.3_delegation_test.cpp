// Exercise 1.3: delegation, `co_yield aio::elements_of(nested)` (Python's `yield from nested`).
// Each test is a scenario in steps; a failure replays the steps and names the rule it broke.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "aio/generator.hpp"
#include "support/lifetime.hpp"
#include "support/script.hpp"

namespace {

using aio::elements_of;
using aio::Generator;
using aio::testing::Lifetimes;
using aio::testing::outcome_of;
using aio::testing::Script;
using aio::testing::Tracked;

constexpr const char* kLesson = "Exercise 1.3";

template <class T>
std::vector<T> collect(Generator<T>&& gen) {
  std::vector<T> values;
  for (T& value : gen) values.push_back(std::move(value));
  return values;
}

// ---- generator bodies -------------------------------------------------------------------

// Delegates to a generator its caller has already started iterating.
Generator<int> delegates_to(Generator<int>* started) {
  co_yield 0;
  co_yield elements_of(std::move(*started));
  co_yield 99;
}

Generator<int> count_from_to(int first, int last) {
  for (int i = first; i <= last; ++i) co_yield i;  // yields a variable: the copying co_yield
}

Generator<int> one_nested_in_the_middle() {
  co_yield 1;
  co_yield elements_of(count_from_to(2, 4));
  co_yield 5;
}

// Three levels, each yielding temporaries (the co_yield that lends the value in place).
Generator<std::string> level_c() {
  co_yield "c1";
  co_yield "c2";
}
Generator<std::string> level_b() {
  co_yield "b1";
  co_yield elements_of(level_c());
  co_yield "b2";
}
Generator<std::string> level_a() {
  co_yield "a1";
  co_yield elements_of(level_b());
  co_yield "a2";
}

Generator<int> empty() {
  co_return;
}

Generator<int> around_empty_generators(Generator<int> already_finished) {
  co_yield 1;
  co_yield elements_of(empty());  // a body that yields nothing
  co_yield 2;
  co_yield elements_of(Generator<int>{});  // no frame at all (like a moved-from generator)
  co_yield 3;
  co_yield elements_of(std::move(already_finished));  // a generator that ran to its end
  co_yield 4;
}

Generator<int> fails_after(int first, int last, std::string message) {
  for (int i = first; i <= last; ++i) co_yield i;
  throw std::runtime_error(message);
}

Generator<int> catches_a_nested_failure(std::string* caught) {
  co_yield 1;
  try {
    co_yield elements_of(fails_after(10, 11, "nested failed"));
    co_yield -1;  // never reached: the delegation threw
  } catch (const std::runtime_error& e) {
    *caught = e.what();  // (co_yield is not allowed inside a handler: record, then go on)
  }
  co_yield 2;
}

Generator<int> lets_a_nested_failure_through(bool* after_delegation_ran) {
  co_yield 1;
  co_yield elements_of(fails_after(10, 11, "nested failed"));
  *after_delegation_ran = true;
  co_yield 2;
}

// Delegates to itself until `depth`, where it yields its level.
Generator<int> dive(int level, int depth) {
  if (level == depth) {
    co_yield level;
    co_return;
  }
  co_yield elements_of(dive(level + 1, depth));
}

// Yields its level on the way down and minus its level on the way back up.
Generator<int> every_level(int level, int depth) {
  co_yield level;
  if (level < depth) co_yield elements_of(every_level(level + 1, depth));
  co_yield -level;
}

Generator<int> fails_at_the_bottom(int level, int depth) {
  if (level == depth) throw std::runtime_error("failed at level " + std::to_string(level));
  co_yield elements_of(fails_at_the_bottom(level + 1, depth));
}

// Like dive, with a tracked local alive in every level's frame.
Generator<int> tracked_dive(int level, int depth, Lifetimes* lifetimes) {
  const Tracked local(*lifetimes, "level" + std::to_string(level));
  if (level == depth) {
    co_yield level;
    co_return;
  }
  co_yield elements_of(tracked_dive(level + 1, depth, lifetimes));
}

// Same, but without a name per level (cheaper when there are 100,000 of them).
Generator<int> tracked_dive_unnamed(int level, int depth, Lifetimes* lifetimes) {
  const Tracked local(*lifetimes, "level");
  if (level == depth) {
    co_yield level;
    co_return;
  }
  co_yield elements_of(tracked_dive_unnamed(level + 1, depth, lifetimes));
}

Generator<int> nested_resumes_the_root(Generator<int>* const* root) {
  co_yield 10;
  auto it = (*root)->begin();
  ++it;  // the root is running this very line (through its nested generator)
  co_yield 11;
}

Generator<int> delegates_to_a_misbehaving_generator(Generator<int>* const* root) {
  co_yield 1;
  co_yield elements_of(nested_resumes_the_root(root));
}

struct Node {
  int value;
  const Node* left = nullptr;
  const Node* right = nullptr;
};

Generator<int> in_order(const Node* node) {
  if (node == nullptr) co_return;
  co_yield elements_of(in_order(node->left));
  co_yield node->value;
  co_yield elements_of(in_order(node->right));
}

}  // namespace

// ---- values ------------------------------------------------------------------------------

TEST(Ex13Delegation, NestedGeneratorsValuesArriveInPlaceOfTheDelegation) {
  Script script("a body yields 1, delegates to count_from_to(2, 4), then yields 5", kLesson);

  script.step("collect every value of one_nested_in_the_middle()");
  EXPECT_STEP_EQ(script, collect(one_nested_in_the_middle()), (std::vector<int>{1, 2, 3, 4, 5}),
                 "co_yield elements_of(nested) yields every value of nested, in order, where the "
                 "delegation stands; then the delegating body goes on (Python: yield from)");
}

TEST(Ex13Delegation, DelegationNestsInsideDelegation) {
  Script script("a delegates to b, which delegates to c", kLesson);

  script.step("collect every value of level_a()");
  EXPECT_STEP_EQ(script, collect(level_a()),
                 (std::vector<std::string>{"a1", "b1", "c1", "c2", "b2", "a2"}),
                 "a nested generator may delegate in turn: the innermost one yields until it "
                 "finishes, then its parent goes on (final_suspend hands the turn back)");
}

TEST(Ex13Delegation, EmptyOrFinishedNestedGeneratorsYieldNothing) {
  Script script("delegations to an empty, a frameless and an exhausted generator", kLesson);

  script.step("exhaust count_from_to(7, 8)");
  Generator<int> exhausted = count_from_to(7, 8);
  for ([[maybe_unused]] int value : exhausted) {
  }

  script.step("collect around_empty_generators(std::move(exhausted))");
  EXPECT_STEP_EQ(script, collect(around_empty_generators(std::move(exhausted))),
                 (std::vector<int>{1, 2, 3, 4}),
                 "delegating to a generator that yields nothing, has no frame or already "
                 "finished yields nothing and does not suspend (await_ready is true): the "
                 "delegating body goes straight on");
}

TEST(Ex13Delegation, TreeWalkInOrder) {
  Script script("in-order walk of a binary search tree, one delegation per subtree", kLesson);
  //         50
  //       /    \.
  //     30      70
  //    /  \    /
  //   20  40  60
  //  /
  // 10
  const Node n10{10};
  const Node n20{20, &n10};
  const Node n40{40};
  const Node n30{30, &n20, &n40};
  const Node n60{60};
  const Node n70{70, &n60};
  const Node n50{50, &n30, &n70};

  script.step("collect in_order(&root)");
  EXPECT_STEP_EQ(script, collect(in_order(&n50)), (std::vector<int>{10, 20, 30, 40, 50, 60, 70}),
                 "recursive delegation walks the tree: left subtree, node, right subtree "
                 "(empty subtrees delegate to a generator that yields nothing)");
}

// ---- exceptions --------------------------------------------------------------------------

TEST(Ex13Delegation, NestedExceptionSurfacesInTheDelegatingBodyWhichCanCatchIt) {
  Script script("a nested generator yields 10, 11 and throws; the delegating body catches",
                kLesson);
  std::string caught;
  std::vector<int> seen;

  script.step("loop over catches_a_nested_failure()");
  const std::string outcome = outcome_of([&] {
    for (int v : catches_a_nested_failure(&caught)) seen.push_back(v);
  });
  EXPECT_STEP_EQ(script, caught, std::string("nested failed"),
                 "an exception that escapes the nested generator is raised in the delegating "
                 "body, at its co_yield elements_of(...) (await_resume rethrows it)");
  EXPECT_STEP_EQ(script, seen, (std::vector<int>{1, 10, 11, 2}),
                 "the body that caught it goes on yielding; the consumer never sees the error");
  EXPECT_STEP_EQ(script, outcome, std::string("nothing"), "a caught error goes no further");
}

TEST(Ex13Delegation, UncaughtNestedExceptionReachesTheConsumer) {
  Script script("a nested generator throws and the delegating body does not catch", kLesson);
  bool after_delegation_ran = false;
  std::vector<int> seen;

  script.step("loop over lets_a_nested_failure_through()");
  const std::string outcome = outcome_of([&] {
    for (int v : lets_a_nested_failure_through(&after_delegation_ran)) seen.push_back(v);
  });
  EXPECT_STEP_EQ(script, seen, (std::vector<int>{1, 10, 11}),
                 "every value yielded before the failure, nested or not, reaches the consumer");
  EXPECT_STEP_EQ(script, outcome, std::string("std::runtime_error: nested failed"),
                 "an uncaught exception goes up the chain of delegations to the consumer, as "
                 "that exception, never as a silent end");
  EXPECT_STEP_TRUE(script, !after_delegation_ran,
                   "the delegating body stops at the delegation that threw");
}

TEST(Ex13Delegation, NestedGeneratorResumingTheRootGetsAlreadyExecuting) {
  Script script("a nested generator asks the generator that iterates it for a value", kLesson);
  Generator<int>* root = nullptr;
  Generator<int> gen = delegates_to_a_misbehaving_generator(&root);
  root = &gen;
  std::vector<int> seen;

  script.step("loop over the root generator");
  const std::string outcome = outcome_of([&] {
    for (int v : gen) seen.push_back(v);
  });
  EXPECT_STEP_EQ(script, seen, (std::vector<int>{1, 10}), "values before the misstep arrive");
  const std::string expected = "std::logic_error: generator already executing";
  EXPECT_STEP_EQ(script, outcome.starts_with(expected) ? expected : outcome, expected,
                 "the whole chain runs inside the root's advance(): a nested body that resumes "
                 "the root is refused with \"generator already executing\"");
}

// ---- depth: no stack growth --------------------------------------------------------------

TEST(Ex13Delegation, TenThousandLevelsDeepYieldingAtTheBottom) {
  Script script("dive(0, 10000): each level delegates to the next; level 10000 yields", kLesson);

  script.step("collect dive(0, 10000)");
  EXPECT_STEP_EQ(script, collect(dive(0, 10'000)), std::vector<int>{10'000},
                 "a chain of 10,000 delegations yields the bottom's value: the root's advance() "
                 "loop resumes the innermost generator directly, with no nested resume() calls");
}

TEST(Ex13Delegation, HundredThousandLevelsDeepYieldingAtTheBottom) {
  Script script("dive(0, 100000): each level delegates to the next; the last one yields", kLesson);

  script.step("collect dive(0, 100000)");
  EXPECT_STEP_EQ(script, collect(dive(0, 100'000)), std::vector<int>{100'000},
                 "100,000 delegations need no machine stack: the advance() loop resumes the "
                 "leaf, and a finished generator hands the turn back to its parent (leaf_)");
}

TEST(Ex13Delegation, HundredThousandLevelsYieldingAtEveryLevel) {
  Script script("every_level(0, 100000): yields +level going down and -level coming back", kLesson);
  constexpr int kDepth = 100'000;
  std::vector<int> expected;
  for (int level = 0; level <= kDepth; ++level) expected.push_back(level);
  for (int level = kDepth; level >= 0; --level) expected.push_back(-level);

  script.step("collect every_level(0, 100000)");
  const std::vector<int> seen = collect(every_level(0, kDepth));
  EXPECT_STEP_EQ(script, seen.size(), expected.size(),
                 "each of the 100,001 levels yields twice: before and after its delegation");
  EXPECT_STEP_TRUE(script, seen == expected,
                   "the values come in order 0, 1, ..., 100000, -100000, ..., -1, 0: when a "
                   "nested generator finishes, its parent resumes right after its delegation");
}

TEST(Ex13Delegation, ExceptionTenThousandLevelsDeepReachesTheConsumer) {
  Script script("fails_at_the_bottom(0, 10000): the last level throws", kLesson);

  script.step("iterate fails_at_the_bottom(0, 10000)");
  const std::string outcome = outcome_of([] {
    for ([[maybe_unused]] int v : fails_at_the_bottom(0, 10'000)) {
    }
  });
  EXPECT_STEP_EQ(script, outcome, std::string("std::runtime_error: failed at level 10000"),
                 "the exception climbs through 10,000 delegating bodies, one await_resume at a "
                 "time, and reaches the consumer unchanged");
}

// ---- destruction -------------------------------------------------------------------------

TEST(Ex13Delegation, DestroyingAChainDestroysEveryLevelInnermostFirst) {
  Script script("destroy a generator suspended three levels deep", kLesson);
  Lifetimes lifetimes;
  {
    Generator<int> gen = tracked_dive(0, 2, &lifetimes);
    script.step("gen.begin(): levels 0, 1 and 2 run; level 2 yields");
    EXPECT_STEP_EQ(script, *gen.begin(), 2, "the bottom level yields its level");
    EXPECT_STEP_EQ(script, lifetimes.alive(), 3, "every level's local is alive while suspended");
    script.step("the generator goes out of scope");
  }
  EXPECT_STEP_EQ(
      script, lifetimes.log,
      (std::vector<std::string>{"+level0", "+level1", "+level2", "-level2", "-level1", "-level0"}),
      "destroying the root destroys every frame of the chain, innermost first (as "
      "Python's close() reaches the innermost generator of a yield from first)");
}

TEST(Ex13Delegation, DestroyingAChainHundredThousandDeepDestroysEveryLocal) {
  Script script("destroy a generator suspended 100,000 delegations deep", kLesson);
  constexpr int kDepth = 100'000;
  Lifetimes lifetimes;
  {
    Generator<int> gen = tracked_dive_unnamed(0, kDepth, &lifetimes);
    script.step("gen.begin(): 100,001 levels start, the deepest yields");
    EXPECT_STEP_EQ(script, *gen.begin(), kDepth, "the bottom level yields its level");
    EXPECT_STEP_EQ(script, lifetimes.alive(), kDepth + 1, "every level's local is alive");
    script.step("the generator goes out of scope");
  }
  EXPECT_STEP_EQ(script, lifetimes.alive(), 0,
                 "every level's local is destroyed, without overflowing the stack: the chain is "
                 "destroyed from the leaf outwards, one frame at a time");
  EXPECT_STEP_EQ(script, lifetimes.destroyed, kDepth + 1, "each local is destroyed exactly once");
}

TEST(Ex13Delegation, BreakingOutWhileANestedGeneratorYieldsCleansUpBothLevels) {
  Script script("break out of a loop while the value comes from a nested generator", kLesson);
  Lifetimes lifetimes;
  {
    Generator<int> gen = tracked_dive(0, 1, &lifetimes);
    script.step("for (int v : gen) break;  // v == 1, from the nested level");
    for (int v : gen) {
      EXPECT_STEP_EQ(script, v, 1, "the first value comes from the nested generator");
      break;
    }
    EXPECT_STEP_EQ(script, lifetimes.alive(), 2, "both levels stay suspended after the break");
    script.step("the generator goes out of scope");
  }
  EXPECT_STEP_EQ(script, lifetimes.log,
                 (std::vector<std::string>{"+level0", "+level1", "-level1", "-level0"}),
                 "destroying the root after a break destroys the nested frame, then its own");
}

TEST(Ex13Delegation, DelegatingToAGeneratorAlreadyStartedIsRefused) {
  Script script("delegate to a generator whose first value was already taken", kLesson);
  Generator<int> started = count_from_to(1, 3);
  script.step("begin() on count_from_to(1, 3): it is parked on 1");
  EXPECT_EQ(*started.begin(), 1);

  script.step("iterate a generator that does co_yield elements_of(that generator)");
  std::vector<int> seen;
  Generator<int> outer = delegates_to(&started);
  const std::string outcome = outcome_of([&] {
    for (int v : outer) seen.push_back(v);
  });
  EXPECT_STEP_EQ(script, seen, (std::vector<int>{0}), "the values before the delegation arrive");
  EXPECT_STEP_EQ(script, outcome.rfind("std::logic_error: ", 0), std::size_t{0},
                 "elements_of takes a fresh generator: one that already started is parked on a "
                 "value its consumer has seen, so it is refused with std::logic_error (seen: " +
                     outcome + ")");
}
