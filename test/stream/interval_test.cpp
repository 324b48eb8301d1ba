#include <pollen/stream/interval.hpp>
#include <pollen/stream/next.hpp>
#include <pollen/stream/take.hpp>

#include "test_task.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <utility>

using namespace std::chrono;
namespace stream = pollen::stream;

TEST(StreamTicks, YieldsEachTickWhenTheVirtualClockReachesIt) {
  const pollen::TimePoint start = pollen::TimePoint(hours(1));
  pollen::TimerDriver driver(pollen::ClockKind::Virtual, start);
  auto s = stream::take(stream::ticks(pollen::interval(driver, milliseconds(10))), 2);
  EXPECT_TRUE(pollen::is_stream<stream::Ticks>::value);
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  pollen::Poll<pollen::Option<pollen::TimePoint>> first = s.poll_next(cx);
  ASSERT_TRUE(first.is_ready());
  EXPECT_EQ(*first.value(), start);
  EXPECT_TRUE(s.poll_next(cx).is_pending());
  EXPECT_EQ(w.wakes(), 0u);
  driver.advance(milliseconds(10));
  EXPECT_EQ(w.wakes(), 1u);
  pollen::Poll<pollen::Option<pollen::TimePoint>> second = s.poll_next(cx);
  ASSERT_TRUE(second.is_ready());
  EXPECT_EQ(*second.value(), start + milliseconds(10));
  EXPECT_FALSE(s.poll_next(cx).value().has_value());  // take(2) ended it
}
