// What the combinators of chapter 04 accept: a coroutine, a task or a future.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>
#include <variant>

#include "aio/coroutine.hpp"
#include "aio/future.hpp"
#include "aio/task.hpp"

namespace aio {

namespace detail {

template <class A>
struct AwaitableTraits;  // what `co_await A` gives, for the awaitables below

template <class T>
struct AwaitableTraits<Coroutine<T>> {
  using result = T;
};
template <class T>
struct AwaitableTraits<Future<T>> {
  using result = T;
};
template <class T>
struct AwaitableTraits<Task<T>> {
  using result = T;
};

}  // namespace detail

// A coroutine, a task or a future: what asyncio calls an awaitable.
template <class A>
concept Awaitable = requires {
  typename detail::AwaitableTraits<std::remove_cvref_t<A>>::result;
};

// What awaiting it gives.
template <Awaitable A>
using AwaitResult = typename detail::AwaitableTraits<std::remove_cvref_t<A>>::result;

// A result that can sit in a tuple or a vector: void becomes std::monostate.
template <class T>
using Unvoid = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// asyncio.ensure_future(aw): a coroutine becomes a task on `loop`; a future or a task is
// returned as it is (std::invalid_argument if it belongs to another loop).
template <class T>
Future<T> ensure_future(EventLoop& loop, Coroutine<T> coroutine) {
  return create_task(loop, std::move(coroutine));
}
template <class T>
Future<T> ensure_future(EventLoop& loop, Future<T> future) {
  if (&future.get_loop() != &loop) {
    throw std::invalid_argument("The future belongs to a different loop than the one specified");
  }
  return future;
}

}  // namespace aio
