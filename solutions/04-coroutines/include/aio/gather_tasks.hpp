// aio::gather for coroutines and tasks: asyncio.gather(*aws), results in a tuple or a vector.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "aio/awaitable.hpp"
#include "aio/gather.hpp"  // ReturnExceptions, and gather over a vector of futures
#include "aio/outcome.hpp"

namespace aio {

namespace detail {

// region: gather_class
// region: gather_core
// What a gather does whatever its result type (asyncio's _GatheringFuture and its
// _done_callback): count the children as they finish, fail at the first failure (unless
// exceptions are returned), cancel the children when cancelled. `collect` builds the result
// from the children once they are all done.
class GatherCore {
 public:
  GatherCore(std::vector<std::shared_ptr<FutureCore>> children, bool return_exceptions);
  // endregion

  // asyncio: _GatheringFuture.cancel(msg).
  bool cancel_children(FutureCore& outer, std::string message);
  // asyncio: gather's _done_callback(fut). `store_results` sets the outer's value.
  void on_child_done(FutureCore& outer, FutureCore& child,
                     const std::function<void()>& store_results);

  const std::vector<std::shared_ptr<FutureCore>>& children() const { return children_; }
  // Once the outer is done: it needs its children no more (this breaks the cycle
  // children -> done callbacks -> outer -> children).
  void release_children() { children_.clear(); }

 private:
  std::vector<std::shared_ptr<FutureCore>> children_;
  bool return_exceptions_;
  std::size_t distinct_;  // a future passed twice counts once
  std::size_t finished_ = 0;
  bool cancel_requested_ = false;
  std::string cancel_message_;
};
// endregion

template <class Result>
class GatherFuture final : public FutureValue<Result> {
 public:
  GatherFuture(EventLoop& loop, std::vector<std::shared_ptr<FutureCore>> children,
               bool return_exceptions, std::function<Result()> collect)
      : FutureValue<Result>(loop),
        core_(std::move(children), return_exceptions),
        collect_(std::move(collect)) {}

  bool cancel(std::string message) override {
    return core_.cancel_children(*this, std::move(message));
  }

  void watch_children() {
    std::unordered_set<FutureCore*> seen;
    for (const std::shared_ptr<FutureCore>& child : core_.children()) {
      if (!seen.insert(child.get()).second) continue;  // passed twice: waited for once
      child->add_done_callback(
          [self = std::static_pointer_cast<GatherFuture>(this->shared_from_this())](
              FutureCore& done) { self->on_child_done(done); },
          "gather");
    }
  }

 private:
  void on_child_done(FutureCore& child) {
    core_.on_child_done(*this, child, [this] { this->value.emplace(collect_()); });
    if (this->done()) {
      collect_ = nullptr;  // it holds the children too
      core_.release_children();
    }
  }

  GatherCore core_;
  std::function<Result()> collect_;
};

template <class T>
Unvoid<T> take_value(const Future<T>& future) {
  if constexpr (std::is_void_v<T>) {
    future.result();
    return {};
  } else {
    return hand_on(future.result());
  }
}

template <class T>
Outcome<Unvoid<T>> take_outcome(const Future<T>& future) {
  try {
    return Outcome<Unvoid<T>>(take_value(future));
  } catch (...) {
    return Outcome<Unvoid<T>>(std::current_exception());
  }
}

template <class Result, class Collect>
Future<Result> start_gather(EventLoop& loop, std::vector<std::shared_ptr<FutureCore>> children,
                            bool return_exceptions, Collect collect) {
  if (children.empty()) {  // asyncio: a future done at once
    Future<Result> done(loop);
    done.set_result(collect());
    return done;
  }
  auto outer = std::make_shared<GatherFuture<Result>>(loop, std::move(children), return_exceptions,
                                                      std::move(collect));
  outer->watch_children();
  return Future<Result>(static_cast<FutureCore&>(*outer));
}

// The loop of the first future among the awaitables, else the running loop (coroutines only).
template <class... Aws>
EventLoop& loop_of(const Aws&... aws) {
  EventLoop* loop = nullptr;
  [[maybe_unused]] auto look = [&loop](const auto& aw) {  // unused for an empty pack
    if constexpr (requires { aw.get_loop(); }) {
      if (loop == nullptr) loop = &aw.get_loop();
    }
  };
  (look(aws), ...);
  return loop != nullptr ? *loop : get_running_loop();
}

}  // namespace detail

// region: gather_doc
// asyncio.gather(*aws). Coroutines become tasks; the future's result is the tuple of their
// results in argument order (void gives std::monostate). The first failure finishes it with
// that exception, a cancelled child with CancelledError; the other children go on. Cancelling
// it cancels every child still running. With no argument: done at once, an empty tuple.
// endregion
template <Awaitable... Aws>
Future<std::tuple<Unvoid<AwaitResult<Aws>>...>> gather(Aws... aws) {
  EventLoop& loop = detail::loop_of(aws...);
  // A braced list is evaluated left to right; function arguments are not (g++ goes right to
  // left), and the tasks must start in argument order, as CPython starts them.
  auto futures = std::tuple<Future<AwaitResult<Aws>>...>{ensure_future(loop, std::move(aws))...};
  std::vector<std::shared_ptr<detail::FutureCore>> children;
  std::apply([&children](const auto&... f) { (children.push_back(f.core()), ...); }, futures);
  using Result = std::tuple<Unvoid<AwaitResult<Aws>>...>;
  return detail::start_gather<Result>(loop, std::move(children), false, [futures] {
    return std::apply([](const auto&... f) { return Result(detail::take_value(f)...); }, futures);
  });
}

// asyncio.gather(*aws, return_exceptions=True): a tuple of Outcomes, once every child is done.
template <Awaitable... Aws>
Future<std::tuple<Outcome<Unvoid<AwaitResult<Aws>>>...>> gather(ReturnExceptions, Aws... aws) {
  EventLoop& loop = detail::loop_of(aws...);
  // A braced list is evaluated left to right; function arguments are not (g++ goes right to
  // left), and the tasks must start in argument order, as CPython starts them.
  auto futures = std::tuple<Future<AwaitResult<Aws>>...>{ensure_future(loop, std::move(aws))...};
  std::vector<std::shared_ptr<detail::FutureCore>> children;
  std::apply([&children](const auto&... f) { (children.push_back(f.core()), ...); }, futures);
  using Result = std::tuple<Outcome<Unvoid<AwaitResult<Aws>>>...>;
  return detail::start_gather<Result>(loop, std::move(children), true, [futures] {
    return std::apply([](const auto&... f) { return Result(detail::take_outcome(f)...); }, futures);
  });
}

// gather over a vector of coroutines (or tasks): a vector of results, in order.
template <class T>
Future<std::vector<Unvoid<T>>> gather_all(std::vector<Coroutine<T>> coroutines) {
  EventLoop& loop = get_running_loop();
  std::vector<Future<T>> futures;
  futures.reserve(coroutines.size());
  for (Coroutine<T>& coroutine : coroutines)
    futures.push_back(create_task(loop, std::move(coroutine)));
  std::vector<std::shared_ptr<detail::FutureCore>> children;
  children.reserve(futures.size());
  for (const Future<T>& future : futures) children.push_back(future.core());
  using Result = std::vector<Unvoid<T>>;
  return detail::start_gather<Result>(loop, std::move(children), false,
                                      [futures = std::move(futures)] {
                                        Result results;
                                        results.reserve(futures.size());
                                        for (const Future<T>& f : futures) {
                                          results.push_back(detail::take_value(f));
                                        }
                                        return results;
                                      });
}

}  // namespace aio
