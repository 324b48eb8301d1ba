#include <pollen/core/ready.hpp>

#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

TEST(Ready, IsReadyWithItsValueOnTheFirstPoll) {
  auto t = pollen::test::test_task(pollen::ready(std::string("hello")));
  EXPECT_EQ(t.future().state(), pollen::Ready<std::string>::State::Waiting);
  EXPECT_READY_EQ(t, "hello");
  EXPECT_EQ(t.future().state(), pollen::Ready<std::string>::State::Taken);
  EXPECT_EQ(t.wake_count(), 0u);
}

TEST(Ready, WorksWithMoveOnlyValues) {
  auto t = pollen::test::test_task(pollen::ready(std::unique_ptr<int>(new int(4))));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(*p.value(), 4);
}

TEST(Ready, WithoutAValueIsAFutureOfUnit) {
  auto t = pollen::test::test_task(pollen::ready());
  EXPECT_READY_EQ(t, pollen::Unit{});
}

TEST(Ready, PollingAfterReadyIsAContractError) {
  auto t = pollen::test::test_task(pollen::ready(1));
  EXPECT_READY_EQ(t, 1);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Ready polled after it returned Ready");
}

TEST(Ready, PollingAMovedFromReadyIsAContractError) {
  auto r = pollen::ready(1);
  auto moved = std::move(r);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)r.poll(cx), "Ready polled after it returned Ready");  // NOLINT
  EXPECT_EQ(moved.poll(cx).value(), 1);
}

TEST(Ready, DestroysAnUntakenValueOnce) {
  pollen::test::ProbeCounts c;
  {
    auto r = pollen::ready(pollen::test::Probe<int>(c, 1));
    auto moved = std::move(r);
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
}

TEST(Ready, DescribesWhetherTheValueWasTaken) {
  auto t = pollen::test::test_task(pollen::ready(1));
  EXPECT_EQ(t.describe(), "Ready [value waiting]\n");
  (void)t.poll();
  EXPECT_EQ(t.describe(), "Ready [taken]\n");
}
