#include <pollen/time/clock.hpp>

#include "contract.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>

using namespace std::chrono;
using pollen::deadline_after;
using pollen::Duration;
using pollen::far_future;
using pollen::TimePoint;

namespace {
const TimePoint kNow = TimePoint(hours(1000));
}

TEST(DeadlineAfter, AddsAnOrdinaryDuration) {
  EXPECT_EQ(deadline_after(kNow, milliseconds(5)), kNow + milliseconds(5));
  EXPECT_EQ(deadline_after(kNow, nanoseconds(1)), kNow + nanoseconds(1));
  EXPECT_EQ(deadline_after(kNow, hours(1)), kNow + hours(1));
}

TEST(DeadlineAfter, ZeroAndNegativeDurationsMeanNow) {
  EXPECT_EQ(deadline_after(kNow, nanoseconds(0)), kNow);
  EXPECT_EQ(deadline_after(kNow, milliseconds(-5)), kNow);
  EXPECT_EQ(deadline_after(kNow, nanoseconds::min()), kNow);
  EXPECT_EQ(deadline_after(kNow, hours::min()), kNow);
  EXPECT_EQ(deadline_after(kNow, duration<double>(-1.5)), kNow);
}

TEST(DeadlineAfter, NanosecondsMaxSaturatesInsteadOfOverflowing) {
  // now + nanoseconds::max() is signed overflow (UBSan reports it).
  EXPECT_EQ(deadline_after(kNow, nanoseconds::max()), far_future());
  EXPECT_EQ(deadline_after(TimePoint(), nanoseconds::max()), far_future());
  EXPECT_EQ(deadline_after(far_future(), nanoseconds(1)), far_future());
}

TEST(DeadlineAfter, HoursMaxSaturatesInsteadOfWrapping) {
  // duration_cast<nanoseconds>(hours::max()) wraps silently to a small or
  // negative value; deadline_after must not.
  EXPECT_EQ(deadline_after(kNow, hours::max()), far_future());
  EXPECT_EQ(deadline_after(kNow, seconds::max()), far_future());
  EXPECT_EQ(deadline_after(kNow, duration<long long, std::ratio<86400 * 365>>::max()),
            far_future());
}

TEST(DeadlineAfter, JustBelowTheLimitStillAdds) {
  const TimePoint late = TimePoint::max() - hours(1);
  const Duration room = TimePoint::max() - late;
  EXPECT_EQ(deadline_after(late, room - nanoseconds(1)), TimePoint::max() - nanoseconds(1));
  EXPECT_EQ(deadline_after(late, room), far_future());
  EXPECT_EQ(deadline_after(late, hours(2)), far_future());
}

TEST(DeadlineAfter, FloatingPointAndOddRatiosConvert) {
  EXPECT_EQ(deadline_after(kNow, duration<double>(0.25)), kNow + milliseconds(250));
  EXPECT_EQ(deadline_after(kNow, duration<double>(std::numeric_limits<double>::infinity())),
            far_future());
  EXPECT_EQ(deadline_after(kNow, duration<double>(std::nan(""))), kNow);
  // Thirds of a second: 3e10 thirds = 1e10 s = 1e19 ns > max: saturates,
  // and 3e9 thirds = 1e9 s converts without an overflowing intermediate.
  using thirds = duration<long long, std::ratio<1, 3>>;
  EXPECT_EQ(deadline_after(TimePoint(), thirds(30000000000LL)), far_future());
  EXPECT_EQ(deadline_after(TimePoint(), thirds(3000000000LL)), TimePoint(seconds(1000000000)));
  // Finer than a nanosecond.
  using picos = duration<long long, std::pico>;
  EXPECT_EQ(deadline_after(kNow, picos(2500)), kNow + nanoseconds(2));
  EXPECT_EQ(deadline_after(kNow, picos::max()), kNow + duration_cast<nanoseconds>(picos::max()));
}

TEST(RemainingUntil, IsZeroOncePassed) {
  EXPECT_EQ(pollen::remaining_until(kNow, kNow + seconds(2)), seconds(2));
  EXPECT_EQ(pollen::remaining_until(kNow, kNow), Duration::zero());
  EXPECT_EQ(pollen::remaining_until(kNow, kNow - seconds(2)), Duration::zero());
  EXPECT_EQ(pollen::remaining_until(TimePoint(), far_future()), Duration::max());
}

TEST(VirtualClock, StandsStillUntilAdvanced) {
  pollen::VirtualClock c(kNow);
  EXPECT_EQ(c.now(), kNow);
  EXPECT_EQ(c.now(), kNow);
  c.advance(hours(1));
  EXPECT_EQ(c.now(), kNow + hours(1));
  c.advance(seconds(-10));  // never backwards
  EXPECT_EQ(c.now(), kNow + hours(1));
  c.advance_to(kNow);  // never backwards
  EXPECT_EQ(c.now(), kNow + hours(1));
  c.advance_to(kNow + hours(2));
  EXPECT_EQ(c.now(), kNow + hours(2));
  c.advance(hours::max());
  EXPECT_EQ(c.now(), far_future());
}

TEST(VirtualClock, DefaultStartIsTheRealClocksTime) {
  const TimePoint before = pollen::SteadyClock::now();
  pollen::VirtualClock c;
  EXPECT_GE(c.now(), before);
  EXPECT_LE(c.now(), pollen::SteadyClock::now());
}

TEST(VirtualClock, ANegativeStartIsAContractError) {
  EXPECT_CONTRACT_ERROR(pollen::VirtualClock c(TimePoint(seconds(-1))),
                        "the start time must not be before the clock's epoch");
}

TEST(SteadyClock, NeverGoesBackwards) {
  const TimePoint a = pollen::SteadyClock::now();
  const TimePoint b = pollen::SteadyClock::now();
  EXPECT_LE(a, b);
  EXPECT_GE(a.time_since_epoch(), Duration::zero());
}
