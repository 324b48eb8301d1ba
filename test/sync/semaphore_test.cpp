// Semaphore: FIFO service (a large request is not starved), try_acquire,
// add_permits, close, permits returned on drop, forget, cancelled waiters
// (they leave the queue; one already served passes its permits on), and
// permits used from other threads (run under TSan).
#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/yield_now.hpp>
#include <pollen/sync/semaphore.hpp>

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

using pollen::Option;
using pollen::Semaphore;
using pollen::SemaphoreAcquire;
using pollen::SemaphorePermit;
using pollen::test::TestTask;

static_assert(pollen::is_cancel_safe<SemaphoreAcquire>::value,
              "a dropped acquire gives back what it was granted");

namespace {
// Polls `t` and returns the permit it yields (none: Pending or closed).
Option<SemaphorePermit> take(TestTask<SemaphoreAcquire>& t) {
  pollen::Poll<Option<SemaphorePermit>> p = t.poll();
  if (p.is_pending()) return pollen::none;
  return std::move(p).value();
}
std::unique_ptr<TestTask<SemaphoreAcquire>> waiter(Semaphore& s, std::size_t n) {
  return std::unique_ptr<TestTask<SemaphoreAcquire>>(new TestTask<SemaphoreAcquire>(s.acquire(n)));
}
}  // namespace

TEST(Semaphore, AcquireIsReadyWhilePermitsLastAndDroppingThePermitGivesThemBack) {
  Semaphore s(3);
  TestTask<SemaphoreAcquire> a(s.acquire(2));
  {
    Option<SemaphorePermit> p = take(a);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->num_permits(), 2u);
    EXPECT_EQ(s.available_permits(), 1u);
    EXPECT_EQ(a.future().state(), SemaphoreAcquire::State::Done);
  }
  EXPECT_EQ(s.available_permits(), 3u);
}

TEST(Semaphore, AWaiterIsWokenWhenAPermitComesBack) {
  Semaphore s(1);
  Option<SemaphorePermit> held = s.try_acquire();
  ASSERT_TRUE(held.has_value());
  TestTask<SemaphoreAcquire> t(s.acquire());
  EXPECT_PENDING(t);
  EXPECT_EQ(t.future().state(), SemaphoreAcquire::State::Waiting);
  held.reset();
  EXPECT_EQ(t.wake_count(), 1u);
  EXPECT_EQ(s.available_permits(), 0u);  // set aside for the waiter
  Option<SemaphorePermit> p = take(t);
  EXPECT_TRUE(p.has_value());
}

TEST(Semaphore, WaitersAreServedInArrivalOrderAndABigRequestIsNotStarved) {
  Semaphore s(0);
  auto big = waiter(s, 5);
  auto small1 = waiter(s, 1);
  auto small2 = waiter(s, 1);
  EXPECT_PENDING(*big);
  EXPECT_PENDING(*small1);
  EXPECT_PENDING(*small2);
  // Four permits trickle in: enough for both small requests, but the big one
  // is first in line, so nobody is served and nobody overtakes it.
  for (int i = 0; i < 4; ++i) s.add_permits(1);
  EXPECT_EQ(big->wake_count() + small1->wake_count() + small2->wake_count(), 0u);
  EXPECT_FALSE(s.try_acquire(1).has_value()) << "try_acquire must not overtake the queue";
  TestTask<SemaphoreAcquire> late(s.acquire(1));
  EXPECT_PENDING(late);  // neither does a new acquire
  s.add_permits(1);      // 5: the big request is served first
  EXPECT_EQ(big->wake_count(), 1u);
  EXPECT_EQ(small1->wake_count(), 0u);
  Option<SemaphorePermit> pb = take(*big);
  ASSERT_TRUE(pb.has_value());
  EXPECT_EQ(pb->num_permits(), 5u);
  pb.reset();  // the 5 come back: the three small waiters, in order
  EXPECT_EQ(small1->wake_count(), 1u);
  EXPECT_EQ(small2->wake_count(), 1u);
  EXPECT_EQ(late.wake_count(), 1u);
  EXPECT_EQ(s.available_permits(), 2u);
  EXPECT_TRUE(take(*small1).has_value());
  EXPECT_TRUE(take(*small2).has_value());
  EXPECT_TRUE(take(late).has_value());
}

TEST(Semaphore, TryAcquireTakesWhatIsFreeOrReportsNone) {
  Semaphore s(2);
  Option<SemaphorePermit> two = s.try_acquire(2);
  ASSERT_TRUE(two.has_value());
  EXPECT_FALSE(s.try_acquire(1).has_value());
  EXPECT_FALSE(s.is_closed());
  two.reset();
  EXPECT_TRUE(s.try_acquire(2).has_value());
}

TEST(Semaphore, ForgetKeepsThePermitsOut) {
  Semaphore s(3);
  Option<SemaphorePermit> p = s.try_acquire(2);
  ASSERT_TRUE(p.has_value());
  p->forget();
  EXPECT_EQ(p->num_permits(), 0u);
  p.reset();
  EXPECT_EQ(s.available_permits(), 1u);
}

TEST(Semaphore, MovingAPermitMovesThePermitsOnce) {
  Semaphore s(2);
  Option<SemaphorePermit> p = s.try_acquire(2);
  ASSERT_TRUE(p.has_value());
  {
    SemaphorePermit moved = std::move(*p);
    EXPECT_EQ(p->num_permits(), 0u);
    EXPECT_EQ(moved.num_permits(), 2u);
    EXPECT_EQ(s.available_permits(), 0u);
  }
  EXPECT_EQ(s.available_permits(), 2u);
  p.reset();  // the moved-from permit gives nothing back
  EXPECT_EQ(s.available_permits(), 2u);
}

TEST(Semaphore, CloseWakesEveryWaiterWithNoneAndRefusesLaterAcquires) {
  Semaphore s(0);
  std::vector<std::unique_ptr<TestTask<SemaphoreAcquire>>> ws;
  for (int i = 0; i < 40; ++i) {  // more than one batch of wakers
    ws.push_back(waiter(s, 1));
    EXPECT_PENDING(*ws.back());
  }
  s.close();
  EXPECT_TRUE(s.is_closed());
  for (auto& w : ws) {
    EXPECT_EQ(w->wake_count(), 1u);
    pollen::Poll<Option<SemaphorePermit>> p = w->poll();
    ASSERT_TRUE(p.is_ready());
    EXPECT_FALSE(std::move(p).value().has_value());
  }
  EXPECT_EQ(s.waiters(), 0u);
  s.add_permits(1);
  EXPECT_FALSE(s.try_acquire().has_value());
  TestTask<SemaphoreAcquire> later(s.acquire());
  pollen::Poll<Option<SemaphorePermit>> p = later.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_FALSE(std::move(p).value().has_value());
}

TEST(Semaphore, PermitsHeldAcrossCloseStayValidAndComeBack) {
  Semaphore s(1);
  Option<SemaphorePermit> p = s.try_acquire();
  s.close();
  EXPECT_EQ(p->num_permits(), 1u);
  p.reset();
  EXPECT_EQ(s.available_permits(), 1u);
}

TEST(Semaphore, AWaiterDroppedWhileQueuedLeavesAndUnblocksTheOnesBehindIt) {
  Semaphore s(2);
  auto big = waiter(s, 3);
  auto small = waiter(s, 2);
  // The big one arrives first and cannot be served: everyone waits.
  EXPECT_PENDING(*big);
  EXPECT_PENDING(*small);
  EXPECT_EQ(s.waiters(), 2u);
  big.reset();  // dropped at the head: the small one can now be served
  EXPECT_EQ(s.waiters(), 0u);
  EXPECT_EQ(small->wake_count(), 1u);
  Option<SemaphorePermit> p = take(*small);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->num_permits(), 2u);
}

TEST(Semaphore, AServedWaiterDroppedBeforeItsPollPassesThePermitsOn) {
  Semaphore s(0);
  auto first = waiter(s, 2);
  auto second = waiter(s, 2);
  EXPECT_PENDING(*first);
  EXPECT_PENDING(*second);
  s.add_permits(2);
  EXPECT_EQ(first->wake_count(), 1u);  // served: the 2 permits are set aside for it
  EXPECT_EQ(s.available_permits(), 0u);
  first.reset();  // dropped without taking them
  EXPECT_EQ(second->wake_count(), 1u);
  Option<SemaphorePermit> p = take(*second);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->num_permits(), 2u);
  p.reset();
  EXPECT_EQ(s.available_permits(), 2u);  // nothing lost, nothing duplicated
}

TEST(Semaphore, MovingAWaitingAcquireKeepsItsPlace) {
  Semaphore s(0);
  SemaphoreAcquire a = s.acquire(1);
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  EXPECT_TRUE(a.poll(cx).is_pending());
  auto behind = waiter(s, 1);
  EXPECT_PENDING(*behind);
  TestTask<SemaphoreAcquire> moved(std::move(a));
  s.add_permits(1);
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_EQ(behind->wake_count(), 0u);
  EXPECT_TRUE(take(moved).has_value());
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "moved from");
}

TEST(Semaphore, MisuseIsAContractError) {
  Semaphore s(1);
  TestTask<SemaphoreAcquire> t(s.acquire());
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)t.poll(), "polled after");
  EXPECT_CONTRACT_ERROR(s.add_permits(Semaphore::max_permits), "max_permits");
  EXPECT_CONTRACT_ERROR(
      {
        SemaphoreAcquire a = s.acquire(Semaphore::max_permits + 1);
        (void)a;
      },
      "max_permits");
  EXPECT_CONTRACT_ERROR((void)s.try_acquire(Semaphore::max_permits + 1), "max_permits");
  EXPECT_CONTRACT_ERROR(Semaphore(Semaphore::max_permits + 1), "max_permits");
  EXPECT_EQ(s.available_permits(), 1u);  // a refused add_permits changed nothing
}

TEST(Semaphore, DescribeShowsTheStates) {
  Semaphore s(1);
  Option<SemaphorePermit> held = s.try_acquire();
  TestTask<SemaphoreAcquire> t(s.acquire(1));
  EXPECT_EQ(t.describe(), "SemaphoreAcquire [state: Init, wants 1]\n");
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe(), "SemaphoreAcquire [state: Waiting, wants 1]\n");
  EXPECT_EQ(pollen::describe_states(s), "Semaphore [0 available, 1 waiting]\n");
  EXPECT_EQ(pollen::describe_states(*held), "SemaphorePermit [1 permit]\n");
  held.reset();
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_EQ(t.describe(), "SemaphoreAcquire [state: Done]\n");
  s.close();
  EXPECT_EQ(pollen::describe_states(s), "Semaphore [closed, 1 available, 0 waiting]\n");
}

// At most kLimit tasks of one loop hold a permit at once; every task gets
// its turn.
TEST(Semaphore, LimitsConcurrencyOfTasksOnALoop) {
  constexpr int kTasks = 100;
  constexpr int kLimit = 3;
  Semaphore s(kLimit);
  int inside = 0, most = 0, finished = 0;
  pollen::EventLoop loop;
  for (int i = 0; i < kTasks; ++i) {
    loop.spawn(pollen::poll_fn([&, acq = std::unique_ptr<SemaphoreAcquire>(),
                                permit = Option<SemaphorePermit>(), yields = 0](
                                   pollen::Context& cx) mutable -> pollen::Poll<pollen::Unit> {
               if (!permit.has_value()) {
                 if (!acq) acq.reset(new SemaphoreAcquire(s.acquire()));
                 pollen::Poll<Option<SemaphorePermit>> p = acq->poll(cx);
                 if (p.is_pending()) return pollen::pending;
                 permit = std::move(p).value();
                 if (++inside > most) most = inside;
               }
               if (yields++ < 2) {  // hold the permit across two turns
                 cx.waker().wake();
                 return pollen::pending;
               }
               --inside;
               ++finished;
               return pollen::Unit{};
             }))
        .detach();
  }
  loop.run_until_stalled();
  EXPECT_EQ(finished, kTasks);
  EXPECT_EQ(most, kLimit);
  EXPECT_EQ(s.available_permits(), static_cast<std::size_t>(kLimit));
}

// Threads take and give back permits with block_on while others add and
// forget: the count at the end is exact.
TEST(SemaphoreThreads, PermitsAcquiredAndReleasedOnManyThreadsAreNeverLost) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 3000;
  Semaphore s(2);
  std::atomic<int> inside{0};
  std::atomic<bool> over{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        Option<SemaphorePermit> p = pollen::block_on(s.acquire(1 + (t + i) % 2));
        ASSERT_TRUE(p.has_value());
        if (inside.fetch_add(1) >= 2) over.store(true);
        inside.fetch_sub(1);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_FALSE(over.load()) << "more holders than permits";
  EXPECT_EQ(s.available_permits(), 2u);
  EXPECT_EQ(s.waiters(), 0u);
}
