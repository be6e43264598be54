// A TCP echo server written on callbacks: aio::EventLoop's add_reader/add_writer and
// non-blocking sockets, nothing else. echo_server_callbacks.cpp runs it; bench_ch02_echo
// measures it against a thread per connection.
//
// Each client has an output buffer. Echoing means "write what the socket takes now, keep the
// rest, and ask the loop to say when the socket is writable again" (partial writes). A client
// that sends without reading what comes back would make that buffer grow without end, so above
// kHighWater bytes pending the server stops reading that client (its data waits in the kernel,
// and TCP's window then slows the sender down) until the buffer drains below kLowWater.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <system_error>

#include "aio/event_loop.hpp"

namespace echo {

constexpr std::size_t kHighWater = 256 * 1024;  // pending output above this: stop reading
constexpr std::size_t kLowWater = 64 * 1024;    // drained below this: read again
constexpr std::size_t kReadChunk = 64 * 1024;   // one recv() per readable event, for fairness

struct Stats {
  std::size_t connections = 0;  // accepted since the start
  std::size_t open = 0;         // connected now
  std::size_t bytes_echoed = 0;
  std::size_t peak_pending = 0;  // the largest output buffer any client ever had
};

class Server {
 public:
  using Log = std::function<void(const std::string& line)>;  // empty: silent (benchmarks)

  // Listens on 127.0.0.1:port (0: any free port) at once; serves while the loop runs.
  Server(aio::EventLoop& loop, std::uint16_t port, Log log = {})
      : loop_(loop), log_(std::move(log)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener_ == -1) throw std::system_error(errno, std::generic_category(), "socket");
    const int one = 1;  // restart at once on the same port, despite old connections in TIME_WAIT
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == -1 ||
        ::listen(listener_, SOMAXCONN) == -1 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == -1) {
      const int error = errno;
      ::close(listener_);
      throw std::system_error(error, std::generic_category(), "bind/listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);  // the port the kernel picked when asked for 0
    loop_.add_reader(
        listener_, [this] { accept_all(); }, "echo accept");
  }

  ~Server() { close(); }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  const Stats& stats() const noexcept { return stats_; }

  // Called after every connection that ends (the demo waits for the last one).
  std::function<void()> on_disconnect;

  // SO_SNDBUF of the accepted sockets; 0 leaves it to the kernel, which grows it up to MBs.
  // A small one makes the echo back up in our buffer sooner: flow control becomes visible.
  int send_buffer = 0;

  // Stops listening and hangs up on every client. The loop must still be open.
  void close() {
    if (listener_ == -1) return;
    on_disconnect = nullptr;  // whoever listened may be gone already
    while (!clients_.empty()) drop(clients_.begin()->first, "server closing");
    loop_.remove_reader(listener_);
    ::close(listener_);
    listener_ = -1;
  }

 private:
  struct Client {
    int id;
    std::string out;  // bytes to echo; out[0, sent) are already written
    std::size_t sent = 0;
    bool paused = false;   // reading stopped by flow control
    bool writing = false;  // a writer is registered: the socket was full
    bool closing = false;  // the peer sent EOF: close once `out` is written
    std::size_t pending() const { return out.size() - sent; }
  };

  void log(const std::string& line) {
    if (log_) log_(line);
  }

  // The listener is readable: connections are waiting. Take them all, not one per iteration.
  void accept_all() {
    while (true) {
      // accept4 makes the socket non-blocking at once: no window in which a read could block.
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd == -1) {
        if (errno == EINTR || errno == ECONNABORTED) continue;  // this one is gone; go on
        if (errno != EAGAIN && errno != EWOULDBLOCK)
          log(fmt::format("accept: {}", strerror(errno)));
        return;  // EAGAIN: none left, the loop will call again when the next one comes
      }
      if (send_buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof(int));
      const int id = static_cast<int>(++stats_.connections);
      ++stats_.open;
      clients_.emplace(fd, Client{id, {}, 0, false, false, false});
      loop_.add_reader(
          fd, [this, fd] { on_readable(fd); }, "echo read");
      log(fmt::format("client {} connected", id));
    }
  }

  void on_readable(int fd) {
    Client& client = clients_.at(fd);
    std::array<char, kReadChunk> chunk;  // on the stack: the buffer lives only for this call
    const ssize_t got = ::recv(fd, chunk.data(), chunk.size(), 0);
    if (got == 0) return end_of_input(fd, client);
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;  // spurious wake-up
      return drop(fd, strerror(errno));  // ECONNRESET and friends: the peer is gone
    }
    client.out.append(chunk.data(), static_cast<std::size_t>(got));
    if (!flush(fd, client)) return;  // the write found the peer gone
    if (client.pending() > kHighWater) {
      // It sends faster than it reads: stop reading it, or its echo would fill our memory.
      loop_.remove_reader(fd);
      client.paused = true;
      log(fmt::format("client {} paused: {} bytes pending", client.id, client.pending()));
    }
  }

  // EOF: the peer will send nothing more (it may still read). Finish its echo, then close.
  void end_of_input(int fd, Client& client) {
    loop_.remove_reader(fd);
    client.closing = true;
    if (client.pending() == 0) drop(fd, "end of stream");
  }

  void on_writable(int fd) {
    Client& client = clients_.at(fd);
    if (!flush(fd, client)) return;
    if (client.pending() == 0 && client.closing) return drop(fd, "end of stream");
    if (client.paused && client.pending() < kLowWater) {
      client.paused = false;
      loop_.add_reader(
          fd, [this, fd] { on_readable(fd); }, "echo read");
      log(fmt::format("client {} resumed", client.id));
    }
  }

  // Writes what the socket takes, keeps the rest and watches for writability while any is
  // left. Returns false if the client was dropped.
  bool flush(int fd, Client& client) {
    stats_.peak_pending = std::max(stats_.peak_pending, client.pending());
    while (client.pending() > 0) {
      // MSG_NOSIGNAL: a peer that has gone gives EPIPE here instead of killing us with SIGPIPE.
      const ssize_t n = ::send(fd, client.out.data() + client.sent, client.pending(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;  // the socket is full: later
        drop(fd, strerror(errno));                           // EPIPE, ECONNRESET
        return false;
      }
      client.sent += static_cast<std::size_t>(n);
      stats_.bytes_echoed += static_cast<std::size_t>(n);
    }
    if (client.pending() == 0) {
      client.out.clear();  // keeps the capacity: the next echo needs no allocation
      client.sent = 0;
      // Nothing to write: a writable socket would wake us for nothing.
      if (client.writing) loop_.remove_writer(fd);
      client.writing = false;
    } else {
      // Drop what is written when it is most of the buffer: the copy is paid once per refill.
      if (client.sent > client.out.size() / 2) {
        client.out.erase(0, client.sent);
        client.sent = 0;
      }
      // Registered once per full socket, not per write: each add_writer is an epoll_ctl.
      if (!client.writing)
        loop_.add_writer(
            fd, [this, fd] { on_writable(fd); }, "echo write");
      client.writing = true;
    }
    return true;
  }

  // Forgets a client: watchers first (the selector must not watch a closed fd), then the fd.
  void drop(int fd, std::string_view why) {
    const auto found = clients_.find(fd);
    if (found == clients_.end()) return;
    loop_.remove_reader(fd);
    loop_.remove_writer(fd);
    ::close(fd);
    log(fmt::format("client {} gone ({})", found->second.id, why));
    clients_.erase(found);
    --stats_.open;
    if (on_disconnect) on_disconnect();
  }

  aio::EventLoop& loop_;
  Log log_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::map<int, Client> clients_;  // by fd
  Stats stats_;
};

}  // namespace echo
