#include "aio/row_cursor.hpp"

namespace aio {

// region: resume
bool RowCursor::resume() {
  // EXERCISE 1.1: resume the body where it stopped
  // Jump on state_ to the resume point: at kStart the loop begins (id_ = first_); at
  // kAtYield the loop goes on (++id_); at kDone there is nothing left. Then run the loop
  // test: past last_ the body ends (kDone, return false); otherwise "yield" the row
  // (current_ = fetch_row(id_), state_ = kAtYield, return true).
  throw aio::NotImplemented{"1.1"};
  // END EXERCISE
}
// endregion

}  // namespace aio
