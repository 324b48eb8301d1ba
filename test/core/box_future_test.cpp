#include <pollen/core/box_future.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "alloc_counter.hpp"
#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <vector>

using pollen::BoxFuture;
using pollen::test::ProbeCounts;

TEST(BoxFuture, IsItselfAFutureOfTheSameOutput) {
  EXPECT_TRUE(pollen::is_future<BoxFuture<int>>::value);
  auto t = pollen::test::test_task(pollen::boxed(pollen::ready(3)));
  EXPECT_READY_EQ(t, 3);
}

TEST(BoxFuture, BoxingAllocatesExactlyOnce) {
  pollen::test::AllocCounter allocs;
  BoxFuture<int> b = pollen::boxed(pollen::ready(1));
  EXPECT_EQ(allocs.allocations(), 1u);
  auto t = pollen::test::test_task(std::move(b));
  allocs.reset();
  EXPECT_READY_EQ(t, 1);
  EXPECT_EQ(allocs.allocations(), 0u);  // polling allocates nothing
}

TEST(BoxFuture, BoxingABoxReturnsItUnchanged) {
  BoxFuture<int> b = pollen::boxed(pollen::ready(1));
  pollen::test::AllocCounter allocs;
  BoxFuture<int> again = pollen::boxed(std::move(b));
  EXPECT_EQ(allocs.allocations(), 0u);
  EXPECT_TRUE(b.empty());  // NOLINT: moved from
  EXPECT_FALSE(again.empty());
}

TEST(BoxFuture, ForwardsPendingAndWakes) {
  auto t = pollen::test::test_task(pollen::boxed(pollen::test::pending_once(pollen::ready(9))));
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, 9);
}

TEST(BoxFuture, DifferentFuturesShareOneType) {
  std::vector<BoxFuture<int>> v;
  v.push_back(pollen::boxed(pollen::ready(1)));
  v.push_back(pollen::boxed(pollen::test::pending_once(pollen::ready(2))));
  int sum = 0;
  for (auto& f : v) {
    auto t = pollen::test::test_task(std::move(f));
    while (true) {
      auto p = t.poll();
      if (p.is_ready()) {
        sum += p.value();
        break;
      }
    }
  }
  EXPECT_EQ(sum, 3);
}

TEST(BoxFuture, DestroyingTheBoxDestroysTheFutureOnce) {
  ProbeCounts c;
  {
    BoxFuture<int> b = pollen::boxed(pollen::test::probed(c, pollen::ready(1)));
    BoxFuture<int> moved = std::move(b);
  }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
}

TEST(BoxFuture, DescribesTheBoxedFutureAsItsChild) {
  BoxFuture<int> b = pollen::boxed(pollen::ready(1));
  EXPECT_EQ(pollen::describe_states(b), "BoxFuture\n\u2514\u2500 Ready [value waiting]\n");
  pollen::DescribeNode tree = pollen::describe_tree(b);
  ASSERT_EQ(tree.children.size(), 1u);
  EXPECT_EQ(tree.children[0].size, sizeof(pollen::Ready<int>));
  EXPECT_EQ(pollen::describe_states(BoxFuture<int>()), "BoxFuture [empty]\n");
}

TEST(BoxFuture, PollingAnEmptyBoxIsAContractError) {
  BoxFuture<int> empty;
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)empty.poll(cx), "BoxFuture polled while empty");
  BoxFuture<int> b = pollen::boxed(pollen::ready(1));
  BoxFuture<int> taken = std::move(b);
  EXPECT_CONTRACT_ERROR((void)b.poll(cx), "default-constructed or moved from");  // NOLINT
}
