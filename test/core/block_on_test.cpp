#include <pollen/core/block_on.hpp>
#include <pollen/core/lazy.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "contract.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

TEST(BlockOn, ReturnsTheOutputOfAReadyFuture) {
  EXPECT_EQ(pollen::block_on(pollen::ready(5)), 5);
  std::unique_ptr<int> p = pollen::block_on(pollen::ready(std::unique_ptr<int>(new int(6))));
  EXPECT_EQ(*p, 6);
}

TEST(BlockOn, RepollsAfterASelfWakeWithoutBlocking) {
  // pending_once wakes its waker *before* returning Pending: that wake
  // arrives before block_on parks, and must not be lost (or this hangs).
  int polls = 0;
  auto f = pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
    if (++polls == 1000) return polls;
    cx.waker().wake();
    return pollen::pending;
  });
  EXPECT_EQ(pollen::block_on(std::move(f)), 1000);
}

TEST(BlockOn, WakeFromAnotherThreadUnparksIt) {
  std::thread waker_thread;
  std::atomic<bool> done{false};
  int polls = 0;
  auto f = pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
    ++polls;
    if (done.load()) return 7;
    if (!waker_thread.joinable()) {
      pollen::Waker w = cx.waker();
      waker_thread = std::thread([w, &done] {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        done.store(true);
        w.wake();
      });
    }
    return pollen::pending;
  });
  EXPECT_EQ(pollen::block_on(std::move(f)), 7);
  waker_thread.join();
  EXPECT_GE(polls, 2);
}

TEST(BlockOn, ManyWakesBeforeAPollCauseOnePoll) {
  int polls = 0;
  auto f = pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
    ++polls;
    if (polls == 2) return polls;
    for (int i = 0; i < 10; ++i) cx.waker().wake();
    return pollen::pending;
  });
  EXPECT_EQ(pollen::block_on(std::move(f)), 2);
  EXPECT_EQ(polls, 2);
}

TEST(BlockOn, AWakerKeptAfterBlockOnReturnsIsSafeToWake) {
  pollen::Waker kept;
  auto f = pollen::poll_fn([&](pollen::Context& cx) -> pollen::Poll<int> {
    if (kept.is_noop()) {
      kept = cx.waker();
      kept.wake();
      return pollen::pending;
    }
    return 1;
  });
  EXPECT_EQ(pollen::block_on(std::move(f)), 1);
  std::thread t([&] {
    for (int i = 0; i < 1000; ++i) kept.wake();
  });
  t.join();
  kept = pollen::Waker();  // drops the last reference to the parker
}

TEST(BlockOn, NestedBlockOnIsAContractErrorNamingBothCalls) {
  auto inner_call = [] {
    pollen::block_on(pollen::lazy([] { return pollen::block_on(pollen::ready(1)); }));
  };
  EXPECT_CONTRACT_ERROR(inner_call(), "pollen::block_on called from inside a poll driven by pollen::block_on");
  EXPECT_CONTRACT_ERROR(inner_call(), "would block the thread that drives the outer executor");
  // After the error, block_on works again on this thread.
  EXPECT_EQ(pollen::block_on(pollen::ready(2)), 2);
}

TEST(BlockOn, TwoBlockOnsOnTwoThreadsAreIndependent) {
  int a = 0;
  int b = 0;
  std::thread t1([&] { a = pollen::block_on(pollen::test::pending_once(pollen::ready(1))); });
  std::thread t2([&] { b = pollen::block_on(pollen::test::pending_once(pollen::ready(2))); });
  t1.join();
  t2.join();
  EXPECT_EQ(a + b, 3);
}

#if POLLEN_HAS_EXCEPTIONS
TEST(BlockOnExceptions, PropagatesAnExceptionFromPoll) {
  auto f = pollen::lazy([]() -> int { throw std::runtime_error("boom"); });
  EXPECT_THROW(pollen::block_on(std::move(f)), std::runtime_error);
  EXPECT_EQ(pollen::detail::EnterGuard::current(), nullptr);  // guard unwound
  EXPECT_EQ(pollen::block_on(pollen::ready(3)), 3);
}
#endif
