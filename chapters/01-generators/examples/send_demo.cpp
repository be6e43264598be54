// Tour 4: a generator the caller talks back to: send() feeds it numbers, throw_into() an error.
//
// running_average() is a coroutine in the sense of asyncio's early days: a generator that
// stays parked at a co_yield and is driven from outside. send(x) resumes it with x as the
// value of that co_yield; throw_into(e) resumes it by raising e right there. The body catches
// a Reset and starts over; any other error escapes to the caller and ends the generator.

#include <fmt/format.h>

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

#include "aio/send_generator.hpp"

namespace {

struct Reset {};  // thrown in to clear the average

aio::SendGenerator<double, double> running_average() {
  double total = 0;
  int count = 0;
  while (true) {
    try {
      const std::optional<double> value = co_yield (count == 0 ? 0.0 : total / count);
      if (value) {
        total += *value;
        ++count;
      }
    } catch (const Reset&) {
      total = 0;
      count = 0;
    }
  }
}

std::string show(const std::optional<double>& yielded) {
  return yielded ? fmt::format("{:g}", *yielded) : std::string("nothing");
}

}  // namespace

int main() {
  aio::SendGenerator<double, double> average = running_average();

  try {
    average.send(1);
  } catch (const std::logic_error& e) {
    fmt::print("{:<34} -> refused: {}\n", "send(1) before next()", e.what());
  }

  fmt::print("{:<34} -> {}\n", "next()", show(average.next()));
  fmt::print("{:<34} -> {}\n", "send(10)", show(average.send(10)));
  fmt::print("{:<34} -> {}\n", "send(20)", show(average.send(20)));
  fmt::print("{:<34} -> {}\n", "send(60)", show(average.send(60)));
  fmt::print("{:<34} -> {}\n", "throw_into(Reset{}), caught inside",
             show(average.throw_into(Reset{})));
  fmt::print("{:<34} -> {}\n", "send(4)", show(average.send(4)));
  try {
    average.throw_into(std::runtime_error("sensor unplugged"));
  } catch (const std::runtime_error& e) {
    fmt::print("{:<34} -> escaped to the caller: {}\n", "throw_into(runtime_error)", e.what());
  }
  fmt::print("{:<34} -> {}\n", "done()", average.done() ? "true" : "false");
  fmt::print("{:<34} -> {}\n", "send(5)", show(average.send(5)));
  return 0;
}
