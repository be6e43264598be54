// aio::Selector: waits until file descriptors are ready (Python's selectors module).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

namespace aio {

// region: selector
// What an fd is watched for, and what it turned out ready for (a bit mask).
enum Readiness : unsigned {
  kReadable = 1u << 0,
  kWritable = 1u << 1,
};

struct ReadyFd {
  int fd;
  unsigned events;  // kReadable | kWritable; an error or hang-up reports both, so that
                    // whoever reads or writes next learns what happened
};

// The loop's view of the operating system's readiness API. Two implementations: poll(2),
// whose cost grows with the number of fds watched, and epoll(7), whose cost grows only with
// the number of fds ready.
class Selector {
 public:
  virtual ~Selector() = default;

  // Starts watching `fd` for `events`. Errors: a negative fd is std::invalid_argument
  // ("Invalid file descriptor: -1"); an fd that is not open is std::system_error (EBADF);
  // an fd already registered is std::invalid_argument.
  virtual void register_fd(int fd, unsigned events) = 0;

  // Changes what a registered fd is watched for.
  virtual void modify(int fd, unsigned events) = 0;

  // Stops watching `fd`. Call it before closing the fd.
  virtual void unregister(int fd) = 0;

  // Waits until at least one fd is ready or `timeout` seconds have passed (negative: no
  // limit; 0: just look), then writes the ready fds into `ready` (cleared first).
  // A signal interrupting the wait is not an error: it returns with what is ready.
  virtual void select(double timeout, std::vector<ReadyFd>& ready) = 0;

  virtual std::string_view name() const = 0;
};

std::unique_ptr<Selector> make_epoll_selector();
std::unique_ptr<Selector> make_poll_selector();
// endregion

}  // namespace aio
