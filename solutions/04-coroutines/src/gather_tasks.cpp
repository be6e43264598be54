#include "aio/gather_tasks.hpp"

#include <unordered_set>

#include "aio/not_implemented.hpp"

namespace aio::detail {

GatherCore::GatherCore(std::vector<std::shared_ptr<FutureCore>> children, bool return_exceptions)
    : children_(std::move(children)), return_exceptions_(return_exceptions) {
  std::unordered_set<const FutureCore*> seen;
  for (const auto& child : children_) seen.insert(child.get());
  distinct_ = seen.size();
}

// region: cancel_children
bool GatherCore::cancel_children(FutureCore& outer, std::string message) {
  // EXERCISE 4.4: gather, for tasks
  // asyncio's _GatheringFuture.cancel(msg): false when the outer is done; else cancel every
  // child (a task's cancel() asks its coroutine to stop); if one could be, remember the
  // request and its message for the end, and return true.
  if (outer.done()) return false;
  bool cancelled_any = false;
  for (const auto& child : children_) {
    if (child->cancel(message)) cancelled_any = true;
  }
  if (cancelled_any) {
    cancel_requested_ = true;
    cancel_message_ = std::move(message);
  }
  return cancelled_any;
  // END EXERCISE
}
// endregion

// region: on_child_done
void GatherCore::on_child_done(FutureCore& outer, FutureCore& child,
                               const std::function<void()>& store_results) {
  // EXERCISE 4.4: a child is done
  // As chapter 03's gather: count it; outer done already: mark the child's exception
  // retrieved, stop. Without return_exceptions, a cancelled or failed child finishes the
  // outer with its CancelledError or exception. The last child: CancelledError if a cancel was
  // requested, else store_results() and finish.
  ++finished_;
  if (outer.done()) {
    if (!child.cancelled()) child.exception();
    return;
  }
  if (!return_exceptions_) {
    try {
      child.check_result();
    } catch (...) {
      outer.set_exception(std::current_exception());
      return;
    }
  }
  if (finished_ < distinct_) return;
  if (cancel_requested_) {
    outer.set_exception(std::make_exception_ptr(CancelledError(cancel_message_)));
    return;
  }
  outer.ensure_pending("set_result");
  store_results();
  outer.finish();
  // END EXERCISE
}
// endregion

}  // namespace aio::detail
