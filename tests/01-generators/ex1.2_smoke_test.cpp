#include <gtest/gtest.h>
#include "aio/generator.hpp"
#include "aio/row_cursor.hpp"
#include "aio/round_robin.hpp"
#include "aio/send_generator.hpp"
#include "support/script.hpp"
#include <vector>
#include <ranges>

namespace {
aio::Generator<int> count_to(int n) { for (int i = 1; i <= n; ++i) co_yield i; }
aio::Generator<int> nested(int depth) {
  if (depth == 0) { co_yield 0; co_return; }
  co_yield aio::elements_of(nested(depth - 1));
}
}
TEST(Smoke, Counts) {
  std::vector<int> seen;
  for (int i : count_to(3)) seen.push_back(i);
  aio::testing::Script s("count", "Exercise 1.2");
  s.step("iterate count_to(3)");
  EXPECT_STEP_EQ(s, seen, (std::vector<int>{1, 2, 3}), "values in order");
  auto v = count_to(10) | std::views::take(2);
  std::vector<int> two; for (int x : v) two.push_back(x);
  EXPECT_EQ(two.size(), 2u);
  int n = 0;
  for (int x : nested(100000)) n += 1 + x;
  EXPECT_EQ(n, 1);
  {
    auto g = nested(100000);
    auto it = g.begin();
    EXPECT_EQ(*it, 0);
  }
  static_assert(std::ranges::input_range<aio::Generator<int>>);
  static_assert(std::ranges::view<aio::Generator<int>>);
}
