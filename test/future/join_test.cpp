#include <pollen/future/join.hpp>
#include <pollen/future/map.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "alloc_counter.hpp"
#include "contract.hpp"
#include "helpers.hpp"
#include "probe.hpp"
#include "test_task.hpp"
#include "throw_points.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

using pollen::test::ProbeCounts;
using pollen::test::manual;
using pollen::test::probed;
using pollen::test::test_task;

TEST(Join, IsReadyWithATupleInArgumentOrder) {
  auto t = test_task(pollen::join(pollen::ready(1), pollen::ready(std::string("two")), pollen::ready(3.5)));
  EXPECT_READY_EQ(t, std::make_tuple(1, std::string("two"), 3.5));
  EXPECT_EQ(t.polls(), 1u);
}

TEST(Join, PollsAChildAgainOnlyWhenItsOwnWakerFired) {
  auto a = manual(), b = manual(), c = manual();
  auto t = test_task(pollen::join(std::move(a.second), std::move(b.second), std::move(c.second)));
  EXPECT_PENDING(t);
  EXPECT_EQ(a.first->polls + b.first->polls + c.first->polls, 3);
  EXPECT_FALSE(t.is_woken());
  b.first->set(20);
  EXPECT_TRUE(t.is_woken());
  EXPECT_PENDING(t);
  EXPECT_EQ(a.first->polls, 1);
  EXPECT_EQ(b.first->polls, 2);
  EXPECT_EQ(c.first->polls, 1);
  EXPECT_PENDING(t);  // a spurious poll of the join polls nobody
  EXPECT_EQ(a.first->polls + b.first->polls + c.first->polls, 4);
  c.first->set(30);
  a.first->set(10);
  EXPECT_READY_EQ(t, std::make_tuple(10, 20, 30));
  EXPECT_EQ(a.first->polls + b.first->polls + c.first->polls, 6);
}

TEST(Join, PollsWokenChildrenInIndexOrder) {
  std::vector<int> order;
  auto child = [&order](int id) {
    bool yielded = false;
    return pollen::poll_fn([&order, id, yielded](pollen::Context& cx) mutable -> pollen::Poll<int> {
      order.push_back(id);
      if (yielded) return id;
      yielded = true;
      cx.waker().wake();
      return pollen::pending;
    });
  };
  auto t = test_task(pollen::join(child(0), child(1), child(2)));
  EXPECT_PENDING(t);
  EXPECT_READY_EQ(t, std::make_tuple(0, 1, 2));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 0, 1, 2}));
}

TEST(Join, AChildThatWakesItselfIsTheOnlyOneRepolled) {
  ProbeCounts yielding, idle;
  auto t = test_task(pollen::join(probed(yielding, pollen::test::pending_once(pollen::ready(1))),
                                  probed(idle, pollen::never<int>())));
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_PENDING(t);
  EXPECT_EQ(yielding.polls, 2);
  EXPECT_EQ(idle.polls, 1);
  EXPECT_EQ(yielding.live_destroyed, 1);  // destroyed as soon as it was Ready
  EXPECT_EQ(t.describe(), "Join [1 of 2 ready]\n\u251c\u2500 MaybeDone [state: Done, output waiting]\n\u2514\u2500 Never [never ready]\n");
}

TEST(Join, ChildrenThatDoNotKeepTheirWakerCostNoAllocation) {
  pollen::test::AllocCounter allocs;
  auto t = test_task(pollen::join(pollen::test::pending_once(pollen::ready(1)),
                                  pollen::test::pending_once(pollen::ready(2))));
  allocs.reset();
  EXPECT_PENDING(t);
  EXPECT_READY_EQ(t, std::make_tuple(1, 2));
  EXPECT_EQ(allocs.allocations(), 0u);
}

TEST(Join, TheSharedWakeBlockIsMadeOnceAtTheFirstClone) {
  auto a = manual(), b = manual();
  auto t = test_task(pollen::join(std::move(a.second), std::move(b.second)));
  pollen::test::AllocCounter allocs;
  EXPECT_PENDING(t);
  std::size_t first = allocs.allocations();
  EXPECT_GE(first, 1u);
  allocs.reset();
  a.first->set(1);
  EXPECT_PENDING(t);
  b.first->set(2);
  EXPECT_READY_EQ(t, std::make_tuple(1, 2));
  EXPECT_EQ(allocs.allocations(), 0u);  // later polls and wakes allocate nothing
}

TEST(Join, WakesTheWakerOfTheMostRecentPoll) {
  auto a = manual();
  auto t = test_task(pollen::join(std::move(a.second), pollen::never<int>()));
  EXPECT_PENDING(t);
  pollen::test::CountingWaker other;
  EXPECT_TRUE(t.poll_with(other.waker()).is_pending());
  a.first->set(1);
  EXPECT_EQ(other.wakes(), 1u);
  EXPECT_FALSE(t.is_woken());
}

TEST(Join, AChildWakerThatOutlivesTheJoinIsSafeToWake) {
  auto a = manual();
  {
    auto t = test_task(pollen::join(std::move(a.second), pollen::never<int>()));
    EXPECT_PENDING(t);
  }
  pollen::Waker kept = a.first->waker;
  a.first->waker.wake();
  kept.wake();
  std::move(kept).wake();
  SUCCEED();
}

TEST(Join, ManyWakesFromOtherThreadsCauseOneRepollOfTheChild) {
  auto a = manual();
  auto t = test_task(pollen::join(std::move(a.second), pollen::never<int>()));
  EXPECT_PENDING(t);
  pollen::Waker w = a.first->waker;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([w] {
      for (int k = 0; k < 1000; ++k) w.wake();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(t.is_woken());
  EXPECT_PENDING(t);
  EXPECT_EQ(a.first->polls, 2);
}

TEST(Join, DestroyingWhileRunningDestroysChildrenAndOutputsOnce) {
  ProbeCounts running, finished, output;
  {
    auto t = test_task(pollen::join(probed(running, pollen::never<int>()),
                                    probed(finished, pollen::ready(pollen::test::Probe<int>(output, 1)))));
    EXPECT_PENDING(t);
    EXPECT_EQ(finished.live_destroyed, 1);
    EXPECT_EQ(output.live_destroyed, 0);
  }
  EXPECT_EQ(running.live_destroyed, 1);
  EXPECT_EQ(output.live_destroyed, 1);
  EXPECT_EQ(running.alive() + finished.alive() + output.alive(), 0);
}

TEST(Join, DestroyingBeforeTheFirstPollDestroysEveryChildOnce) {
  ProbeCounts a, b;
  { auto j = pollen::join(probed(a, pollen::ready(1)), probed(b, pollen::never<int>())); }
  EXPECT_EQ(a.live_destroyed + b.live_destroyed, 2);
  EXPECT_EQ(a.alive() + b.alive(), 0);
}

TEST(Join, PollingAfterReadyIsAContractErrorNamingJoin) {
  auto t = test_task(pollen::join(pollen::ready(1)));
  EXPECT_READY_EQ(t, std::make_tuple(1));
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Join polled after it returned Ready");
  EXPECT_EQ(t.describe(), "Join [state: Done]\n");
}

TEST(Join, ChainsAsAMethod) {
  auto t = test_task(pollen::join(pollen::ready(1), pollen::ready(2)).map([](std::tuple<int, int> p) {
    return std::get<0>(p) + std::get<1>(p);
  }));
  EXPECT_READY_EQ(t, 3);
}

TEST(Join, AMovedFromJoinActsFinished) {
  auto a = pollen::join(pollen::ready(1), pollen::ready(2));
  auto b = std::move(a);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "Join polled after it returned Ready");  // NOLINT
  EXPECT_EQ(b.poll(cx), (pollen::Poll<std::tuple<int, int>>(std::make_tuple(1, 2))));
}

// The budget is per task poll. A child that spends all of it on every poll
// used to be polled first every time, and a sibling that needs one unit per
// step never got one.
TEST(Join, AChildThatSpendsTheWholeBudgetCannotStarveItsSiblings) {
  using pollen::test::BudgetSteps;
  long units = 0;
  pollen::test::StepLog log;
  auto j = pollen::join(pollen::test::Greedy(&units), BudgetSteps(1, 3, &log), BudgetSteps(2, 3, &log));
  pollen::test::CountingWaker w;
  for (std::size_t poll = 1; poll <= 4; ++poll) {
    pollen::Budget budget{128};
    pollen::Context cx(w.waker(), budget);
    ASSERT_TRUE(j.poll(cx).is_pending());
    EXPECT_EQ(budget.remaining, 0u);
    EXPECT_GE(w.wakes(), poll);  // woken again every time
  }
  // Poll 1: the greedy child spent it all (its siblings waited). Polls 2-4:
  // each sibling stepped first, then the greedy child had the rest.
  EXPECT_EQ(j.ready_count(), 2u);
  EXPECT_EQ(units, 128 + 3 * 126);
  EXPECT_EQ(log.order, (std::vector<int>{1, 2, 1, 2, 1, 2}));
}

// Polls 1-3 have a budget of 2: each stops after the second child it polls,
// and the next one starts after it. Poll 4 has no budget: index order again.
TEST(Join, APollThatRanOutOfBudgetIsContinuedAfterTheLastChildItPolled) {
  using pollen::test::BudgetSteps;
  pollen::test::StepLog log;
  auto j = pollen::join(BudgetSteps(0, 9, &log), BudgetSteps(1, 9, &log), BudgetSteps(2, 9, &log));
  pollen::test::CountingWaker w;
  for (int poll = 0; poll < 3; ++poll) {
    pollen::Budget budget{2};
    pollen::Context cx(w.waker(), budget);
    ASSERT_TRUE(j.poll(cx).is_pending());
  }
  pollen::Context unlimited(w.waker());
  ASSERT_TRUE(j.poll(unlimited).is_pending());
  EXPECT_EQ(log.order, (std::vector<int>{0, 1, /**/ 2, 0, /**/ 1, 2, /**/ 0, 1, 2}));
}

TEST(Join, WakesItsTaskWhenItStopsBeforeAWokenChild) {
  using pollen::test::BudgetSteps;
  pollen::test::StepLog log;
  // The first child spends the last unit and is Ready: nothing else wakes
  // the task, yet the second child still waits for its first poll.
  auto j = pollen::join(BudgetSteps(0, 1, &log), BudgetSteps(1, 1, &log));
  pollen::test::CountingWaker w;
  pollen::Budget budget{1};
  pollen::Context cx(w.waker(), budget);
  ASSERT_TRUE(j.poll(cx).is_pending());
  EXPECT_EQ(log.order, (std::vector<int>{0}));
  EXPECT_EQ(w.wakes(), 1u);
  budget.remaining = 1;
  EXPECT_EQ(j.poll(cx), (pollen::Poll<std::tuple<int, int>>(std::make_tuple(0, 1))));
}

#if POLLEN_HAS_EXCEPTIONS
TEST(JoinExceptions, AThrowingChildDestroysEveryChildAndPoisons) {
  ProbeCounts other, thrower;
  auto t = test_task(pollen::join(probed(other, pollen::never<int>()),
                                  probed(thrower, pollen::test::throwing<int>())));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(other.live_destroyed, 1);
  EXPECT_EQ(thrower.live_destroyed, 1);
  EXPECT_EQ(t.describe(), "Join [state: Poisoned]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Join polled again after its poll threw");
}

// Run k makes the k-th move of a value throw, wherever it happens: inside a
// child, while the join stores a child's output, or while it moves the
// outputs into the tuple it returns (a join that lost one there used to stay
// Running and be Pending forever).
TEST(JoinExceptions, PoisonedWhenAnOutputMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) {
        return pollen::join(pollen::ready(Bomb(c, 1)), pollen::test::pending_once(pollen::ready(Bomb(c, 2))),
                            pollen::ready(3));
      },
      [](std::tuple<Bomb, Bomb, int> out) {
        EXPECT_EQ(std::get<0>(out).value(), 1);
        EXPECT_EQ(std::get<1>(out).value(), 2);
        EXPECT_EQ(std::get<2>(out), 3);
      });
  EXPECT_GE(points, 6);
}
#endif
