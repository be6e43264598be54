// Checks shared by the selectors, so that both refuse bad input with the same errors.
#pragma once

#include <fcntl.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

namespace aio::detail {

// Refuses an fd that a selector cannot start watching: negative, not open, or watched already.
inline void check_new_fd(int fd, bool already_registered) {
  if (fd < 0) throw std::invalid_argument("Invalid file descriptor: " + std::to_string(fd));
  if (fcntl(fd, F_GETFD) == -1) {
    throw std::system_error(errno, std::generic_category(),
                            "file descriptor " + std::to_string(fd) + " is not open");
  }
  if (already_registered) {
    throw std::invalid_argument("file descriptor " + std::to_string(fd) + " is already registered");
  }
}

[[noreturn]] inline void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// region: timeout_ms
// The timeout of select() in whole milliseconds, rounded up so that a timer due in 0.3 ms
// is not polled for in a busy loop; -1 means no limit.
inline int timeout_ms(double timeout) {
  if (timeout < 0) return -1;
  const double ms = timeout * 1000.0;
  if (ms >= 2147483647.0) return 2147483647;
  const int whole = static_cast<int>(ms);
  return whole < ms ? whole + 1 : whole;
}
// endregion

}  // namespace aio::detail
