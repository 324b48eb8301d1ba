#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/loop_timers.hpp>

#include "runtime_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

using pollen::EventLoop;

TEST(EventLoopTimers, NextDeadlineComesFromTheTimers) {
  EventLoop loop;
  auto* timers = new rt::FakeTimers();
  loop.set_timers(std::unique_ptr<pollen::LoopTimers>(timers));
  auto h = loop.spawn(rt::FakeSleep{timers, std::chrono::milliseconds(5), nullptr});
  loop.run_until_stalled();
  ASSERT_TRUE(loop.next_deadline().has_value());
  EXPECT_EQ(*loop.next_deadline(), timers->now() + std::chrono::milliseconds(5));
  EXPECT_GE(timers->enters, 1);
  EXPECT_EQ(timers->enters, timers->leaves);
}

TEST(EventLoopTimers, AVirtualClockIsAdvancedInsteadOfSleeping) {
  EventLoop loop;
  auto* timers = new rt::FakeTimers(true);
  loop.set_timers(std::unique_ptr<pollen::LoopTimers>(timers));
  loop.set_auto_advance(true);  // opt-in: off by default
  auto start = timers->now();
  loop.block_on(rt::FakeSleep{timers, std::chrono::hours(1), nullptr});
  EXPECT_EQ(timers->now() - start, std::chrono::hours(1));
  EXPECT_EQ(loop.stats().sleeps, 0u);
  EXPECT_EQ(timers->advances, 1);
}

TEST(EventLoopTimers, ARealClockBoundsTheKernelWait) {
  EventLoop loop;
  auto* timers = new rt::FakeTimers(false);
  loop.set_timers(std::unique_ptr<pollen::LoopTimers>(timers));
  loop.block_on(rt::FakeSleep{timers, std::chrono::microseconds(200), nullptr});
  EXPECT_GE(loop.stats().sleeps, 1u);  // slept (rounded up to 1 ms), then fired
}

TEST(EventLoopTimers, TimersFireEveryTurnEvenWhileATaskSpins) {
  EventLoop loop;
  auto* timers = new rt::FakeTimers(true);
  loop.set_timers(std::unique_ptr<pollen::LoopTimers>(timers));
  int spins = 0;
  loop.spawn(rt::Spinner{&spins}).detach();
  auto sleeper = loop.spawn(rt::FakeSleep{timers, std::chrono::milliseconds(1), nullptr});
  loop.tick();  // polls both; the sleep registers
  timers->advance_to(timers->now() + std::chrono::milliseconds(1));
  loop.tick();  // the timer woke the sleeper: polled despite the spinner
  EXPECT_TRUE(sleeper.is_finished());
  EXPECT_EQ(spins, 2);
}

TEST(EventLoopTimers, WithoutTimersTheLoopHasNoDeadline) {
  EventLoop loop;
  EXPECT_EQ(loop.timers(), nullptr);
  EXPECT_FALSE(loop.next_deadline().has_value());
}
