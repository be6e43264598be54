// aio::Generator<T>: a lazy sequence written as a function with co_yield (Python's generator).
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <iterator>
#include <memory>
#include <ranges>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "aio/executing_guard.hpp"
#include "aio/not_implemented.hpp"
#include "aio/unique_coroutine.hpp"

namespace aio {

template <class T>
class Generator;

// co_yield aio::elements_of(nested) yields every value of `nested`, then goes on
// (Python: `yield from nested`).
template <class T>
class elements_of {
 public:
  explicit elements_of(Generator<T>&& nested) noexcept : nested(std::move(nested)) {}
  Generator<T> nested;
};

// A function whose body contains co_yield and returns Generator<T> is a generator:
//   aio::Generator<int> count_to(int n) { for (int i = 1; i <= n; ++i) co_yield i; }
//   for (int i : count_to(3)) ...   // 1, 2, 3
// Calling it runs nothing; each value is computed when the loop asks for it.
// A Generator is a move-only, single-pass input range (a std::ranges::view).
template <class T>
class Generator : public std::ranges::view_interface<Generator<T>> {
  static_assert(!std::is_reference_v<T>, "Generator<T> yields objects; T must not be a reference");

 public:
  class promise_type;
  class iterator;
  using Handle = std::coroutine_handle<promise_type>;

  // region: promise
  class promise_type {
   public:
    Generator get_return_object() noexcept {
      leaf_ = Handle::from_promise(*this);
      return Generator(leaf_);
    }

    // Lazy start: the body waits until the first value is asked for.
    std::suspend_always initial_suspend() noexcept { return {}; }

    // region: final_suspend
    // A nested generator that finishes hands the turn back to the one that delegated to it.
    std::suspend_always final_suspend() noexcept {
      if (parent_) root_->leaf_ = parent_;
      return {};
    }
    // endregion

    // co_yield of a temporary: it lives in the frame until the body resumes, so the consumer
    // reads (or moves) it where it is.
    std::suspend_always yield_value(T&& value) {
      // EXERCISE 1.2: a lazy Generator<T>: yield values, keep errors, resume in a loop
      // Here, in yield_value: make the yielded value visible to the consumer, then suspend.
      // The consumer reads the value through the root generator's value_ pointer (the root is
      // the generator being iterated; until exercise 1.3, root_ is this very promise).
      throw aio::NotImplemented{"1.2"};
      // END EXERCISE
    }

    // co_yield of an lvalue: the body may change it after resuming, so the consumer gets a copy,
    // kept in the frame until the body resumes.
    auto yield_value(const T& value) requires std::copy_constructible<T> {
      struct CopiedValue : std::suspend_always {
        T copy;
        promise_type* root;
        void await_suspend(std::coroutine_handle<>) noexcept {
          root->value_ = std::addressof(copy);
        }
      };
      return CopiedValue{{}, value, root_};
    }

    // co_yield elements_of(nested): the nested generator runs to its end, its values passed on.
    // It must not be half-way: one parked on a value its consumer has seen may also be in a
    // delegation chain of its own. A finished one is fine: it yields nothing.
    auto yield_value(elements_of<T> delegation) {
      const UniqueCoroutine<promise_type>& nested = delegation.nested.coroutine_;
      if (nested && nested.promise().started_ && !nested.get().done()) {
        throw std::logic_error("elements_of needs a generator that has not started yet");
      }
      return Delegation(std::move(delegation.nested));
    }

    void unhandled_exception() {
      // EXERCISE 1.2: keep the exception that escaped the body
      // It must reach the consumer at the point where it asked for the next value.
      throw aio::NotImplemented{"1.2"};
      // END EXERCISE
    }

    void return_void() noexcept {}

    // A generator produces values; it never waits for anything, so co_await is refused.
    template <class U>
    std::suspend_never await_transform(U&&) = delete;

   private:
    friend class Generator;
    T* value_ = nullptr;            // (root) the value the consumer reads now
    std::exception_ptr exception_;  // what escaped the body, for the consumer or the parent
    bool executing_ = false;        // (root) inside advance(): resuming again is an error
    bool started_ = false;          // (root) the body has been asked for a first value
    promise_type* root_ = this;     // the generator being iterated, at the top of the chain
    Handle parent_;                 // the generator that delegated to this one, if any
    Handle leaf_;                   // (root) the innermost active generator: the one to resume
    Handle* owner_ = nullptr;       // the handle that owns this nested frame, in the parent
  };
  // endregion

  // region: iterator
  class iterator {
   public:
    using value_type = std::remove_cv_t<T>;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    explicit iterator(Handle root) noexcept : root_(root) {}

    T& operator*() const { return *root_.promise().value_; }
    T* operator->() const { return root_.promise().value_; }

    iterator& operator++() {
      advance(root_);
      return *this;
    }
    void operator++(int) { ++*this; }

    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept {
      return !it.root_ || it.root_.done();
    }

   private:
    Handle root_;
  };
  // endregion

  Generator() = default;
  Generator(Generator&&) noexcept = default;
  Generator& operator=(Generator&& other) noexcept {
    if (this != &other) {
      destroy_innermost_first();
      coroutine_ = std::move(other.coroutine_);
    }
    return *this;
  }
  ~Generator() { destroy_innermost_first(); }

  // region: begin
  // Starts the body the first time (it runs to its first co_yield). Later calls return an
  // iterator at the value the generator is parked on: a generator is a single pass, and a
  // second loop continues where the first one stopped; after the end it is empty.
  iterator begin() {
    if (coroutine_ && !coroutine_.promise().started_) {
      coroutine_.promise().started_ = true;
      advance(coroutine_.get());
    }
    return iterator(coroutine_.get());
  }
  std::default_sentinel_t end() const noexcept { return {}; }
  // endregion

 private:
  explicit Generator(Handle handle) noexcept : coroutine_(handle) {}

  // region: advance
  // Resumes the generator until it yields its next value or finishes; rethrows what escaped.
  static void advance(Handle root_handle) {
    promise_type& root = root_handle.promise();
    const ExecutingGuard executing(root.executing_);

    // EXERCISE 1.2: resume the body until it yields a value or finishes
    // Resume root.leaf_ (the innermost active generator: the root itself until 1.3) in a loop:
    // stop as soon as a value was yielded. When the root is done, rethrow what escaped it.
    // The loop, not nested resume() calls, walks a delegation chain: no stack growth.
    throw aio::NotImplemented{"1.2"};
    // END EXERCISE
  }
  // endregion

  // region: delegation
  // The awaiter of `co_yield elements_of(nested)`: it owns the nested generator while it runs.
  class Delegation {
   public:
    explicit Delegation(Generator nested) noexcept : nested_(std::move(nested)) {}

    bool await_ready() const {
      // EXERCISE 1.3: delegation, co_yield elements_of(nested), without growing the stack
      // Here, in await_ready: is there anything to delegate to?
      // An empty generator, or one that already finished, yields nothing: do not suspend.
      throw aio::NotImplemented{"1.3"};
      // END EXERCISE
    }

    void await_suspend(Handle parent) {
      // EXERCISE 1.3: make the nested generator the innermost one
      // Link it into the chain (its root, its parent, the handle that owns it) and make it
      // the root's leaf_, so that the root's advance() loop resumes it next.
      throw aio::NotImplemented{"1.3"};
      // END EXERCISE
    }

    void await_resume() {
      // EXERCISE 1.3: the nested generator is done: pass on what escaped it
      // An exception from the nested generator surfaces here, in the delegating body.
      throw aio::NotImplemented{"1.3"};
      // END EXERCISE
    }

   private:
    Generator nested_;
  };
  // endregion

  // region: destroy
  // Destroying a frame destroys its locals, and a parent's locals own its nested generator:
  // destroying the root of a chain 100,000 deep would nest 100,000 destroy() calls and
  // overflow the machine stack. So the chain is destroyed from the innermost frame outwards.
  void destroy_innermost_first() noexcept {
    if (!coroutine_) return;
    Handle root = coroutine_.get();
    for (Handle leaf = root.promise().leaf_; leaf != root;) {
      Handle parent = leaf.promise().parent_;
      *leaf.promise().owner_ = nullptr;  // the parent's copy no longer owns the frame
      leaf.destroy();
      leaf = parent;
    }
    coroutine_.reset();
  }
  // endregion

  UniqueCoroutine<promise_type> coroutine_;
};

}  // namespace aio
