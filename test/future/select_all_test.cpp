#include <pollen/future/select_all.hpp>
#include <pollen/core/box_future.hpp>
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
#include <vector>

using pollen::test::ProbeCounts;
using pollen::test::probed;
using pollen::test::test_task;

TEST(SelectAll, IsReadyWithTheIndexAndValueOfTheFirstReady) {
  std::vector<pollen::BoxFuture<int>> fs;
  fs.push_back(pollen::boxed(pollen::never<int>()));
  fs.push_back(pollen::boxed(pollen::test::pending_once(pollen::ready(9))));
  fs.push_back(pollen::boxed(pollen::never<int>()));
  auto t = test_task(pollen::select_all(std::move(fs)));
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, (pollen::Selected<int>{1, 9}));
}

TEST(SelectAll, RotatesAcrossFreshInstancesSoNoChildStarves) {
  int wins[3] = {0, 0, 0};
  for (int i = 0; i < 30; ++i) {
    std::vector<pollen::Ready<int>> fs;
    for (int k = 0; k < 3; ++k) fs.push_back(pollen::ready(k));
    auto t = test_task(pollen::select_all(std::move(fs)));
    auto p = t.poll();
    ASSERT_TRUE(p.is_ready());
    ++wins[p.value().index];
  }
  EXPECT_EQ(wins[0], 10);
  EXPECT_EQ(wins[1], 10);
  EXPECT_EQ(wins[2], 10);
}

TEST(SelectAll, DestroysEveryOtherChildWhenOneIsReady) {
  ProbeCounts c;
  std::vector<pollen::BoxFuture<int>> fs;
  for (int k = 0; k < 4; ++k) fs.push_back(pollen::boxed(probed(c, pollen::never<int>())));
  fs.push_back(pollen::boxed(probed(c, pollen::test::pending_once(pollen::ready(1)))));
  auto t = test_task(pollen::select_all(std::move(fs)));
  EXPECT_PENDING(t);
  EXPECT_EQ(c.live_destroyed, 0);
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_EQ(c.live_destroyed, 5);
  EXPECT_EQ(c.alive(), 0);
}

TEST(SelectAll, DestroyingWhileRunningDestroysEveryChildOnce) {
  ProbeCounts c;
  {
    std::vector<pollen::BoxFuture<int>> fs;
    for (int k = 0; k < 3; ++k) fs.push_back(pollen::boxed(probed(c, pollen::never<int>())));
    auto t = test_task(pollen::select_all(std::move(fs)));
    EXPECT_PENDING(t);
  }
  EXPECT_EQ(c.live_destroyed, 3);
  EXPECT_EQ(c.alive(), 0);
}

TEST(SelectAll, OfNothingIsAContractError) {
  auto build = [] {
    auto f = pollen::select_all(std::vector<pollen::Ready<int>>());
    (void)f;
  };
  EXPECT_CONTRACT_ERROR(build(),
                        "select_all() of an empty vector could never be Ready");
}

TEST(SelectAll, PollingAfterReadyIsAContractErrorNamingSelectAll) {
  std::vector<pollen::Ready<int>> fs;
  fs.push_back(pollen::ready(1));
  auto t = test_task(pollen::select_all(std::move(fs)));
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)t.poll(), "SelectAll polled after it returned Ready");
  EXPECT_EQ(t.describe(), "SelectAll [state: Done]\n");
}

TEST(SelectAll, AMovedFromSelectAllActsFinished) {
  std::vector<pollen::Ready<int>> fs;
  fs.push_back(pollen::ready(1));
  auto a = pollen::select_all(std::move(fs));
  auto b = std::move(a);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "SelectAll polled after it returned Ready");  // NOLINT
  EXPECT_TRUE(b.poll(cx).is_ready());
}

#if POLLEN_HAS_EXCEPTIONS
TEST(SelectAllExceptions, AThrowingChildDestroysEveryChildAndPoisons) {
  ProbeCounts c;
  std::vector<pollen::BoxFuture<int>> fs;
  fs.push_back(pollen::boxed(probed(c, pollen::never<int>())));
  fs.push_back(pollen::boxed(probed(c, pollen::test::throwing<int>())));
  auto t = test_task(pollen::select_all(std::move(fs)));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(c.live_destroyed, 2);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "SelectAll polled again after its poll threw");
}

TEST(SelectAllExceptions, PoisonedWhenAnOutputMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) {
        std::vector<pollen::BoxFuture<Bomb>> fs;
        fs.push_back(pollen::boxed(pollen::never<Bomb>()));
        fs.push_back(pollen::boxed(pollen::test::pending_once(pollen::ready(Bomb(c, 7)))));
        fs.push_back(pollen::boxed(pollen::ready(Bomb(c, 8))));  // ready first unless the rotation says otherwise
        return pollen::select_all(std::move(fs));
      },
      [](pollen::Selected<Bomb> out) { EXPECT_EQ(out.value.value(), out.index == 1 ? 7 : 8); });
  EXPECT_GE(points, 3);
}
#endif
