// aio::RowCursor: fetch_rows written by hand as the state machine a compiler makes of a generator.
#pragma once

#include <cstddef>
#include <iterator>

#include "aio/rows.hpp"

namespace aio {

// What the compiler makes of
//
//   Generator<Row> fetch_rows(int first, int last) {
//     for (int id = first; id <= last; ++id) co_yield fetch_row(id);
//   }
//
// written out by hand: the parameters and the loop variable become members (the "frame"),
// and the body becomes resume(), a function that jumps to where it last stopped.
// region: row_cursor
class RowCursor {
 public:
  RowCursor(int first, int last) noexcept : first_(first), last_(last) {}

  // Runs the body from where it stopped to its next "yield". Returns false when it has finished.
  bool resume();

  // The value of the last "yield". Valid after resume() returned true.
  const Row& current() const noexcept { return current_; }

  // Where the body is parked: before its first line, at its yield, or past its end.
  enum class State { kStart, kAtYield, kDone };
  State state() const noexcept { return state_; }

 private:
  State state_ = State::kStart;  // the resume point
  int first_;                    // the parameters, copied into the frame
  int last_;
  int id_ = 0;   // the local that lives across the yield
  Row current_;  // the yielded value, kept until the next resume
};
// endregion

// Lets a RowCursor drive a range-for loop: `for (const Row& row : RowCursor(1, 3))`.
class RowCursorIterator {
 public:
  using value_type = Row;
  using difference_type = std::ptrdiff_t;

  RowCursorIterator() = default;
  explicit RowCursorIterator(RowCursor& cursor) : cursor_(&cursor) { ++*this; }

  const Row& operator*() const noexcept { return cursor_->current(); }
  RowCursorIterator& operator++() {
    if (!cursor_->resume()) cursor_ = nullptr;
    return *this;
  }
  void operator++(int) { ++*this; }
  friend bool operator==(const RowCursorIterator& it, std::default_sentinel_t) noexcept {
    return it.cursor_ == nullptr;
  }

 private:
  RowCursor* cursor_ = nullptr;
};

inline RowCursorIterator begin(RowCursor& cursor) {
  return RowCursorIterator(cursor);
}
inline std::default_sentinel_t end(RowCursor&) noexcept {
  return {};
}

}  // namespace aio
