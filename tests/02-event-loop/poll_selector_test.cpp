// The poll(2) selector (reference code, not an exercise) against the selector contract of
// selector_contract.hpp, under the names Poll/SelectorContract.<test>/poll: the same tests
// that Exercise 2.2's epoll selector must pass (ex2.2_epoll_selector_test.cpp).
#include <gtest/gtest.h>

#include "02-event-loop/selector_contract.hpp"
#include "aio/selector.hpp"

namespace aio::testing {

INSTANTIATE_TEST_SUITE_P(Poll, SelectorContract,
                         ::testing::Values(SelectorKind{"poll", &make_poll_selector}));

}  // namespace aio::testing
