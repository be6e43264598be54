// aio::NotImplemented: what a starter's stub throws until the student writes the exercise.
#pragma once

#include <coroutine>
#include <exception>
#include <string>
#include <string_view>

namespace aio {

// Thrown by every exercise stub of a starter. The message names the exercise and the lesson
// section to read, so a failing test already says where to go next.
// It derives from std::exception alone, on purpose: a test that expects the std::logic_error
// or std::runtime_error of the finished code can never be satisfied by a stub.
class NotImplemented : public std::exception {
 public:
  explicit NotImplemented(std::string_view exercise)
      : exercise_(exercise), message_(message(exercise)) {}

  const char* what() const noexcept override { return message_.c_str(); }

  // The exercise id, like "1.3".
  const std::string& exercise() const noexcept { return exercise_; }

 private:
  static std::string message(std::string_view exercise) {
    const std::string id(exercise);
    const std::string chapter = id.substr(0, id.find('.'));
    const std::string padded = chapter.size() == 1 ? "0" + chapter : chapter;
    return "NotImplemented: exercise " + id + " is still a stub. Read \"Exercise " + id +
           "\" in chapters/" + padded + "-*/README.md, then write it; ./course hint " + id +
           " gives a hint.";
  }

  std::string exercise_;
  std::string message_;
};

// The stub of an exercise inside a coroutine body: `co_await aio::not_implemented("4.2");`
// keeps the function a coroutine, so the error surfaces when the coroutine first runs, as
// the finished code's errors would, not when it is called.
struct not_implemented {
  std::string_view exercise;

  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  [[noreturn]] void await_resume() const { throw NotImplemented(exercise); }
};

}  // namespace aio
