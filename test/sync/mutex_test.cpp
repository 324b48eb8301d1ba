// Mutex<T>: access through the guard, FIFO fairness (1,000 tasks on a loop
// acquire in arrival order), try_lock, cancelled waiters (they leave the
// queue; one already handed the lock passes it on), moves, misuse.
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/sync/mutex.hpp>

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

using pollen::Mutex;
using pollen::MutexGuard;
using pollen::MutexLock;
using pollen::Option;
using pollen::test::TestTask;

static_assert(pollen::is_cancel_safe<MutexLock<int>>::value,
              "a dropped lock() leaves the queue or hands the lock on");

namespace {
using Lock = MutexLock<int>;
std::unique_ptr<TestTask<Lock>> waiter(Mutex<int>& m) {
  return std::unique_ptr<TestTask<Lock>>(new TestTask<Lock>(m.lock()));
}
// Polls `t`; the guard if Ready.
Option<MutexGuard<int>> take(TestTask<Lock>& t) {
  pollen::Poll<MutexGuard<int>> p = t.poll();
  if (p.is_pending()) return pollen::none;
  return Option<MutexGuard<int>>(std::move(p).value());
}
}  // namespace

TEST(Mutex, LockIsReadyWhenUnlockedAndTheGuardReachesTheValue) {
  Mutex<std::string> m("a");
  TestTask<MutexLock<std::string>> t(m.lock());
  pollen::Poll<MutexGuard<std::string>> p = t.poll();
  ASSERT_TRUE(p.is_ready());
  {
    MutexGuard<std::string> g = std::move(p).value();
    EXPECT_TRUE(m.is_locked());
    g->append("b");
    *g += "c";
  }
  EXPECT_FALSE(m.is_locked());
  Option<MutexGuard<std::string>> g = m.try_lock();
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(**g, "abc");
}

TEST(Mutex, TryLockFailsWhileLockedAndSucceedsOnceTheGuardIsGone) {
  Mutex<int> m(0);
  Option<MutexGuard<int>> g = m.try_lock();
  ASSERT_TRUE(g.has_value());
  EXPECT_FALSE(m.try_lock().has_value());
  g.reset();
  EXPECT_TRUE(m.try_lock().has_value());
}

TEST(Mutex, DroppingTheGuardWakesTheFirstWaiterOnlyAndHandsItTheLock) {
  Mutex<int> m(0);
  Option<MutexGuard<int>> g = m.try_lock();
  auto a = waiter(m);
  auto b = waiter(m);
  EXPECT_PENDING(*a);
  EXPECT_PENDING(*b);
  EXPECT_EQ(m.waiters(), 2u);
  g.reset();
  EXPECT_EQ(a->wake_count(), 1u);
  EXPECT_EQ(b->wake_count(), 0u);
  EXPECT_TRUE(m.is_locked());                 // handed over, not released
  EXPECT_FALSE(m.try_lock().has_value());     // so nobody barges in
  EXPECT_EQ(a->describe(), "MutexLock [state: Waiting (granted)]\n");
  Option<MutexGuard<int>> ga = take(*a);
  ASSERT_TRUE(ga.has_value());
  ga.reset();
  EXPECT_EQ(b->wake_count(), 1u);
  EXPECT_TRUE(take(*b).has_value());
  EXPECT_FALSE(m.is_locked());
}

TEST(Mutex, TryLockDoesNotOvertakeWaitersEvenWhenUnlocked) {
  Mutex<int> m(0);
  Option<MutexGuard<int>> g = m.try_lock();
  auto a = waiter(m);
  EXPECT_PENDING(*a);
  g.reset();
  EXPECT_FALSE(m.try_lock().has_value());
  TestTask<Lock> late(m.lock());
  EXPECT_PENDING(late);
  EXPECT_TRUE(take(*a).has_value());  // the guard dies at once: `late` is next
  EXPECT_EQ(late.wake_count(), 1u);
  EXPECT_TRUE(take(late).has_value());
}

TEST(Mutex, ACancelledWaiterLeavesTheQueueAndNeverGetsTheLock) {
  Mutex<int> m(0);
  Option<MutexGuard<int>> g = m.try_lock();
  auto a = waiter(m);
  auto b = waiter(m);
  auto c = waiter(m);
  EXPECT_PENDING(*a);
  EXPECT_PENDING(*b);
  EXPECT_PENDING(*c);
  pollen::test::CountingWaker b_waker;
  EXPECT_TRUE(b->poll_with(b_waker.waker()).is_pending());
  b.reset();  // cancelled while queued
  EXPECT_EQ(m.waiters(), 2u);
  g.reset();
  EXPECT_EQ(a->wake_count(), 1u);
  take(*a).reset();  // a locks and unlocks: c is next, not the dropped b
  EXPECT_EQ(c->wake_count(), 1u);
  EXPECT_TRUE(take(*c).has_value());
  EXPECT_EQ(b_waker.wakes(), 0u);
  EXPECT_FALSE(m.is_locked());
}

TEST(Mutex, AWaiterHandedTheLockAndDroppedBeforeItsPollHandsItOn) {
  Mutex<int> m(0);
  Option<MutexGuard<int>> g = m.try_lock();
  auto a = waiter(m);
  auto b = waiter(m);
  EXPECT_PENDING(*a);
  EXPECT_PENDING(*b);
  g.reset();
  EXPECT_EQ(a->wake_count(), 1u);
  a.reset();  // the lock was a's; a is gone without using it
  EXPECT_EQ(b->wake_count(), 1u);
  Option<MutexGuard<int>> gb = take(*b);
  ASSERT_TRUE(gb.has_value());
  gb.reset();
  EXPECT_FALSE(m.is_locked());  // no lock left behind
}

TEST(Mutex, AHandedOverLockDroppedWithNobodyBehindIsReleased) {
  Mutex<int> m(0);
  Option<MutexGuard<int>> g = m.try_lock();
  auto a = waiter(m);
  EXPECT_PENDING(*a);
  g.reset();
  a.reset();
  EXPECT_FALSE(m.is_locked());
  EXPECT_TRUE(m.try_lock().has_value());
}

TEST(Mutex, MovingAWaitingLockKeepsItsPlace) {
  Mutex<int> m(0);
  Option<MutexGuard<int>> g = m.try_lock();
  Lock first = m.lock();
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  EXPECT_TRUE(first.poll(cx).is_pending());
  auto behind = waiter(m);
  EXPECT_PENDING(*behind);
  TestTask<Lock> moved(std::move(first));
  g.reset();
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_EQ(behind->wake_count(), 0u);
  EXPECT_TRUE(take(moved).has_value());
  EXPECT_CONTRACT_ERROR((void)first.poll(cx), "moved from");
}

TEST(Mutex, MisuseIsAContractError) {
  Mutex<int> m(0);
  TestTask<Lock> t(m.lock());
  pollen::Poll<MutexGuard<int>> p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_CONTRACT_ERROR((void)t.poll(), "polled after");
  MutexGuard<int> g = std::move(p).value();
  MutexGuard<int> other = std::move(g);
  EXPECT_FALSE(g.is_valid());
  EXPECT_CONTRACT_ERROR((void)*g, "moved from");
  EXPECT_CONTRACT_ERROR((void)g.operator->(), "moved from");
  *other = 5;
  EXPECT_EQ(*other, 5);
}

TEST(Mutex, DescribeShowsTheStates) {
  Mutex<int> m(0);
  EXPECT_EQ(pollen::describe_states(m), "Mutex [unlocked]\n");
  Option<MutexGuard<int>> g = m.try_lock();
  TestTask<Lock> t(m.lock());
  EXPECT_EQ(t.describe(), "MutexLock [state: Init]\n");
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe(), "MutexLock [state: Waiting]\n");
  EXPECT_EQ(pollen::describe_states(m), "Mutex [locked, 1 waiting]\n");
  EXPECT_EQ(pollen::describe_states(*g), "MutexGuard [held]\n");
  g.reset();
  Option<MutexGuard<int>> g2 = take(t);
  EXPECT_EQ(t.describe(), "MutexLock [state: Done]\n");
  EXPECT_EQ(pollen::describe_states(m), "Mutex [locked, 0 waiting]\n");
}

namespace {
// A task of the fairness test: a few times over, it yields a varying number
// of turns, arrives at the mutex (its lock() is polled for the first time:
// recorded in `arrivals`), and once it holds the lock, records itself in the
// value (the order of acquisition) and holds the lock across one turn.
struct Contender {
  using Output = pollen::Unit;
  enum class Stage { Dawdle, Locking, Holding };

  Mutex<std::vector<int>>* m;
  std::vector<int>* arrivals;
  int* holders;
  int id;
  int rounds_left;
  int dawdle = 0;
  Stage stage = Stage::Dawdle;
  std::unique_ptr<MutexLock<std::vector<int>>> lock;
  std::unique_ptr<MutexGuard<std::vector<int>>> guard;

  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    for (;;) {
      switch (stage) {
        case Stage::Dawdle:
          if (dawdle < (id * 7 + rounds_left * 13) % 5) {
            ++dawdle;
            cx.waker().wake();
            return pollen::pending;
          }
          dawdle = 0;
          lock.reset(new MutexLock<std::vector<int>>(m->lock()));
          arrivals->push_back(id);
          stage = Stage::Locking;
          break;
        case Stage::Locking: {
          pollen::Poll<MutexGuard<std::vector<int>>> p = lock->poll(cx);
          if (p.is_pending()) return pollen::pending;
          lock.reset();
          guard.reset(new MutexGuard<std::vector<int>>(std::move(p).value()));
          (*guard)->push_back(id);
          EXPECT_EQ(++*holders, 1);
          stage = Stage::Holding;
          cx.waker().wake();  // hold it across a turn: everyone else queues up
          return pollen::pending;
        }
        case Stage::Holding:
          --*holders;
          guard.reset();
          if (--rounds_left == 0) return pollen::Unit{};
          stage = Stage::Dawdle;
          break;
      }
    }
  }
};
}  // namespace

TEST(Mutex, AThousandContendingTasksAcquireInArrivalOrder) {
  constexpr int kTasks = 1000;
  constexpr int kRounds = 3;
  Mutex<std::vector<int>> m;
  std::vector<int> arrivals;
  int holders = 0;
  pollen::EventLoop loop;
  for (int i = 0; i < kTasks; ++i) {
    loop.spawn(Contender{&m, &arrivals, &holders, i, kRounds, 0, Contender::Stage::Dawdle, nullptr,
                         nullptr})
        .detach();
  }
  loop.run_until_stalled();
  Option<MutexGuard<std::vector<int>>> g = m.try_lock();
  ASSERT_TRUE(g.has_value());
  const std::vector<int>& acquired = **g;
  ASSERT_EQ(acquired.size(), static_cast<std::size_t>(kTasks * kRounds));
  EXPECT_EQ(acquired, arrivals);
  std::vector<int> spawn_order;
  for (int r = 0; r < kRounds; ++r) {
    for (int i = 0; i < kTasks; ++i) spawn_order.push_back(i);
  }
  EXPECT_NE(arrivals, spawn_order) << "the test should make arrival order differ from spawn order";
}

// Tasks queue up on a loop; some are aborted while they wait. The others
// all get the lock, in order, and the aborted ones never do.
TEST(Mutex, AbortedWaitingTasksNeitherDeadlockTheRestNorGetTheLockLater) {
  constexpr int kTasks = 50;
  Mutex<std::vector<int>> m;
  pollen::EventLoop loop;
  Option<MutexGuard<std::vector<int>>> held = m.try_lock();
  std::vector<pollen::JoinHandle<pollen::Unit>> handles;
  for (int i = 0; i < kTasks; ++i) {
    handles.push_back(loop.spawn(pollen::poll_fn(
        [&m, i, lock = std::unique_ptr<MutexLock<std::vector<int>>>()](
            pollen::Context& cx) mutable -> pollen::Poll<pollen::Unit> {
          if (!lock) lock.reset(new MutexLock<std::vector<int>>(m.lock()));
          pollen::Poll<MutexGuard<std::vector<int>>> p = lock->poll(cx);
          if (p.is_pending()) return pollen::pending;
          std::move(p).value()->push_back(i);
          return pollen::Unit{};
        })));
  }
  loop.run_until_stalled();
  EXPECT_EQ(m.waiters(), static_cast<std::size_t>(kTasks));
  std::vector<int> expected;
  for (int i = 0; i < kTasks; ++i) {
    if (i % 3 == 0) {
      handles[i].abort();
    } else {
      expected.push_back(i);
    }
  }
  loop.run_until_stalled();  // the aborted tasks are dropped: their futures leave the queue
  EXPECT_EQ(m.waiters(), expected.size());
  held.reset();
  loop.run_until_stalled();
  for (int i = 0; i < kTasks; ++i) EXPECT_TRUE(handles[i].is_finished()) << i;
  Option<MutexGuard<std::vector<int>>> g = m.try_lock();
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(**g, expected);
}
