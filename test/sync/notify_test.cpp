// Notify: the stored permit, notify_waiters, FIFO wakes, cancellation, and
// notifications from another thread (run under TSan).
#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/sync/notify.hpp>

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

using pollen::Notified;
using pollen::Notify;
using pollen::test::TestTask;

static_assert(pollen::is_cancel_safe<Notified>::value, "a dropped Notified passes a notify_one on");

TEST(Notify, NotifyOneBeforeTheWaitIsNotLost) {
  Notify n;
  n.notify_one();
  EXPECT_TRUE(n.has_permit());
  TestTask<Notified> t(n.notified());
  EXPECT_READY_EQ(t, pollen::Unit{});
  EXPECT_FALSE(n.has_permit());
  EXPECT_EQ(t.future().state(), Notified::State::Done);
}

TEST(Notify, TwoNotifyOneBeforeAWaitStoreOnePermit) {
  Notify n;
  n.notify_one();
  n.notify_one();
  TestTask<Notified> first(n.notified());
  TestTask<Notified> second(n.notified());
  EXPECT_TRUE(first.poll().is_ready());
  EXPECT_PENDING(second);  // the second notify_one() did not add a permit
  EXPECT_EQ(n.waiters(), 1u);
}

TEST(Notify, NotifyOneWakesTheWaitersOneAtATimeInArrivalOrder) {
  Notify n;
  std::vector<std::unique_ptr<TestTask<Notified>>> tasks;
  for (int i = 0; i < 3; ++i) {
    tasks.emplace_back(new TestTask<Notified>(n.notified()));
    EXPECT_PENDING(*tasks.back());
  }
  for (int i = 0; i < 3; ++i) {
    n.notify_one();
    for (int j = 0; j < 3; ++j) {
      EXPECT_EQ(tasks[j]->wake_count(), j <= i ? 1u : 0u) << "after notify " << i << ", task " << j;
    }
    EXPECT_TRUE(tasks[i]->poll().is_ready());
    EXPECT_FALSE(n.has_permit());
  }
}

TEST(Notify, ARepolledWaiterIsWokenThroughItsNewestWaker) {
  Notify n;
  TestTask<Notified> t(n.notified());
  EXPECT_PENDING(t);
  pollen::test::CountingWaker other;
  EXPECT_TRUE(t.poll_with(other.waker()).is_pending());
  n.notify_one();
  EXPECT_EQ(other.wakes(), 1u);
  EXPECT_EQ(t.wake_count(), 0u);
  EXPECT_TRUE(t.poll().is_ready());
}

TEST(Notify, NotifyWaitersWakesExactlyTheCurrentWaitersAndStoresNothing) {
  Notify n;
  constexpr int kWaiters = 70;  // more than one batch of wakers
  std::vector<std::unique_ptr<TestTask<Notified>>> waiting;
  for (int i = 0; i < kWaiters; ++i) {
    waiting.emplace_back(new TestTask<Notified>(n.notified()));
    EXPECT_PENDING(*waiting.back());
  }
  TestTask<Notified> not_yet_polled(n.notified());
  n.notify_waiters();
  for (auto& t : waiting) {
    EXPECT_EQ(t->wake_count(), 1u);
    EXPECT_TRUE(t->poll().is_ready());
  }
  EXPECT_FALSE(n.has_permit());
  EXPECT_EQ(n.waiters(), 0u);
  EXPECT_PENDING(not_yet_polled);  // it joined after the call: it waits for the next one
  EXPECT_EQ(not_yet_polled.wake_count(), 0u);
}

TEST(Notify, NotifyWaitersWithNobodyWaitingIsForgotten) {
  Notify n;
  n.notify_waiters();
  TestTask<Notified> t(n.notified());
  EXPECT_PENDING(t);
  EXPECT_FALSE(t.is_woken());
}

TEST(Notify, AWaiterDroppedBeforeTheNotificationLeavesTheQueue) {
  Notify n;
  TestTask<Notified> second(n.notified());
  {
    TestTask<Notified> first(n.notified());
    EXPECT_PENDING(first);
    EXPECT_PENDING(second);
    EXPECT_EQ(n.waiters(), 2u);
  }
  EXPECT_EQ(n.waiters(), 1u);
  n.notify_one();  // goes to `second`, not to the dropped waiter
  EXPECT_EQ(second.wake_count(), 1u);
  EXPECT_TRUE(second.poll().is_ready());
  EXPECT_FALSE(n.has_permit());
}

TEST(Notify, AWaiterDroppedAfterANotifyOneReachedItPassesItOn) {
  Notify n;
  TestTask<Notified> second(n.notified());
  {
    TestTask<Notified> first(n.notified());
    EXPECT_PENDING(first);
    EXPECT_PENDING(second);
    n.notify_one();
    EXPECT_EQ(first.wake_count(), 1u);
    EXPECT_EQ(second.wake_count(), 0u);
  }  // dropped without reporting Ready
  EXPECT_EQ(second.wake_count(), 1u);
  EXPECT_TRUE(second.poll().is_ready());
}

TEST(Notify, ADroppedNotifiedWaiterWithNoOneBehindStoresThePermit) {
  Notify n;
  {
    TestTask<Notified> only(n.notified());
    EXPECT_PENDING(only);
    n.notify_one();
  }
  EXPECT_TRUE(n.has_permit());
  TestTask<Notified> later(n.notified());
  EXPECT_TRUE(later.poll().is_ready());
}

TEST(Notify, ADroppedWaiterDoesNotPassOnANotifyWaiters) {
  Notify n;
  {
    TestTask<Notified> a(n.notified());
    EXPECT_PENDING(a);
    n.notify_waiters();
  }
  EXPECT_FALSE(n.has_permit());
  TestTask<Notified> b(n.notified());
  EXPECT_PENDING(b);
}

TEST(Notify, AWaiterDroppedBeforeItsFirstPollChangesNothing) {
  Notify n;
  n.notify_one();
  { Notified never_polled = n.notified(); }
  EXPECT_TRUE(n.has_permit());
}

TEST(Notify, MovingAWaitingFutureKeepsItsPlaceInTheQueue) {
  Notify n;
  Notified moved = n.notified();
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  EXPECT_TRUE(moved.poll(cx).is_pending());
  TestTask<Notified> behind(n.notified());
  EXPECT_PENDING(behind);
  TestTask<Notified> first(std::move(moved));  // moved while Waiting
  EXPECT_EQ(n.waiters(), 2u);
  n.notify_one();
  EXPECT_EQ(w.wakes(), 1u);  // the waker it registered moved with it
  EXPECT_EQ(behind.wake_count(), 0u);
  EXPECT_TRUE(first.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)moved.poll(cx), "moved from");
}

TEST(Notify, PollingAfterReadyIsAContractError) {
  Notify n;
  n.notify_one();
  TestTask<Notified> t(n.notified());
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)t.poll(), "polled after");
}

TEST(Notify, DescribeShowsTheStates) {
  Notify n;
  TestTask<Notified> t(n.notified());
  EXPECT_EQ(t.describe(), "Notified [state: Init]\n");
  EXPECT_EQ(pollen::describe_states(n), "Notify [idle]\n");
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe(), "Notified [state: Waiting]\n");
  EXPECT_EQ(pollen::describe_states(n), "Notify [1 waiting]\n");
  n.notify_one();
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_EQ(t.describe(), "Notified [state: Done]\n");
  n.notify_one();
  EXPECT_EQ(pollen::describe_states(n), "Notify [permit stored]\n");
}

// A task on a loop waits; another thread notifies, and waits for the task's
// answer through a second Notify. Every round trip is counted: a lost
// notification would hang the test (the loop thread waits on notified()).
TEST(NotifyThreads, NotifyOneFromAnotherThreadWakesATaskOnALoop) {
  constexpr int kRounds = 2000;
  Notify ping, pong;
  std::atomic<int> answered{0};
  std::thread other([&] {
    for (int i = 0; i < kRounds; ++i) {
      ping.notify_one();
      pollen::block_on(pong.notified());
      answered.fetch_add(1, std::memory_order_relaxed);
    }
  });
  pollen::EventLoop loop;
  int received = 0;
  loop.block_on(pollen::poll_fn([&, waiting = std::unique_ptr<Notified>()](
                                    pollen::Context& cx) mutable -> pollen::Poll<pollen::Unit> {
    for (;;) {
      if (!waiting) waiting.reset(new Notified(ping.notified()));
      if (waiting->poll(cx).is_pending()) return pollen::pending;
      waiting.reset();
      ++received;
      pong.notify_one();
      if (received == kRounds) return pollen::Unit{};
    }
  }));
  other.join();
  EXPECT_EQ(received, kRounds);
  EXPECT_EQ(answered.load(), kRounds);
}

// notify_waiters() from several threads while tasks keep re-waiting: no
// waiter is woken without being Ready afterwards, and none hangs.
TEST(NotifyThreads, NotifyWaitersFromOtherThreadsWhileTasksWait) {
  constexpr int kTasks = 8;
  constexpr int kRoundsPerTask = 300;
  Notify n;
  std::atomic<bool> done{false};
  std::vector<std::thread> notifiers;
  for (int t = 0; t < 2; ++t) {
    notifiers.emplace_back([&] {
      while (!done.load(std::memory_order_acquire)) {
        n.notify_waiters();
        n.notify_one();
        std::this_thread::yield();
      }
    });
  }
  pollen::EventLoop loop;
  std::vector<pollen::JoinHandle<int>> handles;
  for (int t = 0; t < kTasks; ++t) {
    handles.push_back(loop.spawn(pollen::poll_fn(
        [&n, rounds = 0, w = std::unique_ptr<Notified>()](pollen::Context& cx) mutable
        -> pollen::Poll<int> {
          while (rounds < kRoundsPerTask) {
            if (!w) w.reset(new Notified(n.notified()));
            if (w->poll(cx).is_pending()) return pollen::pending;
            w.reset();
            ++rounds;
          }
          return rounds;
        })));
  }
  int total = 0;
  for (auto& h : handles) total += loop.block_on(std::move(h)).value();
  done.store(true, std::memory_order_release);
  for (std::thread& th : notifiers) th.join();
  EXPECT_EQ(total, kTasks * kRoundsPerTask);
  EXPECT_EQ(n.waiters(), 0u);
}
