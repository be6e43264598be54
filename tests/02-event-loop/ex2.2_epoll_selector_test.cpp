// Exercise 2.2: EpollSelector::select(): wait with epoll_wait, then report which fds are ready
// for what.
// The selector's contract, the same for every selector, is in selector_contract.hpp (read it:
// those tests are the specification); here it runs on the epoll selector, under the names
// Epoll/SelectorContract.<test>/epoll. The tests below compare epoll with poll, the
// reference selector, on the same fds. Each test is a scenario in steps; a failure replays the
// steps and names the rule it broke.
#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "02-event-loop/selector_contract.hpp"
#include "aio/selector.hpp"
#include "support/script.hpp"

namespace aio::testing {

INSTANTIATE_TEST_SUITE_P(Epoll, SelectorContract,
                         ::testing::Values(SelectorKind{"epoll", &make_epoll_selector}));

}  // namespace aio::testing

namespace {

using aio::kReadable;
using aio::kWritable;
using aio::testing::Entries;
using aio::testing::Named;
using aio::testing::open_fd_count;
using aio::testing::Script;
using aio::testing::select_named;

constexpr const char* kLesson = aio::testing::kSelectorLesson;

class Ex22EpollSelector : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_EQ(open_fd_count(), fds_before_) << "an fd leaked: close every fd you open";
  }

 private:
  std::size_t fds_before_ = open_fd_count();
};

}  // namespace

TEST_F(Ex22EpollSelector, AgreesWithPollOnAMixOfFds) {
  Script script("epoll and poll watch the same fds, in every state", kLesson);
  using aio::testing::make_pipe;
  using aio::testing::make_socketpair;
  using aio::testing::write_byte;
  aio::testing::Pipe empty = make_pipe();     // read end: nothing to read
  aio::testing::Pipe full = make_pipe();      // read end: data
  aio::testing::Pipe hung_up = make_pipe();   // read end: the writer is gone
  aio::testing::Pipe writable = make_pipe();  // write end: room in the buffer
  aio::testing::SocketPair sockets = make_socketpair();
  const std::vector<Named> names{{empty.read.get(), "empty pipe"},
                                 {full.read.get(), "pipe with data"},
                                 {hung_up.read.get(), "hung-up pipe"},
                                 {writable.write.get(), "write end"},
                                 {sockets.a.get(), "socket"}};
  const std::vector<unsigned> watched{kReadable, kReadable, kReadable, kWritable,
                                      kReadable | kWritable};

  script.step("write into 'pipe with data' and to the socket; close the hung-up pipe's writer");
  write_byte(full.write);
  write_byte(sockets.b);
  hung_up.write.close();

  script.step("register the five fds with an epoll and with a poll selector; select(0) both");
  auto epoll = aio::make_epoll_selector();
  auto poll = aio::make_poll_selector();
  for (std::size_t i = 0; i < names.size(); ++i) {
    epoll->register_fd(names[i].fd, watched[i]);
    poll->register_fd(names[i].fd, watched[i]);
  }
  const Entries by_poll = select_named(*poll, 0, names);
  const Entries by_epoll = select_named(*epoll, 0, names);
  EXPECT_STEP_EQ(script, by_poll,
                 (Entries{"pipe with data: readable", "hung-up pipe: readable+writable",
                          "write end: writable", "socket: readable+writable"}),
                 "(the reference) poll reports these four");
  EXPECT_STEP_EQ(script, by_epoll, by_poll,
                 "epoll reports the same fds ready for the same things as poll");
  for (const Named& known : names) {
    epoll->unregister(known.fd);
    poll->unregister(known.fd);
  }
}

TEST_F(Ex22EpollSelector, AgreesWithPollAfterEveryChange) {
  Script script("a socket pair changes state step by step; epoll and poll watch it", kLesson);
  aio::testing::SocketPair sockets = aio::testing::make_socketpair();
  const std::vector<Named> names{{sockets.a.get(), "a"}, {sockets.b.get(), "b"}};
  auto epoll = aio::make_epoll_selector();
  auto poll = aio::make_poll_selector();
  auto both = [&](auto change) {
    change(*epoll);
    change(*poll);
  };
  auto expect_same = [&](const std::string& rule) {
    const Entries by_poll = select_named(*poll, 0, names);
    EXPECT_STEP_EQ(script, select_named(*epoll, 0, names), by_poll, rule);
  };

  script.step("watch a for reading and b for writing");
  both([&](aio::Selector& s) {
    s.register_fd(sockets.a.get(), kReadable);
    s.register_fd(sockets.b.get(), kWritable);
  });
  expect_same("b is writable, a has nothing to read: both selectors agree");

  script.step("b writes one byte");
  aio::testing::write_byte(sockets.b);
  expect_same("a became readable: both selectors agree");

  script.step("modify b to kReadable");
  both([&](aio::Selector& s) { s.modify(sockets.b.get(), kReadable); });
  expect_same("b is watched for reading now, with nothing to read: both agree");

  script.step("unregister a");
  both([&](aio::Selector& s) { s.unregister(sockets.a.get()); });
  expect_same("a is no longer watched: both agree");
  both([&](aio::Selector& s) { s.unregister(sockets.b.get()); });
}
