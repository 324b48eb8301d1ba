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
