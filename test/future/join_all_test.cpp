#include <pollen/future/join_all.hpp>
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

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

using pollen::test::Manual;
using pollen::test::ManualCell;
using pollen::test::ProbeCounts;
using pollen::test::probed;
using pollen::test::test_task;

namespace {
// The permutation of the join_wide workload (docs/performance.md): splitmix64, seed 42.
std::vector<std::uint32_t> permutation(std::uint32_t n) {
  std::uint64_t s = 42;
  auto next = [&s] {
    s += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::vector<std::uint32_t> p(n);
  for (std::uint32_t i = 0; i < n; ++i) p[i] = i;
  for (std::uint32_t i = n; i >= 2; --i) std::swap(p[i - 1], p[next() % i]);
  return p;
}
}  // namespace

TEST(JoinAll, IsReadyWithEveryOutputInInputOrder) {
  std::vector<pollen::BoxFuture<int>> fs;
  fs.push_back(pollen::boxed(pollen::test::pending_once(pollen::ready(1))));
  fs.push_back(pollen::boxed(pollen::ready(2)));
  fs.push_back(pollen::boxed(pollen::test::pending_once(pollen::test::pending_once(pollen::ready(3)))));
  auto t = test_task(pollen::join_all(std::move(fs)));
  EXPECT_PENDING(t);
  EXPECT_PENDING(t);
  EXPECT_READY_EQ(t, (std::vector<int>{1, 2, 3}));
}

TEST(JoinAll, OfNothingIsReadyAtOnceWithNothing) {
  auto t = test_task(pollen::join_all(std::vector<pollen::Ready<int>>()));
  EXPECT_READY_EQ(t, std::vector<int>());
}

TEST(JoinAll, PollsOnlyTheWokenChildren) {
  std::vector<std::shared_ptr<ManualCell<int>>> cells;
  std::vector<Manual<int>> fs;
  for (int i = 0; i < 5; ++i) {
    cells.push_back(std::make_shared<ManualCell<int>>());
    fs.emplace_back(cells.back());
  }
  auto t = test_task(pollen::join_all(std::move(fs)));
  EXPECT_PENDING(t);
  cells[3]->set(3);
  cells[1]->set(1);
  EXPECT_PENDING(t);
  EXPECT_EQ(cells[0]->polls, 1);
  EXPECT_EQ(cells[1]->polls, 2);
  EXPECT_EQ(cells[3]->polls, 2);
  EXPECT_EQ(t.future().ready_count(), 2u);
  cells[0]->set(0);
  cells[2]->set(2);
  cells[4]->set(4);
  EXPECT_READY_EQ(t, (std::vector<int>{0, 1, 2, 3, 4}));
}

// The O(1)-per-wake proof without a clock: joining N futures woken one at a
// time in random order, with a poll after every wake, polls children exactly
// 2N times (N on the first poll, one per wake). A join that scanned would
// poll N^2 / 2 times.
TEST(JoinAll, AHundredThousandChildrenWokenOneAtATimeArePolledTwiceEach) {
  const std::uint32_t n = 100000;
  std::vector<std::shared_ptr<ManualCell<int>>> cells;
  std::vector<Manual<int>> fs;
  cells.reserve(n);
  fs.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    cells.push_back(std::make_shared<ManualCell<int>>());
    fs.emplace_back(cells.back());
  }
  auto t = test_task(pollen::join_all(std::move(fs)));
  EXPECT_PENDING(t);
  std::vector<std::uint32_t> perm = permutation(n);
  for (std::uint32_t k = 0; k + 1 < n; ++k) {
    cells[perm[k]]->set(static_cast<int>(perm[k]));
    ASSERT_TRUE(t.poll().is_pending());
  }
  cells[perm[n - 1]]->set(static_cast<int>(perm[n - 1]));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  std::vector<int> out = std::move(p).value();
  for (std::uint32_t i = 0; i < n; ++i) ASSERT_EQ(out[i], static_cast<int>(i));
  long polls = 0;
  for (auto& c : cells) polls += c->polls;
  EXPECT_EQ(polls, 2L * n);
  EXPECT_EQ(t.wake_count(), n);
}

TEST(JoinAll, AWakeBeforeTheChildIsPolledQueuesItOnce) {
  auto cell = std::make_shared<ManualCell<int>>();
  std::vector<Manual<int>> fs;
  fs.emplace_back(cell);
  auto t = test_task(pollen::join_all(std::move(fs)));
  EXPECT_PENDING(t);
  cell->waker.wake();
  cell->waker.wake();
  cell->waker.wake();
  EXPECT_EQ(t.wake_count(), 1u);  // coalesced: queued once
  EXPECT_PENDING(t);
  EXPECT_EQ(cell->polls, 2);
}

TEST(JoinAll, DestroyingWhileRunningDestroysEveryChildAndOutputOnce) {
  ProbeCounts children, outputs;
  {
    std::vector<pollen::BoxFuture<pollen::test::Probe<int>>> fs;
    fs.push_back(pollen::boxed(probed(children, pollen::ready(pollen::test::Probe<int>(outputs, 1)))));
    fs.push_back(pollen::boxed(probed(children, pollen::never<pollen::test::Probe<int>>())));
    auto t = test_task(pollen::join_all(std::move(fs)));
    EXPECT_PENDING(t);
    EXPECT_EQ(children.live_destroyed, 1);
  }
  EXPECT_EQ(children.live_destroyed, 2);
  EXPECT_EQ(children.alive(), 0);
  EXPECT_EQ(outputs.live_destroyed, 1);
  EXPECT_EQ(outputs.alive(), 0);
}

TEST(JoinAll, AKeptChildWakerIsSafeAfterTheJoinIsGone) {
  auto cell = std::make_shared<ManualCell<int>>();
  {
    std::vector<Manual<int>> fs;
    fs.emplace_back(cell);
    auto t = test_task(pollen::join_all(std::move(fs)));
    EXPECT_PENDING(t);
  }
  cell->waker.wake();
  SUCCEED();
}

TEST(JoinAll, PollingAfterReadyIsAContractErrorNamingJoinAll) {
  auto t = test_task(pollen::join_all(std::vector<pollen::Ready<int>>()));
  EXPECT_READY_EQ(t, std::vector<int>());
  EXPECT_CONTRACT_ERROR((void)t.poll(), "JoinAll polled after it returned Ready");
}

TEST(JoinAll, DescribesHowManyAreReady) {
  std::vector<pollen::BoxFuture<int>> fs;
  fs.push_back(pollen::boxed(pollen::ready(1)));
  fs.push_back(pollen::boxed(pollen::never<int>()));
  auto t = test_task(pollen::join_all(std::move(fs)));
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe().substr(0, 23), "JoinAll [1 of 2 ready]\n");
}

TEST(JoinAll, AMovedFromJoinAllActsFinished) {
  std::vector<pollen::Ready<int>> fs;
  fs.push_back(pollen::ready(1));
  auto a = pollen::join_all(std::move(fs));
  auto b = std::move(a);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "JoinAll polled after it returned Ready");  // NOLINT
  EXPECT_EQ(b.poll(cx), pollen::Poll<std::vector<int>>(std::vector<int>{1}));
}

TEST(JoinAll, AChildThatSpendsTheWholeBudgetCannotStarveTheOthers) {
  using pollen::test::BudgetSteps;
  long units = 0;
  pollen::test::StepLog log;
  std::vector<pollen::BoxFuture<int>> fs;
  fs.push_back(pollen::boxed(pollen::test::Greedy(&units)));
  fs.push_back(pollen::boxed(BudgetSteps(1, 3, &log)));
  fs.push_back(pollen::boxed(BudgetSteps(2, 3, &log)));
  auto j = pollen::join_all(std::move(fs));
  pollen::test::CountingWaker w;
  for (std::size_t poll = 1; poll <= 4; ++poll) {
    pollen::Budget budget{128};
    pollen::Context cx(w.waker(), budget);
    ASSERT_TRUE(j.poll(cx).is_pending());
    EXPECT_GE(w.wakes(), poll);
  }
  EXPECT_EQ(j.ready_count(), 2u);
  EXPECT_EQ(log.order, (std::vector<int>{1, 2, 1, 2, 1, 2}));
}

// N children ready at once, each spending one unit of a budget of 128: each
// poll polls the next 128 and stops, so every child is polled once. The old
// walk went on through every remaining child (each found the budget spent,
// woke itself and was Pending): about N * N / 256 child polls.
TEST(JoinAll, AHundredThousandChildrenReadyAtOnceCostLinearWork) {
  using pollen::test::BudgetSteps;
  const int n = 100000;
  pollen::test::StepLog log;
  log.record_order = false;
  std::vector<BudgetSteps> fs;
  fs.reserve(n);
  for (int i = 0; i < n; ++i) fs.emplace_back(i, 1, &log);
  auto j = pollen::join_all(std::move(fs));
  pollen::test::CountingWaker w;
  long task_polls = 0;
  for (;;) {
    pollen::Budget budget{128};
    pollen::Context cx(w.waker(), budget);
    ++task_polls;
    auto p = j.poll(cx);
    if (p.is_ready()) {
      std::vector<int> out = std::move(p).value();
      ASSERT_EQ(out.size(), static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) ASSERT_EQ(out[static_cast<std::size_t>(i)], i);
      break;
    }
    ASSERT_TRUE(w.wakes() >= static_cast<std::size_t>(task_polls)) << "not woken again";
    ASSERT_LT(task_polls, 10L * n);
  }
  EXPECT_EQ(task_polls, (n + 127) / 128);
  EXPECT_LE(log.polls, n + task_polls);  // linear: at most one wasted child poll per task poll
}

TEST(JoinAll, ChildrenItDidNotReachComeFirstInTheNextPollAndArePolledOnce) {
  using pollen::test::BudgetSteps;
  pollen::test::StepLog log;
  std::vector<BudgetSteps> fs;
  for (int i = 0; i < 4; ++i) fs.emplace_back(i, 2, &log);
  auto j = pollen::join_all(std::move(fs));
  pollen::test::CountingWaker w;
  pollen::Budget budget{3};
  pollen::Context cx(w.waker(), budget);
  ASSERT_TRUE(j.poll(cx).is_pending());  // 0, 1, 2 step once and wake themselves; 3 waits
  EXPECT_EQ(log.order, (std::vector<int>{0, 1, 2}));
  budget.remaining = 100;
  ASSERT_TRUE(j.poll(cx).is_pending());  // 3 first (left over), then 0, 1, 2 (woken), once each
  EXPECT_EQ(log.order, (std::vector<int>{0, 1, 2, 3, 0, 1, 2}));
  EXPECT_EQ(j.ready_count(), 3u);
  budget.remaining = 100;
  EXPECT_EQ(j.poll(cx), (pollen::Poll<std::vector<int>>(std::vector<int>{0, 1, 2, 3})));
}

#if POLLEN_HAS_EXCEPTIONS
TEST(JoinAllExceptions, AThrowingChildDestroysEveryChildAndPoisons) {
  ProbeCounts c;
  std::vector<pollen::BoxFuture<int>> fs;
  fs.push_back(pollen::boxed(probed(c, pollen::never<int>())));
  fs.push_back(pollen::boxed(probed(c, pollen::test::throwing<int>())));
  auto t = test_task(pollen::join_all(std::move(fs)));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(c.live_destroyed, 2);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "JoinAll polled again after its poll threw");
}

// Run k makes the k-th move of a value throw: inside a child, while a child's
// output is stored, or while the outputs are moved into the result vector
// (which used to end in an internal-sounding ContractError from MaybeDone on
// the next poll).
TEST(JoinAllExceptions, PoisonedWhenAnOutputMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](ProbeCounts& c) {
        std::vector<pollen::Ready<Bomb>> fs;
        for (int i = 0; i < 3; ++i) fs.push_back(pollen::ready(Bomb(c, i)));
        return pollen::join_all(std::move(fs));
      },
      [](std::vector<Bomb> out) {
        ASSERT_EQ(out.size(), 3u);
        for (int i = 0; i < 3; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)].value(), i);
      });
  EXPECT_GE(points, 9);
}
#endif
