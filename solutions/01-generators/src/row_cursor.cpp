#include "aio/row_cursor.hpp"
#include "aio/not_implemented.hpp"

namespace aio {

// region: resume
bool RowCursor::resume() {
  // EXERCISE 1.1: resume the body where it stopped
  // Run the body of fetch_rows (in the header's comment) from the point state_ records to
  // its next "yield", by hand: a yield stores the row in current_, records where to go on,
  // and returns true; running off the end records that the body is done and returns false.
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
