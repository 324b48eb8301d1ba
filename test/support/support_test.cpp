// Tests of the test support itself: a helper that cannot fail would make the
// tests built on it meaningless.
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "alloc_counter.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <memory>
#include <new>
#include <vector>

using pollen::test::ProbeCounts;

namespace {
// Keeps the compiler from eliding a new/delete pair (allowed since C++14).
void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }
}  // namespace

TEST(TestTask, CountsPollsAndWakesSinceTheLastPoll) {
  int n = 0;
  auto t = pollen::test::test_task(pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
    if (++n == 3) return n;
    cx.waker().wake();
    cx.waker().wake();
    return pollen::pending;
  }));
  EXPECT_FALSE(t.is_woken());
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.wake_count(), 2u);
  EXPECT_PENDING(t);
  EXPECT_READY_EQ(t, 3);
  EXPECT_FALSE(t.is_woken());
  EXPECT_EQ(t.polls(), 3u);
  EXPECT_EQ(t.wake_count(), 4u);
}

TEST(TestTask, ExpectMacrosFailOnTheWrongResult) {
  EXPECT_NONFATAL_FAILURE(
      {
        auto t = pollen::test::test_task(pollen::ready(1));
        EXPECT_PENDING(t);
      },
      "to be Pending");
  EXPECT_NONFATAL_FAILURE(
      {
        auto t = pollen::test::test_task(pollen::test::pending_once(pollen::ready(1)));
        EXPECT_READY_EQ(t, 1);
      },
      "it was Pending");
  EXPECT_NONFATAL_FAILURE(
      {
        auto t = pollen::test::test_task(pollen::ready(1));
        EXPECT_READY_EQ(t, 2);
      },
      "Which is: 1");
}

TEST(PanicWaker, FailsTheTestWhenWoken) {
  pollen::Waker w = pollen::test::panic_waker();
  EXPECT_NONFATAL_FAILURE(w.wake(), "a PanicWaker was woken");
  pollen::Waker quiet = pollen::test::panic_waker();  // never woken: no failure
}

TEST(PendingOnce, YieldsOnceWithASelfWakeThenForwards) {
  auto t = pollen::test::test_task(pollen::test::pending_once(pollen::ready(5)));
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, 5);
}

TEST(InterleavePending, YieldsBeforeEveryRealPoll) {
  int real = 0;
  auto t = pollen::test::test_task(pollen::test::interleave_pending(
      pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
        if (++real == 2) return real;
        cx.waker().wake();
        return pollen::pending;
      })));
  EXPECT_PENDING(t);  // yield
  EXPECT_EQ(real, 0);
  EXPECT_PENDING(t);  // real poll 1
  EXPECT_EQ(real, 1);
  EXPECT_PENDING(t);  // yield
  EXPECT_READY_EQ(t, 2);
  EXPECT_EQ(t.polls(), 4u);
}

TEST(Probe, CountsConstructionsMovesCopiesAndDestructions) {
  ProbeCounts c;
  {
    pollen::test::Probe<int> a(c, 1);
    pollen::test::Probe<int> b = a;
    pollen::test::Probe<int> m = std::move(a);
    EXPECT_FALSE(a.live());  // NOLINT
    EXPECT_EQ(c.alive(), 3);
  }
  EXPECT_EQ(c.constructed, 1);
  EXPECT_EQ(c.copied, 1);
  EXPECT_EQ(c.moved, 1);
  EXPECT_EQ(c.destroyed, 3);
  EXPECT_EQ(c.live_destroyed, 2);  // b and m; a was moved from
  EXPECT_EQ(c.alive(), 0);
}

TEST(Probed, CountsPollsAndTheDestructionOfTheLiveFuture) {
  ProbeCounts c;
  {
    auto p = pollen::test::probed(c, pollen::test::pending_once(pollen::ready(1)));
    auto t = pollen::test::test_task(std::move(p));
    EXPECT_PENDING(t);
    EXPECT_READY_EQ(t, 1);
    EXPECT_EQ(c.polls, 2);
    EXPECT_EQ(c.live_destroyed, 0);
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
}

TEST(AllocCounter, CountsThisThreadsAllocations) {
  // Read the counters into locals before asserting: gtest's assertions may
  // allocate themselves.
  pollen::test::AllocCounter allocs;
  std::size_t none = allocs.allocations();
  auto p = std::unique_ptr<int>(new int(1));
  std::vector<int> v(100);
  escape(p.get());
  escape(v.data());
  std::size_t two = allocs.allocations();
  std::size_t bytes = allocs.bytes();
  p.reset();
  std::size_t one_free = allocs.deallocations();
  allocs.reset();
  std::size_t after_reset = allocs.allocations();
  EXPECT_EQ(none, 0u);
  EXPECT_EQ(two, 2u);
  EXPECT_GE(bytes, sizeof(int) + 100 * sizeof(int));
  EXPECT_EQ(one_free, 1u);
  EXPECT_EQ(after_reset, 0u);
}

#if POLLEN_HAS_EXCEPTIONS
TEST(FailAllocations, FailsThisThreadsAllocationsAfterTheAllowedOnesUntilItGoes) {
  int failed = 0;
  std::vector<std::unique_ptr<int>> kept;
  {
    pollen::test::FailAllocations oom(2);
    for (int i = 0; i < 4; ++i) {
      try {
        kept.push_back(std::unique_ptr<int>(new int(i)));
      } catch (const std::bad_alloc&) {
        ++failed;
      }
    }
  }
  // The first int and the vector's first slot use the two allowed; every
  // later `new int` fails.
  EXPECT_EQ(failed, 3);
  auto p = std::unique_ptr<int>(new int(5));  // allocations work again
  escape(p.get());
  EXPECT_EQ(kept.size(), 1u);
}
#endif
