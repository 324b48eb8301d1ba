#include <pollen/core/context.hpp>

#include "test_task.hpp"

#include <gtest/gtest.h>

TEST(Context, BorrowsTheWakerItWasGiven) {
  pollen::test::CountingWaker cw;
  pollen::Context cx(cw.waker());
  EXPECT_TRUE(cx.waker().will_wake(cw.waker()));
  EXPECT_EQ(&cx.waker(), &cw.waker());  // borrowed, not cloned
  cx.waker().wake();
  EXPECT_EQ(cw.wakes(), 1u);
}

TEST(Context, ChildContextUsesTheChildWaker) {
  pollen::test::CountingWaker parent_w;
  pollen::test::CountingWaker child_w;
  pollen::Context parent(parent_w.waker());
  pollen::Context child(child_w.waker(), parent);
  child.waker().wake();
  EXPECT_EQ(child_w.wakes(), 1u);
  EXPECT_EQ(parent_w.wakes(), 0u);
  EXPECT_EQ(&parent.waker(), &parent_w.waker());
}

TEST(Context, WithoutABudgetNeverRunsOut) {
  pollen::test::CountingWaker cw;
  pollen::Context cx(cw.waker());
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(cx.consume_budget());
  EXPECT_FALSE(cx.budget_spent());
  EXPECT_EQ(cx.budget(), nullptr);
  EXPECT_EQ(cw.wakes(), 0u);
}

TEST(Context, SpentBudgetWakesTheTaskAndSaysStop) {
  pollen::test::CountingWaker cw;
  pollen::Budget budget{3};
  pollen::Context cx(cw.waker(), budget);
  EXPECT_TRUE(cx.consume_budget());
  EXPECT_TRUE(cx.consume_budget());
  EXPECT_TRUE(cx.consume_budget());
  EXPECT_TRUE(cx.budget_spent());
  EXPECT_EQ(cw.wakes(), 0u);
  EXPECT_FALSE(cx.consume_budget());
  EXPECT_EQ(cw.wakes(), 1u);  // re-woken so it is polled on a later turn
  EXPECT_EQ(budget.remaining, 0u);
}

TEST(Context, ChildContextSharesTheParentsBudget) {
  pollen::test::CountingWaker parent_w;
  pollen::test::CountingWaker child_w;
  pollen::Budget budget{1};
  pollen::Context parent(parent_w.waker(), budget);
  pollen::Context child(child_w.waker(), parent);
  EXPECT_TRUE(child.consume_budget());
  EXPECT_TRUE(parent.budget_spent());
  EXPECT_FALSE(child.consume_budget());
  EXPECT_EQ(child_w.wakes(), 1u);  // the child's waker: it leads back to the task
}
