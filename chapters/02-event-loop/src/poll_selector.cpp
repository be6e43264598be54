#include <poll.h>

#include <cerrno>
#include <string>
#include <unordered_map>

#include "aio/selector.hpp"
#include "selector_errors.hpp"

namespace aio {

namespace {

short to_poll(unsigned events) {
  return static_cast<short>(((events & kReadable) ? POLLIN : 0) |
                            ((events & kWritable) ? POLLOUT : 0));
}

// poll(2) takes the whole list of fds on every call, and the kernel walks all of it: the
// cost of one wait grows with the number of fds watched, busy or idle.
class PollSelector final : public Selector {
 public:
  void register_fd(int fd, unsigned events) override {
    detail::check_new_fd(fd, index_.contains(fd));
    index_[fd] = fds_.size();
    fds_.push_back(pollfd{fd, to_poll(events), 0});
  }

  void modify(int fd, unsigned events) override { fds_.at(index_.at(fd)).events = to_poll(events); }

  void unregister(int fd) override {
    const auto found = index_.find(fd);
    if (found == index_.end()) return;
    // Move the last entry into the hole: O(1), and the order of fds does not matter.
    const std::size_t hole = found->second;
    index_.erase(found);
    if (hole != fds_.size() - 1) {
      fds_[hole] = fds_.back();
      index_[fds_[hole].fd] = hole;
    }
    fds_.pop_back();
  }

  // region: poll_select
  void select(double timeout, std::vector<ReadyFd>& ready) override {
    ready.clear();
    const int count = poll(fds_.data(), fds_.size(), detail::timeout_ms(timeout));
    if (count == -1) {
      if (errno == EINTR) return;
      detail::throw_errno("poll");
    }
    for (const pollfd& entry : fds_) {
      if (entry.revents == 0) continue;
      unsigned events = 0;
      if (entry.revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) events |= kReadable;
      if (entry.revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL)) events |= kWritable;
      ready.push_back(ReadyFd{entry.fd, events});
    }
  }
  // endregion

  std::string_view name() const override { return "poll"; }

 private:
  std::vector<pollfd> fds_;
  std::unordered_map<int, std::size_t> index_;  // fd -> its place in fds_
};

}  // namespace

std::unique_ptr<Selector> make_poll_selector() {
  return std::make_unique<PollSelector>();
}

}  // namespace aio
