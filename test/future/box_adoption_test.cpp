// The recursive style of async loop: a boxed future whose continuation
// returns another boxed future of the same type. The box adopts the inner
// box in place of the Then that only forwards to it (then.hpp,
// core/box_future.hpp), so the loop runs in constant stack and constant work
// per poll.
#include <pollen/core/box_future.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/future/then.hpp>

#include "adapters.hpp"
#include "alloc_counter.hpp"
#include "helpers.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

using pollen::BoxFuture;
using pollen::test::DepthCounted;
using pollen::test::depth_stats;
using pollen::test::stack_stats;

namespace {

// count_down(n): n boxed steps, each a Then whose continuation returns the
// next step's box. Every step's Then is wrapped in DepthCounted, which
// records how deeply the steps' polls nest.
BoxFuture<long> count_down(long n) {
  if (n == 0) return pollen::boxed(pollen::ready(0L));
  return pollen::boxed(DepthCounted<pollen::Then<pollen::test::StackMark<long>, BoxFuture<long> (*)(long)>>(
      pollen::then(pollen::test::StackMark<long>(n - 1), &count_down)));
}

// The same, but each step is Pending once before it is Ready.
BoxFuture<long> count_down_yielding(long n) {
  if (n == 0) return pollen::boxed(pollen::ready(0L));
  return pollen::boxed(DepthCounted<
      pollen::Then<pollen::test::PendingOnce<pollen::Ready<long>>, BoxFuture<long> (*)(long)>>(
      pollen::then(pollen::test::pending_once(pollen::ready(n - 1)), &count_down_yielding)));
}

// A step that does not forward the adoption hook: the control case, to show
// the measurement can fail.
BoxFuture<long> count_down_unadopted(long n) {
  if (n == 0) return pollen::boxed(pollen::ready(0L));
  return pollen::boxed(
      DepthCounted<pollen::Then<pollen::Ready<long>, BoxFuture<long> (*)(long)>, false>(
          pollen::then(pollen::ready(n - 1), &count_down_unadopted)));
}

}  // namespace

TEST(BoxAdoption, AMillionReadyRecursiveStepsRunAtPollDepthOneInConstantStack) {
  depth_stats() = {};
  stack_stats() = {};
  auto t = pollen::test::test_task(count_down(1000000));
  EXPECT_READY_EQ(t, 0L);
  EXPECT_EQ(depth_stats().polls, 1000000);
  EXPECT_EQ(depth_stats().max_depth, 1);       // never nested
  EXPECT_LT(stack_stats().spread(), 256u);      // every step polled at the same depth
}

TEST(BoxAdoption, AMillionYieldingRecursiveStepsKeepPerPollWorkConstant) {
  depth_stats() = {};
  auto t = pollen::test::test_task(count_down_yielding(1000000));
  long polls = 0;
  long max_step_polls_per_task_poll = 0;
  for (;;) {
    long before = depth_stats().polls;
    auto p = t.poll();
    ++polls;
    max_step_polls_per_task_poll =
        std::max(max_step_polls_per_task_poll, depth_stats().polls - before);
    if (p.is_ready()) break;
  }
  EXPECT_EQ(polls, 1000001);
  EXPECT_EQ(depth_stats().max_depth, 1);
  // Each task poll finishes one step and starts the next: two step polls at
  // most, however many steps came before.
  EXPECT_LE(max_step_polls_per_task_poll, 2);
}

TEST(BoxAdoption, WithoutTheHookTheDepthGrowsWithTheSteps) {
  depth_stats() = {};
  auto t = pollen::test::test_task(count_down_unadopted(1000));
  EXPECT_READY_EQ(t, 0L);
  EXPECT_EQ(depth_stats().max_depth, 1000);  // what adoption prevents
}

TEST(BoxAdoption, AdoptionFreesEachFinishedStepAtOnce) {
  pollen::test::ProbeCounts c;
  struct Step {
    static BoxFuture<int> make(pollen::test::ProbeCounts* c, int n) {
      if (n == 0) return pollen::boxed(pollen::ready(0));
      return pollen::boxed(pollen::then(pollen::test::probed(*c, pollen::test::pending_once(pollen::ready(n - 1))),
                                        [c](int k) { return make(c, k); }));
    }
  };
  auto t = pollen::test::test_task(Step::make(&c, 100));
  for (int i = 0; i < 50; ++i) EXPECT_PENDING(t);
  EXPECT_LE(c.alive(), 1);  // only the current step is alive
  while (t.poll().is_pending()) {
  }
  EXPECT_EQ(c.live_destroyed, 100);
  EXPECT_EQ(c.alive(), 0);
}

TEST(BoxAdoption, AThenPolledDirectlyStillPollsItsBoxedSecond) {
  auto t = pollen::test::test_task(pollen::then(pollen::ready(3), [](int x) {
    return pollen::boxed(pollen::test::pending_once(pollen::ready(x * 2)));
  }));
  EXPECT_PENDING(t);
  EXPECT_READY_EQ(t, 6);
}

TEST(BoxAdoption, EachStepCostsOneAllocation) {
  pollen::test::CountingWaker waker;
  pollen::Context cx(waker.waker());
  pollen::test::AllocCounter allocs;
  {
    BoxFuture<long> f = count_down(1000);
    EXPECT_EQ(allocs.allocations(), 1u);  // the first step
    auto p = f.poll(cx);
    ASSERT_TRUE(p.is_ready());
  }
  EXPECT_EQ(allocs.allocations(), 1001u);  // one box per step, nothing else
  EXPECT_EQ(allocs.deallocations(), 1001u);
}
