// How the event loop drives its own TimerDriver, seen from the loop's side:
// the driver is current during every turn (and only then), next_deadline()
// comes from it, a virtual clock is jumped instead of slept on (auto-advance),
// a real clock bounds the kernel wait, and due timers fire at the start of
// every turn. Timers run on the loop's virtual clock; TimerDriver::pass_time()
// moves it without firing anything, as a real clock passes during a poll.
#include <pollen/core/poll_fn.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/time/sleep.hpp>

#include "runtime_support.hpp"

#include <gtest/gtest.h>

#include <chrono>

using pollen::Context;
using pollen::EventLoop;
using pollen::Poll;
using pollen::Unit;

TEST(EventLoopTimers, TheLoopsDriverIsCurrentDuringItsTurnsAndNextDeadlineComesFromIt) {
  EventLoop loop(pollen::ClockKind::Virtual);
  const pollen::TimePoint start = loop.now();
  pollen::TimerDriver* seen = nullptr;
  auto h = loop.spawn(pollen::poll_fn([&, s = pollen::Option<pollen::Sleep>()](
                                          Context& cx) mutable -> Poll<Unit> {
    seen = pollen::TimerDriver::current();
    if (!s.has_value()) s.emplace(pollen::sleep(std::chrono::milliseconds(5)));  // the current driver
    return s->poll(cx);
  }));
  EXPECT_EQ(pollen::TimerDriver::current(), nullptr);
  loop.run_until_stalled();
  EXPECT_EQ(seen, &loop.timer_driver());
  EXPECT_EQ(pollen::TimerDriver::current(), nullptr);  // restored after the turns
  ASSERT_TRUE(loop.next_deadline().has_value());
  EXPECT_EQ(*loop.next_deadline(), start + std::chrono::milliseconds(5));
}

TEST(EventLoopTimers, AVirtualClockIsAdvancedInsteadOfSleeping) {
  EventLoop loop(pollen::ClockKind::Virtual);
  loop.set_auto_advance(true);  // opt-in: off by default
  const pollen::TimePoint start = loop.now();
  loop.block_on(pollen::sleep(loop.timer_driver(), std::chrono::hours(1)));
  EXPECT_EQ(loop.now() - start, std::chrono::hours(1));  // one jump, exactly to the deadline
  EXPECT_EQ(loop.stats().sleeps, 0u);
  EXPECT_EQ(loop.stats().polls, 2u);  // registered, then Ready after the jump
}

// The deadline is real time, so a loaded machine or a sanitizer can make
// the first poll outlast a short sleep: the loop then finds the timer due
// and has nothing to wait for. Each attempt sleeps five times longer; the
// first one (200 us, rounded up to a 1 ms kernel wait) nearly always does.
// A loop that spins instead of waiting never sleeps, and fails every attempt.
TEST(EventLoopTimers, ARealClockBoundsTheKernelWait) {
  for (std::chrono::microseconds d(200);; d *= 5) {
    EventLoop loop;
    const pollen::TimePoint start = loop.now();
    loop.block_on(pollen::sleep(loop.timer_driver(), d));
    EXPECT_GE(loop.now() - start, d);
    if (loop.stats().sleeps >= 1u) break;  // slept in the kernel, then fired
    ASSERT_LT(d, std::chrono::seconds(1)) << "the loop never waited in the kernel";
  }
}

TEST(EventLoopTimers, TimersFireEveryTurnEvenWhileATaskSpins) {
  EventLoop loop(pollen::ClockKind::Virtual);
  int spins = 0;
  loop.spawn(rt::Spinner{&spins}).detach();
  auto sleeper = loop.spawn(pollen::sleep(loop.timer_driver(), std::chrono::milliseconds(1)));
  loop.tick();  // polls both; the sleep registers
  loop.timer_driver().pass_time(std::chrono::milliseconds(1));  // due, nothing fired yet
  EXPECT_FALSE(sleeper.is_finished());
  loop.tick();  // the turn fired the timer first: polled despite the spinner
  EXPECT_TRUE(sleeper.is_finished());
  EXPECT_EQ(spins, 2);
}

TEST(EventLoopTimers, WithoutTimersTheLoopHasNoDeadline) {
  EventLoop loop(pollen::ClockKind::Virtual);
  EXPECT_FALSE(loop.next_deadline().has_value());
  int spins = 0;
  loop.spawn(rt::Spinner{&spins}).detach();
  loop.tick();
  EXPECT_FALSE(loop.next_deadline().has_value());
  EXPECT_EQ(loop.timer_driver().pending_timers(), 0u);
}
