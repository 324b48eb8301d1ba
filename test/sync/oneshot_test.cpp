#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/sync/oneshot.hpp>

#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <utility>

using pollen::test::Probe;
using pollen::test::ProbeCounts;
using pollen::test::TestTask;

TEST(Oneshot, ReceiverIsReadyWithTheSentValue) {
  auto ch = pollen::oneshot<int>();
  TestTask<pollen::OneshotReceiver<int>> rx(std::move(ch.second));
  EXPECT_PENDING(rx);
  EXPECT_FALSE(rx.is_woken());
  EXPECT_TRUE(ch.first.send(7).is_sent());
  EXPECT_TRUE(rx.is_woken());
  EXPECT_READY_EQ(rx, pollen::RecvResult<int>::received(7));
}

TEST(Oneshot, ReceiverIsClosedWhenTheSenderIsDroppedWithoutSending) {
  auto ch = pollen::oneshot<int>();
  TestTask<pollen::OneshotReceiver<int>> rx(std::move(ch.second));
  EXPECT_PENDING(rx);
  { pollen::OneshotSender<int> gone = std::move(ch.first); }
  EXPECT_TRUE(rx.is_woken());
  EXPECT_READY_EQ(rx, pollen::RecvResult<int>::closed());
}

TEST(Oneshot, SendToADroppedReceiverHandsTheValueBack) {
  ProbeCounts c;
  auto ch = pollen::oneshot<Probe<int>>();
  { pollen::OneshotReceiver<Probe<int>> gone = std::move(ch.second); }
  EXPECT_TRUE(ch.first.is_closed());
  pollen::SendResult<Probe<int>> r = ch.first.send(Probe<int>(c, 5));
  ASSERT_TRUE(r.is_closed());
  Probe<int> back = r.take_back();
  EXPECT_EQ(back.value(), 5);
  EXPECT_EQ(c.live_destroyed, 0);  // nothing was lost
}

TEST(Oneshot, DroppingTheReceiverDestroysASentValueAtOnce) {
  ProbeCounts c;
  auto ch = pollen::oneshot<Probe<int>>();
  EXPECT_TRUE(ch.first.send(Probe<int>(c, 1)).is_sent());
  EXPECT_EQ(c.live_destroyed, 0);
  { pollen::OneshotReceiver<Probe<int>> gone = std::move(ch.second); }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.alive(), 0);
}

TEST(Oneshot, CloseRefusesLaterSendsButKeepsAnEarlierValue) {
  auto a = pollen::oneshot<int>();
  EXPECT_TRUE(a.first.send(1).is_sent());
  a.second.close();
  EXPECT_EQ(a.second.try_recv(), pollen::RecvResult<int>::received(1));

  auto b = pollen::oneshot<int>();
  b.second.close();
  pollen::SendResult<int> r = b.first.send(2);
  ASSERT_TRUE(r.is_closed());
  EXPECT_EQ(r.take_back(), 2);
  EXPECT_EQ(b.second.try_recv(), pollen::RecvResult<int>::closed());
}

TEST(Oneshot, TryRecvReportsEmptyThenReceivedThenClosed) {
  auto ch = pollen::oneshot<int>();
  EXPECT_TRUE(ch.second.try_recv().is_empty());
  ch.first.send(3);
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(3));
  EXPECT_TRUE(ch.second.try_recv().is_closed());
}

TEST(Oneshot, ClosedFutureIsReadyWhenTheReceiverGoes) {
  auto ch = pollen::oneshot<int>();
  TestTask<pollen::OneshotClosed<int>> closed(ch.first.closed());
  EXPECT_PENDING(closed);
  EXPECT_FALSE(ch.first.is_closed());
  { pollen::OneshotReceiver<int> gone = std::move(ch.second); }
  EXPECT_TRUE(closed.is_woken());
  EXPECT_TRUE(closed.poll().is_ready());
  EXPECT_TRUE(ch.first.is_closed());
}

TEST(Oneshot, ClosedFutureIsReadyAfterClose) {
  auto ch = pollen::oneshot<int>();
  TestTask<pollen::OneshotClosed<int>> closed(ch.first.closed());
  EXPECT_PENDING(closed);
  ch.second.close();
  EXPECT_TRUE(closed.is_woken());
  EXPECT_TRUE(closed.poll().is_ready());
}

TEST(Oneshot, SendingTwiceIsAContractError) {
  auto ch = pollen::oneshot<int>();
  ch.first.send(1);
  EXPECT_CONTRACT_ERROR(ch.first.send(2), "used after it was spent");
}

TEST(Oneshot, PollingAfterReadyIsAContractError) {
  auto ch = pollen::oneshot<int>();
  ch.first.send(1);
  TestTask<pollen::OneshotReceiver<int>> rx(std::move(ch.second));
  EXPECT_TRUE(rx.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)rx.poll(), "polled after it returned Ready");
}

TEST(Oneshot, DroppingAPendingReceiverLetsTheSenderKnow) {
  auto ch = pollen::oneshot<int>();
  {
    TestTask<pollen::OneshotReceiver<int>> rx(std::move(ch.second));
    EXPECT_PENDING(rx);
  }
  EXPECT_TRUE(ch.first.is_closed());
  EXPECT_EQ(ch.first.send(4).take_back(), 4);
}

TEST(Oneshot, DroppingAPendingBorrowedRecvKeepsTheValueForTheReceiver) {
  auto ch = pollen::oneshot<int>();
  {
    TestTask<pollen::OneshotRecv<int>> r(ch.second.recv());
    EXPECT_PENDING(r);
  }
  ch.first.send(9);
  EXPECT_EQ(pollen::block_on(std::move(ch.second)), pollen::RecvResult<int>::received(9));
}

TEST(Oneshot, CancelSafetyIsStatedOnEveryFuture) {
  EXPECT_FALSE(pollen::is_cancel_safe<pollen::OneshotReceiver<int>>::value);
  EXPECT_TRUE(pollen::is_cancel_safe<pollen::OneshotRecv<int>>::value);
  EXPECT_TRUE(pollen::is_cancel_safe<pollen::OneshotClosed<int>>::value);
}

TEST(Oneshot, ReadyReceiveSpendsTheBudgetAndYieldsWhenItIsSpent) {
  auto ch = pollen::oneshot<int>();
  ch.first.send(1);
  pollen::test::CountingWaker w;
  pollen::Budget budget{0};
  pollen::Context cx(w.waker(), budget);
  EXPECT_TRUE(ch.second.poll(cx).is_pending());
  EXPECT_EQ(w.wakes(), 1u);  // re-woken: it will get its turn again
  budget.remaining = 2;
  EXPECT_TRUE(ch.second.poll(cx).is_ready());
  EXPECT_EQ(budget.remaining, 1u);
}

TEST(Oneshot, DescribeShowsTheState) {
  auto ch = pollen::oneshot<int>();
  EXPECT_NE(pollen::describe(ch.second).find("OneshotReceiver [state: Waiting, nothing sent yet]"),
            std::string::npos)
      << pollen::describe(ch.second);
  ch.first.send(1);
  EXPECT_NE(pollen::describe(ch.second).find("value sent"), std::string::npos);
}

TEST(Oneshot, SendFromAnotherThreadWakesTheReceiver) {
  for (int i = 0; i < 200; ++i) {
    auto ch = pollen::oneshot<std::unique_ptr<int>>();
    std::thread t([&ch, i] { ch.first.send(std::unique_ptr<int>(new int(i))); });
    pollen::RecvResult<std::unique_ptr<int>> r = pollen::block_on(std::move(ch.second));
    t.join();
    ASSERT_TRUE(r.is_received());
    EXPECT_EQ(*r.value(), i);
  }
}

TEST(Oneshot, SenderDroppedOnAnotherThreadClosesTheReceiver) {
  for (int i = 0; i < 200; ++i) {
    auto ch = pollen::oneshot<int>();
    std::thread t([tx = std::move(ch.first)]() mutable { pollen::OneshotSender<int> gone = std::move(tx); });
    EXPECT_TRUE(pollen::block_on(std::move(ch.second)).is_closed());
    t.join();
  }
}

TEST(Oneshot, DroppingAPendingClosedFutureChangesNothing) {
  auto ch = pollen::oneshot<int>();
  {
    TestTask<pollen::OneshotClosed<int>> closed(ch.first.closed());
    EXPECT_PENDING(closed);
  }
  EXPECT_FALSE(ch.first.is_closed());
  EXPECT_TRUE(ch.first.send(1).is_sent());
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(1));
}
