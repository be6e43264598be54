// aio::UniqueCoroutine: sole ownership of a coroutine frame, as std::unique_ptr owns memory.
#pragma once

#include <coroutine>
#include <utility>

namespace aio {

// Owns one coroutine frame: destroying the owner destroys the frame, which runs the
// destructors of every local that is alive at the suspension point (Python's close()).
// Move-only: two owners of one frame would destroy it twice.
// region: unique_coroutine
template <class Promise>
class UniqueCoroutine {
 public:
  using Handle = std::coroutine_handle<Promise>;

  UniqueCoroutine() = default;
  explicit UniqueCoroutine(Handle handle) noexcept : handle_(handle) {}
  UniqueCoroutine(UniqueCoroutine&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  UniqueCoroutine& operator=(UniqueCoroutine&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  ~UniqueCoroutine() { reset(); }

  Handle get() const noexcept { return handle_; }
  Handle* slot() noexcept { return &handle_; }
  explicit operator bool() const noexcept { return static_cast<bool>(handle_); }
  Promise& promise() const { return handle_.promise(); }

  // Destroys the frame now, if there is one.
  void reset() noexcept {
    if (handle_) std::exchange(handle_, {}).destroy();
  }

 private:
  Handle handle_;
};
// endregion

}  // namespace aio
