#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <unordered_map>

#include "aio/not_implemented.hpp"
#include "aio/selector.hpp"
#include "selector_errors.hpp"

namespace aio {

namespace {

unsigned to_epoll(unsigned events) {
  return ((events & kReadable) ? EPOLLIN : 0u) | ((events & kWritable) ? EPOLLOUT : 0u);
}

class EpollSelector final : public Selector {
 public:
  EpollSelector() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_fd_ == -1) detail::throw_errno("epoll_create1");
  }
  ~EpollSelector() override { close(epoll_fd_); }

  void register_fd(int fd, unsigned events) override {
    detail::check_new_fd(fd, registered_.contains(fd));
    control(EPOLL_CTL_ADD, fd, events);
    registered_[fd] = events;
  }

  void modify(int fd, unsigned events) override {
    control(EPOLL_CTL_MOD, fd, events);
    registered_.at(fd) = events;
  }

  void unregister(int fd) override {
    // The fd may be closed already (then the kernel forgot it): not an error here.
    if (registered_.erase(fd) == 1 && epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr) == -1 &&
        errno != EBADF && errno != ENOENT) {
      detail::throw_errno("epoll_ctl(EPOLL_CTL_DEL)");
    }
  }

  // region: select
  void select(double timeout, std::vector<ReadyFd>& ready) override {
    // EXERCISE 2.2: the epoll selector: wait, then report which fds are ready for what
    // Size the event buffer for every registered fd (at least one), wait at most
    // detail::timeout_ms(timeout), treat EINTR as "nothing ready", and translate each
    // event: EPOLLIN -> kReadable, EPOLLOUT -> kWritable, EPOLLERR/EPOLLHUP -> both.
    throw aio::NotImplemented{"2.2"};
    // END EXERCISE
  }
  // endregion

  std::string_view name() const override { return "epoll"; }

 private:
  void control(int operation, int fd, unsigned events) {
    epoll_event event{};
    event.events = to_epoll(events);
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd_, operation, fd, &event) == -1) detail::throw_errno("epoll_ctl");
  }

  int epoll_fd_;
  std::unordered_map<int, unsigned> registered_;
  std::vector<epoll_event> events_;
};

}  // namespace

std::unique_ptr<Selector> make_epoll_selector() {
  return std::make_unique<EpollSelector>();
}

}  // namespace aio
