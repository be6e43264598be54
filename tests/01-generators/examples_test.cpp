// The example programs of chapter 01 run, exit 0, and print what the tour promises.
// Only the structure of the output is checked, never a timing: the tests must not be flaky.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "support/programs.hpp"

namespace {

using aio::testing::ProgramOutput;
using aio::testing::run_example;

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// The line that starts with `prefix`, or "" if there is none.
std::string line_starting(const ProgramOutput& run, const std::string& prefix) {
  for (const std::string& line : run.lines) {
    if (starts_with(line, prefix)) return line;
  }
  return "";
}

// The whitespace-separated words of a line.
std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// "11,189,648" -> 11189648
long long number(std::string text) {
  std::string digits;
  for (char c : text) {
    if (c != ',') digits += c;
  }
  return std::stoll(digits);
}

// One row of the fetch_rows table: "<version...> <first> <unit> <all> <unit> <peak> <allocs>".
struct TableRow {
  long long peak_bytes = -1;
  long long allocations = -1;
};

TableRow table_row(const ProgramOutput& run, const std::string& version) {
  const std::vector<std::string> w = words(line_starting(run, version));
  if (w.size() < 2) return {};
  return {number(w[w.size() - 2]), number(w[w.size() - 1])};
}

// ---- fetch_rows -----------------------------------------------------------------------------

TEST(Examples, FetchRowsGeneratorPeakIsAboutOneRow) {
  const ProgramOutput run = run_example("fetch_rows");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("10,000 rows"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("same rows in the same order: yes"), std::string::npos) << run.output;

  const TableRow list = table_row(run, "list");
  const TableRow generator = table_row(run, "generator");
  const TableRow cursor = table_row(run, "hand-written RowCursor");
  ASSERT_GT(list.peak_bytes, 0) << run.output;
  ASSERT_GT(generator.peak_bytes, 0) << run.output;
  ASSERT_GT(cursor.peak_bytes, 0) << run.output;
  // The list holds every row at once; the generator and the cursor hold one or two.
  EXPECT_LT(generator.peak_bytes * 10, list.peak_bytes) << run.output;
  EXPECT_LT(cursor.peak_bytes * 10, list.peak_bytes) << run.output;
  EXPECT_LT(generator.peak_bytes, 4 * 1024) << run.output;
  // One allocation a row; the generator adds its frame, the list its growing buffer.
  EXPECT_EQ(cursor.allocations, 10'000) << run.output;
  EXPECT_EQ(generator.allocations, 10'001) << run.output;
  EXPECT_GT(list.allocations, 10'000) << run.output;
}

TEST(Examples, FetchRowsTakesTheNumberOfRows) {
  const ProgramOutput run = run_example("fetch_rows", "--rows 500");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_TRUE(starts_with(run.lines.at(0), "500 rows")) << run.output;
  EXPECT_EQ(table_row(run, "hand-written RowCursor").allocations, 500) << run.output;
}

TEST(Examples, FetchRowsRejectsABadArgument) {
  const ProgramOutput run = run_example("fetch_rows", "--rows many");
  EXPECT_NE(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("usage"), std::string::npos) << run.output;
}

// ---- delegation -----------------------------------------------------------------------------

TEST(Examples, DelegationFlattensTheTreeParentsFirst) {
  const ProgramOutput run = run_example("delegation");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  std::vector<std::string> paths;
  for (const std::string& line : run.lines) {
    if (starts_with(line, "  project")) paths.push_back(line.substr(2));
  }
  const std::vector<std::string> expected = {"project",
                                             "project/README.md",
                                             "project/src",
                                             "project/src/main.cpp",
                                             "project/src/net",
                                             "project/src/net/socket.cpp",
                                             "project/src/net/loop.cpp",
                                             "project/tests",
                                             "project/tests/loop_test.cpp"};
  EXPECT_EQ(paths, expected) << run.output;
}

TEST(Examples, DelegationReaches100000LevelsOnAFlatStack) {
  const ProgramOutput run = run_example("delegation");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("with elements_of: deepest level reached: 100000"), std::string::npos)
      << run.output;
  // "  level 0 and level 100000 ran at stack heights <bytes> bytes apart": a few frames at most,
  // whatever the depth (the call that resumes level 0 is not quite the one that resumes the rest).
  const std::string apart = line_starting(run, "  level 0 and level 100000 ran at stack heights");
  ASSERT_FALSE(apart.empty()) << run.output;
  const std::vector<std::string> w = words(apart);
  EXPECT_LT(number(w[w.size() - 3]), 4096) << run.output;
  // The re-yielding loop, by contrast, grows the stack with every level.
  EXPECT_NE(
      run.output.find("with a re-yielding loop, 1000 levels deep: deepest level reached: 1000"),
      std::string::npos)
      << run.output;
  const std::string grew = line_starting(run, "  the stack grew by ");
  ASSERT_FALSE(grew.empty()) << run.output;
  EXPECT_GT(number(words(grew).at(4)), 1000 * 16) << run.output;
}

// ---- round_robin ----------------------------------------------------------------------------

TEST(Examples, RoundRobinInterleavesTheJobsTurnByTurn) {
  const ProgramOutput run = run_example("round_robin");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  std::vector<std::string> trace;  // "<job> <what>" for each turn, in order
  for (const std::string& line : run.lines) {
    if (!starts_with(line, "turn ")) continue;
    const std::vector<std::string> w = words(line);
    ASSERT_GE(w.size(), 4u) << line;
    trace.push_back(w[2] + " " + w[3]);
  }
  const std::vector<std::string> expected = {
      "alpha 3",        "bravo 5", "charlie 2",        "delta 4",
      "alpha 2",        "bravo 4", "charlie 1",        "delta 3",
      "alpha 1",        "bravo 3", "charlie liftoff!", "delta FAILED:",
      "alpha liftoff!", "bravo 2", "bravo 1",          "bravo liftoff!"};
  EXPECT_EQ(trace, expected) << run.output;
  EXPECT_NE(run.output.find("engine stalled at 2"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("run() returned after 16 turns; jobs left: 0"), std::string::npos)
      << run.output;
}

// ---- send_demo ------------------------------------------------------------------------------

TEST(Examples, SendDemoAveragesWhatItIsSent) {
  const ProgramOutput run = run_example("send_demo");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const auto result = [&](const std::string& call) {
    const std::string line = line_starting(run, call);
    const std::size_t arrow = line.find("-> ");
    return arrow == std::string::npos ? std::string("(no line)") : line.substr(arrow + 3);
  };
  EXPECT_TRUE(starts_with(result("send(1) before next()"), "refused")) << run.output;
  EXPECT_EQ(result("next()"), "0") << run.output;
  EXPECT_EQ(result("send(10)"), "10") << run.output;
  EXPECT_EQ(result("send(20)"), "15") << run.output;
  EXPECT_EQ(result("send(60)"), "30") << run.output;
  EXPECT_EQ(result("throw_into(Reset{})"), "0") << run.output;
  EXPECT_EQ(result("send(4)"), "4") << run.output;
  EXPECT_EQ(result("throw_into(runtime_error)"), "escaped to the caller: sensor unplugged")
      << run.output;
  EXPECT_EQ(result("done()"), "true") << run.output;
  EXPECT_EQ(result("send(5)"), "nothing") << run.output;
}

}  // namespace
