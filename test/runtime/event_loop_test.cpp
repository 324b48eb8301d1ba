#include <pollen/core/block_on.hpp>
#include <pollen/core/lazy.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/yield_now.hpp>
#include <pollen/sync/channel.hpp>
#include <pollen/time/sleep.hpp>
#include <pollen/future/join.hpp>

#include "adapters.hpp"
#include "alloc_counter.hpp"
#include "contract.hpp"
#include "probe.hpp"
#include "runtime_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using pollen::Context;
using pollen::EventLoop;
using pollen::Poll;
using pollen::Unit;

namespace {

bool readable(int fd) {
  struct pollfd p;
  p.fd = fd;
  p.events = POLLIN;
  p.revents = 0;
  return ::poll(&p, 1, 0) == 1;
}

// Leaves the task waiting on `s` in the loop's ready queue with no waker of
// it left (only the owner reference holds its block): woken during a tick,
// it waits for the next one.
void queue_during_a_tick(EventLoop& loop, const std::shared_ptr<rt::GateState>& s) {
  loop.spawn(pollen::lazy([s] { std::move(s->waker).wake(); })).detach();
  loop.tick();
}

}  // namespace

// --- running tasks ------------------------------------------------------------

TEST(EventLoop, RunDrivesEverySpawnedTaskToCompletion) {
  EventLoop loop;
  int done = 0;
  for (int i = 0; i < 10; ++i) {
    loop.spawn(pollen::test::pending_once(pollen::lazy([&] { ++done; }))).detach();
  }
  EXPECT_EQ(done, 0);  // spawning polls nothing
  loop.run();
  EXPECT_EQ(done, 10);
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
}

TEST(EventLoop, BlockOnReturnsTheRootOutputAndDrivesSpawnedTasks) {
  EventLoop loop;
  auto g = rt::gate(7);
  pollen::JoinHandle<int> waiter = loop.spawn(std::move(g.second));
  auto opener = loop.spawn(pollen::lazy([s = g.first] { s->open_and_wake(); }));
  int v = loop.block_on(std::move(waiter)).value();
  EXPECT_EQ(v, 7);
  EXPECT_TRUE(opener.is_finished());
}

TEST(EventLoop, ATaskIsPolledOnlyWhenWoken) {
  EventLoop loop;
  auto g = rt::gate();
  auto h = loop.spawn(std::move(g.second));
  loop.run_until_stalled();
  EXPECT_EQ(g.first->polls, 1);
  loop.run_until_stalled();
  loop.tick();
  EXPECT_EQ(g.first->polls, 1);  // nobody woke it
  g.first->open_and_wake();
  loop.run_until_stalled();
  EXPECT_EQ(g.first->polls, 2);
  EXPECT_TRUE(h.is_finished());
}

TEST(EventLoop, TwoWakesBeforeAPollQueueTheTaskOnce) {
  EventLoop loop;
  auto g = rt::gate();
  auto h = loop.spawn(std::move(g.second));
  loop.run_until_stalled();
  g.first->waker.wake();
  g.first->waker.wake();
  loop.run_until_stalled();
  EXPECT_EQ(g.first->polls, 2);
  EXPECT_EQ(loop.stats().wakes, 2u);
  EXPECT_EQ(loop.stats().polls, 2u);
}

TEST(EventLoop, AWakeDuringAPollSchedulesExactlyOneMorePoll) {
  EventLoop loop;
  int polls = 0;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<int> {
    if (++polls == 2) return 2;
    cx.waker().wake();
    cx.waker().wake();
    cx.waker().wake();
    return pollen::pending;
  }));
  loop.run_until_stalled();
  EXPECT_EQ(polls, 2);
  EXPECT_TRUE(h.is_finished());
}

TEST(EventLoop, ASelfWakeIsPolledOnTheNextTurnNotRecursively) {
  EventLoop loop;
  int depth = 0;
  int max_depth = 0;
  int polls = 0;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<Unit> {
    ++depth;
    max_depth = std::max(max_depth, depth);
    ++polls;
    cx.waker().wake();
    --depth;
    if (polls == 1000) return Unit{};
    return pollen::pending;
  }));
  loop.run();
  EXPECT_EQ(polls, 1000);
  EXPECT_EQ(max_depth, 1);
}

TEST(EventLoop, RunUntilStalledReturnsWhenNothingIsReadyWithTasksStillAlive) {
  EventLoop loop;
  auto g = rt::gate();
  auto h = loop.spawn(std::move(g.second));
  loop.run_until_stalled();  // would hang if it waited for the gate
  EXPECT_EQ(loop.stats().tasks_alive, 1u);
  EXPECT_EQ(loop.stats().sleeps, 0u);
}

TEST(EventLoop, RunReturnsAtOnceWithoutTasks) {
  EventLoop loop;
  loop.run();
  EXPECT_EQ(loop.stats().polls, 0u);
}

TEST(EventLoop, TasksArePolledInWakeOrder) {
  EventLoop loop;
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) {
    loop.spawn(pollen::lazy([&order, i] { order.push_back(i); })).detach();
  }
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

// --- turns --------------------------------------------------------------------
// A turn takes in cross-thread wakes, fires due timers, then polls the tasks
// ready at that point; a task woken during the turn runs in the next one.
// The same for run, block_on, run_until_stalled and tick.

namespace {
// Wakes itself `n` times, noting the turn (stats().ticks) of each poll.
struct NotesItsTurns {
  using Output = int;
  EventLoop* loop;
  std::vector<std::size_t>* turns;
  int n;
  Poll<int> poll(Context& cx) {
    turns->push_back(loop->stats().ticks);
    if (static_cast<int>(turns->size()) > n) return n;
    cx.waker().wake();
    return pollen::pending;
  }
};
}  // namespace

TEST(EventLoopTurns, ASelfWakeRunsInTheNextTurnUnderEveryDriver) {
  for (int driver = 0; driver < 4; ++driver) {
    EventLoop loop;
    std::vector<std::size_t> turns;
    auto h = loop.spawn(NotesItsTurns{&loop, &turns, 3});
    switch (driver) {
      case 0: loop.run(); break;
      case 1: (void)loop.block_on(std::move(h)); break;
      case 2: loop.run_until_stalled(); break;
      case 3: while (loop.tick() != 0) {} break;
    }
    ASSERT_EQ(turns.size(), 4u) << driver;
    for (std::size_t i = 1; i < turns.size(); ++i) EXPECT_EQ(turns[i], turns[i - 1] + 1) << driver;
  }
}

TEST(EventLoopTurns, ATaskWokenByAnotherDuringATurnRunsInTheNextTurn) {
  EventLoop loop;
  auto g = rt::gate(1);
  std::size_t opened_in = 0;
  std::size_t woken_polled_in = 0;
  auto waiter = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<int> {
    woken_polled_in = loop.stats().ticks;
    return g.second.poll(cx);
  }));
  loop.spawn(pollen::test::pending_once(pollen::lazy([&] {
    opened_in = loop.stats().ticks;
    g.first->open_and_wake();
  }))).detach();
  EXPECT_EQ(loop.block_on(std::move(waiter)).value(), 1);
  EXPECT_EQ(woken_polled_in, opened_in + 1);
}

namespace {
// One poll, as the bound tests log it.
struct PollNote {
  char task;              // 'a', 'b' (busy), 's' (the sleeper)
  std::size_t turn;       // stats().ticks during the poll
  pollen::TimePoint now;  // the loop's virtual clock after the poll moved it
};

// Busy forever. Each poll moves the loop's virtual clock by `step` (without
// firing: the timers fire at the next turn), notes itself, then gives the thread back
// either with yield_now() or by spending its whole budget.
struct BusyClockPusher {
  using Output = Unit;
  char name;
  EventLoop* loop;
  std::chrono::nanoseconds step;
  bool spend_budget;
  std::vector<PollNote>* log;
  pollen::YieldNow y;
  Poll<Unit> poll(Context& cx) {
    loop->timer_driver().pass_time(step);
    log->push_back(PollNote{name, loop->stats().ticks, loop->now()});
    if (spend_budget) {
      while (cx.consume_budget()) {
      }
      return pollen::pending;  // consume_budget() woke the task
    }
    for (;;) {
      if (y.poll(cx).is_pending()) return pollen::pending;  // yield_now() woke the task
      y = pollen::yield_now();
    }
  }
};

// A 1 ms sleep against two busy tasks that move the clock 100 us per poll
// (yielding, or spending their budget, as asked). The bound: the sleeper is
// polled in the turn after the one in which its deadline passed, first in
// that turn, so neither busy task is polled more than once in between.
void expect_a_due_timer_waits_at_most_two_turns(bool spend_budget) {
  SCOPED_TRACE(spend_budget ? "busy tasks spend their budget" : "busy tasks yield");
  EventLoop loop(pollen::ClockKind::Virtual);
  std::vector<PollNote> log;
  const auto step = std::chrono::microseconds(100);
  loop.spawn(BusyClockPusher{'a', &loop, step, spend_budget, &log, pollen::yield_now()}).detach();
  loop.spawn(BusyClockPusher{'b', &loop, step, spend_budget, &log, pollen::yield_now()}).detach();
  pollen::TimePoint deadline{};
  auto sleeper = pollen::poll_fn([&, s = pollen::Option<pollen::Sleep>()](
                                     Context& cx) mutable -> Poll<Unit> {
    if (!s.has_value()) s.emplace(pollen::sleep(std::chrono::milliseconds(1)));  // at its first poll
    deadline = s->deadline();
    Poll<Unit> p = s->poll(cx);
    log.push_back(PollNote{'s', loop.stats().ticks, loop.now()});
    return p;
  });
  loop.block_on(std::move(sleeper));
  // The poll during which the clock passed the deadline, and the sleeper's last.
  std::size_t passed = 0;
  while (passed < log.size() && !(log[passed].task != 's' && log[passed].now >= deadline)) ++passed;
  ASSERT_LT(passed, log.size());
  std::size_t woke = log.size() - 1;  // the sleeper's last poll (the busy tasks may follow it)
  while (log[woke].task != 's') --woke;
  ASSERT_GT(woke, passed);
  EXPECT_EQ(log[woke].turn, log[passed].turn + 1);
  int a = 0;
  int b = 0;
  for (std::size_t k = passed + 1; k < woke; ++k) {
    EXPECT_EQ(log[k].turn, log[passed].turn) << "a busy task ran before the sleeper in its turn";
    (log[k].task == 'a' ? a : b) += 1;
  }
  EXPECT_LE(a, 1);
  EXPECT_LE(b, 1);
}
}  // namespace

TEST(EventLoopTurns, ADueTimersTaskIsPolledWithinTwoTurnsWhileOthersYieldInALoop) {
  expect_a_due_timer_waits_at_most_two_turns(false);
}

TEST(EventLoopTurns, ADueTimersTaskIsPolledWithinTwoTurnsWhileOthersSpendTheirBudgetInALoop) {
  expect_a_due_timer_waits_at_most_two_turns(true);
}

TEST(EventLoopTurns, ATurnsIntakeComesAfterTheTasksCarriedOverAndBeforeTheTasksWokenMeanwhile) {
  pollen::LoopOptions opts;
  opts.max_polls_per_tick = 2;
  opts.clock = pollen::ClockKind::Virtual;
  EventLoop loop(opts);
  std::string order;
  auto spinner = [&](char name) {
    return pollen::poll_fn([&order, name](Context& cx) -> Poll<Unit> {
      order += name;
      cx.waker().wake();
      return pollen::pending;
    });
  };
  loop.spawn(spinner('x')).detach();
  loop.spawn(spinner('y')).detach();
  loop.spawn(spinner('z')).detach();
  loop.spawn(pollen::poll_fn([&, s = pollen::Option<pollen::Sleep>()](
                                 Context& cx) mutable -> Poll<Unit> {
    order += 's';
    if (!s.has_value()) s.emplace(pollen::sleep(std::chrono::milliseconds(1)));
    return s->poll(cx);
  })).detach();
  loop.tick();  // x y; carried over: z s
  loop.tick();  // z s (the sleep registers); carried over: x y
  order += '|';
  loop.timer_driver().pass_time(std::chrono::milliseconds(1));  // due now: fires at the next turn
  loop.tick();  // x y; the intake (s) goes after them, before z (woken meanwhile)
  loop.tick();
  EXPECT_EQ(order, "xyzs|xysz");
}

TEST(EventLoopTurns, ATurnPollsAtMostMaxPollsPerTickTasksTheRestWaitInOrder) {
  pollen::LoopOptions opts;
  opts.max_polls_per_tick = 4;
  EventLoop loop(opts);
  std::vector<std::pair<std::size_t, int>> polls;  // (turn, task)
  for (int i = 0; i < 10; ++i) {
    loop.spawn(pollen::lazy([&, i] { polls.emplace_back(loop.stats().ticks, i); })).detach();
  }
  loop.run();
  ASSERT_EQ(polls.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(polls[i].second, i);
    EXPECT_EQ(polls[i].first - polls[0].first, static_cast<std::size_t>(i / 4)) << i;
  }
}

// --- schedule exploration (LoopOptions::schedule_seed) ---------------------------

namespace {
// Eight tasks, each polled three times (two self-wakes); returns (turn, task)
// for every poll.
std::vector<std::pair<std::size_t, int>> eight_tasks_three_polls(pollen::Option<std::uint64_t> seed) {
  pollen::LoopOptions opts;
  opts.schedule_seed = seed;
  EventLoop loop(opts);
  std::vector<std::pair<std::size_t, int>> polls;
  for (int i = 0; i < 8; ++i) {
    loop.spawn(pollen::poll_fn([&, i, n = 0](Context& cx) mutable -> Poll<int> {
      polls.emplace_back(loop.stats().ticks, i);
      if (++n == 3) return i;
      cx.waker().wake();
      return pollen::pending;
    })).detach();
  }
  loop.run();
  return polls;
}
std::vector<int> order_of(const std::vector<std::pair<std::size_t, int>>& polls) {
  std::vector<int> out;
  for (const auto& p : polls) out.push_back(p.second);
  return out;
}
}  // namespace

TEST(ScheduleSeed, OffEachTurnPollsInWakeOrder) {
  const auto polls = eight_tasks_three_polls(pollen::none);
  ASSERT_EQ(polls.size(), 24u);
  for (std::size_t k = 0; k < 24; ++k) EXPECT_EQ(polls[k].second, static_cast<int>(k % 8));
}

TEST(ScheduleSeed, EachTurnPollsAPermutationOfItsReadyTasksEveryTaskAsOftenAsWithout) {
  for (std::uint64_t seed : {0ull, 1ull, 2ull, 12345ull, ~0ull}) {
    const auto polls = eight_tasks_three_polls(seed);
    ASSERT_EQ(polls.size(), 24u) << seed;
    // Three turns of eight polls: each a permutation of the eight tasks.
    for (std::size_t turn = 0; turn < 3; ++turn) {
      std::vector<int> tasks;
      for (std::size_t k = 8 * turn; k < 8 * turn + 8; ++k) {
        EXPECT_EQ(polls[k].first, polls[8 * turn].first) << "seed " << seed << ", poll " << k;
        tasks.push_back(polls[k].second);
      }
      std::sort(tasks.begin(), tasks.end());
      EXPECT_EQ(tasks, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7})) << "seed " << seed;
    }
  }
}

TEST(ScheduleSeed, TheSameSeedReplaysTheSameOrderAndTwoSeedsDiffer) {
  const std::vector<int> a1 = order_of(eight_tasks_three_polls(std::uint64_t{1}));
  const std::vector<int> a2 = order_of(eight_tasks_three_polls(std::uint64_t{1}));
  const std::vector<int> b = order_of(eight_tasks_three_polls(std::uint64_t{2}));
  const std::vector<int> off = order_of(eight_tasks_three_polls(pollen::none));
  EXPECT_EQ(a1, a2);
  EXPECT_NE(a1, b);
  EXPECT_NE(a1, off);
  EXPECT_NE(b, off);
}

// The example of docs/event_loop.md ("Testing your program under many
// schedules").
// A program with an order bug: the reader assumes the writer ran first.
int run_program(const pollen::LoopOptions& opts) {
  pollen::EventLoop loop(opts);
  int value = 0;
  int seen = -1;
  loop.spawn(pollen::lazy([&] { value = 42; })).detach();    // the writer
  loop.spawn(pollen::lazy([&] { seen = value; })).detach();  // the reader
  loop.run();
  return seen;
}

TEST(ScheduleSeed, FindsAnOrderBugAndReplaysIt) {
  EXPECT_EQ(run_program(pollen::LoopOptions()), 42);  // spawn order hides the bug

  std::vector<std::uint64_t> failing;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    pollen::LoopOptions opts;
    opts.schedule_seed = seed;  // another legal order of each turn's ready tasks
    if (run_program(opts) != 42) failing.push_back(seed);
  }
  ASSERT_FALSE(failing.empty());  // some schedule runs the reader first

  pollen::LoopOptions replay;
  replay.schedule_seed = failing.front();  // the same seed, the same order
  EXPECT_NE(run_program(replay), 42);
}

// --- tick and embedding -------------------------------------------------------

TEST(EventLoop, TickPollsAtMostMaxPollsPerTickTasks) {
  EventLoop loop;  // default: 128
  int polls = 0;
  for (int i = 0; i < 300; ++i) loop.spawn(rt::Spinner{&polls}).detach();
  EXPECT_EQ(loop.tick(), 128u);
  EXPECT_EQ(polls, 128);
  EXPECT_EQ(loop.tick(), 128u);
  EXPECT_EQ(loop.tick(), 128u);  // 44 left from the spawn + 84 re-woken
  EXPECT_EQ(polls, 384);
}

TEST(EventLoop, ATickPollsOnlyTheTasksThatWereReadyWhenItBegan) {
  EventLoop loop;
  int a = 0;
  int b = 0;
  loop.spawn(rt::Spinner{&a}).detach();
  loop.spawn(rt::Spinner{&b}).detach();
  EXPECT_EQ(loop.tick(), 2u);  // each woke itself: polled again next tick, not now
  EXPECT_EQ(a, 1);
  EXPECT_EQ(loop.tick(), 2u);
  EXPECT_EQ(a + b, 4);
}

TEST(EventLoop, TickWithNothingToDoReturnsZeroWithoutBlocking) {
  EventLoop loop;
  auto g = rt::gate();
  auto h = loop.spawn(std::move(g.second));
  EXPECT_EQ(loop.tick(), 1u);
  EXPECT_EQ(loop.tick(), 0u);
  EXPECT_EQ(loop.stats().sleeps, 0u);
}

TEST(EventLoop, NativeHandleIsReadableExactlyWhenThereIsWork) {
  EventLoop loop;
  auto g = rt::gate();
  auto h = loop.spawn(std::move(g.second));
  const int fd = loop.native_handle();
  EXPECT_TRUE(readable(fd));  // a task is ready
  loop.tick();
  EXPECT_FALSE(readable(fd));  // it is waiting now
  std::thread t([s = g.first] { s->waker.wake(); });  // a wake from another thread
  t.join();
  EXPECT_TRUE(readable(fd));
  EXPECT_TRUE(loop.has_ready_tasks());
  loop.tick();
  EXPECT_FALSE(readable(fd));
  g.first->open = true;
  g.first->waker.wake();  // a wake from this thread, between ticks
  EXPECT_TRUE(readable(fd));
  loop.tick();
  EXPECT_TRUE(h.is_finished());
  EXPECT_FALSE(readable(fd));
}

TEST(EventLoop, NativeHandleStaysReadableWhileATickLeavesWorkBehind) {
  pollen::LoopOptions opts;
  opts.max_polls_per_tick = 2;
  EventLoop loop(opts);
  int polls = 0;
  for (int i = 0; i < 5; ++i) loop.spawn(pollen::lazy([&] { ++polls; })).detach();
  const int fd = loop.native_handle();
  EXPECT_EQ(loop.tick(), 2u);
  EXPECT_TRUE(readable(fd));
  EXPECT_EQ(loop.tick(), 2u);
  EXPECT_TRUE(readable(fd));
  EXPECT_EQ(loop.tick(), 1u);
  EXPECT_FALSE(readable(fd));
  EXPECT_EQ(polls, 5);
}

TEST(EventLoop, NextDeadlineIsNoneWithoutTimers) {
  EventLoop loop;
  EXPECT_FALSE(loop.next_deadline().has_value());
}

// --- cooperative budget -------------------------------------------------------

TEST(EventLoop, AnAlwaysReadySourceCannotStarveAnotherTask) {
  EventLoop loop;
  long items = 0;
  int spinner_polls = 0;
  loop.spawn("greedy", rt::BudgetSpinner{&items, &spinner_polls}).detach();
  int steps = 0;
  auto other = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<int> {
    if (++steps == 3) return steps;
    cx.waker().wake();
    return pollen::pending;
  }));
  EXPECT_EQ(loop.block_on(std::move(other)).value(), 3);
  EXPECT_GE(spinner_polls, 2);
  EXPECT_EQ(items, 128L * spinner_polls);  // 128 units per poll, then Pending
}

TEST(EventLoop, EachPollGetsTheConfiguredBudget) {
  pollen::LoopOptions opts;
  opts.budget_per_poll = 5;
  EventLoop loop(opts);
  long items = 0;
  int polls = 0;
  loop.spawn(rt::BudgetSpinner{&items, &polls}).detach();
  loop.tick();
  EXPECT_EQ(items, 5);
  EXPECT_EQ(polls, 1);
}

// --- stats and dump -----------------------------------------------------------

TEST(EventLoopStats, CountTasksPollsAndWakes) {
  EventLoop loop;
  auto g = rt::gate(1);
  auto h = loop.spawn(std::move(g.second));
  loop.spawn(pollen::ready(2)).detach();
  EXPECT_EQ(loop.stats().tasks_alive, 2u);
  EXPECT_EQ(loop.stats().tasks_spawned, 2u);
  loop.run_until_stalled();
  EXPECT_EQ(loop.stats().tasks_alive, 1u);
  EXPECT_EQ(loop.stats().polls, 2u);
  EXPECT_EQ(loop.stats().wakes, 0u);
  g.first->open_and_wake();  // outside a turn: counted as a remote wake
  loop.run_until_stalled();
  pollen::LoopStats s = loop.stats();
  EXPECT_EQ(s.tasks_alive, 0u);
  EXPECT_EQ(s.polls, 3u);
  EXPECT_EQ(s.wakes, 1u);
  EXPECT_EQ(s.remote_wakes, 1u);
  EXPECT_EQ(s.spurious_polls, 0u);
}

TEST(EventLoopStats, APollThatOnlyFollowsItsOwnWakeAndStaysPendingIsSpurious) {
  EventLoop loop;
  int polls = 0;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<Unit> {
    if (++polls == 6) return Unit{};
    cx.waker().wake();  // busy-waiting: poll me again
    return pollen::pending;
  }));
  loop.run();
  // Polls 2..5 returned Pending with no wake since the previous Pending.
  EXPECT_EQ(loop.stats().spurious_polls, 4u);
}

TEST(EventLoopStats, APollAfterAnotherTasksWakeIsNotSpurious) {
  EventLoop loop;
  auto g = rt::gate();
  auto h = loop.spawn(std::move(g.second));
  loop.run_until_stalled();
  for (int i = 0; i < 3; ++i) {
    auto waker_task = loop.spawn(pollen::lazy([s = g.first] { s->waker.wake(); }));
    loop.run_until_stalled();
  }
  EXPECT_EQ(g.first->polls, 4);
  EXPECT_EQ(loop.stats().spurious_polls, 0u);
}

TEST(EventLoopDump, ListsEveryLiveTaskWithNameStateAndTree) {
  EventLoop loop;
  auto g = rt::gate();
  auto a = loop.spawn("waiter", std::move(g.second));
  auto b = loop.spawn(pollen::test::pending_once(pollen::ready(1)));
  loop.tick();  // a waits; b woke itself: ready
  std::vector<pollen::TaskSnapshot> dump = loop.dump_tasks();
  ASSERT_EQ(dump.size(), 2u);
  EXPECT_EQ(dump[0].name, "waiter");
  EXPECT_STREQ(dump[0].state, "waiting");
  EXPECT_EQ(dump[0].tree.name, "Gate");
  EXPECT_EQ(dump[0].tree.detail, "closed");
  EXPECT_EQ(dump[1].name, "");
  EXPECT_STREQ(dump[1].state, "ready");
  EXPECT_EQ(dump[1].tree.name, "PendingOnce");
  std::string text = loop.dump_tasks_text();
  EXPECT_THAT(text, ::testing::HasSubstr("task #1 \"waiter\" [waiting for "));
  EXPECT_THAT(text, ::testing::HasSubstr("  Gate [closed]"));
  EXPECT_THAT(text, ::testing::HasSubstr("task #2 [ready]"));
  loop.run_until_stalled();
  EXPECT_EQ(loop.dump_tasks().size(), 1u);
}

TEST(EventLoopDump, MeasuresHowLongATaskHasBeenWaiting) {
  EventLoop loop;
  auto g = rt::gate();
  auto a = loop.spawn(std::move(g.second));
  loop.tick();
  EXPECT_LT(loop.dump_tasks()[0].waiting, std::chrono::seconds(5));
  // Real time must pass; the loop's clock is coarse (a few milliseconds).
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_GE(loop.dump_tasks()[0].waiting, std::chrono::milliseconds(15));
}

TEST(EventLoopDump, ATaskDumpingTheLoopSeesItselfRunning) {
  EventLoop loop;
  std::vector<pollen::TaskSnapshot> seen;
  auto h = loop.spawn("self", pollen::lazy([&] { seen = pollen::EventLoop::current()->dump_tasks(); }));
  loop.run();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_STREQ(seen[0].state, "running");
}

// --- allocations --------------------------------------------------------------

TEST(EventLoopAllocations, SpawningAllocatesOnlyWhenTheSlabNeedsAChunk) {
  EventLoop loop;
  pollen::test::AllocCounter allocs;
  std::vector<pollen::JoinHandle<std::uint64_t>> handles;
  handles.reserve(1000);
  allocs.reset();
  handles.push_back(loop.spawn(pollen::ready(std::uint64_t{1})));
  EXPECT_EQ(allocs.allocations(), 1u);  // the slab's first chunk (64 KiB)
  for (int i = 1; i < 1000; ++i) handles.push_back(loop.spawn(pollen::ready(std::uint64_t{1})));
  EXPECT_EQ(allocs.allocations(), 1u);  // 1000 blocks of 48 bytes fit in it
  loop.run();
  EXPECT_EQ(allocs.allocations(), 1u);  // polling and completing allocate nothing
}

TEST(EventLoopAllocations, ANamedTaskKeepsItsNameInItsOwnBlock) {
  EventLoop loop;
  std::string long_name(100, 'n');
  loop.spawn("short", pollen::ready(1)).detach();  // the slab's first chunk
  pollen::test::AllocCounter allocs;
  for (int i = 0; i < 10; ++i) loop.spawn("short", pollen::ready(i)).detach();
  EXPECT_EQ(allocs.allocations(), 0u);  // no string: the name is in the block
  loop.spawn(long_name, pollen::ready(1)).detach();
  // A larger block, so a chunk of another size class, and room for its
  // blocks in the cross-thread queue (its two arrays double).
  EXPECT_EQ(allocs.allocations(), 3u);
  for (int i = 0; i < 10; ++i) loop.spawn(long_name, pollen::ready(i)).detach();
  EXPECT_EQ(allocs.allocations(), 3u);
  loop.run();
  EXPECT_EQ(allocs.allocations(), 3u);
}

TEST(EventLoopAllocations, WakingAndPollingAllocateNothing) {
  EventLoop loop;
  auto g = rt::gate();
  auto h = loop.spawn(std::move(g.second));
  loop.run_until_stalled();
  pollen::test::AllocCounter allocs;
  for (int i = 0; i < 100; ++i) {
    g.first->waker.wake();  // cross-thread queue: intrusive, no node
    loop.run_until_stalled();
  }
  EXPECT_EQ(allocs.allocations(), 0u);
}

// --- lifetime -----------------------------------------------------------------

TEST(EventLoopLifetime, DestroyingTheLoopDestroysUnfinishedFuturesOnceAndCancelsHandles) {
  pollen::test::ProbeCounts counts;
  pollen::JoinHandle<int> h;
  {
    EventLoop loop;
    auto g = rt::gate();
    h = loop.spawn(pollen::test::Probed<rt::Gate>(counts, std::move(g.second)));
    loop.spawn(pollen::test::Probed<rt::Gate>(counts, rt::gate().second)).detach();
    loop.run_until_stalled();
    EXPECT_EQ(counts.live_destroyed, 0);
  }
  EXPECT_EQ(counts.live_destroyed, 2);
  EXPECT_TRUE(h.is_finished());
  EXPECT_TRUE(pollen::block_on(std::move(h)).is_cancelled());
}

TEST(EventLoopLifetime, AWakerThatOutlivesItsTaskDoesNothing) {
  EventLoop loop;
  pollen::Waker kept;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<int> {
    if (kept.is_noop()) {
      kept = cx.waker();
      kept.wake();
      return pollen::pending;
    }
    return 1;
  }));
  loop.run();
  h.detach();
  kept.wake();
  kept.wake();
  loop.run_until_stalled();
  EXPECT_EQ(loop.stats().polls, 2u);
}

TEST(EventLoopLifetime, AWakerThatOutlivesItsLoopIsSafeFromAnotherThread) {
  for (int round = 0; round < 3; ++round) {
    pollen::Waker kept;
    {
      EventLoop loop;
      auto g = rt::gate();
      auto h = loop.spawn(std::move(g.second));
      loop.run_until_stalled();
      kept = g.first->waker;
    }
    std::thread t([&] {
      for (int i = 0; i < 10000; ++i) kept.wake();
    });
    t.join();
    kept = pollen::Waker();  // the last reference: frees the task and the queue
  }
}

TEST(EventLoopLifetime, AWakerRacingTheLoopsDestructionIsSafe) {
  for (int round = 0; round < 20; ++round) {
    std::atomic<bool> go{false};
    pollen::Waker kept;
    std::thread t;
    {
      EventLoop loop;
      auto g = rt::gate();
      auto h = loop.spawn(std::move(g.second));
      loop.run_until_stalled();
      kept = g.first->waker;
      t = std::thread([&go, w = kept] {
        while (!go.load()) {
        }
        for (int i = 0; i < 2000; ++i) w.wake();
      });
      go.store(true);
    }
    t.join();
  }
}

TEST(EventLoopLifetime, ATaskSpawnedByADestructorDuringTeardownIsDestroyedToo) {
  pollen::test::ProbeCounts counts;
  struct SpawnsOnDestroy {
    using Output = int;
    EventLoop* loop;
    pollen::test::ProbeCounts* counts;
    bool live = true;
    SpawnsOnDestroy(EventLoop* l, pollen::test::ProbeCounts* c) : loop(l), counts(c) {}
    SpawnsOnDestroy(SpawnsOnDestroy&& o) noexcept : loop(o.loop), counts(o.counts) { o.live = false; }
    ~SpawnsOnDestroy() {
      if (live) loop->spawn(pollen::test::Probed<rt::Gate>(*counts, rt::gate().second)).detach();
    }
    Poll<int> poll(Context&) { return pollen::pending; }
  };
  {
    EventLoop loop;
    loop.spawn(SpawnsOnDestroy(&loop, &counts)).detach();
    loop.run_until_stalled();
  }
  EXPECT_EQ(counts.constructed, 1);
  EXPECT_EQ(counts.live_destroyed, 1);
}

// --- teardown: destructors that use the loop while it is destroyed ------------
// In each, the first task destroyed is freed while it still sits in the ready
// queue; the destructor of the next one then uses the loop.

TEST(EventLoopTeardown, ADestructorSpawningAfterAQueuedTaskWasFreedIsSafe) {
  pollen::test::ProbeCounts counts;
  {
    EventLoop loop;
    auto first = rt::gate();
    loop.spawn(std::move(first.second)).detach();
    loop.spawn(rt::OnDrop([&] {
      loop.spawn(pollen::test::Probed<rt::Gate>(counts, rt::gate().second)).detach();
    })).detach();
    loop.run_until_stalled();
    queue_during_a_tick(loop, first.first);
    ASSERT_TRUE(loop.has_ready_tasks());
  }
  EXPECT_EQ(counts.constructed, 1);
  EXPECT_EQ(counts.live_destroyed, 1);  // the task spawned during teardown is cancelled too
}

TEST(EventLoopTeardown, ADestructorAbortingAnotherTaskAfterAQueuedTaskWasFreedIsSafe) {
  pollen::test::ProbeCounts counts;
  pollen::JoinHandle<int> victim;
  {
    EventLoop loop;
    auto first = rt::gate();
    loop.spawn(std::move(first.second)).detach();
    loop.spawn(rt::OnDrop([&] { victim.abort(); })).detach();
    victim = loop.spawn(pollen::test::Probed<rt::Gate>(counts, rt::gate().second));
    loop.run_until_stalled();
    queue_during_a_tick(loop, first.first);
  }
  EXPECT_EQ(counts.live_destroyed, 1);
  EXPECT_TRUE(victim.is_finished());
  EXPECT_TRUE(pollen::block_on(std::move(victim)).is_cancelled());
}

TEST(EventLoopTeardown, AVectorOfHandlesClearedByADestructorLetsGoOfCancelledTasksSafely) {
  pollen::test::ProbeCounts counts;
  std::vector<pollen::JoinHandle<int>> handles;
  {
    EventLoop loop;
    auto first = rt::gate();
    handles.push_back(loop.spawn(std::move(first.second)));
    for (int i = 0; i < 3; ++i) handles.push_back(loop.spawn(rt::gate().second));
    loop.spawn(rt::OnDrop([&] {
      handles.clear();  // frees the tasks cancelled before this one
      loop.spawn(pollen::test::Probed<rt::Gate>(counts, rt::gate().second)).detach();
    })).detach();
    loop.run_until_stalled();
    queue_during_a_tick(loop, first.first);
  }
  EXPECT_TRUE(handles.empty());
  EXPECT_EQ(counts.live_destroyed, 1);
}

TEST(EventLoopTeardown, DestructorsThatSpawnInTurnAreCancelledInRoundsUntilNoneIsLeft) {
  // Each destroyed future spawns the next, five deep, and aborts a waiting
  // task; every one of them is destroyed once, and the loop ends.
  pollen::test::ProbeCounts counts;
  int spawned = 0;
  std::function<rt::OnDrop(EventLoop&)> make;
  make = [&](EventLoop& loop) {
    return rt::OnDrop([&] {
      if (++spawned < 5) loop.spawn(make(loop)).detach();
      loop.spawn(pollen::test::Probed<rt::Gate>(counts, rt::gate().second)).abort();
    });
  };
  {
    EventLoop loop;
    loop.spawn(make(loop)).detach();
  }
  EXPECT_EQ(spawned, 5);
  EXPECT_EQ(counts.constructed, 5);
  EXPECT_EQ(counts.live_destroyed, 5);
}

TEST(EventLoopTeardownDeathTest, DrivingTheLoopFromADestructorItRunsIsAContractError) {
  EXPECT_DEATH(
      {
        EventLoop loop;
        loop.spawn(rt::OnDrop([&] { loop.run_until_stalled(); })).detach();
      },
      "run_until_stalled of event loop #[0-9]+ called while the loop is being destroyed");
}

// --- finishing a task exactly once ---------------------------------------------
// A task's future can wake its own task while it is being destroyed (a bounded
// send that was granted room passes it on to a sibling send of the same task).
// The task is finishing then: the wake must not queue it again.

TEST(EventLoopFinish, AnAbortedTaskWhoseFutureWakesItWhenDestroyedFinishesOnce) {
  EventLoop loop;
  int destroyed = 0;
  int polls = 0;
  auto h = loop.spawn(rt::WakesItsTaskOnDrop(&destroyed, &polls));
  loop.run_until_stalled();
  h.abort();
  loop.run_until_stalled();
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(polls, 1);
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
  EXPECT_FALSE(loop.has_ready_tasks());
  EXPECT_TRUE(loop.block_on(std::move(h)).is_cancelled());
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
}

TEST(EventLoopFinish, ADetachedAbortedTaskWhoseFutureWakesItWhenDestroyedIsFreedOnce) {
  EventLoop loop;
  int destroyed = 0;
  int polls = 0;
  auto h = loop.spawn(rt::WakesItsTaskOnDrop(&destroyed, &polls));
  loop.run_until_stalled();
  h.abort();
  h.detach();
  loop.run();  // the block is freed when the task finishes: it must not be polled again
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(polls, 1);
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
}

#if POLLEN_HAS_EXCEPTIONS
namespace {
// Keeps its task's waker at its first poll, then throws; wakes the task when
// destroyed (after the throw).
struct ThrowsThenWakesOnDrop : rt::WakesItsTaskOnDrop {
  using rt::WakesItsTaskOnDrop::WakesItsTaskOnDrop;
  Poll<int> poll(Context& cx) {
    (void)rt::WakesItsTaskOnDrop::poll(cx);
    throw std::runtime_error("thrown");
  }
};
}  // namespace

TEST(EventLoopFinish, ATaskWhosePollThrewAndWhoseFutureWakesItWhenDestroyedFinishesOnce) {
  EventLoop loop;
  int destroyed = 0;
  int polls = 0;
  auto h = loop.spawn(ThrowsThenWakesOnDrop(&destroyed, &polls));
  loop.run_until_stalled();
  EXPECT_EQ(polls, 1);  // the destroyed future is not polled again
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
  EXPECT_FALSE(loop.has_ready_tasks());
  EXPECT_THROW(loop.block_on(std::move(h)), std::runtime_error);
}

TEST(EventLoopFinish, ATaskWhosePollThrewAndWhoseFutureAbortsItWhenDestroyedFinishesOnce) {
  EventLoop loop;
  pollen::JoinHandle<int> h;
  int polls = 0;
  struct Future {
    using Output = int;
    pollen::JoinHandle<int>* self;
    int* polls;
    Poll<int> poll(Context&) {
      ++*polls;
      throw std::runtime_error("thrown");
    }
    ~Future() {
      if (self != nullptr) self->abort();  // already finishing: a no-op
    }
    Future(pollen::JoinHandle<int>* s, int* p) : self(s), polls(p) {}
    Future(Future&& o) noexcept : self(o.self), polls(o.polls) { o.self = nullptr; }
  };
  h = loop.spawn(Future(&h, &polls));
  loop.run_until_stalled();
  EXPECT_EQ(polls, 1);
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
  EXPECT_FALSE(loop.has_ready_tasks());
  EXPECT_THROW(loop.block_on(std::move(h)), std::runtime_error);
}
#endif

TEST(EventLoopFinish, ATaskAbortedWhileTwoOfItsSendsWaitOnAFullChannelFinishesOnce) {
  EventLoop loop;
  auto ch = pollen::channel<int>(1);
  ASSERT_TRUE(ch.first.try_send(0).is_sent());
  auto h = loop.spawn(pollen::join(ch.first.send(1), ch.first.send(2)));
  loop.run_until_stalled();  // both sends wait for room
  EXPECT_TRUE(ch.second.try_recv().is_received());  // room for send(1): wakes the task
  h.abort();                                         // ... which is queued, then aborted
  loop.run_until_stalled();  // dropping send(1) passes its room to send(2): another wake
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
  EXPECT_FALSE(loop.has_ready_tasks());
  EXPECT_TRUE(loop.block_on(std::move(h)).is_cancelled());
}

// --- threads ------------------------------------------------------------------

TEST(EventLoopThreads, AMillionWakesFromFourThreadsAreNotLost) {
  EventLoop loop;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250000;
  std::atomic<int> events{0};
  pollen::Waker waker;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<int> {
    if (waker.is_noop()) waker = cx.waker();
    if (events.load() == kThreads * kPerThread) return 1;
    return pollen::pending;
  }));
  loop.run_until_stalled();
  ASSERT_FALSE(waker.is_noop());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&events, w = waker] {
      for (int i = 0; i < kPerThread; ++i) {
        events.fetch_add(1);
        w.wake();
      }
    });
  }
  // Returns only if a wake after the last event reached the task.
  EXPECT_EQ(loop.block_on(std::move(h)).value(), 1);
  for (auto& t : threads) t.join();
  EXPECT_EQ(loop.stats().remote_wakes, static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_LE(loop.stats().polls, loop.stats().wakes + 2);  // + the first poll + block_on's root
}

TEST(EventLoopThreads, AWakeStormOfEightThreadsCoalescesAndLosesNothing) {
  EventLoop loop;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10000;
  std::atomic<int> events{0};
  pollen::Waker waker;
  int polls = 0;
  int seen_at_last_poll = -1;
  auto h = loop.spawn(pollen::poll_fn([&](Context& cx) -> Poll<int> {
    ++polls;
    if (waker.is_noop()) waker = cx.waker();
    seen_at_last_poll = events.load();
    if (seen_at_last_poll == kThreads * kPerThread) return polls;
    return pollen::pending;
  }));
  loop.run_until_stalled();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, w = waker] {
      for (int i = 0; i < kPerThread; ++i) {
        events.fetch_add(1);
        w.wake();
      }
    });
  }
  int total_polls = loop.block_on(std::move(h)).value();
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen_at_last_poll, kThreads * kPerThread);  // the final poll saw the last wake
  const std::size_t wakes = loop.stats().remote_wakes;  // the threads' wakes
  EXPECT_EQ(wakes, static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_LE(static_cast<std::size_t>(total_polls), wakes + 1);
}

// The other thread waits before it wakes, to let the loop fall asleep; if
// the machine stalls the loop longer than that, the wake comes first and
// the attempt is repeated with a longer wait (the first, 5 ms, nearly
// always suffices).
TEST(EventLoopThreads, ASleepingLoopIsWokenByAnotherThread) {
  for (pollen::PollerKind kind : {pollen::PollerKind::Epoll, pollen::PollerKind::Poll}) {
    for (std::chrono::milliseconds delay(5);; delay *= 5) {
      pollen::LoopOptions opts;
      opts.poller = kind;
      EventLoop loop(opts);
      auto g = rt::gate(5);
      auto h = loop.spawn(std::move(g.second));
      loop.run_until_stalled();
      std::thread t([s = g.first, delay] {
        std::this_thread::sleep_for(delay);  // let the loop fall asleep
        s->open = true;                      // published by the wake
        s->waker.wake();
      });
      EXPECT_EQ(loop.block_on(std::move(h)).value(), 5);
      t.join();
      if (loop.stats().sleeps >= 1u) break;
      ASSERT_LT(delay, std::chrono::seconds(1)) << "the loop never waited in the kernel";
    }
  }
}

TEST(EventLoopThreads, TwoLoopsOnTwoThreadsRunIndependently) {
  int results[2] = {0, 0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&results, i] {
      EventLoop loop;
      int sum = 0;
      for (int k = 0; k < 100; ++k) {
        loop.spawn(pollen::test::pending_once(pollen::lazy([&sum, k] { sum += k; }))).detach();
      }
      loop.run();
      results[i] = sum;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(results[0], 4950);
  EXPECT_EQ(results[1], 4950);
}

TEST(EventLoopThreads, TwoLoopsOneAfterAnotherOnOneThreadBothWork) {
  for (int i = 0; i < 2; ++i) {
    EventLoop loop;
    auto h = loop.spawn(pollen::test::pending_once(pollen::ready(i)));
    EXPECT_EQ(loop.block_on(std::move(h)).value(), i);
    EXPECT_EQ(pollen::EventLoop::current(), nullptr);
  }
  EventLoop a;
  EventLoop b;  // two alive at once, driven in turn
  EXPECT_EQ(a.block_on(pollen::ready(1)), 1);
  EXPECT_EQ(b.block_on(pollen::ready(2)), 2);
  EXPECT_EQ(a.block_on(pollen::ready(3)), 3);
}

TEST(EventLoopThreads, ATaskWakingATaskOfAnotherLoopWakesThatLoop) {
  EventLoop a;
  EventLoop b;
  auto g = rt::gate(9);
  auto waiter = b.spawn(std::move(g.second));
  b.run_until_stalled();
  a.block_on(pollen::lazy([s = g.first] { s->open_and_wake(); }));
  EXPECT_TRUE(b.has_ready_tasks());
  EXPECT_EQ(b.block_on(std::move(waiter)).value(), 9);
}

TEST(EventLoopContract, UsingALoopFromAnotherThreadIsAContractError) {
  EventLoop loop;
  std::thread t([&] {
    EXPECT_CONTRACT_ERROR(loop.run(), "from a thread other than the one that created it");
  });
  t.join();
}

TEST(EventLoopContract, SpawnFromAnotherThreadIsRefusedBeforeAnythingIsAllocated) {
  pollen::test::ProbeCounts counts;
  EventLoop loop;
  std::thread t([&] {
    EXPECT_CONTRACT_ERROR(
        loop.spawn(pollen::test::Probed<rt::Gate>(counts, rt::gate().second)).detach(),
        "EventLoop::spawn called on event loop");
  });
  t.join();
  EXPECT_EQ(counts.alive(), 0);  // the future was never moved into a task block
#if POLLEN_HAS_EXCEPTIONS      // (a death test runs the statement in another process)
  EXPECT_EQ(counts.constructed, 1);
  EXPECT_EQ(counts.live_destroyed, 1);
#endif
  EXPECT_EQ(loop.stats().tasks_spawned, 0u);
}

// --- nested loops -------------------------------------------------------------

// Loop numbers are exact only with exceptions: a death test (no exceptions)
// re-runs the test in a fresh process, whose loops count from 1 again.
#if POLLEN_HAS_EXCEPTIONS
#define LOOP_NO(loop) std::to_string((loop).id())
#else
#define LOOP_NO(loop) std::string()
#endif

TEST(EventLoopContract, BlockOnInsideAPollOfTheSameLoopIsAContractError) {
  EventLoop loop;
  auto nested = [&] { loop.block_on(pollen::lazy([&] { return loop.block_on(pollen::ready(1)); })); };
  EXPECT_CONTRACT_ERROR(nested(), "EventLoop::block_on of event loop #" + LOOP_NO(loop));
  EXPECT_CONTRACT_ERROR(nested(), "called from inside a poll driven by EventLoop::block_on of event loop #" + LOOP_NO(loop));
  EXPECT_CONTRACT_ERROR(nested(), "(the same event loop)");
  EXPECT_CONTRACT_ERROR(nested(), "would block the thread that drives the outer executor and starve every task on it");
  EXPECT_CONTRACT_ERROR(nested(), "Return the future to be awaited by the caller (or spawn it)");
  // The loop still works afterwards.
  EXPECT_EQ(loop.block_on(pollen::ready(4)), 4);
}

TEST(EventLoopContract, RunAndTickInsideAPollAreContractErrors) {
  EventLoop loop;
  EXPECT_CONTRACT_ERROR(loop.block_on(pollen::lazy([&] { loop.run(); })),
                        "EventLoop::run of event loop");
  EXPECT_CONTRACT_ERROR(loop.block_on(pollen::lazy([&] { loop.run_until_stalled(); })),
                        "EventLoop::run_until_stalled of event loop");
  EXPECT_CONTRACT_ERROR(loop.block_on(pollen::lazy([&] { loop.tick(); })),
                        "EventLoop::tick of event loop");
}

TEST(EventLoopContract, BlockOnOfAnotherLoopInsideAPollIsAContractErrorNamingBoth) {
  EventLoop outer;
  EventLoop inner;
  const std::string names_inner = "EventLoop::block_on of event loop #" + LOOP_NO(inner);
  const std::string names_outer =
      "called from inside a poll driven by EventLoop::run of event loop #" + LOOP_NO(outer);
  for (const std::string& text : {names_inner, names_outer, std::string("(another event loop)")}) {
    auto h = outer.spawn(pollen::lazy([&] { return inner.block_on(pollen::ready(1)); }));
#if POLLEN_HAS_EXCEPTIONS
    outer.run();  // the ContractError is captured by the task
    EXPECT_CONTRACT_ERROR(pollen::block_on(std::move(h)), text);
#else
    EXPECT_CONTRACT_ERROR(outer.run(), text);
    h.abort();
    outer.run();
#endif
  }
}

TEST(EventLoopContract, PollenBlockOnInsideALoopPollIsAContractError) {
  EventLoop loop;
  EXPECT_CONTRACT_ERROR(
      loop.block_on(pollen::lazy([] { return pollen::block_on(pollen::ready(1)); })),
      "pollen::block_on called from inside a poll driven by EventLoop::block_on of event loop #");
}

TEST(EventLoopContract, LoopBlockOnInsidePollenBlockOnIsAContractError) {
  EventLoop loop;
  EXPECT_CONTRACT_ERROR(
      pollen::block_on(pollen::lazy([&] { return loop.block_on(pollen::ready(1)); })),
      "called from inside a poll driven by pollen::block_on");
}

TEST(EventLoopContract, ANestedCallFromAThenCallbackIsCaughtToo) {
  EventLoop loop;
  // A callback that runs inside a poll: the same rule holds however deep.
  auto f = pollen::test::pending_once(pollen::lazy([&] { return loop.block_on(pollen::ready(1)); }));
  EXPECT_CONTRACT_ERROR(loop.block_on(std::move(f)), "(the same event loop)");
}

TEST(EventLoop, CurrentIsTheLoopWhoseTurnIsRunning) {
  EventLoop loop;
  EXPECT_EQ(EventLoop::current(), nullptr);
  EventLoop* seen = nullptr;
  loop.block_on(pollen::lazy([&] { seen = EventLoop::current(); }));
  EXPECT_EQ(seen, &loop);
  EXPECT_EQ(EventLoop::current(), nullptr);
}

// --- exceptions ---------------------------------------------------------------

#if POLLEN_HAS_EXCEPTIONS
TEST(EventLoopExceptions, AnExceptionInATaskIsRethrownWhereItsHandleIsAwaited) {
  EventLoop loop;
  auto bad = loop.spawn(pollen::lazy([]() -> int { throw std::runtime_error("boom"); }));
  int others = 0;
  for (int i = 0; i < 3; ++i) loop.spawn(pollen::lazy([&] { ++others; })).detach();
  loop.run();
  EXPECT_EQ(others, 3);  // the loop ran the other tasks on
  try {
    loop.block_on(std::move(bad));
    ADD_FAILURE() << "expected the task's exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  }
}

TEST(EventLoopExceptions, BlockOnRethrowsTheRootsExceptionAndTheLoopStaysUsable) {
  EventLoop loop;
  EXPECT_THROW(loop.block_on(pollen::lazy([]() -> int { throw std::runtime_error("root"); })),
               std::runtime_error);
  EXPECT_EQ(pollen::detail::EnterGuard::current(), nullptr);
  EXPECT_EQ(loop.block_on(pollen::ready(5)), 5);
}

TEST(EventLoopExceptions, TheFutureThatThrewIsDestroyedOnce) {
  EventLoop loop;
  pollen::test::ProbeCounts counts;
  auto thrower = pollen::poll_fn([](Context&) -> Poll<int> { throw std::runtime_error("x"); });
  auto h = loop.spawn(pollen::test::Probed<decltype(thrower)>(counts, std::move(thrower)));
  loop.run();
  EXPECT_EQ(counts.live_destroyed, 1);
  EXPECT_THROW(loop.block_on(std::move(h)), std::runtime_error);
}

TEST(EventLoopExceptions, ADetachedTasksExceptionGoesToTheHandlerWithItsName) {
  EventLoop loop;
  std::vector<std::string> seen;
  loop.set_unhandled_exception_handler([&](const char* name, std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      seen.push_back(std::string(name) + ": " + ex.what());
    }
  });
  loop.spawn("fragile", pollen::lazy([]() -> int { throw std::runtime_error("oops"); })).detach();
  int after = 0;
  loop.spawn(pollen::lazy([&] { ++after; })).detach();
  loop.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"fragile: oops"}));
  EXPECT_EQ(after, 1);
}

TEST(EventLoopExceptions, TheDefaultHandlerPrintsTheTaskNameAndWhat) {
  EventLoop loop;
  loop.spawn("fragile", pollen::lazy([]() -> int { throw std::runtime_error("oops"); })).detach();
  ::testing::internal::CaptureStderr();
  loop.run();
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, ::testing::HasSubstr("task \"fragile\""));
  EXPECT_THAT(err, ::testing::HasSubstr("oops"));
}

TEST(EventLoopExceptions, AnExceptionFromTheHandlerPropagatesOutOfRun) {
  EventLoop loop;
  loop.set_unhandled_exception_handler(
      [](const char*, std::exception_ptr e) { std::rethrow_exception(e); });
  loop.spawn(pollen::lazy([]() -> int { throw std::runtime_error("fatal"); })).detach();
  EXPECT_THROW(loop.run(), std::runtime_error);
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
  loop.run();  // still usable
}
#endif
