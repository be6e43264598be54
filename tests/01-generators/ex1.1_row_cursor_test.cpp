// Exercise 1.1: aio::RowCursor, fetch_rows written by hand as the state machine that a compiler
// makes of a generator. Each test is a scenario in steps; a failure replays the steps and names
// the rule it broke.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aio/row_cursor.hpp"
#include "aio/rows.hpp"
#include "support/script.hpp"

namespace {

using aio::Row;
using aio::RowCursor;
using aio::testing::Script;
using State = RowCursor::State;

constexpr const char* kLesson = "Exercise 1.1";

// A row in a few words ("42 customer-00042 (1000 bytes)"): readable in a failure message.
std::string describe(const Row& row) {
  return std::to_string(row.id) + " " + row.name + " (" + std::to_string(row.payload.size()) +
         " bytes)";
}

std::string describe(State state) {
  switch (state) {
    case State::kStart:
      return "kStart";
    case State::kAtYield:
      return "kAtYield";
    case State::kDone:
      return "kDone";
  }
  return "(not a State)";
}

std::string expected_row(int id) {
  std::string digits = std::to_string(id);
  return std::to_string(id) + " customer-" + std::string(5 - digits.size(), '0') + digits + " (" +
         std::to_string(aio::kRowPayloadBytes) + " bytes)";
}

// Every row a cursor gives, read with resume() and current().
std::vector<std::string> drain(RowCursor& cursor) {
  std::vector<std::string> rows;
  while (cursor.resume()) rows.push_back(describe(cursor.current()));
  return rows;
}

}  // namespace

TEST(Ex11RowCursor, NewCursorIsParkedBeforeItsFirstLine) {
  Script script("construct a RowCursor, then resume it once", kLesson);

  script.step("RowCursor cursor(1, 3)");
  RowCursor cursor(1, 3);
  EXPECT_STEP_EQ(script, describe(cursor.state()), std::string("kStart"),
                 "constructing the cursor is calling the generator function: it copies the "
                 "parameters into the frame and runs nothing (state kStart)");

  script.step("cursor.resume()");
  EXPECT_STEP_TRUE(script, cursor.resume(), "the first resume() yields a row: it returns true");
  EXPECT_STEP_EQ(script, describe(cursor.current()), expected_row(1),
                 "the first row is the row `first`");
  EXPECT_STEP_EQ(script, describe(cursor.state()), std::string("kAtYield"),
                 "after yielding, the body is parked at its yield (state kAtYield)");
}

TEST(Ex11RowCursor, RowsComeOneResumeAtATimeInOrder) {
  Script script("resume RowCursor(40, 43) row by row", kLesson);
  RowCursor cursor(40, 43);

  for (int id = 40; id <= 43; ++id) {
    script.step("cursor.resume() (expecting row " + std::to_string(id) + ")");
    EXPECT_STEP_TRUE(script, cursor.resume(), "resume() returns true while rows are left");
    EXPECT_STEP_EQ(script, describe(cursor.current()), expected_row(id),
                   "each resume() continues the loop (++id) and yields fetch_row(id): rows "
                   "first..last in order, named customer-NNNNN, with kRowPayloadBytes of payload");
    EXPECT_STEP_EQ(script, describe(cursor.state()), std::string("kAtYield"),
                   "between two rows the body is parked at its yield");
  }
}

TEST(Ex11RowCursor, AfterTheLastRowTheCursorIsDoneForGood) {
  Script script("resume RowCursor(7, 8) past its end, several times", kLesson);
  RowCursor cursor(7, 8);

  script.step("cursor.resume() twice (rows 7 and 8)");
  cursor.resume();
  cursor.resume();
  EXPECT_STEP_EQ(script, describe(cursor.current()), expected_row(8), "the last row is row 8");

  script.step("cursor.resume() a third time");
  EXPECT_STEP_TRUE(script, !cursor.resume(),
                   "past `last` the loop ends: resume() returns false, the body has finished");
  EXPECT_STEP_EQ(script, describe(cursor.state()), std::string("kDone"),
                 "a finished body is in state kDone");

  script.step("cursor.resume() twice more");
  const bool fourth = cursor.resume();
  const bool fifth = cursor.resume();
  EXPECT_STEP_TRUE(script, !fourth && !fifth,
                   "a finished cursor stays finished: every later resume() returns false");
  EXPECT_STEP_EQ(script, describe(cursor.state()), std::string("kDone"), "it stays kDone");
}

TEST(Ex11RowCursor, EmptyRangeYieldsNoRow) {
  Script script("RowCursor(5, 4): first > last", kLesson);
  RowCursor cursor(5, 4);

  script.step("cursor.resume()");
  EXPECT_STEP_TRUE(script, !cursor.resume(),
                   "the loop test fails at once (5 > 4): the first resume() returns false");
  EXPECT_STEP_EQ(script, describe(cursor.state()), std::string("kDone"),
                 "the body ran to its end: kDone, without yielding");
}

TEST(Ex11RowCursor, SingleRowRange) {
  Script script("RowCursor(42, 42)", kLesson);
  RowCursor cursor(42, 42);

  script.step("resume() until it returns false");
  EXPECT_STEP_EQ(script, drain(cursor), std::vector<std::string>{expected_row(42)},
                 "first == last gives exactly one row");
}

TEST(Ex11RowCursor, RangeForLoopOverACursor) {
  Script script("for (const Row& row : cursor)", kLesson);
  RowCursor cursor(99, 101);
  std::vector<std::string> seen;

  script.step("RowCursor cursor(99, 101); for (const Row& row : cursor) ...");
  for (const Row& row : cursor) seen.push_back(describe(row));
  EXPECT_STEP_EQ(script, seen,
                 (std::vector<std::string>{expected_row(99), expected_row(100), expected_row(101)}),
                 "RowCursorIterator drives the cursor with resume(): a range-for loop gets every "
                 "row in order");
  EXPECT_STEP_EQ(script, describe(cursor.state()), std::string("kDone"),
                 "the loop ended because the cursor finished");
}

TEST(Ex11RowCursor, TwoCursorsAreTwoIndependentFrames) {
  Script script("interleave resume() on two cursors", kLesson);
  RowCursor low(1, 3);
  RowCursor high(500, 502);
  std::vector<std::string> seen;

  script.step("low.resume(), high.resume(), low.resume(), high.resume()");
  for (int i = 0; i < 2; ++i) {
    low.resume();
    seen.push_back(describe(low.current()));
    high.resume();
    seen.push_back(describe(high.current()));
  }
  EXPECT_STEP_EQ(script, seen,
                 (std::vector<std::string>{expected_row(1), expected_row(500), expected_row(2),
                                           expected_row(501)}),
                 "each cursor keeps its own state, parameters and loop variable (its frame): "
                 "resuming one does not move the other");
}

TEST(Ex11RowCursor, SameRowsAsTheListVersion) {
  Script script("RowCursor(1, 25) against fetch_rows_list(1, 25)", kLesson);

  script.step("drain RowCursor(1, 25)");
  RowCursor cursor(1, 25);
  const std::vector<std::string> from_cursor = drain(cursor);

  script.step("build fetch_rows_list(1, 25)");
  std::vector<std::string> from_list;
  for (const Row& row : aio::fetch_rows_list(1, 25)) from_list.push_back(describe(row));
  EXPECT_STEP_EQ(script, from_cursor, from_list,
                 "the cursor gives the very rows the list version builds, in the same order, "
                 "but one at a time");
}

TEST(Ex11RowCursor, SameRowsAsTheGeneratorVersion) {
  Script script("RowCursor(10, 30) against the generator fetch_rows(10, 30)", kLesson);

  script.step("drain RowCursor(10, 30)");
  RowCursor cursor(10, 30);
  const std::vector<Row> from_cursor = [&] {
    std::vector<Row> rows;
    while (cursor.resume()) rows.push_back(cursor.current());
    return rows;
  }();

  script.step("iterate fetch_rows(10, 30) (needs aio::Generator, exercise 1.2)");
  std::vector<Row> from_generator;
  try {
    for (Row& row : aio::fetch_rows(10, 30)) from_generator.push_back(std::move(row));
  } catch (const aio::NotImplemented&) {
    GTEST_SKIP() << "fetch_rows needs aio::Generator: this comparison runs once exercise 1.2 "
                    "is done";
  }
  EXPECT_STEP_EQ(script, from_cursor.size(), from_generator.size(),
                 "the hand-written state machine yields as many rows as the generator");
  EXPECT_STEP_TRUE(script, from_cursor == from_generator,
                   "RowCursor is what the compiler makes of fetch_rows: the same rows, with the "
                   "same ids, names and payloads, in the same order");
}
