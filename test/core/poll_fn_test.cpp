#include <pollen/core/poll_fn.hpp>

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace {
auto count_to(int* n, int target) {
  return pollen::poll_fn([n, target](pollen::Context& cx) -> pollen::Poll<int> {
    if (++*n == target) return *n;
    cx.waker().wake();
    return pollen::pending;
  });
}
}  // namespace

TEST(PollFn, CallsTheFunctionOnEveryPollUntilReady) {
  int n = 0;
  auto t = pollen::test::test_task(count_to(&n, 3));
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_PENDING(t);
  EXPECT_READY_EQ(t, 3);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(t.wake_count(), 2u);
}

TEST(PollFn, SeesTheNewestWaker) {
  pollen::Waker kept;
  auto f = pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
    kept = cx.waker();
    return pollen::pending;
  });
  pollen::test::CountingWaker a;
  pollen::test::CountingWaker b;
  pollen::Context ca(a.waker());
  pollen::Context cb(b.waker());
  EXPECT_TRUE(f.poll(ca).is_pending());
  EXPECT_TRUE(f.poll(cb).is_pending());
  kept.wake();
  EXPECT_EQ(a.wakes(), 0u);
  EXPECT_EQ(b.wakes(), 1u);
}

TEST(PollFn, PollingAfterReadyIsAContractError) {
  int n = 0;
  auto t = pollen::test::test_task(count_to(&n, 1));
  EXPECT_READY_EQ(t, 1);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "PollFn polled after it returned Ready");
  EXPECT_EQ(n, 1);  // fn not called again
}

TEST(PollFn, DescribesItsState) {
  int n = 0;
  auto t = pollen::test::test_task(count_to(&n, 2));
  EXPECT_EQ(t.describe(), "PollFn [state: Polling]\n");
  (void)t.poll();
  (void)t.poll();
  EXPECT_EQ(t.describe(), "PollFn [state: Done]\n");
}

// A moved-from PollFn used to keep its state and run its moved-from function.
TEST(PollFn, AMovedFromPollFnActsFinished) {
  int calls = 0;
  auto a = pollen::poll_fn([&calls](pollen::Context&) -> pollen::Poll<int> { return ++calls; });
  auto b = std::move(a);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "PollFn polled after it returned Ready");  // NOLINT
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(pollen::describe_states(a), "PollFn [state: Done]\n");  // NOLINT
  EXPECT_EQ(b.poll(cx), pollen::Poll<int>(1));
}

#if POLLEN_HAS_EXCEPTIONS
TEST(PollFnExceptions, ThrowPropagatesAndPoisons) {
  auto t = pollen::test::test_task(pollen::poll_fn([](pollen::Context&) -> pollen::Poll<int> {
    throw std::runtime_error("boom");
  }));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "PollFn polled again after its poll threw");
}
#endif
