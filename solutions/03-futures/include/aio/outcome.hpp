// aio::Outcome<T>: a value or the exception that took its place.
#pragma once

#include <exception>
#include <utility>
#include <variant>

namespace aio {

// What one future of gather(..., return_exceptions) ended with. Python puts the value or the
// exception object in the same list; C++ needs one type for both (trio calls it an Outcome).
template <class T>
class Outcome {
 public:
  explicit Outcome(T value) : content_(std::in_place_index<0>, std::move(value)) {}
  explicit Outcome(std::exception_ptr error) : content_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const noexcept { return content_.index() == 0; }

  // The value, or the exception rethrown.
  T& value() {
    if (!has_value()) std::rethrow_exception(std::get<1>(content_));
    return std::get<0>(content_);
  }

  // The exception, empty if it holds a value.
  std::exception_ptr exception() const noexcept {
    return has_value() ? nullptr : std::get<1>(content_);
  }

 private:
  std::variant<T, std::exception_ptr> content_;
};

}  // namespace aio
