// Timers built before the loop runs: sleep(d), timeout(f, d) and
// interval(p) made with no driver current (in main, before the EventLoop
// exists or before spawn/block_on) bind to the loop that first polls them,
// and d counts from that first poll, on the loop's clock. Everything runs
// on a virtual clock and checks exact instants; nothing times itself.
#include <pollen/core/block_on.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/stream/interval.hpp>
#include <pollen/time/interval.hpp>
#include <pollen/time/sleep.hpp>
#include <pollen/time/timeout.hpp>

#include "alloc_counter.hpp"
#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <utility>
#include <vector>

using namespace std::chrono;
using pollen::ClockKind;
using pollen::EventLoop;
using pollen::Interval;
using pollen::none;
using pollen::Option;
using pollen::Sleep;
using pollen::TimePoint;
using pollen::TimerDriver;
using pollen::Unit;
using pollen::test::test_task;

namespace {

const TimePoint kStart = TimePoint(hours(24));

pollen::LoopOptions virtual_at_start(bool auto_advance = false) {
  pollen::LoopOptions o;
  o.clock = ClockKind::Virtual;
  o.virtual_start = kStart;
  o.auto_advance = auto_advance;
  return o;
}

// Counts its polls and forwards them to a future built before the loop.
template <class F>
struct CountPolls {
  using Output = pollen::output_t<F>;
  F f;
  int* polls;
  pollen::Poll<Output> poll(pollen::Context& cx) {
    ++*polls;
    return f.poll(cx);
  }
};
template <class F>
CountPolls<F> count_polls(F f, int* polls) {
  return CountPolls<F>{std::move(f), polls};
}

// What `make_task_with_a_timeout()` from main returns: a request that never
// answers, bounded by a one-hour timeout.
pollen::Timeout<pollen::Never<int>> make_task_with_a_timeout() {
  return pollen::timeout(pollen::never<int>(), hours(1));
}

}  // namespace

TEST(BeforeLoop, ASleepBuiltBeforeTheLoopExistsCountsFromItsFirstPoll) {
  ASSERT_EQ(TimerDriver::current(), nullptr);
  Sleep s = pollen::sleep(milliseconds(10));  // no loop anywhere yet
  EXPECT_FALSE(s.is_bound());
  EventLoop loop(virtual_at_start());
  int polls = 0;
  auto h = loop.spawn(count_polls(std::move(s), &polls));
  loop.advance(milliseconds(4));  // virtual time passes before the first poll
  EXPECT_EQ(polls, 0);
  EXPECT_EQ(loop.run_until_stalled(), Option<TimePoint>(kStart + milliseconds(14)));
  EXPECT_EQ(polls, 1);
  EXPECT_EQ(loop.advance(milliseconds(9)), 0u);
  EXPECT_TRUE(loop.advance_to_next_timer());
  EXPECT_EQ(loop.now(), kStart + milliseconds(14));
  loop.run_until_stalled();
  EXPECT_EQ(polls, 2);
  EXPECT_TRUE(h.is_finished());
}

TEST(BeforeLoop, ASleepBuiltInMainBeforeSpawnOrBlockOnCompletesAtTheRightInstant) {
  EventLoop loop(virtual_at_start(/*auto_advance=*/true));
  auto h = loop.spawn(pollen::sleep(milliseconds(10)));  // built outside the loop's turns
  loop.run();
  EXPECT_TRUE(h.is_finished());
  EXPECT_EQ(loop.now(), kStart + milliseconds(10));
  loop.block_on(pollen::sleep(milliseconds(5)));
  EXPECT_EQ(loop.now(), kStart + milliseconds(15));
  loop.block_on(pollen::sleep_until(kStart + milliseconds(20)));  // a fixed deadline stays fixed
  EXPECT_EQ(loop.now(), kStart + milliseconds(20));
  EXPECT_EQ(loop.timer_driver().pending_timers(), 0u);
}

TEST(BeforeLoop, ATimeoutBuiltBeforeTheLoopFiresAtTheRightInstant) {
  auto task = make_task_with_a_timeout();  // before the loop exists
  EventLoop loop(virtual_at_start(/*auto_advance=*/true));
  loop.advance(seconds(30));  // before its first poll: does not count
  EXPECT_EQ(loop.block_on(std::move(task)), Option<int>(none));
  EXPECT_EQ(loop.now(), kStart + seconds(30) + hours(1));
  EXPECT_EQ(loop.block_on(make_task_with_a_timeout()), Option<int>(none));
  EXPECT_EQ(loop.now(), kStart + seconds(30) + hours(2));
  EXPECT_EQ(loop.block_on(pollen::timeout_at(pollen::never<int>(), kStart + hours(3))),
            Option<int>(none));
  EXPECT_EQ(loop.now(), kStart + hours(3));
}

TEST(BeforeLoop, ATimeoutBuiltBeforeTheLoopWhoseInnerFutureFinishesFirstGivesSome) {
  // Both the timeout and the sleep inside it are built outside the loop.
  auto first = pollen::timeout(pollen::sleep(milliseconds(5)), hours(1));
  auto at_once = pollen::timeout(pollen::ready(7), hours(1));
  EventLoop loop(virtual_at_start(/*auto_advance=*/true));
  EXPECT_EQ(loop.block_on(std::move(first)), Option<Unit>(Unit{}));
  EXPECT_EQ(loop.now(), kStart + milliseconds(5));
  EXPECT_EQ(loop.timer_driver().pending_timers(), 0u);  // the hour's timer is cancelled
  EXPECT_EQ(loop.block_on(std::move(at_once)), Option<int>(7));
  EXPECT_EQ(loop.now(), kStart + milliseconds(5));
}

TEST(BeforeLoop, AnIntervalBuiltBeforeTheLoopTicksFromItsFirstPoll) {
  auto ticks = pollen::stream::ticks(pollen::interval(milliseconds(10)));
  EventLoop loop(virtual_at_start(/*auto_advance=*/true));
  loop.advance(milliseconds(3));
  struct ThreeTicks {
    using Output = std::vector<TimePoint>;
    pollen::stream::Ticks ticks;
    std::vector<TimePoint> seen;
    pollen::Poll<std::vector<TimePoint>> poll(pollen::Context& cx) {
      while (seen.size() < 3) {
        pollen::Poll<Option<TimePoint>> p = ticks.poll_next(cx);
        if (p.is_pending()) return pollen::pending;
        seen.push_back(*std::move(p).value());
      }
      return std::move(seen);
    }
  };
  std::vector<TimePoint> seen = loop.block_on(ThreeTicks{std::move(ticks), {}});
  EXPECT_EQ(seen, (std::vector<TimePoint>{kStart + milliseconds(3), kStart + milliseconds(13),
                                          kStart + milliseconds(23)}));
}

TEST(BeforeLoop, ATimerFirstPolledByOneLoopBelongsToItAndAnotherLoopsPollIsAContractError) {
  TimerDriver a(ClockKind::Virtual, kStart);
  TimerDriver b(ClockKind::Virtual, kStart + hours(1));
  auto t = test_task(pollen::sleep(seconds(1)));
  {
    TimerDriver::Scope on_a(a);
    EXPECT_PENDING(t);
  }
  EXPECT_TRUE(t.future().is_bound());
  EXPECT_EQ(t.future().deadline(), kStart + seconds(1));
  {
    TimerDriver::Scope on_b(b);
    EXPECT_CONTRACT_ERROR((void)t.poll(), "Sleep was created on one timer driver (event loop) and "
                                          "polled on another; a timer belongs to the loop it was "
                                          "created on (one built outside any loop: to the loop "
                                          "that first polled it)");
    EXPECT_CONTRACT_ERROR(t.future().reset(kStart + seconds(2)),
                          "Sleep::reset() on a timer created on another timer driver");
  }
  EXPECT_EQ(a.advance(seconds(1)), 1u);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, Unit{});  // polled on no loop's turn, as any timer with a driver may be
}

TEST(BeforeLoop, TheSameWithEventLoops) {
  EventLoop a(virtual_at_start());
  EventLoop b(virtual_at_start());
  Sleep s = pollen::sleep(milliseconds(1));
  struct PollOnce {
    using Output = Unit;
    Sleep* s;
    pollen::Poll<Unit> poll(pollen::Context& cx) {
      EXPECT_TRUE(s->poll(cx).is_pending());
      return Unit{};
    }
  };
  a.block_on(PollOnce{&s});
  EXPECT_EQ(a.timer_driver().pending_timers(), 1u);
  EXPECT_CONTRACT_ERROR(b.block_on(PollOnce{&s}), "polled on another");
}

TEST(BeforeLoop, PollingOutsideAnyLoopIsAContractErrorThatNamesTheFix) {
  // pollen::block_on drives no timers: a timer that never met a loop has no
  // clock there.
  EXPECT_CONTRACT_ERROR(pollen::block_on(pollen::sleep(milliseconds(1))),
                        "Sleep was built outside an event loop and is polled outside one, so it "
                        "has no clock; such a timer binds to the event loop that first polls it: "
                        "run it on an EventLoop (loop.block_on(f), loop.spawn(f); pollen::block_on "
                        "has no timers), or build it with a driver");
  EXPECT_CONTRACT_ERROR(pollen::block_on(make_task_with_a_timeout()),
                        "Timeout was built outside an event loop and is polled outside one");
  // timeout polls its inner future first: one that is ready at once never
  // reaches the timer.
  EXPECT_EQ(pollen::block_on(pollen::timeout(pollen::ready(3), hours(1))), Option<int>(3));
}

TEST(BeforeLoop, ResettingAnUnboundSleepKeepsItUnboundWithTheFixedDeadline) {
  Sleep s = pollen::sleep(hours(1));
  s.reset(kStart + milliseconds(2));
  EXPECT_FALSE(s.is_bound());
  EXPECT_EQ(s.deadline(), kStart + milliseconds(2));
  EXPECT_EQ(pollen::describe_states(s), "Sleep [deadline fixed (no loop yet)]\n");
  {
    TimerDriver other(ClockKind::Virtual, kStart);
    TimerDriver::Scope on_other(other);
    s.reset(kStart + milliseconds(3));  // no loop of its own yet: any may reset it
    EXPECT_FALSE(s.is_bound());
    EXPECT_EQ(other.pending_timers(), 0u);
  }
  EventLoop loop(virtual_at_start(/*auto_advance=*/true));
  loop.block_on(std::move(s));
  EXPECT_EQ(loop.now(), kStart + milliseconds(3));
}

TEST(BeforeLoop, ResettingAnUnboundIntervalCountsOnePeriodFromItsFirstPoll) {
  Interval iv = pollen::interval(milliseconds(10));
  iv.reset();
  EXPECT_FALSE(iv.is_bound());
  TimerDriver d(ClockKind::Virtual, kStart);
  TimerDriver::Scope on_d(d);
  auto t = test_task(iv.tick());
  EXPECT_PENDING(t);
  EXPECT_TRUE(iv.is_bound());
  EXPECT_EQ(iv.next_tick(), kStart + milliseconds(10));
  EXPECT_TRUE(d.advance_to_next_timer());
  EXPECT_READY_EQ(t, kStart + milliseconds(10));
}

TEST(BeforeLoop, DroppingUnboundTimersTouchesNoDriverAndAllocatesNothing) {
  pollen::test::AllocCounter allocs;
  {
    Sleep s = pollen::sleep(milliseconds(1));
    Sleep moved(std::move(s));
    auto t = pollen::timeout(pollen::never<int>(), seconds(1));
    Interval iv = pollen::interval(milliseconds(10));
    EXPECT_FALSE(moved.is_bound());
    EXPECT_FALSE(t.is_bound());
    EXPECT_FALSE(iv.is_bound());
  }  // no driver exists at all: destroying them must not look for one
  EXPECT_EQ(allocs.allocations(), 0u);
  TimerDriver d(ClockKind::Virtual, kStart);  // allocates its liveness link, once
  allocs.reset();
  {
    Sleep s = pollen::sleep(milliseconds(1));
    TimerDriver::Scope on_d(d);  // current now, but never polled: stays out of d
    EXPECT_FALSE(s.is_bound());
    EXPECT_FALSE(s.is_elapsed());
  }
  EXPECT_EQ(d.pending_timers(), 0u);
  EXPECT_EQ(d.next_deadline(), Option<TimePoint>(none));
  EXPECT_EQ(allocs.allocations(), 0u);
}

TEST(BeforeLoop, UnboundTimersDescribeWhenTheirDeadlineWillCount) {
  Sleep s = pollen::sleep(milliseconds(10));
  EXPECT_EQ(pollen::describe_states(s), "Sleep [deadline 10 ms after its first poll (no loop yet)]\n");
  auto t = pollen::timeout(pollen::never<int>(), milliseconds(250));
  EXPECT_EQ(pollen::describe_states(t),
            "Timeout [deadline 250 ms after its first poll (no loop yet)]\n\u2514\u2500 Never [never ready]\n");
  Interval iv = pollen::interval(milliseconds(10));
  auto tick = test_task(iv.tick());
  EXPECT_EQ(tick.describe(), "Tick [waiting]\n\u2514\u2500 Interval [every 10 ms, Burst, next tick "
                             "deadline at its first poll (no loop yet)]\n");
  // A task spawned but not yet polled shows it too.
  EventLoop loop(virtual_at_start());
  auto h = loop.spawn("sleeper", std::move(s));
  EXPECT_NE(loop.dump_tasks_text().find("Sleep [deadline 10 ms after its first poll (no loop yet)]"),
            std::string::npos);
  loop.run_until_stalled();
  EXPECT_NE(loop.dump_tasks_text().find("Sleep [deadline in 10 ms]"), std::string::npos);
}

TEST(BeforeLoop, OnTheRealClockTooTheDurationCountsFromTheFirstPoll) {
  Sleep s = pollen::sleep(hours(1));
  const TimePoint created = pollen::SteadyClock::now();
  TimePoint before_poll = pollen::SteadyClock::now();
  while (before_poll <= created) before_poll = pollen::SteadyClock::now();  // the clock moved
  TimerDriver real(ClockKind::Steady);
  TimerDriver::Scope on_real(real);
  auto t = test_task(std::move(s));
  EXPECT_PENDING(t);
  EXPECT_GE(t.future().deadline(), before_poll + hours(1));  // not created + 1 h
  EXPECT_LE(t.future().deadline(), pollen::SteadyClock::now() + hours(1));
}

TEST(BeforeLoop, TimersBuiltInsideALoopKeepTheirCreationDeadline) {
  EventLoop loop(virtual_at_start());
  struct MakeSleep {
    using Output = Sleep;
    pollen::Poll<Sleep> poll(pollen::Context&) { return pollen::sleep(milliseconds(10)); }
  };
  Sleep s = loop.block_on(MakeSleep{});
  EXPECT_TRUE(s.is_bound());
  EXPECT_EQ(s.deadline(), kStart + milliseconds(10));
  loop.advance(milliseconds(4));
  loop.set_auto_advance(true);
  loop.block_on(std::move(s));
  EXPECT_EQ(loop.now(), kStart + milliseconds(10));
}
