#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/future/map.hpp>
#include <pollen/sync/channel.hpp>

#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

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
