// aio::gather: one future for the results of many, written with done callbacks only.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "aio/future.hpp"
#include "aio/not_implemented.hpp"
#include "aio/outcome.hpp"

namespace aio {

// Pass it to gather() for asyncio's return_exceptions=True.
struct ReturnExceptions {};
inline constexpr ReturnExceptions return_exceptions{};

namespace detail {

// An Outcome of a done future: its value (handed on) or its exception, CancelledError included.
template <class T>
Outcome<T> outcome_of(const Future<T>& future) {
  try {
    return Outcome<T>(hand_on(future.result()));
  } catch (...) {
    return Outcome<T>(std::current_exception());
  }
}

// region: gathering
// The future that gather() returns (asyncio's _GatheringFuture). Item is T, or Outcome<T>
// with return_exceptions. It holds its children until it is done; their done callbacks hold
// it. That is a cycle, as in asyncio; finishing breaks it, since it then drops its children.
template <class T, class Item>
class Gathering final : public FutureValue<std::vector<Item>> {
 public:
  Gathering(EventLoop& loop, std::vector<Future<T>> children, std::size_t distinct)
      : FutureValue<std::vector<Item>>(loop), children_(std::move(children)), distinct_(distinct) {}
  // endregion

  // region: gather_cancel
  // asyncio: _GatheringFuture.cancel(msg). Cancelling the gather cancels its children. It is
  // then done when they are, with a CancelledError, whatever return_exceptions says.
  bool cancel(std::string message) override {
    // EXERCISE 3.6: gather, written with callbacks
    // Done already: false. Else cancel every child with the message; if any of them could be
    // cancelled, remember that a cancel was requested (and its message) and return true.
    throw aio::NotImplemented{"3.6"};
    // END EXERCISE
  }
  // endregion

  // region: on_child_done
  // The done callback of every child (asyncio's _done_callback in gather).
  void on_child_done(const Future<T>& child) {
    // EXERCISE 3.6: a child is done
    // Count the child. If the gather is done already, mark the child's exception retrieved
    // (exception(), unless it was cancelled) and stop. Without return_exceptions, a cancelled
    // child finishes the gather with CancelledError and a failed one with its exception.
    // When the last child is in: CancelledError if a cancel was requested, else the results
    // in the children's order (finish()).
    throw aio::NotImplemented{"3.6"};
    // END EXERCISE
  }
  // endregion

 private:
  Future<std::vector<Item>> self() { return Future<std::vector<Item>>(*this); }

  void fail(std::exception_ptr error) {
    self().set_exception(std::move(error));
    children_.clear();
  }

  void finish() {
    std::vector<Item> results;
    results.reserve(children_.size());
    for (const Future<T>& child : children_) {
      if constexpr (std::is_same_v<Item, T>) {
        results.push_back(hand_on(child.result()));
      } else {
        results.push_back(outcome_of(child));
      }
    }
    children_.clear();
    self().set_result(std::move(results));
  }

  std::vector<Future<T>> children_;
  std::size_t distinct_;  // a future passed twice is waited for once, as asyncio does
  std::size_t finished_ = 0;
  bool cancel_requested_ = false;
  std::string cancel_message_;
};

// region: start_gathering
template <class Item, class T>
Future<std::vector<Item>> start_gathering(std::vector<Future<T>> children) {
  static_assert(!std::is_void_v<T>, "gather() collects results: use it with Future<T>, T not void");
  if (children.empty()) {
    // asyncio: a future done at once, with an empty list, on the running loop.
    Future<std::vector<Item>> outer(get_running_loop());
    outer.set_result({});
    return outer;
  }
  EventLoop& loop = children.front().get_loop();
  std::unordered_set<const FutureCore*> seen;
  for (const Future<T>& child : children) {
    if (&child.get_loop() != &loop) {
      throw std::invalid_argument("gather: the futures belong to different event loops");
    }
    seen.insert(child.core().get());
  }
  if constexpr (!std::is_copy_constructible_v<T>) {
    // Each slot of the result takes its child's value out: there is only one to take.
    if (seen.size() != children.size()) {
      throw std::invalid_argument("gather: a future of a move-only result passed twice");
    }
  }
  auto outer = std::make_shared<Gathering<T, Item>>(loop, children, seen.size());
  seen.clear();
  for (const Future<T>& child : children) {
    if (!seen.insert(child.core().get()).second) continue;
    child.add_done_callback([outer](const Future<T>& done) { outer->on_child_done(done); },
                            "gather");
  }
  return Future<std::vector<Item>>(static_cast<FutureCore&>(*outer));
}
// endregion

}  // namespace detail

// region: gather_api
// asyncio.gather(*futures). A future for the results of all of `children`, in their order.
// The first child to fail finishes it with that exception (the other children go on); a
// cancelled child finishes it with CancelledError. Cancelling it cancels the children.
// No children: a future already done with an empty vector, on the running loop.
template <class T>
Future<std::vector<T>> gather(std::vector<Future<T>> children) {
  return detail::start_gathering<T>(std::move(children));
}

// asyncio.gather(*futures, return_exceptions=True): every child's Outcome, a value or an
// exception (CancelledError for a cancelled one), once all are done.
template <class T>
Future<std::vector<Outcome<T>>> gather(std::vector<Future<T>> children, ReturnExceptions) {
  return detail::start_gathering<Outcome<T>>(std::move(children));
}
// endregion

}  // namespace aio
