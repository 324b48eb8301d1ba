#include <pollen/core/never.hpp>

#include "test_task.hpp"

#include <gtest/gtest.h>

TEST(Never, IsPendingOnEveryPollAndNeverWakes) {
  auto t = pollen::test::test_task(pollen::never<int>());
  for (int i = 0; i < 100; ++i) EXPECT_PENDING(t);
  EXPECT_EQ(t.wake_count(), 0u);
  EXPECT_EQ(t.polls(), 100u);
}

TEST(Never, DoesNotKeepTheWaker) {
  pollen::test::CountingWaker cw;
  std::size_t refs = cw.ref_count();
  auto f = pollen::never<int>();
  pollen::Context cx(cw.waker());
  EXPECT_TRUE(f.poll(cx).is_pending());
  EXPECT_EQ(cw.ref_count(), refs);
}

TEST(Never, DefaultsToUnitAndDescribesItself) {
  auto f = pollen::never();
  static_assert(std::is_same<decltype(f)::Output, pollen::Unit>::value, "Unit by default");
  EXPECT_EQ(pollen::describe_states(f), "Never [never ready]\n");
}
