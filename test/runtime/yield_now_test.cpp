#include <pollen/core/poll_fn.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/yield_now.hpp>

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

TEST(YieldNow, IsPendingOnceWithASelfWakeThenReady) {
  auto t = pollen::test::test_task(pollen::yield_now());
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, pollen::Unit{});
  EXPECT_EQ(t.polls(), 2u);
}

TEST(YieldNow, PollingAfterReadyIsAContractError) {
  auto t = pollen::test::test_task(pollen::yield_now());
  (void)t.poll();
  (void)t.poll();
  EXPECT_CONTRACT_ERROR((void)t.poll(), "YieldNow polled after it returned Ready");
}

TEST(YieldNow, ASpentBudgetYieldsOnceMore) {
  pollen::test::CountingWaker w;
  pollen::Budget budget{0};
  pollen::Context cx(w.waker(), budget);
  pollen::YieldNow y;
  EXPECT_TRUE(y.poll(cx).is_pending());
  EXPECT_TRUE(y.poll(cx).is_pending());  // no budget left
  EXPECT_EQ(w.wakes(), 2u);
  budget.remaining = 1;
  EXPECT_TRUE(y.poll(cx).is_ready());
}

TEST(YieldNow, LetsTheOtherReadyTasksRunFirst) {
  pollen::EventLoop loop;
  std::vector<std::string> log;
  struct Yielder {
    using Output = pollen::Unit;
    std::vector<std::string>* log;
    const char* name;
    int step = 0;
    pollen::YieldNow y;
    pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
      while (step < 3) {
        if (y.poll(cx).is_pending()) return pollen::pending;
        log->push_back(std::string(name) + std::to_string(step));
        ++step;
        y = pollen::yield_now();
      }
      return pollen::Unit{};
    }
  };
  loop.spawn(Yielder{&log, "a", 0, pollen::yield_now()}).detach();
  loop.spawn(Yielder{&log, "b", 0, pollen::yield_now()}).detach();
  loop.run();
  EXPECT_EQ(log, (std::vector<std::string>{"a0", "b0", "a1", "b1", "a2", "b2"}));
}

TEST(YieldNow, Describes) {
  pollen::YieldNow y;
  EXPECT_EQ(pollen::describe_states(y), "YieldNow [state: Unyielded]\n");
}
