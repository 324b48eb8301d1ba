#include <pollen/core/poll_fn.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/future/map.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/join_set.hpp>

#include "alloc_counter.hpp"
#include "contract.hpp"
#include "probe.hpp"
#include "runtime_support.hpp"
#include "test_task.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

using pollen::Context;
using pollen::EventLoop;
using pollen::JoinResult;
using pollen::JoinSet;
using pollen::Option;
using pollen::Poll;
using pollen::test::Probe;
using pollen::test::ProbeCounts;
using pollen::test::test_task;

namespace {

// Never Ready; holds a Probe so that its destruction is counted.
struct Forever {
  using Output = int;
  Probe<int> probe;
  int* polls;
  Poll<int> poll(Context&) {
    ++*polls;
    return pollen::pending;
  }
};

// Ready with a Probe output (counted) once its gate opens.
struct ProbeGate {
  using Output = Probe<int>;
  std::shared_ptr<rt::GateState> s;
  ProbeCounts* counts;
  int value;
  Poll<Probe<int>> poll(Context& cx) {
    ++s->polls;
    if (s->open) return Probe<int>(*counts, value);
    s->waker = cx.waker();
    return pollen::pending;
  }
};

int value_of(Poll<Option<JoinResult<int>>> p) {
  EXPECT_TRUE(p.is_ready());
  if (!p.is_ready()) return -1;
  Option<JoinResult<int>> r = std::move(p).value();
  EXPECT_TRUE(r.has_value());
  if (!r.has_value()) return -1;
  EXPECT_FALSE(r->is_cancelled());
  return r->is_cancelled() ? -1 : r->value();
}

}  // namespace

TEST(JoinSet, EmptySetYieldsNoneAtOnce) {
  JoinSet<int> set;
  EXPECT_TRUE(set.is_empty());
  EXPECT_EQ(set.len(), 0u);
  auto t = test_task(set.join_next());
  Poll<Option<JoinResult<int>>> p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_FALSE(std::move(p).value().has_value());
}

TEST(JoinSet, JoinNextYieldsOutputsInCompletionOrder) {
  EventLoop loop;
  JoinSet<int> set;
  std::vector<std::shared_ptr<rt::GateState>> gates;
  for (int i = 0; i < 4; ++i) {
    auto g = rt::gate(i);
    gates.push_back(g.first);
    set.spawn(loop, g.second);
  }
  EXPECT_EQ(set.len(), 4u);
  loop.run_until_stalled();  // every task polled once, all Pending

  // Finish 2, then 0, before anyone asks: the set keeps their order.
  gates[2]->open_and_wake();
  loop.run_until_stalled();
  gates[0]->open_and_wake();
  loop.run_until_stalled();
  auto t = test_task(set.join_next());
  EXPECT_EQ(value_of(t.poll()), 2);
  EXPECT_EQ(set.len(), 3u);
  auto t2 = test_task(set.join_next());
  EXPECT_EQ(value_of(t2.poll()), 0);
  EXPECT_EQ(set.len(), 2u);

  // Waiting: woken once when 3 finishes, then yields it.
  auto t3 = test_task(set.join_next());
  EXPECT_PENDING(t3);
  gates[3]->open_and_wake();
  loop.run_until_stalled();
  EXPECT_EQ(t3.wake_count(), 1u);
  EXPECT_EQ(value_of(t3.poll()), 3);
  EXPECT_EQ(set.len(), 1u);

  gates[1]->open_and_wake();
  loop.run_until_stalled();
  auto t4 = test_task(set.join_next());
  EXPECT_EQ(value_of(t4.poll()), 1);
  EXPECT_TRUE(set.is_empty());
  auto t5 = test_task(set.join_next());
  Poll<Option<JoinResult<int>>> none = t5.poll();
  ASSERT_TRUE(none.is_ready());
  EXPECT_FALSE(std::move(none).value().has_value());
}

// The order is the order of finishing even when several tasks finish in
// one turn and the set was never polled: the set registered each task's
// waker at spawn.
TEST(JoinSet, OrderIsFinishOrderWithinOneTurn) {
  EventLoop loop;
  JoinSet<int> set;
  std::vector<std::shared_ptr<rt::GateState>> gates;
  for (int i = 0; i < 5; ++i) {
    auto g = rt::gate(i);
    gates.push_back(g.first);
    set.spawn(loop, g.second);
  }
  loop.run_until_stalled();
  // Woken in the order 4, 1, 3, 0, 2: polled (and finished) in that order.
  for (int i : {4, 1, 3, 0, 2}) gates[static_cast<std::size_t>(i)]->open_and_wake();
  loop.run_until_stalled();
  std::vector<int> got;
  while (!set.is_empty()) {
    auto t = test_task(set.join_next());
    got.push_back(value_of(t.poll()));
  }
  EXPECT_THAT(got, ::testing::ElementsAre(4, 1, 3, 0, 2));
}

// A finished task costs one poll of its handle; the others are not polled.
TEST(JoinSet, AWakePollsOnlyTheFinishedTask) {
  EventLoop loop;
  JoinSet<int> set;
  std::vector<std::shared_ptr<rt::GateState>> gates;
  for (int i = 0; i < 100; ++i) {
    auto g = rt::gate(i);
    gates.push_back(g.first);
    set.spawn(loop, g.second);
  }
  loop.run_until_stalled();
  pollen::PollObserver observer;
  auto t = test_task(set.join_next());
  t.watch(&observer);
  EXPECT_PENDING(t);
  EXPECT_EQ(observer.total_polls(), 1u);  // JoinNext only: no task had finished
  gates[57]->open_and_wake();
  loop.run_until_stalled();
  EXPECT_EQ(t.wake_count(), 1u);
  EXPECT_EQ(value_of(t.poll()), 57);
  EXPECT_EQ(observer.total_polls(), 3u);  // + JoinNext + task 57's JoinHandle
}

TEST(JoinSet, AbortAllCancelsEveryTaskAndKeepsTheirResults) {
  EventLoop loop;
  JoinSet<int> set;
  ProbeCounts c;
  int polls = 0;
  for (int i = 0; i < 3; ++i) set.spawn(loop, Forever{Probe<int>(c, i), &polls});
  auto done = rt::gate(9);
  set.spawn(loop, done.second);
  loop.run_until_stalled();
  done.first->open_and_wake();
  loop.run_until_stalled();  // task 9 finished before abort_all()
  EXPECT_EQ(polls, 3);
  auto t = test_task(set.join_next());
  set.abort_all();
  EXPECT_EQ(set.len(), 4u);
  loop.run_until_stalled();
  EXPECT_EQ(c.live_destroyed, 3);
  EXPECT_EQ(polls, 3);  // an aborted task is never polled again
  EXPECT_EQ(value_of(t.poll()), 9);
  int cancelled = 0;
  while (!set.is_empty()) {
    auto n = test_task(set.join_next());
    Poll<Option<JoinResult<int>>> p = n.poll();
    ASSERT_TRUE(p.is_ready());
    Option<JoinResult<int>> r = std::move(p).value();
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->is_cancelled());
    ++cancelled;
  }
  EXPECT_EQ(cancelled, 3);
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
}

// Structured concurrency: the set's destruction aborts what still runs and
// drops the outputs nobody took; every future and every output is destroyed
// exactly once.
TEST(JoinSet, DestroyingTheSetAbortsEveryTask) {
  EventLoop loop;
  ProbeCounts futures;
  ProbeCounts outputs;
  int polls = 0;
  std::vector<std::shared_ptr<rt::GateState>> gates;
  {
    JoinSet<Probe<int>> set;
    for (int i = 0; i < 5; ++i) {
      auto g = rt::gate();
      gates.push_back(g.first);
      set.spawn(loop, "probe", ProbeGate{g.first, &outputs, i});
    }
    for (int i = 0; i < 5; ++i) {
      set.spawn(loop, pollen::map(Forever{Probe<int>(futures, i), &polls},
                                  [&outputs](int v) { return Probe<int>(outputs, v); }));
    }
    loop.run_until_stalled();
    gates[0]->open_and_wake();
    gates[3]->open_and_wake();
    loop.run_until_stalled();  // two outputs wait in the set
    EXPECT_EQ(outputs.constructed, 2);
    EXPECT_EQ(loop.stats().tasks_alive, 8u);
  }
  EXPECT_EQ(outputs.live_destroyed, 2);  // dropped with the set
  loop.run_until_stalled();              // the aborted futures go at the next turn
  EXPECT_EQ(futures.live_destroyed, 5);
  EXPECT_EQ(futures.alive(), 0);
  EXPECT_EQ(outputs.alive(), 0);
  EXPECT_EQ(polls, 5);  // once each, before the set went
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
}

TEST(JoinSet, LoopDestroyedFirstYieldsCancelledResults) {
  ProbeCounts c;
  int polls = 0;
  JoinSet<int> set;
  {
    EventLoop loop;
    set.spawn(loop, Forever{Probe<int>(c, 1), &polls});
    set.spawn(loop, Forever{Probe<int>(c, 2), &polls});
    loop.run_until_stalled();
  }
  EXPECT_EQ(c.live_destroyed, 2);
  EXPECT_EQ(set.len(), 2u);
  for (int i = 0; i < 2; ++i) {
    auto t = test_task(set.join_next());
    Poll<Option<JoinResult<int>>> p = t.poll();
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(std::move(p).value()->is_cancelled());
  }
  EXPECT_TRUE(set.is_empty());
}

TEST(JoinSet, SlotsAreReused) {
  EventLoop loop;
  JoinSet<int> set;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) set.spawn(loop, pollen::ready(round * 10 + i));
    loop.run_until_stalled();
    std::vector<int> got;
    while (!set.is_empty()) {
      auto t = test_task(set.join_next());
      got.push_back(value_of(t.poll()));
    }
    EXPECT_THAT(got, ::testing::ElementsAre(round * 10, round * 10 + 1, round * 10 + 2,
                                            round * 10 + 3));
  }
}

// A task that owns a set: spawns into it, collects the outputs as they
// come, on the loop that runs it.
TEST(JoinSet, WorksFromATaskOfTheLoop) {
  EventLoop loop;
  struct Collector {
    using Output = std::vector<int>;
    EventLoop* loop;
    JoinSet<int> set;
    Option<pollen::JoinNext<int>> next;
    std::vector<int> got;
    bool started = false;
    Poll<std::vector<int>> poll(Context& cx) {
      if (!started) {
        started = true;
        for (int i = 0; i < 3; ++i) set.spawn(*loop, pollen::ready(i));
      }
      for (;;) {
        if (!next.has_value()) next.emplace(set.join_next());
        Poll<Option<JoinResult<int>>> p = next->poll(cx);
        if (p.is_pending()) return pollen::pending;
        next.reset();
        Option<JoinResult<int>> r = std::move(p).value();
        if (!r.has_value()) return std::move(got);
        got.push_back(std::move(*r).value());
      }
    }
  };
  std::vector<int> got = loop.block_on(Collector{&loop, {}, {}, {}, false});
  EXPECT_THAT(got, ::testing::ElementsAre(0, 1, 2));
}

TEST(JoinSet, DroppingAWaitingJoinNextLosesNothing) {
  EventLoop loop;
  JoinSet<int> set;
  auto g = rt::gate(5);
  set.spawn(loop, g.second);
  {
    auto t = test_task(set.join_next());
    EXPECT_PENDING(t);
  }
  g.first->open_and_wake();
  loop.run_until_stalled();
  auto t = test_task(set.join_next());
  EXPECT_EQ(value_of(t.poll()), 5);
}

TEST(JoinSet, DescribeShowsStatesAndCounts) {
  EventLoop loop;
  JoinSet<int> set;
  set.spawn(loop, pollen::ready(1));
  auto g = rt::gate(2);
  set.spawn(loop, g.second);
  auto t = test_task(set.join_next());
  EXPECT_EQ(t.describe(), "JoinNext [state: Init]\n");
  EXPECT_EQ(pollen::describe_states(set), "JoinSet [2 tasks, 0 finished]\n");
  loop.run_until_stalled();
  EXPECT_EQ(pollen::describe_states(set), "JoinSet [2 tasks, 1 finished]\n");
  EXPECT_EQ(value_of(t.poll()), 1);
  EXPECT_EQ(t.describe(), "JoinNext [state: Done]\n");
  auto t2 = test_task(set.join_next());
  EXPECT_PENDING(t2);
  EXPECT_EQ(t2.describe(), "JoinNext [state: Waiting]\n");
  JoinSet<int> moved(std::move(set));
  EXPECT_EQ(pollen::describe_states(set), "JoinSet [moved from]\n");
}

TEST(JoinSet, MisuseIsAContractError) {
  EventLoop loop;
  auto set = std::unique_ptr<JoinSet<int>>(new JoinSet<int>());
  auto g = rt::gate(1);
  set->spawn(loop, g.second);
  auto first = test_task(set->join_next());
  EXPECT_PENDING(first);
  auto second = test_task(set->join_next());
  EXPECT_CONTRACT_ERROR((void)second.poll(), "another join_next() future of the same JoinSet");
  set.reset();
  EXPECT_CONTRACT_ERROR((void)first.poll(), "after its JoinSet was destroyed");
  loop.run_until_stalled();  // the aborted task goes
  EXPECT_EQ(loop.stats().tasks_alive, 0u);

  JoinSet<int> empty;
  auto done = test_task(empty.join_next());
  EXPECT_TRUE(done.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)done.poll(), "polled after it returned Ready");
}

TEST(JoinSet, MovingTheSetKeepsItsTasks) {
  EventLoop loop;
  JoinSet<int> a;
  a.spawn(loop, pollen::ready(3));
  auto t = test_task(a.join_next());
  JoinSet<int> b(std::move(a));
  EXPECT_EQ(b.len(), 1u);
  EXPECT_EQ(a.len(), 0u);
  EXPECT_CONTRACT_ERROR(a.abort_all(), "moved from");
  loop.run_until_stalled();
  EXPECT_EQ(value_of(t.poll()), 3);
}

#if POLLEN_HAS_EXCEPTIONS
TEST(JoinSet, ATaskExceptionIsRethrownFromJoinNextOnce) {
  EventLoop loop;
  JoinSet<int> set;
  set.spawn(loop, pollen::poll_fn([](Context&) -> Poll<int> { throw std::runtime_error("boom"); }));
  loop.run_until_stalled();
  set.spawn(loop, pollen::ready(4));
  loop.run_until_stalled();
  auto t = test_task(set.join_next());
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(set.len(), 1u);
  EXPECT_EQ(value_of(t.poll()), 4);  // the same future goes on with the next
  EXPECT_TRUE(set.is_empty());
}

// Out of memory at each allocation spawn() makes (the loop's slab chunk for
// the task, then the loop's table of handle wakers when the set registers
// its waker): spawn() either adds the
// task or throws with nothing added, and a task it made is aborted before
// its first poll; its future is destroyed once either way.
TEST(JoinSet, SpawnThatThrowsAddsNothingAndRunsNothing) {
  int threw = 0;
  for (std::size_t allow = 0; allow < 12; ++allow) {
    ProbeCounts c;
    int polls = 0;
    {
      EventLoop loop;
      JoinSet<int> set;
      bool ok = true;
      try {
        pollen::test::FailAllocations oom(allow);
        set.spawn(loop, Forever{Probe<int>(c, 1), &polls});
      } catch (const std::bad_alloc&) {
        ok = false;
        ++threw;
      }
      loop.run_until_stalled();
      EXPECT_EQ(set.len(), ok ? 1u : 0u) << "allow " << allow;
      EXPECT_EQ(polls, ok ? 1 : 0) << "allow " << allow;
      EXPECT_EQ(loop.stats().tasks_alive, ok ? 1u : 0u) << "allow " << allow;
    }
    EXPECT_EQ(c.live_destroyed, 1) << "allow " << allow;
    EXPECT_EQ(c.alive(), 0) << "allow " << allow;
  }
  EXPECT_GE(threw, 2);  // at least the task's slab chunk and the loop's table of wakers
}
#endif
