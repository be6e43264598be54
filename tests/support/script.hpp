// Tests as step scripts: a named scenario, numbered steps, and failures that replay them.
#pragma once

#include <gtest/gtest.h>

#include "aio/not_implemented.hpp"

#include <stdexcept>

#include <string>
#include <string_view>
#include <vector>

namespace aio::testing {

// A test reads as a script (the CS144 way): the scenario, then steps. When an expectation
// fails, the message replays the steps so far and says what should have been seen, in the
// lesson's words, and which lesson section explains it:
//
//   Script script("the body waits for the first value", "Exercise 1.2");
//   script.step("call a generator function that counts its runs");
//   EXPECT_STEP_EQ(script, runs, 0, "calling a generator function runs none of its body");
class Script {
 public:
  explicit Script(std::string scenario, std::string lesson_section = {})
      : scenario_(std::move(scenario)), lesson_section_(std::move(lesson_section)) {}

  // Records the next step, as a sentence: "advance the clock by 5 s".
  void step(std::string description) { steps_.push_back(std::move(description)); }

  // The failure text: scenario, steps so far, the rule, and expected against seen.
  std::string report(std::string_view rule, std::string_view expected,
                     std::string_view seen) const {
    std::string text = "\nScenario: " + scenario_ + "\n";
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      text += "  " + std::to_string(i + 1) + ". " + steps_[i] + "\n";
    }
    text += "Expected: " + std::string(rule) + "\n";
    text += "  should have been " + std::string(expected) + ", but was " + std::string(seen) + "\n";
    if (!lesson_section_.empty()) text += "Re-read: \"" + lesson_section_ + "\" in the lesson.\n";
    return text;
  }

  // The failure text when there is no value to compare, only a rule that did not hold.
  std::string report(std::string_view rule) const { return report(rule, "true", "false"); }

 private:
  std::string scenario_;
  std::string lesson_section_;
  std::vector<std::string> steps_;
};

// What a call threw, in words: "nothing", or the kind of exception and its message. A starter's
// stub (aio::NotImplemented) is named as such, never mistaken for the error finished code throws.
template <class F>
std::string outcome_of(F&& call) {
  try {
    call();
  } catch (const aio::NotImplemented& e) {
    return std::string("aio::NotImplemented: ") + e.what();
  } catch (const std::logic_error& e) {
    return std::string("std::logic_error: ") + e.what();
  } catch (const std::runtime_error& e) {
    return std::string("std::runtime_error: ") + e.what();
  }
  return "nothing";
}

}  // namespace aio::testing

// EXPECT_STEP_EQ(script, seen, expected, rule): a gtest expectation whose failure replays the
// script.
#define EXPECT_STEP_EQ(script, seen, expected, rule)                                           \
  do {                                                                                         \
    const auto& aio_seen_ = (seen);                                                            \
    const auto& aio_expected_ = (expected);                                                    \
    EXPECT_TRUE(aio_seen_ == aio_expected_) << (script).report(                                \
        (rule), ::testing::PrintToString(aio_expected_), ::testing::PrintToString(aio_seen_)); \
  } while (false)

// EXPECT_STEP_TRUE(script, condition, rule): the rule must hold.
#define EXPECT_STEP_TRUE(script, condition, rule) EXPECT_TRUE(condition) << (script).report((rule))
