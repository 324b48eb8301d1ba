#include <pollen/time/timer_driver.hpp>

#include "contract.hpp"
#include "test_task.hpp"
#include "time_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <vector>

using namespace std::chrono;
using pollen::ClockKind;
using pollen::TimePoint;
using pollen::TimerDriver;
using pollen::TimerEntry;
using pollen::test::RecordingWakers;

namespace {
const TimePoint kStart = TimePoint(hours(24));
}

TEST(TimerDriver, VirtualClockStandsStillAndStartsWhereAsked) {
  TimerDriver d(ClockKind::Virtual, kStart);
  EXPECT_TRUE(d.is_virtual());
  EXPECT_EQ(d.now(), kStart);
  EXPECT_EQ(d.now(), kStart);
  EXPECT_EQ(d.advance(milliseconds(3)), 0u);
  EXPECT_EQ(d.now(), kStart + milliseconds(3));
}

TEST(TimerDriver, SteadyDriverReadsTheRealClock) {
  TimerDriver d;
  EXPECT_FALSE(d.is_virtual());
  const TimePoint a = d.now();
  EXPECT_LE(a, pollen::SteadyClock::now());
  EXPECT_LE(a, d.now());
  EXPECT_EQ(d.wait_timeout_ms(), -1);
  EXPECT_FALSE(d.next_deadline().has_value());
}

TEST(TimerDriver, ControllingTimeOnASteadyDriverIsAContractError) {
  TimerDriver d(ClockKind::Steady);
  EXPECT_CONTRACT_ERROR((void)d.advance(seconds(1)), "advance() needs a virtual clock");
  EXPECT_CONTRACT_ERROR((void)d.advance_to_next_timer(),
                        "advance_to_next_timer() needs a virtual clock");
  EXPECT_CONTRACT_ERROR((void)d.advance_to(d.now()), "advance_to() needs a virtual clock");
  EXPECT_CONTRACT_ERROR(d.pass_time(seconds(1)), "pass_time() needs a virtual clock");
  EXPECT_CONTRACT_ERROR(d.pass_time_to(d.now()), "pass_time_to() needs a virtual clock");
  EXPECT_CONTRACT_ERROR(TimerDriver bad(ClockKind::Steady, kStart),
                        "a start time only makes sense for a virtual clock");
}

TEST(TimerDriver, RegisterFireAndNextDeadline) {
  TimerDriver d(ClockKind::Virtual, kStart);
  RecordingWakers wakers(3);
  TimerEntry a;
  TimerEntry b;
  TimerEntry c;
  EXPECT_EQ(d.register_timer(a, kStart + milliseconds(20), wakers.waker(0)),
            TimerDriver::Registration::Waiting);
  EXPECT_EQ(d.register_timer(b, kStart + milliseconds(10), wakers.waker(1)),
            TimerDriver::Registration::Waiting);
  EXPECT_EQ(d.register_timer(c, kStart, wakers.waker(2)), TimerDriver::Registration::Expired);
  EXPECT_EQ(d.pending_timers(), 2u);
  ASSERT_TRUE(d.next_deadline().has_value());
  EXPECT_EQ(*d.next_deadline(), kStart + milliseconds(10));
  EXPECT_EQ(d.fire_expired(), 0u);  // time has not moved
  EXPECT_EQ(d.advance(milliseconds(15)), 1u);
  EXPECT_EQ(wakers.order(), std::vector<std::size_t>{1});
  EXPECT_EQ(*d.next_deadline(), kStart + milliseconds(20));
  EXPECT_EQ(d.advance(hours(1)), 1u);
  EXPECT_FALSE(d.next_deadline().has_value());
  EXPECT_EQ(d.pending_timers(), 0u);
}

TEST(TimerDriver, PassTimeMovesTheClockAndFiresNothingUntilFireExpired) {
  TimerDriver d(ClockKind::Virtual, kStart);
  RecordingWakers wakers(1);
  TimerEntry a;
  ASSERT_EQ(d.register_timer(a, kStart + milliseconds(5), wakers.waker(0)),
            TimerDriver::Registration::Waiting);
  d.pass_time(milliseconds(3));
  d.pass_time_to(kStart + milliseconds(6));
  d.pass_time_to(kStart);  // the past: nothing moves
  EXPECT_EQ(d.now(), kStart + milliseconds(6));
  EXPECT_TRUE(wakers.order().empty());  // due, not fired
  EXPECT_EQ(d.pending_timers(), 1u);
  EXPECT_EQ(d.wait_timeout_ms(), -1);  // virtual: waiting never moves the clock
  EXPECT_EQ(d.fire_expired(), 1u);
  EXPECT_EQ(wakers.order(), std::vector<std::size_t>{0});
}

TEST(TimerDriver, AdvanceToNextTimerMovesExactlyToTheEarliestDeadline) {
  TimerDriver d(ClockKind::Virtual, kStart);
  RecordingWakers wakers(3);
  std::vector<TimerEntry> e(3);
  const nanoseconds offsets[] = {hours(1), nanoseconds(1234567), nanoseconds(1234567)};
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(d.register_timer(e[i], kStart + offsets[i], wakers.waker(i)),
              TimerDriver::Registration::Waiting);
  }
  EXPECT_TRUE(d.advance_to_next_timer());
  EXPECT_EQ(d.now(), kStart + nanoseconds(1234567));
  EXPECT_EQ(wakers.order().size(), 2u);  // both due at that instant
  EXPECT_TRUE(d.advance_to_next_timer());
  EXPECT_EQ(d.now(), kStart + hours(1));
  EXPECT_FALSE(d.advance_to_next_timer());  // nothing pending: nothing moves
  EXPECT_EQ(d.now(), kStart + hours(1));
}

TEST(TimerDriver, AnEntryCanBeRegisteredAgainAfterItFired) {
  TimerDriver d(ClockKind::Virtual, kStart);
  RecordingWakers wakers(1);
  TimerEntry e;
  ASSERT_EQ(d.register_timer(e, kStart + seconds(1), wakers.waker(0)),
            TimerDriver::Registration::Waiting);
  EXPECT_EQ(d.advance_to(kStart + seconds(5)), 1u);
  ASSERT_EQ(d.register_timer(e, kStart + seconds(6), wakers.waker(0)),
            TimerDriver::Registration::Waiting);
  EXPECT_TRUE(d.advance_to_next_timer());
  EXPECT_EQ(d.now(), kStart + seconds(6));
}

TEST(TimerDriver, SaturatedDeadlinesWaitForever) {
  TimerDriver d(ClockKind::Virtual, kStart);
  RecordingWakers wakers(1);
  TimerEntry e;
  ASSERT_EQ(d.register_timer(e, d.deadline_after(hours::max()), wakers.waker(0)),
            TimerDriver::Registration::Waiting);
  EXPECT_EQ(*d.next_deadline(), pollen::far_future());
  EXPECT_EQ(d.advance(hours(24 * 365 * 100)), 0u);
  EXPECT_EQ(d.advance(nanoseconds::max()), 1u);  // saturates the clock to far_future()
  EXPECT_EQ(d.now(), pollen::far_future());
}

TEST(TimerDriver, WaitTimeoutRoundsUpAndClamps) {
  TimerDriver d(ClockKind::Steady);
  TimerEntry e;
  ASSERT_EQ(d.register_timer(e, d.now() + hours(1), pollen::Waker()),
            TimerDriver::Registration::Waiting);
  const int ms = d.wait_timeout_ms();
  EXPECT_GT(ms, 3599000);
  EXPECT_LE(ms, 3600000);
  d.cancel(e);
  // A sub-millisecond wait rounds up to 1 ms, never to 0 (a busy loop).
  ASSERT_EQ(d.register_timer(e, d.now() + microseconds(300), pollen::Waker()),
            TimerDriver::Registration::Waiting);
  const int sub = d.wait_timeout_ms();
  EXPECT_TRUE(sub == 1 || sub == 0) << sub;  // 0 only once the deadline passed
  d.cancel(e);
  ASSERT_EQ(d.register_timer(e, d.deadline_after(hours::max()), pollen::Waker()),
            TimerDriver::Registration::Waiting);
  EXPECT_EQ(d.wait_timeout_ms(), INT_MAX);
  d.cancel(e);
  // Virtual clock: waiting never moves time, so never wait for a timer.
  TimerDriver v(ClockKind::Virtual);
  TimerEntry ve;
  ASSERT_EQ(v.register_timer(ve, v.now() + seconds(1), pollen::Waker()),
            TimerDriver::Registration::Waiting);
  EXPECT_EQ(v.wait_timeout_ms(), -1);
}

TEST(TimerDriver, RealClockTimerFiresAfterItsDeadline) {
  // The only real-time wait in the time tests: 2 ms.
  TimerDriver d;
  RecordingWakers wakers(1);
  TimerEntry e;
  const TimePoint deadline = d.now() + milliseconds(2);
  ASSERT_EQ(d.register_timer(e, deadline, wakers.waker(0)), TimerDriver::Registration::Waiting);
  while (d.fire_expired() == 0) {
    ASSERT_LT(d.now(), deadline + seconds(10));
  }
  EXPECT_GE(d.now(), deadline);
  EXPECT_EQ(wakers.order().size(), 1u);
}

TEST(TimerDriver, ScopeSetsAndRestoresTheCurrentDriver) {
  EXPECT_EQ(TimerDriver::current(), nullptr);
  TimerDriver a(ClockKind::Virtual);
  TimerDriver b(ClockKind::Virtual);
  {
    TimerDriver::Scope sa(a);
    EXPECT_EQ(TimerDriver::current(), &a);
    {
      TimerDriver::Scope sb(b);
      EXPECT_EQ(TimerDriver::current(), &b);
    }
    EXPECT_EQ(TimerDriver::current(), &a);
  }
  EXPECT_EQ(TimerDriver::current(), nullptr);
  TimerDriver* previous = TimerDriver::exchange_current(&a);
  EXPECT_EQ(previous, nullptr);
  EXPECT_EQ(TimerDriver::exchange_current(previous), &a);
  EXPECT_EQ(TimerDriver::current(), nullptr);
}

TEST(TimerDriver, DestroyingTheDriverOrphansItsTimers) {
  TimerEntry e;
  {
    TimerDriver d(ClockKind::Virtual);
    ASSERT_EQ(d.register_timer(e, d.now() + seconds(1), pollen::Waker()),
              TimerDriver::Registration::Waiting);
  }
  EXPECT_EQ(e.state(), TimerEntry::State::Orphaned);
}
