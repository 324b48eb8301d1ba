#include <pollen/future/then.hpp>
#include <pollen/core/lazy.hpp>
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

#include <array>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

using pollen::test::ProbeCounts;
using pollen::test::probed;
using pollen::test::test_task;

TEST(Then, PollsTheReturnedFutureInTheSamePollWhenTheFirstIsReady) {
  auto t = test_task(pollen::then(pollen::ready(1), [](int x) { return pollen::ready(x + 1); }));
  EXPECT_READY_EQ(t, 2);
  EXPECT_EQ(t.polls(), 1u);
}

TEST(Then, RunsFnOnlyAfterFirstIsReady) {
  int calls = 0;
  auto t = test_task(pollen::then(pollen::test::pending_once(pollen::ready(1)), [&](int x) {
    ++calls;
    return pollen::ready(x * 3);
  }));
  EXPECT_PENDING(t);
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, 3);
  EXPECT_EQ(calls, 1);
}

TEST(Then, FnReturningAValueActsLikeMap) {
  auto f = pollen::then(pollen::ready(1), [](int x) { return x + 1; });
  static_assert(std::is_same<decltype(f)::State, decltype(f)::State>::value &&
                    std::is_same<decltype(f.state()), decltype(f)::State>::value,
                "has a State");
  EXPECT_EQ(f.state(), decltype(f)::State::Incomplete);  // Map's state names
  EXPECT_EQ(pollen::describe(f).substr(0, 3), "Map");
  auto t = test_task(std::move(f));
  EXPECT_READY_EQ(t, 2);
}

TEST(Then, FirstIsDestroyedBeforeSecondIsPolled) {
  ProbeCounts c;
  int live_at_second_poll = -1;
  auto t = test_task(pollen::then(probed(c, pollen::ready(1)), [&](int x) {
    return pollen::poll_fn([&, x](pollen::Context&) -> pollen::Poll<int> {
      live_at_second_poll = c.live_destroyed;
      return x;
    });
  }));
  EXPECT_READY_EQ(t, 1);
  EXPECT_EQ(live_at_second_poll, 1);
}

TEST(Then, APendingSecondIsPolledWithoutTouchingTheFirstAgain) {
  ProbeCounts first, second;
  auto t = test_task(pollen::then(probed(first, pollen::ready(1)), [&](int x) {
    return probed(second, pollen::test::pending_once(pollen::ready(x + 1)));
  }));
  EXPECT_PENDING(t);
  using State = std::remove_reference<decltype(t.future())>::type::State;
  EXPECT_EQ(t.future().state(), State::Second);
  EXPECT_READY_EQ(t, 2);
  EXPECT_EQ(first.polls, 1);
  EXPECT_EQ(second.polls, 2);
  EXPECT_EQ(t.future().state(), State::Done);
}

TEST(Then, DestroyingInFirstDestroysFirstAndFnUncalled) {
  ProbeCounts c;
  auto token = std::make_shared<int>(0);
  bool called = false;
  {
    auto t = test_task(pollen::then(probed(c, pollen::never<int>()), [token, &called](int x) {
      called = true;
      return pollen::ready(x);
    }));
    EXPECT_PENDING(t);
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_FALSE(called);
}

TEST(Then, DestroyingInSecondDestroysSecondOnce) {
  ProbeCounts first, second;
  {
    auto t = test_task(pollen::then(probed(first, pollen::ready(1)),
                                    [&](int) { return probed(second, pollen::never<int>()); }));
    EXPECT_PENDING(t);
    EXPECT_EQ(first.live_destroyed, 1);
    EXPECT_EQ(second.live_destroyed, 0);
  }
  EXPECT_EQ(second.live_destroyed, 1);
  EXPECT_EQ(second.alive(), 0);
  EXPECT_EQ(first.alive(), 0);
}

TEST(Then, DestroyingWhenDoneDestroysNothingTwice) {
  ProbeCounts first, second;
  {
    auto t = test_task(pollen::then(probed(first, pollen::ready(1)),
                                    [&](int x) { return probed(second, pollen::ready(x)); }));
    EXPECT_READY_EQ(t, 1);
  }
  EXPECT_EQ(first.live_destroyed, 1);
  EXPECT_EQ(second.live_destroyed, 1);
  EXPECT_EQ(first.alive() + second.alive(), 0);
}

TEST(Then, PollingAfterReadyIsAContractErrorNamingThen) {
  auto t = test_task(pollen::then(pollen::ready(1), [](int x) { return pollen::ready(x); }));
  EXPECT_READY_EQ(t, 1);
  EXPECT_CONTRACT_ERROR((void)t.poll(),
                        "Then polled after it returned Ready; a future is finished once it is "
                        "Ready (wrap it in fuse() if you need to poll it again)");
}

TEST(Then, AMovedFromThenActsFinished) {
  auto a = pollen::then(pollen::ready(1), [](int x) { return pollen::ready(x); });
  auto b = std::move(a);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "Then polled after it returned Ready");  // NOLINT
  EXPECT_TRUE(b.poll(cx).is_ready());
}

TEST(Then, DescribesEachState) {
  auto t = test_task(pollen::then(pollen::ready(1), [](int) { return pollen::never<int>(); }));
  EXPECT_EQ(t.describe(), "Then [state: First]\n\u2514\u2500 Ready [value waiting]\n");
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe(), "Then [state: Second]\n\u2514\u2500 Never [never ready]\n");
}

TEST(Then, HoldsTheFirstOrTheSecondNeverBoth) {
  using Big = pollen::Ready<std::array<char, 64>>;
  auto f = pollen::then(Big(std::array<char, 64>{}),
                        [](std::array<char, 64>) { return pollen::ready(1); });
  static_assert(sizeof(f) <= sizeof(Big) + alignof(std::max_align_t), "max of the two plus a tag");
  EXPECT_LT(sizeof(f), sizeof(Big) + sizeof(pollen::Ready<int>));
  (void)f;
}

TEST(Then, ChainsAsAMethodOnEveryLeaf) {
  auto t = test_task(pollen::ready(1)
                         .then([](int x) { return pollen::ready(x + 1); })
                         .then([](int x) { return pollen::lazy([x] { return x * 10; }); })
                         .map([](int x) { return std::to_string(x); }));
  EXPECT_READY_EQ(t, "20");
}

#if POLLEN_HAS_EXCEPTIONS
TEST(ThenExceptions, FirstThrowingPropagatesAndPoisons) {
  bool called = false;
  auto t = test_task(pollen::then(pollen::test::throwing<int>(), [&](int x) {
    called = true;
    return pollen::ready(x);
  }));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_FALSE(called);
  EXPECT_EQ(t.describe(), "Then [state: Poisoned]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Then polled again after its poll threw");
}

TEST(ThenExceptions, FnThrowingLeavesNothingAlive) {
  ProbeCounts c;
  auto t = test_task(pollen::then(probed(c, pollen::ready(1)),
                                  [](int) -> pollen::Ready<int> { throw std::runtime_error("fn"); }));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Then polled again after its poll threw");
}

TEST(ThenExceptions, SecondThrowingDestroysTheSecondOnce) {
  ProbeCounts c;
  {
    auto t = test_task(pollen::then(pollen::ready(1),
                                    [&](int) { return probed(c, pollen::test::throwing<int>()); }));
    EXPECT_THROW((void)t.poll(), std::runtime_error);
    EXPECT_EQ(c.live_destroyed, 1);
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
}

TEST(ThenExceptions, PoisonedWhenAnOutputMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) {
        return pollen::then(pollen::ready(Bomb(c, 1)),
                            [](Bomb b) { return pollen::test::pending_once(pollen::ready(std::move(b))); });
      },
      [](Bomb out) { EXPECT_EQ(out.value(), 1); });
  EXPECT_GE(points, 4);
}

// fn is moved out of the Then before it runs: a move that throws there used to
// leave the Then in First, to poll its finished first future again.
TEST(ThenExceptions, PoisonedWhenMovingTheFunctionThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) {
        return pollen::then(pollen::ready(1), [b = Bomb(c, 2)](int x) { return pollen::ready(x + b.value()); });
      },
      [](int out) { EXPECT_EQ(out, 3); });
  EXPECT_GE(points, 1);
}
#endif
