// Tour 3: a TCP echo server on callbacks alone, with three clients of its own on the same loop.
// Tour args: --demo
//
// The server (echo_server.hpp) never blocks: its sockets are non-blocking, and the loop calls
// it back when one is readable (add_reader) or, after a partial write, writable again
// (add_writer). One thread serves every client. With --demo the same process also starts three
// clients written in the same callback style: two send lines and check each echo, the third
// hangs up in the middle of a line. When they are done and the server has seen them go, the
// loop stops and a summary is printed. Without --demo it serves until SIGINT or SIGTERM, which
// arrive as ordinary callbacks (loop.add_signal_handler). Try it with
//   printf 'hello\n' | nc -N 127.0.0.1 PORT
//
// Usage: echo_server_callbacks [--port N] [--sndbuf BYTES] [--demo]
//   --port N        0, the default: any free port
//   --sndbuf BYTES  a small kernel send buffer per client, to watch flow control at work

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aio/event_loop.hpp"
#include "echo_server.hpp"

namespace {

// One demo client: connect, then send a line, wait for its echo, send the next one... all in
// callbacks. `hang_up_mid_line` sends the last line without its '\n' and closes at once.
class DemoClient {
 public:
  DemoClient(aio::EventLoop& loop, std::string name, std::vector<std::string> lines,
             bool hang_up_mid_line, std::function<void()> done)
      : loop_(loop),
        name_(std::move(name)),
        lines_(std::move(lines)),
        hang_up_mid_line_(hang_up_mid_line),
        done_(std::move(done)) {}

  bool all_matched() const { return matched_ == expected_echoes(); }

  void start(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // A non-blocking connect returns before the handshake is over (EINPROGRESS): the socket
    // becomes writable when it is, and SO_ERROR then tells how it went.
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == -1 &&
        errno != EINPROGRESS) {
      return finish(fmt::format("connect: {}", strerror(errno)));
    }
    loop_.add_writer(
        fd_, [this] { on_connected(); }, name_ + " connect");
  }

 private:
  std::size_t expected_echoes() const { return lines_.size() - (hang_up_mid_line_ ? 1 : 0); }

  void say(std::string_view what) { fmt::print("  [{}] {}\n", name_, what); }

  void on_connected() {
    loop_.remove_writer(fd_);
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return finish(fmt::format("connect: {}", strerror(error)));
    loop_.add_reader(
        fd_, [this] { on_readable(); }, name_ + " read");
    send_next();
  }

  void send_next() {
    if (next_ == expected_echoes() && !hang_up_mid_line_) return finish("done, hangs up");
    const bool cut = hang_up_mid_line_ && next_ == lines_.size() - 1;
    const std::string data = cut ? lines_[next_] : lines_[next_] + "\n";
    // A few bytes into an empty socket buffer are always taken whole, so no output buffer
    // here; the server, which cannot assume that, has one.
    if (::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(data.size())) {
      return finish("send failed");
    }
    say(fmt::format("-> \"{}\"{}", lines_[next_], cut ? "  (no end of line...)" : ""));
    if (cut) finish("hangs up in the middle of a line");
  }

  // Bytes arrive in pieces of any size: collect them until a whole line is in.
  void on_readable() {
    char buffer[512];
    const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
    if (got <= 0) {
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
      return finish("the server hung up first");
    }
    inbox_.append(buffer, static_cast<std::size_t>(got));
    for (auto end = inbox_.find('\n'); end != std::string::npos; end = inbox_.find('\n')) {
      const std::string line = inbox_.substr(0, end);
      inbox_.erase(0, end + 1);
      const bool ok = next_ < lines_.size() && line == lines_[next_];
      matched_ += ok ? 1 : 0;
      say(fmt::format("<- \"{}\"  {}", line, ok ? "(echo matches)" : "(WRONG ECHO)"));
      ++next_;
      send_next();
      if (fd_ == -1) return;  // send_next() finished this client
    }
  }

  void finish(std::string_view why) {
    if (fd_ != -1) {
      loop_.remove_reader(fd_);
      loop_.remove_writer(fd_);
      ::close(fd_);
      fd_ = -1;
    }
    say(why);
    done_();
  }

  aio::EventLoop& loop_;
  std::string name_;
  std::vector<std::string> lines_;
  bool hang_up_mid_line_;
  std::function<void()> done_;
  int fd_ = -1;
  std::size_t next_ = 0;     // the line sent and not yet echoed
  std::size_t matched_ = 0;  // echoes that came back right
  std::string inbox_;
};

// The demo's three clients, and the rule that ends it: every client done and, as seen from
// the server, every connection closed (the hang-up must reach the server too).
struct Demo {
  std::vector<std::unique_ptr<DemoClient>> clients;
  std::size_t finished = 0;
  bool timed_out = false;

  void start(aio::EventLoop& loop, echo::Server& server) {
    auto maybe_stop = [&loop, &server, this] {
      if (finished == clients.size() && server.stats().open == 0) loop.stop();
    };
    auto client_done = [this, maybe_stop] {
      ++finished;
      maybe_stop();
    };
    server.on_disconnect = maybe_stop;
    clients.push_back(std::make_unique<DemoClient>(
        loop, "ann", std::vector<std::string>{"hello", "how are you?", "bye"}, false, client_done));
    clients.push_back(std::make_unique<DemoClient>(
        loop, "bob", std::vector<std::string>{"ping", "ping again"}, false, client_done));
    clients.push_back(std::make_unique<DemoClient>(
        loop, "cat", std::vector<std::string>{"a whole line", "a line cut sh"}, true, client_done));
    for (auto& client : clients) client->start(server.port());
    // A demo must end even if something goes wrong: no wait without a deadline.
    loop.call_later(5.0, [&loop, this] {
      timed_out = true;
      loop.stop();
    });
  }

  bool all_matched() const {
    for (const auto& client : clients) {
      if (!client->all_matched()) return false;
    }
    return !timed_out;
  }
};

}  // namespace

int main(int argc, char** argv) {
  // Line-buffered even into a pipe: whoever started us reads the port as soon as it is printed.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  long port = 0;
  long send_buffer = 0;
  bool demo = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--demo") {
      demo = true;
    } else if (arg == "--port" && i + 1 < argc) {
      port = std::strtol(argv[++i], nullptr, 10);
    } else if (arg == "--sndbuf" && i + 1 < argc) {
      send_buffer = std::strtol(argv[++i], nullptr, 10);
    } else {
      port = -1;
    }
    if (port < 0 || port > 65535 || send_buffer < 0 || send_buffer > (1 << 30)) {
      fmt::print(stderr, "usage: echo_server_callbacks [--port N] [--sndbuf BYTES] [--demo]\n");
      return 2;
    }
  }

  aio::EventLoop loop;
  echo::Server server(loop, static_cast<std::uint16_t>(port),
                      [](const std::string& line) { fmt::print("server: {}\n", line); });
  server.send_buffer = static_cast<int>(send_buffer);
  // Before the port is printed: once someone knows where we are, they may signal us.
  for (const auto& [number, name] : {std::pair{SIGINT, "SIGINT"}, std::pair{SIGTERM, "SIGTERM"}}) {
    loop.add_signal_handler(number, [&loop, name = name] {
      fmt::print("server: {} received, stopping\n", name);
      loop.stop();
    });
  }
  fmt::print("listening on 127.0.0.1:{}\n", server.port());

  Demo clients;
  if (demo) clients.start(loop, server);
  loop.run_forever();

  const echo::Stats stats = server.stats();
  server.close();
  fmt::print("summary: {} connections served, {} bytes echoed, largest output buffer {} bytes\n",
             stats.connections, stats.bytes_echoed, stats.peak_pending);
  if (!demo) return 0;
  const bool ok = clients.all_matched();
  fmt::print("demo: every echo matched: {}\n", ok ? "yes" : "no");
  return ok ? 0 : 1;
}
