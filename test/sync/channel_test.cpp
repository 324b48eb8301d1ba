#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/future/map.hpp>
#include <pollen/sync/channel.hpp>

#include "alloc_counter.hpp"
#include "contract.hpp"
#include "fragile.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#if POLLEN_HAS_EXCEPTIONS
using pollen::test::Fragile;
using pollen::test::FragileCounts;
#endif
using pollen::test::Probe;
using pollen::test::ProbeCounts;
using pollen::test::TestTask;

namespace {
template <class T>
pollen::Option<T> some(T v) {
  return pollen::Option<T>(std::move(v));
}
}  // namespace

TEST(Channel, CapacityZeroIsAContractError) {
  EXPECT_CONTRACT_ERROR(
      {
        auto ch = pollen::channel<int>(0);
        (void)ch;
      },
      "capacity of at least 1");
}

TEST(Channel, SendIsReadyWhileThereIsRoomAndMessagesArriveInOrder) {
  auto ch = pollen::channel<int>(2);
  EXPECT_TRUE(pollen::block_on(ch.first.send(1)).is_sent());
  EXPECT_TRUE(pollen::block_on(ch.first.send(2)).is_sent());
  EXPECT_EQ(pollen::block_on(ch.second.recv()), some(1));
  EXPECT_EQ(pollen::block_on(ch.second.recv()), some(2));
}

TEST(Channel, SendWaitsForRoomAndIsWokenByAReceive) {
  auto ch = pollen::channel<int>(1);
  EXPECT_TRUE(ch.first.try_send(1).is_sent());
  TestTask<pollen::Send<int>> send(ch.first.send(2));
  EXPECT_PENDING(send);
  EXPECT_EQ(send.future().state(), pollen::Send<int>::State::Waiting);
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(1));
  EXPECT_TRUE(send.is_woken());
  EXPECT_TRUE(send.poll().is_ready());
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(2));
}

TEST(Channel, WaitingSendersAreServedFirstComeFirstServed) {
  auto ch = pollen::channel<int>(1);
  EXPECT_TRUE(ch.first.try_send(0).is_sent());
  TestTask<pollen::Send<int>> a(ch.first.send(1));
  TestTask<pollen::Send<int>> b(ch.first.send(2));
  EXPECT_PENDING(a);
  EXPECT_PENDING(b);
  EXPECT_TRUE(ch.first.try_send(3).is_full());  // no overtaking the queue
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(0));
  EXPECT_TRUE(a.is_woken());
  EXPECT_FALSE(b.is_woken());
  EXPECT_PENDING(b);
  EXPECT_TRUE(a.poll().is_ready());
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(1));
  EXPECT_TRUE(b.is_woken());
  EXPECT_TRUE(b.poll().is_ready());
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(2));
}

TEST(Channel, TrySendReportsFullAndHandsTheValueBack) {
  ProbeCounts c;
  auto ch = pollen::channel<Probe<int>>(1);
  EXPECT_TRUE(ch.first.try_send(Probe<int>(c, 1)).is_sent());
  pollen::SendResult<Probe<int>> r = ch.first.try_send(Probe<int>(c, 2));
  ASSERT_TRUE(r.is_full());
  EXPECT_EQ(r.take_back().value(), 2);
  EXPECT_EQ(c.live_destroyed, 1);  // the one handed back, destroyed by us
}

TEST(Channel, ReceiverEndsWhenEverySenderIsGoneAndTheBufferIsDrained) {
  auto ch = pollen::channel<int>(4);
  {
    pollen::Sender<int> tx = std::move(ch.first);
    pollen::Sender<int> tx2 = tx;
    EXPECT_TRUE(tx.try_send(1).is_sent());
    EXPECT_TRUE(tx2.try_send(2).is_sent());
  }
  TestTask<pollen::Recv<int>> r1(ch.second.recv());
  EXPECT_READY_EQ(r1, some(1));
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(2));
  EXPECT_TRUE(ch.second.try_recv().is_closed());
  EXPECT_EQ(pollen::block_on(ch.second.recv()), pollen::Option<int>());
  EXPECT_EQ(pollen::block_on(ch.second.recv()), pollen::Option<int>());  // fused
}

TEST(Channel, ReceiverIsWokenWhenTheLastSenderGoes) {
  auto ch = pollen::channel<int>(1);
  pollen::Sender<int> tx2 = ch.first;
  TestTask<pollen::Recv<int>> r(ch.second.recv());
  EXPECT_PENDING(r);
  { pollen::Sender<int> gone = std::move(ch.first); }
  EXPECT_FALSE(r.is_woken());
  { pollen::Sender<int> gone = std::move(tx2); }
  EXPECT_TRUE(r.is_woken());
  EXPECT_READY_EQ(r, pollen::Option<int>());
}

TEST(Channel, CloseAndDrainEveryValueIsReceivedOrHandedBack) {
  ProbeCounts c;
  auto ch = pollen::channel<Probe<int>>(2);
  EXPECT_TRUE(ch.first.try_send(Probe<int>(c, 1)).is_sent());
  EXPECT_TRUE(ch.first.try_send(Probe<int>(c, 2)).is_sent());
  TestTask<pollen::Send<Probe<int>>> waiting(ch.first.send(Probe<int>(c, 3)));
  EXPECT_PENDING(waiting);

  ch.second.close();
  EXPECT_TRUE(ch.first.is_closed());
  EXPECT_TRUE(waiting.is_woken());
  {
    auto w = waiting.poll();
    ASSERT_TRUE(w.is_ready());
    pollen::SendResult<Probe<int>> wr = std::move(w).value();
    ASSERT_TRUE(wr.is_closed());
    EXPECT_EQ(wr.take_back().value(), 3);
  }
  pollen::SendResult<Probe<int>> late = ch.first.try_send(Probe<int>(c, 4));
  ASSERT_TRUE(late.is_closed());
  EXPECT_EQ(late.take_back().value(), 4);

  std::vector<int> got;
  while (pollen::Option<Probe<int>> v = pollen::block_on(ch.second.recv())) got.push_back(v->value());
  EXPECT_EQ(got, (std::vector<int>{1, 2}));
  EXPECT_EQ(c.live_destroyed, 4);  // all four reached the test: 2 received, 2 handed back
  EXPECT_EQ(c.alive(), 0);
}

TEST(Channel, DroppingTheReceiverDestroysBufferedMessagesAndLaterSendsHandBack) {
  ProbeCounts c;
  auto ch = pollen::channel<Probe<int>>(2);
  EXPECT_TRUE(ch.first.try_send(Probe<int>(c, 1)).is_sent());
  TestTask<pollen::Send<Probe<int>>> a(ch.first.send(Probe<int>(c, 2)));
  EXPECT_TRUE(a.poll().is_ready());
  EXPECT_TRUE(ch.first.try_send(Probe<int>(c, 3)).is_full());  // handed back and destroyed here
  EXPECT_EQ(c.live_destroyed, 1);
  { pollen::Receiver<Probe<int>> gone = std::move(ch.second); }
  EXPECT_EQ(c.live_destroyed, 3);  // the two buffered ones, at once
  pollen::SendResult<Probe<int>> r = pollen::block_on(ch.first.send(Probe<int>(c, 4)));
  ASSERT_TRUE(r.is_closed());
  EXPECT_EQ(r.take_back().value(), 4);
}

TEST(Channel, DroppingAPendingSendDestroysItsValueAndLeavesTheQueue) {
  ProbeCounts c;
  auto ch = pollen::channel<Probe<int>>(1);
  EXPECT_TRUE(ch.first.try_send(Probe<int>(c, 1)).is_sent());
  TestTask<pollen::Send<Probe<int>>> b(ch.first.send(Probe<int>(c, 3)));
  {
    TestTask<pollen::Send<Probe<int>>> a(ch.first.send(Probe<int>(c, 2)));
    EXPECT_PENDING(a);
    EXPECT_PENDING(b);
  }
  EXPECT_EQ(c.live_destroyed, 1);  // documented: not cancel safe
  EXPECT_FALSE(pollen::is_cancel_safe<pollen::Send<int>>::value);
  EXPECT_TRUE(ch.second.try_recv().is_received());
  EXPECT_TRUE(b.is_woken());  // b is first in the queue now
  EXPECT_TRUE(b.poll().is_ready());
}

TEST(Channel, DroppingAGrantedSendPassesTheSlotToTheNextWaiter) {
  auto ch = pollen::channel<int>(1);
  EXPECT_TRUE(ch.first.try_send(0).is_sent());
  TestTask<pollen::Send<int>> b(ch.first.send(2));
  {
    TestTask<pollen::Send<int>> a(ch.first.send(1));
    EXPECT_PENDING(a);
    EXPECT_PENDING(b);
    EXPECT_TRUE(ch.second.try_recv().is_received());
    EXPECT_TRUE(a.is_woken());  // granted, but dropped before it fills the slot
    EXPECT_FALSE(b.is_woken());
  }
  EXPECT_TRUE(b.is_woken());
  EXPECT_TRUE(b.poll().is_ready());
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(2));
}

TEST(Channel, ReserveWaitsForRoomAndThePermitSendsWithoutWaiting) {
  auto ch = pollen::channel<int>(1);
  pollen::Option<pollen::Permit<int>> p = pollen::block_on(ch.first.reserve());
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(ch.first.try_send(1).is_full());  // the permit holds the only slot
  TestTask<pollen::Reserve<int>> r(ch.first.reserve());
  EXPECT_PENDING(r);
  EXPECT_TRUE(p->send(5).is_sent());
  EXPECT_FALSE(r.is_woken());
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(5));
  EXPECT_TRUE(r.is_woken());
  auto q = r.poll();
  ASSERT_TRUE(q.is_ready());
  EXPECT_TRUE(std::move(q).value().has_value());
}

TEST(Channel, DroppingAnUnusedPermitGivesTheSlotBack) {
  auto ch = pollen::channel<int>(1);
  {
    pollen::Option<pollen::Permit<int>> p = ch.first.try_reserve();
    ASSERT_TRUE(p.has_value());
    EXPECT_FALSE(ch.first.try_reserve().has_value());
  }
  EXPECT_TRUE(ch.first.try_send(1).is_sent());
}

TEST(Channel, DroppingAPendingReserveLosesNothing) {
  auto ch = pollen::channel<int>(1);
  EXPECT_TRUE(ch.first.try_send(1).is_sent());
  {
    TestTask<pollen::Reserve<int>> r(ch.first.reserve());
    EXPECT_PENDING(r);
  }
  EXPECT_TRUE(pollen::is_cancel_safe<pollen::Reserve<int>>::value);
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(1));
  EXPECT_TRUE(ch.first.try_send(2).is_sent());  // the queue is empty again
}

TEST(Channel, PermitSendAfterTheReceiverIsGoneHandsTheValueBack) {
  auto ch = pollen::channel<int>(1);
  pollen::Option<pollen::Permit<int>> p = ch.first.try_reserve();
  ASSERT_TRUE(p.has_value());
  { pollen::Receiver<int> gone = std::move(ch.second); }
  pollen::SendResult<int> r = p->send(8);
  ASSERT_TRUE(r.is_closed());
  EXPECT_EQ(r.take_back(), 8);
  EXPECT_CONTRACT_ERROR((void)p->send(9), "spent permit");
}

TEST(Channel, APendingReserveGetsNoneWhenTheReceiverCloses) {
  auto ch = pollen::channel<int>(1);
  EXPECT_TRUE(ch.first.try_send(1).is_sent());
  TestTask<pollen::Reserve<int>> r(ch.first.reserve());
  EXPECT_PENDING(r);
  ch.second.close();
  EXPECT_TRUE(r.is_woken());
  auto q = r.poll();
  ASSERT_TRUE(q.is_ready());
  EXPECT_FALSE(std::move(q).value().has_value());
}

TEST(Channel, DroppingAPendingRecvLosesNoMessage) {
  auto ch = pollen::channel<int>(1);
  {
    TestTask<pollen::Recv<int>> r(ch.second.recv());
    EXPECT_PENDING(r);
  }
  EXPECT_TRUE(pollen::is_cancel_safe<pollen::Recv<int>>::value);
  EXPECT_TRUE(ch.first.try_send(1).is_sent());
  EXPECT_EQ(pollen::block_on(ch.second.recv()), some(1));
}

TEST(Channel, AFullReceiverSpendsTheBudgetAndYieldsWhenItIsSpent) {
  auto ch = pollen::channel<int>(8);
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(ch.first.try_send(i).is_sent());
  pollen::test::CountingWaker w;
  pollen::Budget budget{3};
  pollen::Context cx(w.waker(), budget);
  int got = 0;
  while (ch.second.poll_next(cx).is_ready()) ++got;
  EXPECT_EQ(got, 3);
  EXPECT_EQ(w.wakes(), 1u);  // re-woken, not starved
  EXPECT_EQ(ch.second.size(), 5u);
}

TEST(Channel, PollingARecvAfterReadyIsAContractError) {
  auto ch = pollen::channel<int>(1);
  EXPECT_TRUE(ch.first.try_send(1).is_sent());
  TestTask<pollen::Recv<int>> r(ch.second.recv());
  EXPECT_TRUE(r.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)r.poll(), "polled after it returned Ready");
}

TEST(Channel, UsingAMovedFromHandleIsAContractError) {
  auto ch = pollen::channel<int>(1);
  pollen::Sender<int> tx = std::move(ch.first);
  EXPECT_CONTRACT_ERROR((void)ch.first.try_send(1), "no channel");
  pollen::Receiver<int> rx = std::move(ch.second);
  EXPECT_CONTRACT_ERROR((void)ch.second.try_recv(), "no channel");
}

TEST(Channel, DescribeShowsBufferAndWaiters) {
  auto ch = pollen::channel<int>(1);
  EXPECT_TRUE(ch.first.try_send(1).is_sent());
  TestTask<pollen::Send<int>> s(ch.first.send(2));
  EXPECT_PENDING(s);
  std::string d = pollen::describe(ch.second);
  EXPECT_NE(d.find("Receiver [1 buffered of 1, open, 1 senders waiting]"), std::string::npos) << d;
  EXPECT_NE(s.describe().find("Send [state: Waiting (channel full)]"), std::string::npos);
}

TEST(Channel, FuturesChainThroughTheFutureExtMixin) {
  auto ch = pollen::channel<int>(1);
  EXPECT_TRUE(ch.first.try_send(21).is_sent());
  auto doubled = ch.second.recv().map([](pollen::Option<int> v) { return *v * 2; });
  EXPECT_TRUE(pollen::is_cancel_safe<decltype(doubled)>::value);
  EXPECT_EQ(pollen::block_on(std::move(doubled)), 42);
  auto sent = ch.first.send(1).map([](pollen::SendResult<int> r) { return r.is_sent(); });
  EXPECT_FALSE(pollen::is_cancel_safe<decltype(sent)>::value);
  EXPECT_TRUE(pollen::block_on(std::move(sent)));
}

TEST(Channel, ClosingAndDroppingTheReceiverWakeWaitingSendersWithoutAllocating) {
  for (bool drop : {false, true}) {
    auto ch = pollen::channel<int>(1);
    EXPECT_TRUE(ch.first.try_send(0).is_sent());
    TestTask<pollen::Send<int>> a(ch.first.send(1));
    TestTask<pollen::Reserve<int>> b(ch.first.reserve());
    TestTask<pollen::Send<int>> c(ch.first.send(3));
    EXPECT_PENDING(a);
    EXPECT_PENDING(b);
    EXPECT_PENDING(c);
    pollen::test::AllocCounter allocs;
    if (drop) {
      pollen::Receiver<int> gone = std::move(ch.second);
    } else {
      ch.second.close();
    }
    std::size_t allocations = allocs.allocations();
    EXPECT_EQ(allocations, 0u) << (drop ? "drop" : "close");
    EXPECT_EQ(a.wake_count() + b.wake_count() + c.wake_count(), 3u);
    EXPECT_TRUE(a.poll().is_ready());
    EXPECT_TRUE(b.poll().is_ready());
    EXPECT_TRUE(c.poll().is_ready());
  }
}

#if POLLEN_HAS_EXCEPTIONS
// A send that waited, was granted a slot, and whose value's move throws
// while it fills the slot: the Send is Poisoned, its slot passes to the next
// waiter, and destroying it touches nothing it no longer owns.
TEST(Channel, AGrantedSendWhoseMoveThrowsIsPoisonedAndPassesItsSlotOn) {
  FragileCounts c;
  {
    auto ch = pollen::channel<Fragile>(1);
    EXPECT_TRUE(ch.first.try_send(Fragile(c, 0)).is_sent());
    auto s = pollen::test::test_task(ch.first.send(Fragile(c, 1)));
    auto w = pollen::test::test_task(ch.first.send(Fragile(c, 2)));
    EXPECT_PENDING(s);
    EXPECT_PENDING(w);
    EXPECT_EQ(ch.second.try_recv().value().value(), 0);
    EXPECT_TRUE(s.is_woken());  // granted the slot
    EXPECT_FALSE(w.is_woken());
    c.fail_after = 0;
    EXPECT_THROW((void)s.poll(), pollen::test::MoveFailed);
    EXPECT_TRUE(w.is_woken());  // the slot passed on
    EXPECT_EQ(s.future().state(), pollen::Send<Fragile>::State::Poisoned);
    EXPECT_NE(s.describe().find("state: Poisoned"), std::string::npos) << s.describe();
    EXPECT_CONTRACT_ERROR((void)s.poll(), "polled again after its poll threw");
    auto r = w.poll();
    ASSERT_TRUE(r.is_ready());
    EXPECT_TRUE(std::move(r).value().is_sent());
    EXPECT_EQ(ch.second.try_recv().value().value(), 2);
    EXPECT_TRUE(ch.first.try_send(Fragile(c, 3)).is_sent());  // no capacity leaked
    EXPECT_TRUE(ch.first.try_send(Fragile(c, 4)).is_full());
  }
  EXPECT_EQ(c.throws, 1);
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(c.live_destroyed, c.constructed);  // each value destroyed once, none lost twice
}

// Destroyed right after the throw, it gives back nothing twice and writes
// no wait slot it does not hold.
TEST(Channel, AGrantedSendWhoseMoveThrewIsSafeToDestroy) {
  FragileCounts c;
  {
    auto ch = pollen::channel<Fragile>(1);
    EXPECT_TRUE(ch.first.try_send(Fragile(c, 0)).is_sent());
    auto w = pollen::test::test_task(ch.first.send(Fragile(c, 2)));
    {
      auto s = pollen::test::test_task(ch.first.send(Fragile(c, 1)));
      EXPECT_PENDING(s);
      EXPECT_PENDING(w);
      EXPECT_EQ(ch.second.try_recv().value().value(), 0);
      c.fail_after = 0;
      EXPECT_THROW((void)s.poll(), pollen::test::MoveFailed);
    }
    EXPECT_TRUE(w.is_woken());
    EXPECT_TRUE(w.poll().is_ready());
    EXPECT_EQ(ch.second.try_recv().value().value(), 2);
    EXPECT_TRUE(ch.second.try_recv().is_empty());
  }
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(c.live_destroyed, c.constructed);
}

// The same when it is memory that runs out while the slot is filled. The
// permit and the granted send are both short of memory when they fill their
// slots (a buffer that grows); whichever fails gives its slot back.
TEST(Channel, AGrantedSendThatRunsOutOfMemoryIsPoisonedAndPassesItsSlotOn) {
  auto ch = pollen::channel<int>(65);
  for (int i = 0; i < 64; ++i) ASSERT_TRUE(ch.first.try_send(i).is_sent());
  pollen::Option<pollen::Permit<int>> p = ch.first.try_reserve();
  ASSERT_TRUE(p.has_value());
  auto s = pollen::test::test_task(ch.first.send(100));
  auto w = pollen::test::test_task(ch.first.send(200));
  EXPECT_PENDING(s);
  EXPECT_PENDING(w);
  EXPECT_EQ(ch.second.try_recv().value(), 0);  // s is granted this slot
  EXPECT_TRUE(s.is_woken());
  bool permit_threw = false;
  bool send_threw = false;
  {
    pollen::test::FailAllocations oom;
    try {
      (void)p->send(65);
    } catch (const std::bad_alloc&) {
      permit_threw = true;
    }
    try {
      (void)s.poll();
    } catch (const std::bad_alloc&) {
      send_threw = true;
    }
  }
  EXPECT_TRUE(send_threw);
  if (permit_threw) {
    EXPECT_TRUE(p->is_valid());  // a failed send changes nothing: the permit keeps its slot
    EXPECT_TRUE(p->send(65).is_sent());
  }
  EXPECT_TRUE(w.is_woken());  // s's slot passed on
  EXPECT_CONTRACT_ERROR((void)s.poll(), "polled again after its poll threw");
  EXPECT_TRUE(w.poll().is_ready());
  // Everything that was sent is there, in order, and the capacity is whole.
  std::vector<int> got;
  for (pollen::RecvResult<int> r = ch.second.try_recv(); r.is_received(); r = ch.second.try_recv()) {
    got.push_back(r.value());
  }
  std::vector<int> want;
  for (int i = 1; i < 64; ++i) want.push_back(i);
  want.push_back(65);
  want.push_back(200);
  EXPECT_EQ(got, want);
  for (int i = 0; i < 65; ++i) EXPECT_TRUE(ch.first.try_send(i).is_sent()) << i;
  EXPECT_TRUE(ch.first.try_send(65).is_full());
}

TEST(Channel, APermitWhoseSendThrowsKeepsItsSlot) {
  // Let 0, 1, 2 ... moves succeed before one throws, so that the throw
  // happens at each move the send makes, inside the channel or not.
  for (int k = 0; k < 4; ++k) {
    FragileCounts c;
    {
      auto ch = pollen::channel<Fragile>(1);
      bool threw = false;
      {
        pollen::Option<pollen::Permit<Fragile>> p = ch.first.try_reserve();
        ASSERT_TRUE(p.has_value());
        Fragile v(c, 1);
        c.fail_after = k;
        try {
          EXPECT_TRUE(p->send(std::move(v)).is_sent());
        } catch (const pollen::test::MoveFailed&) {
          threw = true;
        }
        c.fail_after = -1;
        if (threw) {
          EXPECT_TRUE(p->is_valid()) << k;  // a send that threw changed nothing
          EXPECT_TRUE(ch.first.try_send(Fragile(c, 2)).is_full()) << k;  // the permit still holds the slot
        }
      }
      if (threw) {
        // The unused permit gave its slot back, once.
        EXPECT_TRUE(ch.first.try_send(Fragile(c, 3)).is_sent()) << k;
        EXPECT_TRUE(ch.first.try_send(Fragile(c, 4)).is_full()) << k;
        EXPECT_EQ(ch.second.try_recv().value().value(), 3) << k;
      } else {
        EXPECT_EQ(ch.second.try_recv().value().value(), 1) << k;
      }
      EXPECT_TRUE(ch.first.try_send(Fragile(c, 5)).is_sent()) << k;
      EXPECT_TRUE(ch.first.try_send(Fragile(c, 6)).is_full()) << k;
    }
    EXPECT_EQ(c.alive(), 0) << k;
    EXPECT_EQ(c.live_destroyed, c.constructed) << k;
  }
}

TEST(Channel, MovingASendWhoseValueThrowsLeavesBothSafeToDestroy) {
  FragileCounts c;
  {
    auto ch = pollen::channel<Fragile>(1);
    EXPECT_TRUE(ch.first.try_send(Fragile(c, 0)).is_sent());
    pollen::Send<Fragile> s = ch.first.send(Fragile(c, 1));
    pollen::test::CountingWaker waker;
    pollen::Context cx(waker.waker());
    EXPECT_TRUE(s.poll(cx).is_pending());  // queued: holds a wait slot
    c.fail_after = 0;
    EXPECT_THROW(pollen::Send<Fragile> moved(std::move(s)), pollen::test::MoveFailed);
    // s is still whole: still queued, and gets the slot.
    EXPECT_EQ(ch.second.try_recv().value().value(), 0);
    EXPECT_EQ(waker.wakes(), 1u);
    auto r = s.poll(cx);
    ASSERT_TRUE(r.is_ready());
    EXPECT_TRUE(std::move(r).value().is_sent());
    EXPECT_EQ(ch.second.try_recv().value().value(), 1);
  }
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(c.live_destroyed, c.constructed);
}

// Growing the buffer past its first size never moves a buffered value, so a
// move constructor that throws cannot leave moved-from shells behind: every
// send reported Sent is received whole, in order; a send that threw changed
// nothing.
TEST(Channel, AThrowingMoveNeverCostsABufferedValueWhenTheBufferGrows) {
  FragileCounts c;
  {
    auto ch = pollen::channel<Fragile>(300);
    std::vector<int> sent;
    int threw = 0;
    c.fail_after = 4;
    c.period = 5;  // every fifth move throws
    for (int i = 0; i < 300; ++i) {
      try {
        if (ch.first.try_send(Fragile(c, i)).is_sent()) sent.push_back(i);
      } catch (const pollen::test::MoveFailed&) {
        ++threw;
      }
      EXPECT_EQ(ch.second.size(), sent.size());
    }
    c.fail_after = -1;
    c.period = 0;
    EXPECT_GT(threw, 0);
    std::vector<int> got;
    int shells = 0;
    for (pollen::RecvResult<Fragile> r = ch.second.try_recv(); r.is_received(); r = ch.second.try_recv()) {
      if (!r.value().live()) ++shells;
      got.push_back(r.value().value());
    }
    EXPECT_EQ(shells, 0);
    EXPECT_EQ(got, sent);
  }
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(c.live_destroyed, c.constructed);
}

// A Reserve that runs out of memory while it queues up is Poisoned and
// leaves nothing behind: the senders queued before it are served in order.
TEST(Channel, AReserveThatRunsOutOfMemoryWhileQueueingIsPoisoned) {
  for (std::size_t allow = 0; allow < 4; ++allow) {
    auto ch = pollen::channel<int>(1);
    EXPECT_TRUE(ch.first.try_send(0).is_sent());
    std::vector<TestTask<pollen::Reserve<int>>> queued;
    queued.reserve(8);
    for (int i = 0; i < 8; ++i) {
      queued.emplace_back(ch.first.reserve());
      EXPECT_PENDING(queued.back());
    }
    auto r = pollen::test::test_task(ch.first.reserve());
    bool threw = false;
    {
      pollen::test::FailAllocations oom(allow);
      try {
        (void)r.poll();
      } catch (const std::bad_alloc&) {
        threw = true;
      }
    }
    if (!threw) continue;  // this many allocations were enough
    EXPECT_EQ(r.future().state(), pollen::Reserve<int>::State::Poisoned);
    EXPECT_CONTRACT_ERROR((void)r.poll(), "polled again after its poll threw");
    for (int i = 0; i < 8; ++i) {
      EXPECT_TRUE(ch.second.try_recv().is_received()) << i;
      auto p = queued[i].poll();
      ASSERT_TRUE(p.is_ready()) << i;
      pollen::Option<pollen::Permit<int>> permit = std::move(p).value();
      ASSERT_TRUE(permit.has_value());
      EXPECT_TRUE(permit->send(i + 1).is_sent());
    }
    EXPECT_TRUE(ch.second.try_recv().is_received());
    EXPECT_TRUE(ch.first.try_send(9).is_sent());  // the queue is empty: no lost waiter left
  }
}

// A receive whose move out of the channel throws leaves the message in the
// channel; the Recv future whose poll threw is finished (Poisoned).
TEST(Channel, ARecvWhoseMoveThrowsLeavesTheMessageAndIsPoisoned) {
  FragileCounts c;
  {
    auto ch = pollen::channel<Fragile>(2);
    EXPECT_TRUE(ch.first.try_send(Fragile(c, 1)).is_sent());
    {
      auto r = pollen::test::test_task(ch.second.recv());
      c.fail_after = 0;
      EXPECT_THROW((void)r.poll(), pollen::test::MoveFailed);
      EXPECT_EQ(ch.second.size(), 1u);
      EXPECT_EQ(r.future().state(), pollen::Recv<Fragile>::State::Poisoned);
      EXPECT_CONTRACT_ERROR((void)r.poll(), "polled again after its poll threw");
    }
    pollen::Option<Fragile> v = pollen::block_on(ch.second.recv());
    ASSERT_TRUE(v.has_value());
    EXPECT_TRUE(v->live());
    EXPECT_EQ(v->value(), 1);
  }
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(c.live_destroyed, c.constructed);
}
#endif

// ---- Receiver::len() / is_closed() --------------------------------------

TEST(Channel, LenCountsQueuedMessagesAndIsClosedTurnsOnAtCloseWithMessagesLeft) {
  auto ch = pollen::channel<int>(4);
  pollen::Receiver<int>& rx = ch.second;
  EXPECT_EQ(rx.len(), 0u);
  EXPECT_FALSE(rx.is_closed());
  ASSERT_TRUE(ch.first.try_send(1).is_sent());
  ASSERT_TRUE(ch.first.try_send(2).is_sent());
  EXPECT_EQ(rx.len(), 2u);
  EXPECT_EQ(rx.len(), rx.size());
  rx.close();
  EXPECT_TRUE(rx.is_closed());  // closed, with two messages still to receive
  EXPECT_EQ(rx.len(), 2u);
  EXPECT_EQ(pollen::block_on(rx.recv()), some(1));
  EXPECT_EQ(rx.len(), 1u);
  EXPECT_EQ(pollen::block_on(rx.recv()), some(2));
  EXPECT_EQ(rx.len(), 0u);
  EXPECT_TRUE(rx.is_closed());
  EXPECT_EQ(pollen::block_on(rx.recv()), pollen::Option<int>());
}

TEST(Channel, IsClosedOnceEverySenderAndPendingPermitIsGone) {
  auto ch = pollen::channel<int>(2);
  pollen::Sender<int> second = ch.first;
  pollen::Option<pollen::Permit<int>> permit = second.try_reserve();
  ASSERT_TRUE(permit.has_value());
  { pollen::Sender<int> gone = std::move(ch.first); }
  { pollen::Sender<int> gone = std::move(second); }
  EXPECT_FALSE(ch.second.is_closed());  // the permit may still send
  EXPECT_TRUE(permit->send(5).is_sent());
  EXPECT_TRUE(ch.second.is_closed());
  EXPECT_EQ(ch.second.len(), 1u);
  EXPECT_EQ(pollen::block_on(ch.second.recv()), some(5));
}

TEST(Channel, LenAndIsClosedOnAMovedFromReceiverAreContractErrors) {
  auto ch = pollen::channel<int>(1);
  pollen::Receiver<int> moved = std::move(ch.second);
  EXPECT_CONTRACT_ERROR((void)ch.second.len(), "Receiver::len() on a Receiver of no channel");
  EXPECT_CONTRACT_ERROR((void)ch.second.is_closed(),
                        "Receiver::is_closed() on a Receiver of no channel");
}

// ---- Sender::closed() ---------------------------------------------------

TEST(Channel, ClosedIsPendingWhileTheReceiverIsOpenAndReadyWhenItCloses) {
  auto ch = pollen::channel<int>(1);
  auto a = pollen::test::test_task(ch.first.closed());
  auto b = pollen::test::test_task(ch.first.closed());
  EXPECT_PENDING(a);
  EXPECT_PENDING(b);
  EXPECT_EQ(ch.first.shared().closed_waiter_count(), 2u);
  ASSERT_TRUE(ch.first.try_send(1).is_sent());  // sends and receives do not wake it
  EXPECT_EQ(pollen::block_on(ch.second.recv()), some(1));
  EXPECT_FALSE(a.is_woken());
  EXPECT_EQ(a.describe(), "SenderClosed [state: Waiting]\n");
  ch.second.close();
  EXPECT_TRUE(a.is_woken());
  EXPECT_TRUE(b.is_woken());
  EXPECT_EQ(ch.first.shared().closed_waiter_count(), 0u);
  EXPECT_READY_EQ(a, pollen::Unit{});
  EXPECT_READY_EQ(b, pollen::Unit{});
  EXPECT_EQ(a.describe(), "SenderClosed [state: Done]\n");
  EXPECT_CONTRACT_ERROR((void)a.poll(), "SenderClosed polled after it returned Ready");
  // Created after the close: Ready at once, nothing registered.
  EXPECT_TRUE(pollen::block_on(ch.first.closed()) == pollen::Unit{});
}

TEST(Channel, ClosedIsWokenWhenTheReceiverIsDestroyedAndOutlivesItsSender) {
  auto ch = pollen::channel<int>(1);
  auto t = pollen::test::test_task(ch.first.closed());
  EXPECT_PENDING(t);
  { pollen::Sender<int> gone = std::move(ch.first); }  // not a sender: the receiver ends
  EXPECT_EQ(pollen::block_on(ch.second.recv()), pollen::Option<int>());
  EXPECT_FALSE(t.is_woken());
  { pollen::Receiver<int> gone = std::move(ch.second); }
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, pollen::Unit{});
}

TEST(Channel, DroppingAPendingClosedLeavesNoWakerRegistered) {
  auto ch = pollen::channel<int>(1);
  pollen::test::CountingWaker w;
  const std::size_t refs = w.ref_count();
  {
    pollen::SenderClosed<int> c = ch.first.closed();
    pollen::Context cx(w.waker());
    EXPECT_TRUE(c.poll(cx).is_pending());
    EXPECT_EQ(w.ref_count(), refs + 1);
    EXPECT_EQ(ch.first.shared().closed_waiter_count(), 1u);
  }
  EXPECT_EQ(w.ref_count(), refs);
  EXPECT_EQ(ch.first.shared().closed_waiter_count(), 0u);
  ch.second.close();
  EXPECT_EQ(w.wakes(), 0u);
  static_assert(pollen::SenderClosed<int>::is_cancel_safe, "closed() carries nothing");
}

TEST(Channel, AMovedClosedFutureKeepsItsPlaceAndFollowsTheNewestWaker) {
  auto ch = pollen::channel<int>(1);
  pollen::test::CountingWaker first;
  pollen::test::CountingWaker second;
  pollen::SenderClosed<int> a = ch.first.closed();
  pollen::Context cx1(first.waker());
  EXPECT_TRUE(a.poll(cx1).is_pending());
  pollen::SenderClosed<int> b(std::move(a));
  EXPECT_EQ(ch.first.shared().closed_waiter_count(), 1u);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx1), "SenderClosed polled after it was moved from");
  pollen::Context cx2(second.waker());
  EXPECT_TRUE(b.poll(cx2).is_pending());
  EXPECT_EQ(first.ref_count(), 2u);  // the replaced waker was dropped
  pollen::test::AllocCounter allocs;
  ch.second.close();
  EXPECT_EQ(allocs.allocations(), 0u);
  EXPECT_EQ(first.wakes(), 0u);
  EXPECT_EQ(second.wakes(), 1u);
  EXPECT_TRUE(b.poll(cx2).is_ready());
}

TEST(Channel, AClosedFutureSpendsTheBudgetWhenReady) {
  auto ch = pollen::channel<int>(1);
  ch.second.close();
  pollen::test::CountingWaker w;
  pollen::SenderClosed<int> c = ch.first.closed();
  pollen::Budget spent{0};
  pollen::Context no_budget(w.waker(), spent);
  EXPECT_TRUE(c.poll(no_budget).is_pending());
  EXPECT_EQ(w.wakes(), 1u);
  pollen::Budget some_left{3};
  pollen::Context cx(w.waker(), some_left);
  EXPECT_TRUE(c.poll(cx).is_ready());
  EXPECT_EQ(some_left.remaining, 2u);
}

TEST(Channel, ClosedOnAMovedFromSenderIsAContractError) {
  auto ch = pollen::channel<int>(1);
  pollen::Sender<int> moved = std::move(ch.first);
  EXPECT_CONTRACT_ERROR(
      {
        auto c = ch.first.closed();
        (void)c;
      },
      "Sender::closed() on a handle of no channel");
}
