#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/sync/oneshot.hpp>

#include "contract.hpp"
#include "counted.hpp"
#include "fragile.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <utility>

using pollen::test::Counted;
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

// A message moves once into the channel (send), and once out of it,
// straight into the result the receive returns: the Poll of the receiver
// (built in place: no move of its own), or try_recv()'s RecvResult.
TEST(Oneshot, AMessageMovesOnceIntoTheChannelAndOnceIntoTheResult) {
  {
    int moves = 0;
    auto ch = pollen::oneshot<Counted>();
    EXPECT_TRUE(ch.first.send(Counted(&moves, 7)).is_sent());
    EXPECT_EQ(moves, 1);
    TestTask<pollen::OneshotReceiver<Counted>> rx(std::move(ch.second));
    pollen::Poll<pollen::RecvResult<Counted>> p = rx.poll();
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value().value().value(), 7);
    EXPECT_EQ(moves, 2);
  }
  {
    int moves = 0;
    auto ch = pollen::oneshot<Counted>();
    EXPECT_TRUE(ch.first.send(Counted(&moves, 8)).is_sent());
    TestTask<pollen::OneshotRecv<Counted>> r(ch.second.recv());
    pollen::Poll<pollen::RecvResult<Counted>> p = r.poll();
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value().value().value(), 8);
    EXPECT_EQ(moves, 2);
  }
  {
    int moves = 0;
    auto ch = pollen::oneshot<Counted>();
    EXPECT_TRUE(ch.first.send(Counted(&moves, 9)).is_sent());
    pollen::RecvResult<Counted> r = ch.second.try_recv();
    ASSERT_TRUE(r.is_received());
    EXPECT_EQ(r.value().value(), 9);
    EXPECT_EQ(moves, 2);
  }
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

// A CountingWaker's ref_count() is 2 with no clone alive: its own and its
// Waker's. Each waker the channel keeps adds one.
constexpr std::size_t kNoClone = 2;

TEST(Oneshot, DroppingAPendingReceiverDropsItsWakerAtOnce) {
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  auto ch = pollen::oneshot<int>();
  {
    pollen::OneshotReceiver<int> rx = std::move(ch.second);
    EXPECT_TRUE(rx.poll(cx).is_pending());
    EXPECT_EQ(w.ref_count(), kNoClone + 1);  // the channel keeps the waker
  }
  EXPECT_EQ(w.ref_count(), kNoClone);  // dropped with the receiver, not later
  { pollen::OneshotSender<int> gone = std::move(ch.first); }
  EXPECT_EQ(w.wakes(), 0u);  // the task that dropped its receiver is not woken
}

TEST(Oneshot, DroppingAPendingReceiverThenSendingWakesNobody) {
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  auto ch = pollen::oneshot<int>();
  {
    pollen::OneshotReceiver<int> rx = std::move(ch.second);
    EXPECT_TRUE(rx.poll(cx).is_pending());
  }
  EXPECT_EQ(ch.first.send(1).take_back(), 1);
  EXPECT_EQ(w.wakes(), 0u);
  EXPECT_EQ(w.ref_count(), kNoClone);
}

TEST(Oneshot, DroppingAPendingClosedFutureDropsItsWakerAtOnce) {
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  auto ch = pollen::oneshot<int>();
  {
    pollen::OneshotClosed<int> closed = ch.first.closed();
    EXPECT_TRUE(closed.poll(cx).is_pending());
    EXPECT_EQ(w.ref_count(), kNoClone + 1);
  }
  EXPECT_EQ(w.ref_count(), kNoClone);
  { pollen::OneshotReceiver<int> gone = std::move(ch.second); }
  EXPECT_EQ(w.wakes(), 0u);
}

// Two pending closed() futures of one task share one registration: dropping
// one keeps the other's.
TEST(Oneshot, DroppingOneOfTwoClosedFuturesOfATaskKeepsTheOtherRegistered) {
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  auto ch = pollen::oneshot<int>();
  pollen::OneshotClosed<int> kept = ch.first.closed();
  EXPECT_TRUE(kept.poll(cx).is_pending());
  {
    pollen::OneshotClosed<int> dropped = ch.first.closed();
    EXPECT_TRUE(dropped.poll(cx).is_pending());
  }
  EXPECT_EQ(w.ref_count(), kNoClone + 1);
  ch.second.close();
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_TRUE(kept.poll(cx).is_ready());
  EXPECT_EQ(w.ref_count(), kNoClone);
}

// Only the latest closed() future's waker is kept (documented); dropping an
// earlier one, whose waker was already replaced, leaves the latest alone.
TEST(Oneshot, DroppingAnEarlierClosedFutureKeepsTheLatestRegistered) {
  pollen::test::CountingWaker a;
  pollen::test::CountingWaker b;
  pollen::Context cxa(a.waker());
  pollen::Context cxb(b.waker());
  auto ch = pollen::oneshot<int>();
  pollen::OneshotClosed<int> latest = ch.first.closed();
  {
    pollen::OneshotClosed<int> earlier = ch.first.closed();
    EXPECT_TRUE(earlier.poll(cxa).is_pending());
    EXPECT_TRUE(latest.poll(cxb).is_pending());
    EXPECT_EQ(a.ref_count(), kNoClone);  // replaced
  }
  EXPECT_EQ(b.ref_count(), kNoClone + 1);
  ch.second.close();
  EXPECT_EQ(b.wakes(), 1u);
  EXPECT_EQ(a.wakes(), 0u);
}

TEST(Oneshot, PollingTheReceiverAfterTryRecvTookTheValueIsAContractError) {
  auto ch = pollen::oneshot<int>();
  ch.first.send(1);
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(1));
  EXPECT_EQ(ch.second.state(), pollen::OneshotReceiver<int>::State::Taken);
  TestTask<pollen::OneshotReceiver<int>> rx(std::move(ch.second));
  EXPECT_CONTRACT_ERROR((void)rx.poll(), "OneshotReceiver polled after try_recv");
}

TEST(Oneshot, PollingTheReceiverAfterTryRecvSawClosedIsAContractError) {
  auto ch = pollen::oneshot<int>();
  { pollen::OneshotSender<int> gone = std::move(ch.first); }
  EXPECT_TRUE(ch.second.try_recv().is_closed());
  TestTask<pollen::OneshotReceiver<int>> rx(std::move(ch.second));
  EXPECT_CONTRACT_ERROR((void)rx.poll(), "OneshotReceiver polled after try_recv");
}

TEST(Oneshot, TryRecvThatFindsNothingLeavesTheReceiverPollable) {
  auto ch = pollen::oneshot<int>();
  EXPECT_TRUE(ch.second.try_recv().is_empty());
  TestTask<pollen::OneshotReceiver<int>> rx(std::move(ch.second));
  EXPECT_PENDING(rx);
  ch.first.send(2);
  EXPECT_READY_EQ(rx, pollen::RecvResult<int>::received(2));
}

TEST(Oneshot, PollingTheReceiverOrARecvAfterARecvDeliveredIsAContractError) {
  auto ch = pollen::oneshot<int>();
  ch.first.send(1);
  EXPECT_EQ(pollen::block_on(ch.second.recv()), pollen::RecvResult<int>::received(1));
  {
    TestTask<pollen::OneshotRecv<int>> again(ch.second.recv());
    EXPECT_CONTRACT_ERROR((void)again.poll(), "delivered its result");
  }
  EXPECT_TRUE(ch.second.try_recv().is_closed());  // try_recv() only reports
  TestTask<pollen::OneshotReceiver<int>> rx(std::move(ch.second));
  EXPECT_CONTRACT_ERROR((void)rx.poll(), "OneshotReceiver polled after try_recv");
}

#if POLLEN_HAS_EXCEPTIONS
// A send whose value's move throws changes nothing: the receiver still
// waits, and the sender can still send.
TEST(Oneshot, ASendWhoseMoveThrowsChangesNothing) {
  pollen::test::FragileCounts c;
  {
    auto ch = pollen::oneshot<pollen::test::Fragile>();
    pollen::test::Fragile v(c, 1);
    c.fail_after = 1;  // the move into the parameter works, the one into the channel throws
    EXPECT_THROW((void)ch.first.send(std::move(v)), pollen::test::MoveFailed);
    EXPECT_TRUE(ch.first.is_valid());
    EXPECT_TRUE(ch.second.try_recv().is_empty());
    EXPECT_TRUE(ch.first.send(pollen::test::Fragile(c, 2)).is_sent());
    pollen::RecvResult<pollen::test::Fragile> r = ch.second.try_recv();
    ASSERT_TRUE(r.is_received());
    EXPECT_EQ(r.value().value(), 2);
  }
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(c.live_destroyed, c.constructed);
}

// A receiver whose poll threw (the value's move) is finished: polling it
// again is the "polled again after its poll threw" ContractError. The value
// stays in the channel until the receiver goes.
TEST(Oneshot, AReceiverWhosePollThrewIsPoisoned) {
  pollen::test::FragileCounts c;
  {
    auto ch = pollen::oneshot<pollen::test::Fragile>();
    EXPECT_TRUE(ch.first.send(pollen::test::Fragile(c, 1)).is_sent());
    TestTask<pollen::OneshotReceiver<pollen::test::Fragile>> rx(std::move(ch.second));
    c.fail_after = 0;
    EXPECT_THROW((void)rx.poll(), pollen::test::MoveFailed);
    EXPECT_EQ(rx.future().state(), pollen::OneshotReceiver<pollen::test::Fragile>::State::Poisoned);
    EXPECT_CONTRACT_ERROR((void)rx.poll(), "polled again after its poll threw");
    EXPECT_EQ(c.live_destroyed, 0);
  }
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(c.live_destroyed, 1);
}

// A borrowed recv() whose poll threw is Poisoned; the receiver is not: the
// value is still there for the next receive.
TEST(Oneshot, ARecvWhosePollThrewIsPoisonedAndTheValueStaysInTheReceiver) {
  pollen::test::FragileCounts c;
  {
    auto ch = pollen::oneshot<pollen::test::Fragile>();
    EXPECT_TRUE(ch.first.send(pollen::test::Fragile(c, 1)).is_sent());
    {
      TestTask<pollen::OneshotRecv<pollen::test::Fragile>> r(ch.second.recv());
      c.fail_after = 0;
      EXPECT_THROW((void)r.poll(), pollen::test::MoveFailed);
      EXPECT_CONTRACT_ERROR((void)r.poll(), "polled again after its poll threw");
    }
    pollen::RecvResult<pollen::test::Fragile> got = pollen::block_on(std::move(ch.second));
    ASSERT_TRUE(got.is_received());
    EXPECT_TRUE(got.value().live());
    EXPECT_EQ(got.value().value(), 1);
  }
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(c.live_destroyed, 1);
}

// Whichever move of a receive throws, the value is not lost: the receive
// builds its result in place with the value's one move out of the channel,
// so only that move can throw, and then the value is still there.
TEST(Oneshot, NoMoveOfAReceiveThatThrowsLosesTheValue) {
  for (int n = 0; n < 4; ++n) {  // n moves succeed, then one throws
    SCOPED_TRACE("the move after " + std::to_string(n) + " throws");
    pollen::test::FragileCounts c;
    {
      auto ch = pollen::oneshot<pollen::test::Fragile>();
      EXPECT_TRUE(ch.first.send(pollen::test::Fragile(c, 1)).is_sent());
      bool threw = false;
      {
        TestTask<pollen::OneshotRecv<pollen::test::Fragile>> r(ch.second.recv());
        c.fail_after = n;
        try {
          pollen::Poll<pollen::RecvResult<pollen::test::Fragile>> p = r.poll();
          c.fail_after = -1;  // the test's own reads below move nothing anyway
          ASSERT_TRUE(p.is_ready());
          ASSERT_TRUE(p.value().is_received());
          EXPECT_TRUE(p.value().value().live());
          EXPECT_EQ(p.value().value().value(), 1);
        } catch (const pollen::test::MoveFailed&) {
          threw = true;
          c.fail_after = -1;
        }
      }
      if (threw) {
        EXPECT_EQ(n, 0);  // only the one move out of the channel can throw
        pollen::RecvResult<pollen::test::Fragile> got = pollen::block_on(std::move(ch.second));
        ASSERT_TRUE(got.is_received());
        EXPECT_TRUE(got.value().live());
        EXPECT_EQ(got.value().value(), 1);
      }
    }
    EXPECT_EQ(c.alive(), 0);
    EXPECT_EQ(c.live_destroyed, 1);  // the value, destroyed whole, once
  }
}

// Destroying a receiver that holds a value whose move throws moves nothing:
// the value is destroyed where it is (destruction is noexcept).
TEST(Oneshot, DroppingAReceiverDestroysAValueWhoseMoveThrowsInPlace) {
  pollen::test::FragileCounts c;
  auto ch = pollen::oneshot<pollen::test::Fragile>();
  EXPECT_TRUE(ch.first.send(pollen::test::Fragile(c, 1)).is_sent());
  c.fail_after = 0;
  c.period = 1;  // every move throws from now on
  { pollen::OneshotReceiver<pollen::test::Fragile> gone = std::move(ch.second); }
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_EQ(c.throws, 0);
  EXPECT_EQ(c.alive(), 0);
}
#endif

// ---- is_empty() / is_closed() -------------------------------------------

TEST(Oneshot, IsEmptyUntilSentThenUntilTakenAndIsClosedOnceTaken) {
  auto ch = pollen::oneshot<int>();
  EXPECT_TRUE(ch.second.is_empty());
  EXPECT_FALSE(ch.second.is_closed());
  EXPECT_TRUE(ch.first.send(7).is_sent());
  EXPECT_FALSE(ch.second.is_empty());
  EXPECT_FALSE(ch.second.is_closed());  // sender spent, but the value is waiting
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(7));
  EXPECT_TRUE(ch.second.is_empty());
  EXPECT_TRUE(ch.second.is_closed());  // taken: nothing more can come
  EXPECT_TRUE(ch.second.try_recv().is_closed());
}

TEST(Oneshot, IsClosedWhenTheSenderGoesWithoutSending) {
  auto ch = pollen::oneshot<int>();
  auto t = pollen::test::test_task(std::move(ch.second));
  EXPECT_PENDING(t);
  EXPECT_FALSE(t.future().is_closed());
  { pollen::OneshotSender<int> gone = std::move(ch.first); }
  EXPECT_TRUE(t.future().is_empty());
  EXPECT_TRUE(t.future().is_closed());
  EXPECT_TRUE(t.is_woken());
  auto r = t.poll();
  ASSERT_TRUE(r.is_ready());
  EXPECT_TRUE(std::move(r).value().is_closed());
}

TEST(Oneshot, AValueSentBeforeCloseKeepsTheReceiverOpenUntilItIsTaken) {
  auto sent_first = pollen::oneshot<int>();
  EXPECT_TRUE(sent_first.first.send(3).is_sent());
  sent_first.second.close();
  EXPECT_FALSE(sent_first.second.is_empty());
  EXPECT_FALSE(sent_first.second.is_closed());  // still receivable
  EXPECT_EQ(pollen::block_on(sent_first.second.recv()), pollen::RecvResult<int>::received(3));
  EXPECT_TRUE(sent_first.second.is_closed());

  auto closed_first = pollen::oneshot<int>();
  closed_first.second.close();
  EXPECT_TRUE(closed_first.second.is_empty());
  EXPECT_TRUE(closed_first.second.is_closed());
  EXPECT_TRUE(closed_first.first.send(4).is_closed());  // handed back
  EXPECT_TRUE(closed_first.second.is_closed());
}

TEST(Oneshot, IsEmptyAndIsClosedOnAMovedFromReceiverAreContractErrors) {
  auto ch = pollen::oneshot<int>();
  pollen::OneshotReceiver<int> moved = std::move(ch.second);
  EXPECT_CONTRACT_ERROR((void)ch.second.is_empty(), "OneshotReceiver::is_empty() used after");
  EXPECT_CONTRACT_ERROR((void)ch.second.is_closed(), "OneshotReceiver::is_closed() used after");
}
