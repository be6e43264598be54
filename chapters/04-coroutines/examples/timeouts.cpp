// Tour 6: time limits: wait_for gives up, a timeout scope is pushed back, a task group fails.
//
// 1. wait_for(download(...), limit): a download that would take 2 s, given 0.5 s. At the
//    limit the download is cancelled: aio::CancelledError comes out at its co_await, it cleans
//    up, and only then does wait_for throw aio::TimeoutError. A faster download, given the
//    same limit, returns its result.
// 2. A timeout scope that is moved: aio::timeout(0.5) is asyncio's `async with timeout(0.5):`.
//    The body reads chunks; each chunk that arrives pushes the deadline 0.5 s further
//    (reschedule), as a read timeout does: the limit is on silence, not on the whole body.
//    Without the moves, the scope would end at 0.5 s, before the third chunk (at 0.6 s). The
//    fourth chunk is too slow: the scope's deadline passes, and TimeoutError comes out.
// 3. A task group (asyncio.TaskGroup): three tasks, one fails after 0.3 s. The group cancels
//    the two others at once, waits for them to end, and throws an aio::ExceptionGroup with
//    the error. Nothing the group started outlives it.
//
// Usage: timeouts [--fast]    --fast: every delay ten times shorter

#include <fmt/format.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "aio/asyncio.hpp"

namespace {

double scale = 1.0;  // --fast: 0.1

// The loop's time since the first line: absolute loop times mean nothing to a reader.
double elapsed() {
  static const double start = aio::get_running_loop().time();
  return aio::get_running_loop().time() - start;
}

template <class... Args>
void say(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print("t={:.3f}s  {}\n", elapsed(), fmt::format(format, std::forward<Args>(args)...));
}

// region: program
aio::Coroutine<std::string> download(std::string name, double seconds) {
  say("{}: starts, needs {:.2f}s", name, seconds * scale);
  try {
    co_await aio::sleep(seconds * scale);
  } catch (const aio::CancelledError&) {
    say("{}: cancelled; closes its connection", name);
    throw;
  }
  say("{}: complete", name);
  co_return name + " (complete)";
}

aio::Coroutine<bool> wait_for_demo() {
  bool timed_out = false;
  try {
    const std::string page = co_await aio::wait_for(download("slow page", 2.0), 0.5 * scale);
    say("main: got {}", page);
  } catch (const aio::TimeoutError&) {
    say("main: aio::TimeoutError from wait_for");
    timed_out = true;
  }
  const std::string page = co_await aio::wait_for(download("fast page", 0.1), 0.5 * scale);
  say("main: got {}", page);
  co_return timed_out;
}

// The scope by pointer: it lives in the caller's frame, which outlives this body.
aio::Coroutine<int> read_chunks(aio::Timeout* scope) {
  int chunks = 0;
  for (const double gap : {0.2, 0.25, 0.15, 1.2}) {
    co_await aio::sleep(gap * scale);
    ++chunks;
    scope->reschedule(aio::get_running_loop().time() + 0.5 * scale);
    say("read_chunks: chunk {} after {:.2f}s of silence; deadline moved to t={:.3f}s", chunks,
        gap * scale, elapsed() + 0.5 * scale);
  }
  co_return chunks;
}

aio::Coroutine<bool> timeout_scope_demo() {
  aio::Timeout scope = aio::timeout(0.5 * scale);
  try {
    const int chunks = co_await scope.run(read_chunks(&scope));
    say("main: read {} chunks", chunks);
  } catch (const aio::TimeoutError&) {
    say("main: aio::TimeoutError from the scope; expired() = {}", scope.expired());
  }
  co_return scope.expired();
}

aio::Coroutine<void> worker(std::string name, double seconds, bool fails) {
  try {
    co_await aio::sleep(seconds * scale);
  } catch (const aio::CancelledError&) {
    say("{}: cancelled by the group", name);
    throw;
  }
  if (fails) {
    say("{}: fails", name);
    throw std::runtime_error(name + " failed");
  }
  say("{}: done", name);
}

aio::Coroutine<bool> task_group_demo() {
  // Named before the co_await: g++ 12 miscompiles a lambda expression inside one.
  auto body = [](aio::TaskGroup& group) -> aio::Coroutine<void> {
    group.create_task(worker("worker 1", 1.0, false));
    group.create_task(worker("worker 2", 0.3, true));
    group.create_task(worker("worker 3", 2.0, false));
    co_return;
  };
  std::size_t errors = 0;
  try {
    co_await aio::task_group(body);
    say("main: the group ended well");
  } catch (const aio::ExceptionGroup& group) {
    errors = group.exceptions().size();
    say("main: aio::ExceptionGroup: {}", group.what());
    for (const std::exception_ptr& error : group.exceptions()) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        say("main:   - {}", e.what());
      }
    }
  }
  co_return errors == 1;
}
// endregion

aio::Coroutine<bool> amain() {
  fmt::print("-- 1. wait_for\n");
  const bool timed_out = co_await wait_for_demo();
  fmt::print("-- 2. a timeout scope, rescheduled\n");
  const bool expired = co_await timeout_scope_demo();
  fmt::print("-- 3. a task group where one task fails\n");
  const bool group_failed = co_await task_group_demo();
  const bool as_expected = timed_out && expired && group_failed;
  co_return as_expected;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--fast") scale = 0.1;
  return aio::run(amain()) ? 0 : 1;
}
