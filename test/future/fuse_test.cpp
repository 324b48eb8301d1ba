#include <pollen/future/fuse.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "contract.hpp"
#include "helpers.hpp"
#include "probe.hpp"
#include "test_task.hpp"
#include "throw_points.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using pollen::test::ProbeCounts;
using pollen::test::probed;
using pollen::test::test_task;

TEST(Fuse, IsPendingForeverAfterReadyWithoutWaking) {
  auto t = test_task(pollen::fuse(pollen::ready(5)));
  EXPECT_FALSE(t.future().is_terminated());
  EXPECT_READY_EQ(t, 5);
  EXPECT_TRUE(t.future().is_terminated());
  EXPECT_PENDING(t);
  EXPECT_PENDING(t);
  EXPECT_EQ(t.wake_count(), 0u);
}

TEST(Fuse, ForwardsPendingAndWakes) {
  auto t = test_task(pollen::fuse(pollen::test::pending_once(pollen::ready(1))));
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_FALSE(t.future().is_terminated());
  EXPECT_READY_EQ(t, 1);
}

TEST(Fuse, DestroysTheChildWhenItIsReady) {
  ProbeCounts c;
  auto t = test_task(pollen::fuse(probed(c, pollen::ready(1))));
  EXPECT_READY_EQ(t, 1);
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
  EXPECT_PENDING(t);
  EXPECT_EQ(c.polls, 1);  // never polled again
}

TEST(Fuse, DestroyingWhileRunningDestroysTheChildOnce) {
  ProbeCounts c;
  {
    auto t = test_task(pollen::fuse(probed(c, pollen::never<int>())));
    EXPECT_PENDING(t);
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
}

TEST(Fuse, DescribesItsState) {
  auto t = test_task(pollen::fuse(pollen::ready(1)));
  EXPECT_EQ(t.describe(), "Fuse [state: Running]\n\u2514\u2500 Ready [value waiting]\n");
  EXPECT_READY_EQ(t, 1);
  EXPECT_EQ(t.describe(), "Fuse [state: Terminated]\n");
}

TEST(Fuse, AMovedFromFuseIsTerminated) {
  auto a = pollen::fuse(pollen::ready(1));
  auto b = std::move(a);
  EXPECT_TRUE(a.is_terminated());  // NOLINT
  EXPECT_FALSE(b.is_terminated());
}

#if POLLEN_HAS_EXCEPTIONS
TEST(FuseExceptions, ChildThrowPropagatesDestroysChildAndPoisons) {
  ProbeCounts c;
  auto t = test_task(pollen::fuse(probed(c, pollen::test::throwing<int>())));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Fuse polled again after its poll threw");
}

// A move of the output that throws as it is returned used to leave the Fuse
// Terminated (Pending forever) with the value lost.
TEST(FuseExceptions, PoisonedWhenAnOutputMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) { return pollen::fuse(pollen::test::pending_once(pollen::ready(Bomb(c, 4)))); },
      [](Bomb out) { EXPECT_EQ(out.value(), 4); });
  EXPECT_GE(points, 2);
}
#endif
