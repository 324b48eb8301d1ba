// Timers that outlive their driver, registered or not: every use after the
// driver (a standalone TimerDriver or an EventLoop's) is gone is either
// well-defined (destroying the timer, deadline(), is_elapsed() == false,
// describe() says "driver destroyed") or a ContractError saying so. And a
// timer that nothing drives (a driver's timer awaited by pollen::block_on)
// is a ContractError rather than a thread parked forever.
#include <pollen/core/block_on.hpp>
#include <pollen/core/never.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/time/interval.hpp>
#include <pollen/time/sleep.hpp>
#include <pollen/time/timeout.hpp>

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include <unistd.h>

using namespace std::chrono;
using pollen::ClockKind;
using pollen::Interval;
using pollen::Sleep;
using pollen::TimePoint;
using pollen::TimerDriver;
using pollen::test::test_task;

namespace {
const TimePoint kStart = TimePoint(hours(24));
constexpr const char* kSleepGone = "Sleep polled after its timer driver (event loop) was destroyed";
}  // namespace

// Each of these read the destroyed driver (its clock or its wheel) before:
// only timers linked in the wheel were told that the driver was gone.
TEST(TimerOutlivesDriver, ASleepNeverPolledReportsTheDriverGone) {
  std::unique_ptr<TimerDriver> d(new TimerDriver(ClockKind::Virtual, kStart));
  auto t = test_task(pollen::sleep(*d, seconds(1)));
  d.reset();
  EXPECT_EQ(t.future().deadline(), kStart + seconds(1));
  EXPECT_FALSE(t.future().is_elapsed());  // no clock reaches it any more
  EXPECT_FALSE(t.future().is_registered());
  EXPECT_EQ(t.describe(), "Sleep [driver destroyed]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(), kSleepGone);
  EXPECT_CONTRACT_ERROR(t.future().reset(kStart + seconds(2)),
                        "Sleep::reset() after its timer driver (event loop) was destroyed");
}  // and destroying it is safe

TEST(TimerOutlivesDriver, ASleepThatFiredButWasNotPolledAgainReportsTheDriverGone) {
  std::unique_ptr<TimerDriver> d(new TimerDriver(ClockKind::Virtual, kStart));
  auto t = test_task(pollen::sleep(*d, milliseconds(5)));
  EXPECT_PENDING(t);
  EXPECT_EQ(d->advance(milliseconds(5)), 1u);  // fired: no longer in the wheel
  EXPECT_FALSE(t.future().is_registered());
  d.reset();
  EXPECT_FALSE(t.future().is_elapsed());
  EXPECT_EQ(t.describe(), "Sleep [driver destroyed]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(), kSleepGone);
}

TEST(TimerOutlivesDriver, ASleepBoundAtItsFirstPollReportsTheDriverGone) {
  auto t = test_task(pollen::sleep(milliseconds(5)));  // built outside any loop
  std::unique_ptr<TimerDriver> d(new TimerDriver(ClockKind::Virtual, kStart));
  {
    TimerDriver::Scope scope(*d);
    EXPECT_PENDING(t);  // binds to *d
  }
  EXPECT_TRUE(t.future().is_bound());
  EXPECT_EQ(d->advance(milliseconds(5)), 1u);
  d.reset();
  EXPECT_TRUE(t.future().is_bound());
  EXPECT_FALSE(t.future().is_elapsed());
  EXPECT_CONTRACT_ERROR((void)t.poll(), kSleepGone);
}

TEST(TimerOutlivesDriver, AnIntervalBetweenTicksReportsTheDriverGone) {
  std::unique_ptr<TimerDriver> d(new TimerDriver(ClockKind::Virtual, kStart));
  Interval iv = pollen::interval(*d, milliseconds(10));
  {
    auto tick = test_task(iv.tick());
    EXPECT_READY_EQ(tick, kStart);  // tick 0; tick 10 is scheduled, not registered
  }
  EXPECT_FALSE(iv.is_registered());
  d.reset();
  EXPECT_EQ(iv.next_tick(), kStart + milliseconds(10));
  EXPECT_CONTRACT_ERROR(iv.reset(),
                        "Interval::reset() after its timer driver (event loop) was destroyed");
  auto t = test_task(iv.tick());
  EXPECT_EQ(t.describe(), "Tick [waiting]\n\u2514\u2500 Interval [every 10 ms, Burst, next tick "
                          "driver destroyed]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(),
                        "Interval polled after its timer driver (event loop) was destroyed");
}

TEST(TimerOutlivesDriver, ATimeoutNeverPolledReportsTheDriverGone) {
  std::unique_ptr<TimerDriver> d(new TimerDriver(ClockKind::Virtual, kStart));
  auto t = test_task(pollen::timeout(*d, pollen::never<int>(), seconds(1)));
  d.reset();
  EXPECT_EQ(t.describe(), "Timeout [driver destroyed]\n\u2514\u2500 Never [never ready]\n");
  EXPECT_CONTRACT_ERROR((void)t.poll(),
                        "Timeout polled after its timer driver (event loop) was destroyed");
}

TEST(TimerOutlivesDriver, ATimerOfADestroyedEventLoopReportsTheDriverGone) {
  std::unique_ptr<pollen::EventLoop> loop(new pollen::EventLoop(ClockKind::Virtual));
  auto t = test_task(pollen::sleep(loop->timer_driver(), seconds(1)));
  loop.reset();
  EXPECT_FALSE(t.future().is_elapsed());
  EXPECT_CONTRACT_ERROR((void)t.poll(), kSleepGone);
}

// A new driver built where the old one was is another driver: the timer is
// not adopted by it (its deadline is on the old clock).
TEST(TimerOutlivesDriver, ANewDriverAtTheSameAddressIsNotTheTimersDriver) {
  typename std::aligned_storage<sizeof(TimerDriver), alignof(TimerDriver)>::type storage;
  TimerDriver* first = new (&storage) TimerDriver(ClockKind::Virtual, kStart);
  auto t = test_task(pollen::sleep(*first, seconds(1)));
  first->~TimerDriver();
  TimerDriver* second = new (&storage) TimerDriver(ClockKind::Virtual, kStart);
  ASSERT_EQ(first, second);
  {
    TimerDriver::Scope scope(*second);
    EXPECT_CONTRACT_ERROR((void)t.poll(), kSleepGone);
  }
  EXPECT_EQ(second->pending_timers(), 0u);
  second->~TimerDriver();
}

TEST(TimerOutlivesDriver, MovingATimerAfterItsDriverIsGoneIsSafe) {
  std::unique_ptr<TimerDriver> d(new TimerDriver(ClockKind::Virtual, kStart));
  Sleep a = pollen::sleep(*d, seconds(1));
  auto registered = test_task(pollen::sleep(*d, seconds(1)));
  EXPECT_PENDING(registered);
  d.reset();
  Sleep b(std::move(a));
  auto moved = test_task(std::move(registered.future()));
  EXPECT_EQ(b.deadline(), kStart + seconds(1));
  EXPECT_CONTRACT_ERROR((void)moved.poll(), kSleepGone);
}

// Nothing advances a driver's clock or fires its timers under
// pollen::block_on, which only parks the thread: this used to hang. Run in a
// child process with an alarm, so that a regression fails instead of hanging.
namespace {
[[noreturn]] void block_on_a_drivers_sleep(ClockKind kind) {
  alarm(20);
  TimerDriver d(kind);
#if POLLEN_HAS_EXCEPTIONS
  try {
    pollen::block_on(pollen::sleep(d, milliseconds(10)));
  } catch (const pollen::ContractError& e) {
    std::fprintf(stderr, "%s\n", e.what());
  }
#else
  pollen::block_on(pollen::sleep(d, milliseconds(10)));
#endif
  std::fflush(stderr);
  std::abort();
}
}  // namespace

TEST(TimerDrivenByNothing, ASleepOnADriverUnderPollenBlockOnIsAContractError) {
  EXPECT_DEATH(block_on_a_drivers_sleep(ClockKind::Steady),
               "Sleep polled by pollen::block_on on a timer driver that nothing drives");
  EXPECT_DEATH(block_on_a_drivers_sleep(ClockKind::Virtual),
               "Sleep polled by pollen::block_on on a timer driver that nothing drives");
}

TEST(TimerDrivenByNothing, ADueSleepIsStillReadyUnderPollenBlockOn) {
  TimerDriver d(ClockKind::Virtual, kStart);
  Sleep s = pollen::sleep(d, milliseconds(10));
  d.advance(milliseconds(10));
  EXPECT_EQ(pollen::block_on(std::move(s)), pollen::Unit{});
}

TEST(TimerDrivenByNothing, EventLoopBlockOnDrivesTheSameSleep) {
  pollen::EventLoop loop(ClockKind::Virtual);
  loop.set_auto_advance(true);
  EXPECT_EQ(loop.block_on(pollen::sleep(loop.timer_driver(), milliseconds(10))), pollen::Unit{});
}
