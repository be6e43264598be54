#include "aio/row_cursor.hpp"

namespace aio {

// region: resume
bool RowCursor::resume() {
  // EXERCISE 1.1: resume the body where it stopped
  // Jump on state_ to the resume point: at kStart the loop begins (id_ = first_); at
  // kAtYield the loop goes on (++id_); at kDone there is nothing left. Then run the loop
  // test: past last_ the body ends (kDone, return false); otherwise "yield" the row
  // (current_ = fetch_row(id_), state_ = kAtYield, return true).
  switch (state_) {
    case State::kStart:
      id_ = first_;
      break;
    case State::kAtYield:
      ++id_;
      break;
    case State::kDone:
      return false;
  }
  if (id_ > last_) {
    state_ = State::kDone;
    return false;
  }
  current_ = fetch_row(id_);
  state_ = State::kAtYield;
  return true;
  // END EXERCISE
}
// endregion

}  // namespace aio
