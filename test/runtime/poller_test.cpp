#include <pollen/runtime/poller.hpp>

#include <gtest/gtest.h>

#include <poll.h>

#include <chrono>
#include <climits>
#include <thread>

using pollen::detail::poll_timeout_ms;
using std::chrono::nanoseconds;

namespace {
bool readable(int fd) {
  struct pollfd p;
  p.fd = fd;
  p.events = POLLIN;
  p.revents = 0;
  return ::poll(&p, 1, 0) == 1;
}
}  // namespace

TEST(PollTimeout, NoneMeansWaitUntilSignalled) { EXPECT_EQ(poll_timeout_ms(pollen::none), -1); }

TEST(PollTimeout, ZeroAndNegativeMeanDoNotWait) {
  EXPECT_EQ(poll_timeout_ms(nanoseconds(0)), 0);
  EXPECT_EQ(poll_timeout_ms(nanoseconds(-5)), 0);
  EXPECT_EQ(poll_timeout_ms(nanoseconds::min()), 0);
}

TEST(PollTimeout, SubMillisecondRoundsUpSoTheLoopDoesNotSpin) {
  EXPECT_EQ(poll_timeout_ms(nanoseconds(1)), 1);
  EXPECT_EQ(poll_timeout_ms(std::chrono::microseconds(200)), 1);
  EXPECT_EQ(poll_timeout_ms(std::chrono::milliseconds(3)), 3);
  EXPECT_EQ(poll_timeout_ms(std::chrono::milliseconds(3) + nanoseconds(1)), 4);
}

TEST(PollTimeout, HugeTimeoutsClampToIntMax) {
  EXPECT_EQ(poll_timeout_ms(nanoseconds::max()), INT_MAX);
  EXPECT_EQ(poll_timeout_ms(std::chrono::milliseconds(INT_MAX)), INT_MAX);
  EXPECT_EQ(poll_timeout_ms(std::chrono::milliseconds(INT_MAX) + nanoseconds(1)), INT_MAX);
}

class PollerKinds : public ::testing::TestWithParam<pollen::PollerKind> {};

TEST_P(PollerKinds, SignalMakesTheFdReadableUntilCleared) {
  auto p = pollen::detail::Poller::create(GetParam());
  EXPECT_FALSE(readable(p->fd()));
  p->signal();
  p->signal();
  EXPECT_TRUE(readable(p->fd()));
  p->clear();
  EXPECT_FALSE(readable(p->fd()));
}

TEST_P(PollerKinds, WaitReturnsAtOnceWhenSignalledOrOnAZeroTimeout) {
  auto p = pollen::detail::Poller::create(GetParam());
  p->wait(0);  // nothing to wait for: returns
  p->signal();
  p->wait(-1);  // already readable: returns
  p->clear();
}

TEST_P(PollerKinds, ASignalFromAnotherThreadEndsAnUnboundedWait) {
  auto p = pollen::detail::Poller::create(GetParam());
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    p->signal();
  });
  p->wait(-1);
  t.join();
  EXPECT_TRUE(readable(p->fd()));
}

INSTANTIATE_TEST_SUITE_P(Poller, PollerKinds,
                         ::testing::Values(pollen::PollerKind::Epoll, pollen::PollerKind::Poll));
