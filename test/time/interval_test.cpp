#include <pollen/time/interval.hpp>

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

using namespace std::chrono;
using pollen::ClockKind;
using pollen::Interval;
using pollen::MissedTickPolicy;
using pollen::TimePoint;
using pollen::TimerDriver;

namespace {
const TimePoint kStart = TimePoint(hours(24));

// Takes every tick that is due now; returns their scheduled times, as
// milliseconds after kStart.
std::vector<long> take_due_ticks(Interval& iv) {
  std::vector<long> out;
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  for (;;) {
    pollen::Poll<TimePoint> p = iv.poll_tick(cx);
    if (p.is_pending()) return out;
    out.push_back(static_cast<long>(duration_cast<milliseconds>(p.value() - kStart).count()));
  }
}

// The doc's example: period 10 ms; tick 0 taken at 0, then busy until 35 ms.
std::vector<long> ticks_after_busy_period(MissedTickPolicy policy) {
  TimerDriver d(ClockKind::Virtual, kStart);
  Interval iv = pollen::interval(d, milliseconds(10), policy);
  std::vector<long> all = take_due_ticks(iv);
  EXPECT_EQ(all, std::vector<long>{0});
  EXPECT_EQ(d.advance(milliseconds(35)), 1u);  // the timer of tick 10
  for (long t : take_due_ticks(iv)) all.push_back(t);
  all.push_back(-1);  // marks "the clock moves on"
  while (d.now() < kStart + milliseconds(60)) {
    EXPECT_TRUE(d.advance_to_next_timer());
    for (long t : take_due_ticks(iv)) all.push_back(t);
  }
  return all;
}
}  // namespace

TEST(Interval, TheFirstTickIsImmediateThenOneEveryPeriod) {
  TimerDriver d(ClockKind::Virtual, kStart);
  Interval iv = pollen::interval(d, milliseconds(10));
  EXPECT_EQ(iv.missed_tick_policy(), MissedTickPolicy::Burst);
  auto t0 = pollen::test::test_task(iv.tick());
  EXPECT_READY_EQ(t0, kStart);
  auto t1 = pollen::test::test_task(iv.tick());
  EXPECT_PENDING(t1);
  EXPECT_EQ(d.advance(milliseconds(9)), 0u);
  EXPECT_FALSE(t1.is_woken());
  EXPECT_EQ(d.advance(milliseconds(1)), 1u);
  EXPECT_TRUE(t1.is_woken());
  EXPECT_READY_EQ(t1, kStart + milliseconds(10));
  EXPECT_CONTRACT_ERROR((void)t1.poll(), "Interval::Tick polled after it returned Ready");
}

TEST(Interval, BurstTakesTheMissedTicksBackToBack) {
  EXPECT_EQ(ticks_after_busy_period(MissedTickPolicy::Burst),
            (std::vector<long>{0, 10, 20, 30, -1, 40, 50, 60}));
}

TEST(Interval, DelayRestartsTheScheduleFromNow) {
  EXPECT_EQ(ticks_after_busy_period(MissedTickPolicy::Delay),
            (std::vector<long>{0, 10, -1, 45, 55, 65}));
}

TEST(Interval, SkipDropsTheMissedTicksAndKeepsThePhase) {
  EXPECT_EQ(ticks_after_busy_period(MissedTickPolicy::Skip),
            (std::vector<long>{0, 10, -1, 40, 50, 60}));
}

TEST(Interval, ATickLessThanAPeriodLateKeepsTheSchedule) {
  for (MissedTickPolicy p : {MissedTickPolicy::Burst, MissedTickPolicy::Delay,
                             MissedTickPolicy::Skip}) {
    TimerDriver d(ClockKind::Virtual, kStart);
    Interval iv = pollen::interval(d, milliseconds(10), p);
    EXPECT_EQ(take_due_ticks(iv), std::vector<long>{0});
    EXPECT_EQ(d.advance(milliseconds(17)), 1u);  // the timer of tick 10
    EXPECT_EQ(take_due_ticks(iv), std::vector<long>{10});
    EXPECT_EQ(iv.next_tick(), kStart + milliseconds(20)) << pollen::to_string(p);
  }
}

TEST(Interval, SkipOnAScheduleInstantTakesThatTick) {
  TimerDriver d(ClockKind::Virtual, kStart);
  Interval iv = pollen::interval(d, milliseconds(10), MissedTickPolicy::Skip);
  EXPECT_EQ(take_due_ticks(iv), std::vector<long>{0});
  EXPECT_EQ(d.advance(milliseconds(30)), 1u);
  EXPECT_EQ(take_due_ticks(iv), (std::vector<long>{10, 30}));
}

TEST(Interval, AZeroOrNegativePeriodIsAContractError) {
  TimerDriver d(ClockKind::Virtual, kStart);
  EXPECT_CONTRACT_ERROR(Interval iv = pollen::interval(d, nanoseconds(0)), "the period must be positive");
  EXPECT_CONTRACT_ERROR(Interval iv = pollen::interval(d, seconds(-1)), "the period must be positive");
}

TEST(Interval, AHugePeriodSaturates) {
  TimerDriver d(ClockKind::Virtual, kStart);
  Interval iv = pollen::interval(d, hours::max());
  EXPECT_EQ(take_due_ticks(iv), std::vector<long>{0});
  EXPECT_EQ(iv.next_tick(), pollen::far_future());
}

TEST(Interval, IntervalAtStartsWhereAsked) {
  TimerDriver d(ClockKind::Virtual, kStart);
  Interval iv = pollen::interval_at(d, kStart + milliseconds(5), milliseconds(10));
  EXPECT_TRUE(take_due_ticks(iv).empty());
  EXPECT_EQ(d.advance(milliseconds(5)), 1u);
  EXPECT_EQ(take_due_ticks(iv), std::vector<long>{5});
}

TEST(Interval, ADueTickSpendsTheBudget) {
  TimerDriver d(ClockKind::Virtual, kStart);
  Interval iv = pollen::interval(d, milliseconds(1));
  EXPECT_EQ(d.advance(milliseconds(100)), 0u);
  pollen::test::CountingWaker w;
  pollen::Budget b{3};
  pollen::Context cx(w.waker(), b);
  int ready = 0;
  while (iv.poll_tick(cx).is_ready()) ++ready;
  EXPECT_EQ(ready, 3);  // a burst of 101 due ticks stops at the budget
  EXPECT_EQ(w.wakes(), 1u);
}

TEST(Interval, DestroyingTheIntervalCancelsItsTimerAndDroppingATickLosesNothing) {
  TimerDriver d(ClockKind::Virtual, kStart);
  {
    Interval iv = pollen::interval(d, milliseconds(10));
    EXPECT_EQ(take_due_ticks(iv), std::vector<long>{0});
    {
      auto t = pollen::test::test_task(iv.tick());
      EXPECT_PENDING(t);
    }  // the Tick is dropped while waiting
    EXPECT_EQ(d.pending_timers(), 1u);
    EXPECT_EQ(d.advance(milliseconds(10)), 1u);
    EXPECT_EQ(take_due_ticks(iv), std::vector<long>{10});
    EXPECT_TRUE(take_due_ticks(iv).empty());
    EXPECT_EQ(d.pending_timers(), 1u);
  }
  EXPECT_EQ(d.pending_timers(), 0u);
}

TEST(Interval, ResetRestartsFromNow) {
  TimerDriver d(ClockKind::Virtual, kStart);
  Interval iv = pollen::interval(d, milliseconds(10));
  EXPECT_EQ(take_due_ticks(iv), std::vector<long>{0});
  EXPECT_EQ(d.advance(milliseconds(4)), 0u);
  EXPECT_EQ(d.pending_timers(), 1u);
  iv.reset();
  EXPECT_EQ(iv.next_tick(), kStart + milliseconds(14));
  EXPECT_EQ(d.pending_timers(), 0u);
}

// Before, reset() made the orphaned timer Idle again and read the destroyed
// driver's clock; the next poll then linked it into the freed wheel.
TEST(Interval, ResettingAfterTheDriverIsGoneOrOnAnotherDriverIsAContractError) {
  TimerDriver other(ClockKind::Virtual, kStart);
  std::unique_ptr<TimerDriver> d(new TimerDriver(ClockKind::Virtual, kStart));
  Interval iv = pollen::interval(*d, milliseconds(10));
  EXPECT_EQ(take_due_ticks(iv), std::vector<long>{0});  // and registers tick 10
  EXPECT_TRUE(iv.is_registered());
  {
    TimerDriver::Scope on_other(other);
    EXPECT_CONTRACT_ERROR(iv.reset(), "Interval::reset() on a timer created on another timer driver");
  }
  EXPECT_EQ(iv.next_tick(), kStart + milliseconds(10));
  EXPECT_TRUE(iv.is_registered());
  d.reset();
  EXPECT_CONTRACT_ERROR(iv.reset(), "Interval::reset() after its timer driver (event loop) was destroyed");
  auto t = pollen::test::test_task(iv.tick());
  EXPECT_EQ(t.describe(), "Tick [waiting]\n\u2514\u2500 Interval [every 10 ms, Burst, next tick driver destroyed]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Interval polled after its timer driver (event loop) was destroyed");
}

TEST(Interval, WithoutADriverItUsesTheCurrentLoopsDriver) {
  Interval outside = pollen::interval(seconds(1));  // no driver yet: binds at its first poll
  EXPECT_CONTRACT_ERROR(take_due_ticks(outside),
                        "Interval was built outside an event loop and is polled outside one");
  TimerDriver d(ClockKind::Virtual, kStart);
  TimerDriver::Scope scope(d);
  Interval iv = pollen::interval(seconds(1));
  EXPECT_EQ(take_due_ticks(iv), std::vector<long>{0});
}

TEST(Interval, Describes) {
  TimerDriver d(ClockKind::Virtual, kStart);
  Interval iv = pollen::interval(d, milliseconds(10), MissedTickPolicy::Skip);
  EXPECT_EQ(take_due_ticks(iv), std::vector<long>{0});
  EXPECT_EQ(d.advance(milliseconds(6)), 0u);
  auto t = pollen::test::test_task(iv.tick());
  EXPECT_EQ(t.describe(),
            "Tick [waiting]\n\u2514\u2500 Interval [every 10 ms, Skip, next tick deadline in 4 ms]\n");
}
