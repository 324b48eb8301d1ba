#include <pollen/future/select.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "contract.hpp"
#include "helpers.hpp"
#include "probe.hpp"
#include "test_task.hpp"
#include "throw_points.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

using pollen::test::ProbeCounts;
using pollen::test::manual;
using pollen::test::probed;
using pollen::test::test_task;

namespace {
// Ready with `id` on every poll: the kind of child that starves others in an
// unfair select.
struct AlwaysReady {
  using Output = int;
  int id;
  pollen::Poll<int> poll(pollen::Context&) { return id; }
};
struct Unsafe {
  using Output = int;
  static constexpr bool is_cancel_safe = false;
  pollen::Poll<int> poll(pollen::Context&) { return pollen::pending; }
};
}  // namespace

TEST(Select, IsReadyWithTheIndexAndValueOfTheReadyChild) {
  auto t = test_task(pollen::select(pollen::never<int>(), pollen::ready(std::string("b"))));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  auto o = std::move(p).value();
  EXPECT_EQ(o.index(), 1u);
  EXPECT_EQ(pollen::get<1>(o), "b");
}

TEST(Select, IsPendingWhileNoChildIsReadyAndForwardsWakes) {
  auto a = manual(), b = manual();
  auto t = test_task(pollen::select(std::move(a.second), std::move(b.second)));
  EXPECT_PENDING(t);
  b.first->set(7);
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().index(), 1u);
  EXPECT_EQ(pollen::get<1>(p.value()), 7);
}

TEST(Select, AFreshSelectInALoopRotatesSoAnAlwaysReadyChildCannotStarveAnother) {
  int wins[2] = {0, 0};
  for (int i = 0; i < 100; ++i) {
    auto t = test_task(pollen::select(AlwaysReady{0}, AlwaysReady{1}));
    auto p = t.poll();
    ASSERT_TRUE(p.is_ready());
    ++wins[p.value().index()];
  }
  EXPECT_EQ(wins[0], 50);
  EXPECT_EQ(wins[1], 50);
}

TEST(Select, BiasedPollsInArgumentOrder) {
  int wins[2] = {0, 0};
  for (int i = 0; i < 10; ++i) {
    auto t = test_task(pollen::select_biased(AlwaysReady{0}, AlwaysReady{1}));
    auto p = t.poll();
    ASSERT_TRUE(p.is_ready());
    ++wins[p.value().index()];
  }
  EXPECT_EQ(wins[0], 10);
  EXPECT_EQ(wins[1], 0);
}

TEST(Select, TheLosersAreDestroyedWhenItIsReadyNotLater) {
  ProbeCounts loser, winner;
  auto t = test_task(pollen::select(probed(loser, pollen::never<int>()),
                                    probed(winner, pollen::test::pending_once(pollen::ready(1)))));
  EXPECT_PENDING(t);
  EXPECT_EQ(loser.live_destroyed, 0);
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(loser.live_destroyed, 1);  // inside the poll that returned Ready
  EXPECT_EQ(winner.live_destroyed, 1);
  EXPECT_EQ(loser.alive() + winner.alive(), 0);
}

TEST(Select, DestroyingWhileRunningDestroysEveryChildOnce) {
  ProbeCounts a, b;
  {
    auto t = test_task(pollen::select(probed(a, pollen::never<int>()), probed(b, pollen::never<int>())));
    EXPECT_PENDING(t);
  }
  EXPECT_EQ(a.live_destroyed + b.live_destroyed, 2);
  EXPECT_EQ(a.alive() + b.alive(), 0);
}

TEST(Select, PollingAfterReadyIsAContractErrorNamingSelect) {
  auto t = test_task(pollen::select(pollen::ready(1), pollen::never<int>()));
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Select polled after it returned Ready");
  auto u = test_task(pollen::select_biased(pollen::ready(1)));
  EXPECT_TRUE(u.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)u.poll(), "SelectBiased polled after it returned Ready");
}

TEST(Select, DescribesItsChildren) {
  auto s = pollen::select(pollen::ready(1), pollen::never<int>());
  EXPECT_EQ(pollen::describe_states(s),
            "Select [state: Running, fair rotation]\n\u251c\u2500 Ready [value waiting]\n\u2514\u2500 Never [never ready]\n");
}

TEST(Select, WarnsWhenItDropsAStartedChildThatIsNotCancelSafe) {
  auto t = test_task(pollen::select_biased(Unsafe{}, pollen::test::pending_once(pollen::ready(2))));
  EXPECT_PENDING(t);
  testing::internal::CaptureStderr();
  EXPECT_TRUE(t.poll().is_ready());
  std::string err = testing::internal::GetCapturedStderr();
#ifndef NDEBUG
  EXPECT_NE(err.find("pollen warning: SelectBiased dropped its arm 0"), std::string::npos) << err;
#else
  EXPECT_EQ(err, "");
#endif
  EXPECT_FALSE((pollen::is_cancel_safe<decltype(pollen::select(Unsafe{}, pollen::ready(1)))>::value));
}

TEST(Select, DoesNotWarnAboutAnUnsafeChildThatWasNeverPolled) {
  auto t = test_task(pollen::select_biased(pollen::ready(1), Unsafe{}));
  testing::internal::CaptureStderr();
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(Select, AMovedFromSelectActsFinished) {
  auto a = pollen::select_biased(pollen::ready(1), pollen::never<int>());
  auto b = std::move(a);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "SelectBiased polled after it returned Ready");  // NOLINT
  EXPECT_TRUE(b.poll(cx).is_ready());
}

#if POLLEN_HAS_EXCEPTIONS
TEST(SelectExceptions, AThrowingChildDestroysEveryChildAndPoisons) {
  ProbeCounts a, b;
  auto t = test_task(pollen::select_biased(probed(a, pollen::never<int>()), probed(b, pollen::test::throwing<int>())));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(a.live_destroyed + b.live_destroyed, 2);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "SelectBiased polled again after its poll threw");
}

TEST(SelectExceptions, PoisonedWhenAnOutputMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) {
        return pollen::select(pollen::never<Bomb>(), pollen::test::pending_once(pollen::ready(Bomb(c, 5))));
      },
      [](pollen::Either<Bomb, Bomb> out) {
        ASSERT_EQ(out.index(), 1u);
        EXPECT_EQ(pollen::get<1>(out).value(), 5);
      });
  EXPECT_GE(points, 3);
}

TEST(SelectExceptions, BiasedIsPoisonedWhenAnOutputMoveThrowsAndDestroysTheLoserOnce) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) { return pollen::select_biased(pollen::ready(Bomb(c, 1)), pollen::ready(Bomb(c, 2))); },
      [](pollen::Either<Bomb, Bomb> out) {
        ASSERT_EQ(out.index(), 0u);
        EXPECT_EQ(pollen::get<0>(out).value(), 1);
      });
  EXPECT_GE(points, 3);
}
#endif
