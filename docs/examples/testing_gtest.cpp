// docs/testing.md: the same kit with GoogleTest's assertions
// (<pollen/testing/gtest.hpp>). Built and run with the tests
// (test/testing/meson.build), since it needs GoogleTest.
#include <pollen/stream/iter.hpp>
#include <pollen/sync/oneshot.hpp>
#include <pollen/testing.hpp>
#include <pollen/testing/gtest.hpp>

#include <gtest/gtest.h>

#include <utility>
#include <vector>

// [gtest]
TEST(MyReceiver, IsPendingUntilSentThenReady) {
  auto ch = pollen::oneshot<int>();
  auto t = pollen::testing::test_task(std::move(ch.second));
  EXPECT_PENDING(t);
  ch.first.send(7);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, pollen::RecvResult<int>::received(7));
}

TEST(MyStream, YieldsItsItemsThenEnds) {
  auto s = pollen::testing::test_task(
      pollen::testing::interleave_pending(pollen::stream::iter(std::vector<int>{1, 2})));
  EXPECT_NEXT_PENDING(s);  // the adapter's spurious Pending
  EXPECT_NEXT_EQ(s, 1);
  EXPECT_NEXT_PENDING(s);
  EXPECT_NEXT_EQ(s, 2);
  EXPECT_NEXT_PENDING(s);
  EXPECT_STREAM_END(s);
}
// [gtest]
