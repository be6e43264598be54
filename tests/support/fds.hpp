// aio::testing::open_fd_count(): how many fds this process has open, for leak checks.
#pragma once

#include <cstddef>
#include <filesystem>

namespace aio::testing {

// A test counts before and after: a count that grew means an fd leaked. /proc/self/fd lists
// exactly the fds open right now (the iterator's own fd is counted both times, so it cancels).
// std::size_t, as a count is: a test that keeps the count before compares it as a std::size_t.
inline std::size_t open_fd_count() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

}  // namespace aio::testing
