#include <pollen/time/sleep.hpp>

#include "alloc_counter.hpp"
#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <utility>

using namespace std::chrono;
using pollen::ClockKind;
using pollen::Sleep;
using pollen::TimePoint;
using pollen::TimerDriver;
using pollen::Unit;
using pollen::test::test_task;

namespace {
const TimePoint kStart = TimePoint(hours(24));
}

TEST(Sleep, IsPendingUntilTheDeadlineThenReady) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::sleep(d, milliseconds(5)));
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.future().is_registered());
  EXPECT_EQ(d.pending_timers(), 1u);
  EXPECT_EQ(d.advance(milliseconds(4)), 0u);
  EXPECT_FALSE(t.is_woken());
  EXPECT_PENDING(t);  // a spurious poll changes nothing
  EXPECT_EQ(d.advance(milliseconds(1)), 1u);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, Unit{});
  EXPECT_EQ(t.future().state(), Sleep::State::Done);
  EXPECT_EQ(d.pending_timers(), 0u);
}

TEST(Sleep, ASleepFirstPolledAfterItsDeadlineIsReadyWithoutATimer) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::sleep(d, milliseconds(5)));
  EXPECT_EQ(d.advance(milliseconds(6)), 0u);  // not registered: nothing to fire
  EXPECT_READY_EQ(t, Unit{});
  EXPECT_EQ(d.pending_timers(), 0u);
}

TEST(Sleep, TheDeadlineIsFixedAtCreationNotAtTheFirstPoll) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto s = pollen::sleep(d, milliseconds(10));
  EXPECT_EQ(s.deadline(), kStart + milliseconds(10));
  EXPECT_EQ(d.advance(milliseconds(7)), 0u);
  auto t = test_task(std::move(s));
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(milliseconds(3)), 1u);
  EXPECT_READY_EQ(t, Unit{});
}

TEST(Sleep, ZeroNegativeAndNowDeadlinesAreReadyAtOnceWithoutATimer) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto zero = test_task(pollen::sleep(d, nanoseconds(0)));
  auto negative = test_task(pollen::sleep(d, seconds(-3)));
  auto min = test_task(pollen::sleep(d, hours::min()));
  auto at_now = test_task(pollen::sleep_until(d, d.now()));
  auto past = test_task(pollen::sleep_until(d, kStart - hours(1)));
  EXPECT_READY_EQ(zero, Unit{});
  EXPECT_READY_EQ(negative, Unit{});
  EXPECT_READY_EQ(min, Unit{});
  EXPECT_READY_EQ(at_now, Unit{});
  EXPECT_READY_EQ(past, Unit{});
  EXPECT_EQ(d.pending_timers(), 0u);
}

TEST(Sleep, DurationMaxAndHoursMaxSaturateAndDoNotFire) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto ns_max = test_task(pollen::sleep(d, nanoseconds::max()));
  auto h_max = test_task(pollen::sleep(d, hours::max()));
  EXPECT_EQ(ns_max.future().deadline(), pollen::far_future());
  EXPECT_EQ(h_max.future().deadline(), pollen::far_future());
  EXPECT_PENDING(ns_max);
  EXPECT_PENDING(h_max);
  EXPECT_EQ(d.advance(hours(24 * 365 * 200)), 0u);
  EXPECT_PENDING(ns_max);
  EXPECT_EQ(ns_max.describe(), "Sleep [deadline never (far future)]\n");
}

TEST(Sleep, AOneHourSleepCompletesInMicrosecondsAndDeterministically) {
  for (int run = 0; run < 3; ++run) {
    TimerDriver d(ClockKind::Virtual, kStart);
    auto t = test_task(pollen::sleep(d, hours(1)));
    EXPECT_PENDING(t);
    EXPECT_TRUE(d.advance_to_next_timer());
    EXPECT_EQ(d.now(), kStart + hours(1));
    EXPECT_TRUE(t.is_woken());
    EXPECT_READY_EQ(t, Unit{});
  }
}

TEST(Sleep, DestroyingAPendingSleepCancelsItsTimerAndReleasesTheWaker) {
  TimerDriver d(ClockKind::Virtual, kStart);
  pollen::test::CountingWaker w;
  const std::size_t refs = w.ref_count();
  {
    auto s = pollen::sleep(d, seconds(1));
    pollen::Context cx(w.waker());
    EXPECT_TRUE(s.poll(cx).is_pending());
    EXPECT_EQ(w.ref_count(), refs + 1);
    EXPECT_EQ(d.pending_timers(), 1u);
  }
  EXPECT_EQ(d.pending_timers(), 0u);
  EXPECT_TRUE(d.wheel().empty());
  EXPECT_EQ(w.ref_count(), refs);
  EXPECT_FALSE(d.next_deadline().has_value());
  EXPECT_EQ(d.advance(seconds(2)), 0u);
  EXPECT_EQ(w.wakes(), 0u);
}

TEST(Sleep, DestructionIsSafeInEveryState) {
  TimerDriver d(ClockKind::Virtual, kStart);
  {  // never polled
    auto s = pollen::sleep(d, seconds(1));
  }
  {  // registered
    auto t = test_task(pollen::sleep(d, seconds(1)));
    EXPECT_PENDING(t);
  }
  {  // fired but not yet polled
    auto t = test_task(pollen::sleep(d, seconds(1)));
    EXPECT_PENDING(t);
    EXPECT_EQ(d.advance(seconds(1)), 1u);
  }
  {  // done
    auto t = test_task(pollen::sleep(d, seconds(1)));
    EXPECT_PENDING(t);
    EXPECT_EQ(d.advance(seconds(1)), 1u);
    EXPECT_READY_EQ(t, Unit{});
  }
  {  // moved from, while registered
    auto a = test_task(pollen::sleep(d, seconds(1)));
    EXPECT_PENDING(a);
    Sleep b(std::move(a.future()));
    EXPECT_EQ(a.future().state(), Sleep::State::Done);
  }
  EXPECT_EQ(d.pending_timers(), 0u);
}

TEST(Sleep, MovingARegisteredSleepMovesItsTimer) {
  TimerDriver d(ClockKind::Virtual, kStart);
  pollen::test::CountingWaker w;
  auto a = pollen::sleep(d, seconds(1));
  pollen::Context cx(w.waker());
  EXPECT_TRUE(a.poll(cx).is_pending());
  Sleep b(std::move(a));
  EXPECT_TRUE(b.is_registered());
  EXPECT_FALSE(a.is_registered());
  EXPECT_EQ(d.pending_timers(), 1u);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "Sleep polled after it returned Ready");
  EXPECT_EQ(d.advance(seconds(1)), 1u);
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_TRUE(b.poll(cx).is_ready());
}

TEST(Sleep, FollowsTheNewestWakerAndClonesOnlyWhenItChanges) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::sleep(d, seconds(1)));
  pollen::test::CountingWaker other;
  EXPECT_PENDING(t);
  const std::size_t refs = other.ref_count();
  EXPECT_TRUE(t.poll_with(other.waker()).is_pending());
  EXPECT_EQ(other.ref_count(), refs + 1);
  EXPECT_TRUE(t.poll_with(other.waker()).is_pending());
  EXPECT_EQ(other.ref_count(), refs + 1);  // same waker: not cloned again
  EXPECT_EQ(d.advance(seconds(1)), 1u);
  EXPECT_EQ(other.wakes(), 1u);
  EXPECT_EQ(t.wake_count(), 0u);
}

TEST(Sleep, AnExpiredSleepSpendsTheCooperativeBudget) {
  TimerDriver d(ClockKind::Virtual, kStart);
  pollen::test::CountingWaker w;
  auto s = pollen::sleep(d, nanoseconds(0));
  pollen::Budget spent{0};
  pollen::Context no_budget(w.waker(), spent);
  EXPECT_TRUE(s.poll(no_budget).is_pending());
  EXPECT_EQ(w.wakes(), 1u);  // re-woken by the budget
  pollen::Budget some{5};
  pollen::Context cx(w.waker(), some);
  EXPECT_TRUE(s.poll(cx).is_ready());
  EXPECT_EQ(some.remaining, 4u);
}

TEST(Sleep, PollingAfterReadyIsAContractError) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::sleep(d, nanoseconds(0)));
  EXPECT_READY_EQ(t, Unit{});
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Sleep polled after it returned Ready");
}

TEST(Sleep, PollingOnAnotherDriversLoopIsAContractError) {
  TimerDriver a(ClockKind::Virtual, kStart);
  TimerDriver b(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::sleep(a, seconds(1)));
  {
    TimerDriver::Scope on_a(a);
    EXPECT_PENDING(t);  // its own driver: fine
  }
  TimerDriver::Scope on_b(b);
  EXPECT_CONTRACT_ERROR((void)t.poll(),
                        "Sleep was created on one timer driver (event loop) and polled on another");
}

TEST(Sleep, PollingAfterTheDriverWasDestroyedIsAContractErrorAndDestroyingIsSafe) {
  std::unique_ptr<TimerDriver> d(new TimerDriver(ClockKind::Virtual, kStart));
  auto t = test_task(pollen::sleep(*d, seconds(1)));
  EXPECT_PENDING(t);
  d.reset();
  EXPECT_EQ(t.describe(), "Sleep [driver destroyed]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Sleep polled after its timer driver (event loop) was "
                                        "destroyed");
}

TEST(Sleep, WithoutADriverItUsesTheCurrentLoopsDriver) {
  auto outside = test_task(pollen::sleep(seconds(1)));  // no driver yet: binds at its first poll
  EXPECT_CONTRACT_ERROR((void)outside.poll(),
                        "Sleep was built outside an event loop and is polled outside one");
  TimerDriver d(ClockKind::Virtual, kStart);
  TimerDriver::Scope scope(d);
  auto t = test_task(pollen::sleep(milliseconds(3)));
  EXPECT_EQ(t.future().deadline(), kStart + milliseconds(3));
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(milliseconds(3)), 1u);
  EXPECT_READY_EQ(t, Unit{});
  auto u = test_task(pollen::sleep_until(kStart));
  EXPECT_READY_EQ(u, Unit{});
}

TEST(Sleep, DescribesTheTimeLeft) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::sleep(d, milliseconds(5)));
  EXPECT_EQ(d.advance(microseconds(200)), 0u);
  EXPECT_EQ(t.describe(), "Sleep [deadline in 4.8 ms]\n");
  EXPECT_EQ(d.advance(microseconds(4800)), 0u);  // never polled: no timer to fire
  EXPECT_EQ(t.describe(), "Sleep [deadline now]\n");
  EXPECT_EQ(d.advance(seconds(90)), 0u);
  EXPECT_EQ(t.describe(), "Sleep [deadline passed 1.5 min ago]\n");
  EXPECT_READY_EQ(t, Unit{});
  EXPECT_EQ(t.describe(), "Sleep [done]\n");
  EXPECT_EQ(pollen::detail::format_duration(nanoseconds(250)), "250 ns");
  EXPECT_EQ(pollen::detail::format_duration(microseconds(12)), "12 us");
  EXPECT_EQ(pollen::detail::format_duration(hours(36)), "1.5 d");
  EXPECT_EQ(pollen::detail::format_duration(nanoseconds::max()), "292 years");
}

TEST(Sleep, IsADriverPointerAndATimerEntry) {
  // The deadline lives in the timer entry and the state in its spare byte:
  // what a sleeping task carries beyond its header. Grows only on purpose.
  EXPECT_EQ(sizeof(Sleep), sizeof(void*) + sizeof(pollen::TimerEntry));
  RecordProperty("sizeof_sleep", static_cast<int>(sizeof(Sleep)));
}

TEST(Sleep, MovingAnUnregisteredSleepKeepsItsDeadlineAndState) {
  TimerDriver d(ClockKind::Virtual, kStart);
  Sleep a = pollen::sleep(d, milliseconds(5));
  Sleep b(std::move(a));
  EXPECT_EQ(b.deadline(), kStart + milliseconds(5));
  EXPECT_EQ(b.state(), Sleep::State::Waiting);
  EXPECT_EQ(a.state(), Sleep::State::Done);
  auto t = test_task(std::move(b));
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(milliseconds(5)), 1u);
  EXPECT_READY_EQ(t, Unit{});
  EXPECT_EQ(t.future().state(), Sleep::State::Done);
}

// ---- reset(deadline) ----------------------------------------------------

TEST(SleepReset, RearmsAPendingSleepInPlaceWithoutAllocating) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::sleep(d, milliseconds(5)));
  EXPECT_PENDING(t);
  // The wheel's slot for the new deadline already has room (a slot's first
  // entry grows its vector: the wheel's cost, whoever arrives there).
  auto neighbour = test_task(pollen::sleep(d, milliseconds(20)));
  EXPECT_PENDING(neighbour);
  pollen::test::AllocCounter allocs;
  t.future().reset(kStart + milliseconds(20));
  EXPECT_EQ(allocs.allocations(), 0u);  // no new Sleep, no new timer entry
  EXPECT_EQ(t.future().state(), Sleep::State::Waiting);
  EXPECT_EQ(t.future().deadline(), kStart + milliseconds(20));
  EXPECT_TRUE(t.future().is_registered());  // still, with the task's waker
  EXPECT_EQ(d.pending_timers(), 2u);
  EXPECT_EQ(d.advance(milliseconds(5)), 0u);  // the old deadline: nothing fires
  EXPECT_FALSE(t.is_woken());
  EXPECT_EQ(d.advance(milliseconds(15)), 2u);  // woken at the new one, no poll in between
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, Unit{});
  EXPECT_READY_EQ(neighbour, Unit{});
  EXPECT_EQ(d.pending_timers(), 0u);
}

TEST(SleepReset, ResetsAFinishedSleepToPendingUntilTheNewDeadline) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::sleep(d, milliseconds(1)));
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(milliseconds(1)), 1u);
  EXPECT_READY_EQ(t, Unit{});
  EXPECT_EQ(t.describe(), "Sleep [done]\n");
  pollen::test::AllocCounter allocs;
  t.future().reset(d.now() + milliseconds(4));
  EXPECT_EQ(allocs.allocations(), 0u);
  EXPECT_EQ(t.future().state(), Sleep::State::Waiting);
  EXPECT_EQ(t.describe(), "Sleep [deadline in 4 ms]\n");
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(milliseconds(3)), 0u);
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(milliseconds(1)), 1u);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, Unit{});
  // Again: one Sleep serves any number of deadlines.
  t.future().reset(d.now() + seconds(1));
  EXPECT_PENDING(t);
  EXPECT_TRUE(d.advance_to_next_timer());
  EXPECT_EQ(d.now(), kStart + milliseconds(5) + seconds(1));
  EXPECT_READY_EQ(t, Unit{});
}

TEST(SleepReset, AnEarlierDeadlineFiresAtItsTimeAndAPassedOneWakesAtOnce) {
  TimerDriver d(ClockKind::Virtual, kStart);
  auto earlier = test_task(pollen::sleep(d, hours(1)));
  auto passed = test_task(pollen::sleep(d, hours(1)));
  EXPECT_PENDING(earlier);
  EXPECT_PENDING(passed);
  earlier.future().reset(kStart + milliseconds(2));
  passed.future().reset(kStart - seconds(1));
  EXPECT_EQ(passed.wake_count(), 1u);  // woken by reset(): its poll finds the deadline passed
  EXPECT_FALSE(passed.future().is_registered());
  EXPECT_EQ(d.pending_timers(), 1u);
  EXPECT_READY_EQ(passed, Unit{});
  EXPECT_EQ(d.advance(milliseconds(2)), 1u);
  EXPECT_TRUE(earlier.is_woken());
  EXPECT_READY_EQ(earlier, Unit{});
  EXPECT_EQ(d.pending_timers(), 0u);
}

TEST(SleepReset, AnUnpolledSleepRegistersAtItsNextPollAndKeepsNoWaker) {
  TimerDriver d(ClockKind::Virtual, kStart);
  pollen::test::CountingWaker w;
  const std::size_t refs = w.ref_count();
  Sleep s = pollen::sleep(d, milliseconds(1));
  s.reset(kStart + milliseconds(3));
  EXPECT_FALSE(s.is_registered());
  EXPECT_EQ(d.pending_timers(), 0u);
  EXPECT_EQ(d.advance(milliseconds(1)), 0u);
  pollen::Context cx(w.waker());
  EXPECT_TRUE(s.poll(cx).is_pending());  // the old deadline has passed, the new one not
  EXPECT_EQ(w.ref_count(), refs + 1);
  EXPECT_EQ(d.advance(milliseconds(2)), 1u);
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_TRUE(s.poll(cx).is_ready());
  EXPECT_EQ(w.ref_count(), refs);
}

TEST(SleepReset, AMovedFromSleepCanBeResetAndUsedAgain) {
  TimerDriver d(ClockKind::Virtual, kStart);
  Sleep a = pollen::sleep(d, milliseconds(1));
  Sleep b(std::move(a));
  EXPECT_EQ(a.state(), Sleep::State::Done);
  a.reset(kStart + milliseconds(2));
  auto t = test_task(std::move(a));
  EXPECT_PENDING(t);
  EXPECT_EQ(d.advance(milliseconds(2)), 1u);
  EXPECT_READY_EQ(t, Unit{});
}

TEST(SleepReset, ResettingAfterTheDriverIsGoneOrOnAnotherDriverIsAContractError) {
  TimerDriver other(ClockKind::Virtual, kStart);
  std::unique_ptr<TimerDriver> d(new TimerDriver(ClockKind::Virtual, kStart));
  auto t = test_task(pollen::sleep(*d, seconds(1)));
  EXPECT_PENDING(t);
  {
    TimerDriver::Scope on_other(other);
    EXPECT_CONTRACT_ERROR(t.future().reset(kStart + seconds(2)),
                          "Sleep::reset() on a timer created on another timer driver");
  }
  EXPECT_EQ(t.future().deadline(), kStart + seconds(1));
  d.reset();
  EXPECT_CONTRACT_ERROR(t.future().reset(kStart + seconds(2)),
                        "Sleep::reset() after its timer driver (event loop) was destroyed");
  EXPECT_EQ(t.describe(), "Sleep [driver destroyed]\n");
}
