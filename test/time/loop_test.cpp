// Timers on a real EventLoop: the loop owns a TimerDriver, a virtual clock
// moves only when told to (or with auto-advance, opted in), the real clock
// path sleeps in the kernel. Everything counts polls and turns; nothing
// times itself (the one real-clock test sleeps 3 ms, longer only if the
// machine stalls it).
#include <pollen/core/block_on.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/stream/interval.hpp>
#include <pollen/time/interval.hpp>
#include <pollen/time/sleep.hpp>
#include <pollen/time/timeout.hpp>

#include "contract.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

using pollen::ClockKind;
using pollen::EventLoop;
using pollen::TimePoint;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// Sleeps `d` on the current loop's driver (created at the first poll, inside
// the task), counting its polls.
struct SleepTask {
  using Output = pollen::Unit;
  pollen::Duration d;
  int* polls;
  std::unique_ptr<pollen::Sleep> s;
  SleepTask(pollen::Duration dur, int* p) : d(dur), polls(p) {}
  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    ++*polls;
    if (!s) s.reset(new pollen::Sleep(pollen::sleep(d)));
    return s->poll(cx);
  }
};

struct NeverReady {
  using Output = int;
  pollen::Poll<int> poll(pollen::Context&) { return pollen::pending; }
};

struct Ready7 {
  using Output = int;
  pollen::Poll<int> poll(pollen::Context&) { return 7; }
};

// timeout(NeverReady, d) made inside the task.
struct TimeoutTask {
  using Output = pollen::Option<int>;
  pollen::Duration d;
  std::unique_ptr<pollen::Timeout<NeverReady>> t;
  explicit TimeoutTask(pollen::Duration dur) : d(dur) {}
  pollen::Poll<pollen::Option<int>> poll(pollen::Context& cx) {
    if (!t) t.reset(new pollen::Timeout<NeverReady>(pollen::timeout(NeverReady{}, d)));
    return t->poll(cx);
  }
};

// Wakes itself on every poll and moves the loop's virtual clock by `step`.
struct ClockPusher {
  using Output = pollen::Unit;
  int* polls;
  pollen::Duration step;
  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    ++*polls;
    if (step > pollen::Duration::zero()) EventLoop::current()->advance(step);
    cx.waker().wake_by_ref();
    return pollen::pending;
  }
};

// Returns a Sleep made inside a task of the loop that runs it.
struct MakeSleep {
  using Output = pollen::Sleep;
  pollen::Poll<pollen::Sleep> poll(pollen::Context&) { return pollen::sleep(milliseconds(1)); }
};

}  // namespace

TEST(LoopTime, EveryLoopOwnsASteadyDriverByDefault) {
  EventLoop loop;
  EXPECT_FALSE(loop.is_virtual_clock());
  EXPECT_FALSE(loop.timer_driver().is_virtual());
  EXPECT_FALSE(loop.next_deadline().has_value());
  EXPECT_FALSE(loop.auto_advance());
}

TEST(LoopTime, SleepOnAVirtualLoopWaitsForAdvance) {
  EventLoop loop(ClockKind::Virtual);
  const TimePoint start = loop.now();
  int polls = 0;
  auto h = loop.spawn(SleepTask(milliseconds(10), &polls));
  pollen::Option<TimePoint> next = loop.run_until_stalled();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, start + milliseconds(10));
  EXPECT_EQ(polls, 1);
  EXPECT_EQ(loop.now(), start);  // run_until_stalled never moves the clock
  EXPECT_EQ(loop.advance(milliseconds(9)), 0u);
  loop.run_until_stalled();
  EXPECT_EQ(polls, 1);
  EXPECT_EQ(loop.advance(milliseconds(1)), 1u);
  EXPECT_FALSE(loop.run_until_stalled().has_value());
  EXPECT_EQ(polls, 2);
  EXPECT_TRUE(h.is_finished());
}

TEST(LoopTime, VirtualStartFromOptions) {
  pollen::LoopOptions opts;
  opts.clock = ClockKind::Virtual;
  opts.virtual_start = TimePoint(seconds(100));
  EventLoop loop(opts);
  EXPECT_EQ(loop.now(), TimePoint(seconds(100)));
  loop.advance(seconds(1));
  EXPECT_EQ(loop.now(), TimePoint(seconds(101)));
}

TEST(LoopTime, AnHourLongTimeoutEndsAtOnceAndTheSameEveryRun) {
  for (int run = 0; run < 3; ++run) {
    pollen::LoopOptions opts;
    opts.clock = ClockKind::Virtual;
    opts.virtual_start = TimePoint(seconds(5));
    opts.auto_advance = true;
    EventLoop loop(opts);
    pollen::Option<int> r = loop.block_on(TimeoutTask(hours(1)));
    EXPECT_FALSE(r.has_value());
    EXPECT_EQ(loop.now(), TimePoint(seconds(5)) + hours(1));
    EXPECT_EQ(loop.stats().sleeps, 0u);  // never waited in the kernel
    EXPECT_EQ(loop.stats().polls, 2u);
  }
}

TEST(LoopTime, TimeoutLetsAnInnerFutureReadyFirstWin) {
  EventLoop loop(ClockKind::Virtual);
  pollen::Option<int> r = loop.block_on(pollen::timeout(loop.timer_driver(), Ready7{}, hours(1)));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 7);
}

TEST(LoopTime, AutoAdvanceIsOffByDefaultAndOptIn) {
  EventLoop loop(ClockKind::Virtual);
  EXPECT_FALSE(loop.auto_advance());
  const TimePoint start = loop.now();
  int polls[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) loop.spawn(SleepTask(seconds(i + 1), &polls[i])).detach();
  loop.run_until_stalled();
  EXPECT_EQ(loop.now(), start);
  loop.set_auto_advance(true);
  EXPECT_TRUE(loop.auto_advance());
  loop.run();
  EXPECT_EQ(loop.now(), start + seconds(3));
  for (int p : polls) EXPECT_EQ(p, 2);
  EXPECT_EQ(loop.stats().sleeps, 0u);
}

TEST(LoopTime, WithoutAutoAdvanceBlockOnWaitsInTheKernelForACrossThreadWake) {
  EventLoop loop(ClockKind::Virtual);
  const TimePoint start = loop.now();
  std::thread waker_thread;
  int polls = 0;
  struct Root {
    using Output = int;
    std::thread* th;
    int* polls;
    std::unique_ptr<pollen::Sleep> s;
    pollen::Poll<int> poll(pollen::Context& cx) {
      if (++*polls == 1) {
        s.reset(new pollen::Sleep(pollen::sleep(hours(1))));
        EXPECT_TRUE(s->poll(cx).is_pending());
        pollen::Waker w = cx.waker();
        *th = std::thread([w]() mutable { w.wake_by_ref(); });
        return pollen::pending;
      }
      return 1;
    }
  };
  EXPECT_EQ(loop.block_on(Root{&waker_thread, &polls, nullptr}), 1);
  waker_thread.join();
  EXPECT_EQ(polls, 2);                // no spinning: one poll per wake
  EXPECT_EQ(loop.now(), start);       // waiting did not move the clock
  EXPECT_LE(loop.stats().ticks, 4u);  // at most one turn per kernel wait
}

TEST(LoopTime, TimeControlNeedsAVirtualClock) {
  EventLoop loop;
  EXPECT_CONTRACT_ERROR(loop.advance(milliseconds(1)), "needs a virtual clock");
  EXPECT_CONTRACT_ERROR(loop.advance_to_next_timer(), "needs a virtual clock");
  EXPECT_CONTRACT_ERROR(loop.set_auto_advance(true), "ClockKind::Virtual");
  loop.set_auto_advance(false);  // turning it off is always fine
  pollen::LoopOptions opts;
  opts.auto_advance = true;
  EXPECT_CONTRACT_ERROR(EventLoop bad(opts), "auto_advance is set for a loop on the steady clock");
}

TEST(LoopTime, AdvanceWakesExactlyTheDueTasks) {
  EventLoop loop(ClockKind::Virtual);
  std::vector<int> polls(10, 0);
  for (int i = 0; i < 10; ++i) loop.spawn(SleepTask(milliseconds(i + 1), &polls[i])).detach();
  loop.run_until_stalled();
  const std::size_t before = loop.stats().polls;
  EXPECT_EQ(loop.advance(milliseconds(5)), 5u);
  loop.run_until_stalled();
  EXPECT_EQ(loop.stats().polls - before, 5u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(polls[i], i < 5 ? 2 : 1) << i;
  EXPECT_EQ(loop.stats().tasks_alive, 5u);
}

TEST(LoopTime, ASelfWakingTaskCannotStarveATimerBetweenTicks) {
  EventLoop loop(ClockKind::Virtual);
  int spins = 0;
  int sleeper_polls = 0;
  loop.spawn(ClockPusher{&spins, pollen::Duration::zero()}).detach();
  auto sleeper = loop.spawn(SleepTask(milliseconds(1), &sleeper_polls));
  loop.tick();  // both polled; the sleep registers
  EXPECT_EQ(loop.advance(milliseconds(1)), 1u);
  loop.tick();  // the sleeper is polled despite the spinner
  EXPECT_TRUE(sleeper.is_finished());
  EXPECT_EQ(spins, 2);
  EXPECT_EQ(sleeper_polls, 2);
}

TEST(LoopTime, ASelfWakingTaskCannotStarveATimerInBlockOn) {
  // The busy task moves the virtual clock 1 us per poll: the 1 ms timer is
  // due after 1000 of its polls, and must fire in the next turn (a turn
  // polls at most 128 tasks), not whenever the busy task stops.
  EventLoop loop(ClockKind::Virtual);
  int spins = 0;
  int sleeper_polls = 0;
  loop.spawn(ClockPusher{&spins, microseconds(1)}).detach();
  loop.block_on(SleepTask(milliseconds(1), &sleeper_polls));
  EXPECT_EQ(sleeper_polls, 2);
  EXPECT_GE(spins, 1000);
  EXPECT_LE(spins, 1000 + 2 * 128);
}

// Real time: if the machine stalls the first poll past the deadline, the
// loop has nothing to wait for, so each attempt sleeps four times longer
// (the first, 3 ms, nearly always suffices). A busy loop fails every one.
TEST(LoopTime, TheRealClockSleepsInTheKernel) {
  for (milliseconds d(3);; d *= 4) {
    EventLoop loop;
    int polls = 0;
    const TimePoint start = loop.now();
    loop.block_on(SleepTask(d, &polls));
    EXPECT_GE(loop.now() - start, d);
    EXPECT_LE(loop.stats().ticks, 6u);  // no busy loop
    if (loop.stats().sleeps >= 1u) {    // waited in the kernel
      EXPECT_EQ(polls, 2);              // woken once, when due
      break;
    }
    ASSERT_LT(d, seconds(1)) << "the loop never waited in the kernel";
  }
}

TEST(LoopTime, NextDeadlineForAHostMainLoop) {
  EventLoop loop(ClockKind::Virtual);
  const TimePoint start = loop.now();
  EXPECT_FALSE(loop.next_deadline().has_value());
  EXPECT_FALSE(loop.advance_to_next_timer());
  int polls = 0;
  auto h = loop.spawn(SleepTask(milliseconds(7), &polls));
  loop.tick();
  ASSERT_TRUE(loop.next_deadline().has_value());
  EXPECT_EQ(*loop.next_deadline(), start + milliseconds(7));
  EXPECT_FALSE(loop.has_ready_tasks());
  EXPECT_TRUE(loop.advance_to_next_timer());
  EXPECT_EQ(loop.now(), start + milliseconds(7));
  EXPECT_TRUE(loop.has_ready_tasks());
  loop.tick();
  EXPECT_TRUE(h.is_finished());
  EXPECT_FALSE(loop.next_deadline().has_value());
}

TEST(LoopTime, ATimerFromAnotherLoopIsAContractError) {
  EventLoop a(ClockKind::Virtual);
  EventLoop b(ClockKind::Virtual);
  pollen::Sleep made_in_a = a.block_on(MakeSleep{});
  EXPECT_CONTRACT_ERROR(b.block_on(std::move(made_in_a)), "polled on another");
  pollen::Sleep explicit_a = pollen::sleep(a.timer_driver(), milliseconds(1));
  EXPECT_CONTRACT_ERROR(b.block_on(std::move(explicit_a)), "polled on another");
}

TEST(LoopTime, ASleepBuiltAndPolledOutsideAnyLoopIsAContractError) {
  {
    EventLoop loop(ClockKind::Virtual);
    loop.block_on(pollen::sleep(loop.timer_driver(), milliseconds(0)));
  }
  EXPECT_EQ(pollen::TimerDriver::current(), nullptr);  // restored after the loop
  pollen::Sleep s = pollen::sleep(milliseconds(1));    // fine: binds at its first poll
  EXPECT_FALSE(s.is_bound());
  EXPECT_CONTRACT_ERROR(pollen::block_on(std::move(s)),
                        "Sleep was built outside an event loop and is polled outside one, so it "
                        "has no clock; such a timer binds to the event loop that first polls it: "
                        "run it on an EventLoop");
}

TEST(LoopTime, AnIntervalTicksOnTheLoop) {
  EventLoop loop(ClockKind::Virtual);
  loop.set_auto_advance(true);
  const TimePoint start = loop.now();
  struct ThreeTicks {
    using Output = std::vector<TimePoint>;
    std::unique_ptr<pollen::stream::Ticks> ticks;
    std::vector<TimePoint> seen;
    pollen::Poll<std::vector<TimePoint>> poll(pollen::Context& cx) {
      if (!ticks) {
        ticks.reset(new pollen::stream::Ticks(pollen::stream::ticks(pollen::interval(milliseconds(10)))));
      }
      while (seen.size() < 3) {
        pollen::Poll<pollen::Option<TimePoint>> p = ticks->poll_next(cx);
        if (p.is_pending()) return pollen::pending;
        seen.push_back(*std::move(p).value());
      }
      return std::move(seen);
    }
  };
  std::vector<TimePoint> seen = loop.block_on(ThreeTicks{});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], start);
  EXPECT_EQ(seen[1], start + milliseconds(10));
  EXPECT_EQ(seen[2], start + milliseconds(20));
  EXPECT_EQ(loop.now(), start + milliseconds(20));
}

TEST(LoopTime, AdvanceSaturatesAndIgnoresNegativeDurations) {
  EventLoop loop(ClockKind::Virtual);
  const TimePoint start = loop.now();
  EXPECT_EQ(loop.advance(milliseconds(-5)), 0u);
  EXPECT_EQ(loop.now(), start);
  EXPECT_EQ(loop.advance_to(start - seconds(1)), 0u);  // time never goes back
  EXPECT_EQ(loop.now(), start);
  loop.advance(hours::max());
  EXPECT_EQ(loop.now(), pollen::far_future());
  loop.advance(std::chrono::nanoseconds::max());
  EXPECT_EQ(loop.now(), pollen::far_future());
}
