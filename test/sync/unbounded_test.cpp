#include <pollen/core/block_on.hpp>
#include <pollen/sync/unbounded.hpp>

#include "alloc_counter.hpp"
#include "contract.hpp"
#include "counted.hpp"
#include "fragile.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#if POLLEN_HAS_EXCEPTIONS
using pollen::test::Fragile;
using pollen::test::FragileCounts;
#endif
using pollen::test::Counted;
using pollen::test::Probe;
using pollen::test::ProbeCounts;
using pollen::test::TestTask;

TEST(Unbounded, SendNeverWaitsAndMessagesArriveInOrder) {
  auto ch = pollen::unbounded_channel<int>();
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(ch.first.send(i).is_sent());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(i));
  EXPECT_TRUE(ch.second.try_recv().is_empty());
}

TEST(Unbounded, ASendWakesAWaitingReceiverOnce) {
  auto ch = pollen::unbounded_channel<int>();
  TestTask<pollen::Recv<int>> r(ch.second.recv());
  EXPECT_PENDING(r);
  EXPECT_TRUE(ch.first.send(1).is_sent());
  EXPECT_TRUE(ch.first.send(2).is_sent());
  EXPECT_EQ(r.wake_count(), 1u);  // the second send found no waker registered
  EXPECT_READY_EQ(r, pollen::Option<int>(1));
}

// A message moves once into the channel and once out of it, straight into
// the result of the receive: the Poll of poll_next() and recv() (built in
// place: no move of its own), or try_recv()'s RecvResult.
TEST(Unbounded, AMessageMovesOnceIntoTheChannelAndOnceIntoTheResult) {
  int moves = 0;
  auto ch = pollen::unbounded_channel<Counted>();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(ch.first.send(Counted(&moves, i)).is_sent());
  EXPECT_EQ(moves, 3);

  moves = 0;
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  pollen::Poll<pollen::Option<Counted>> a = ch.second.poll_next(cx);
  ASSERT_TRUE(a.is_ready());
  EXPECT_EQ(a.value()->value(), 0);
  EXPECT_EQ(moves, 1);

  moves = 0;
  TestTask<pollen::Recv<Counted>> r(ch.second.recv());
  pollen::Poll<pollen::Option<Counted>> b = r.poll();
  ASSERT_TRUE(b.is_ready());
  EXPECT_EQ(b.value()->value(), 1);
  EXPECT_EQ(moves, 1);

  moves = 0;
  pollen::RecvResult<Counted> c = ch.second.try_recv();
  ASSERT_TRUE(c.is_received());
  EXPECT_EQ(c.value().value(), 2);
  EXPECT_EQ(moves, 1);
}

// The receiver keeps the waker of the task that waits on it: a send wakes
// it by reference and the next wait re-arms it, so a task that waits for
// every message costs no clone and no drop of its waker per message.
TEST(Unbounded, AReceiverKeepsItsTasksWakerAcrossMessages) {
  constexpr std::size_t kNoClone = 2;  // a CountingWaker's own references
  auto ch = pollen::unbounded_channel<int>();
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(ch.second.poll_next(cx).is_pending());
    EXPECT_EQ(w.ref_count(), kNoClone + 1);  // registered: one clone, the first time only
    EXPECT_TRUE(ch.first.send(i).is_sent());
    EXPECT_EQ(w.wakes(), static_cast<std::size_t>(i + 1));
    EXPECT_EQ(w.ref_count(), kNoClone + 1);  // woken, and still registered
    pollen::Poll<pollen::Option<int>> p = ch.second.poll_next(cx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(*p.value(), i);
  }
  EXPECT_TRUE(ch.first.send(9).is_sent());
  EXPECT_EQ(w.wakes(), 5u);  // not waiting: a busy receiver costs no wake
  { pollen::Receiver<int> gone = std::move(ch.second); }
  EXPECT_EQ(w.ref_count(), kNoClone);  // dropped with the receiver
}

// A receiver polled by another task registers that task's waker; the old
// one is dropped at once and not woken.
TEST(Unbounded, APollByAnotherTaskReplacesTheKeptWaker) {
  auto ch = pollen::unbounded_channel<int>();
  pollen::test::CountingWaker a;
  pollen::test::CountingWaker b;
  pollen::Context ca(a.waker());
  pollen::Context cb(b.waker());
  EXPECT_TRUE(ch.second.poll_next(ca).is_pending());
  EXPECT_EQ(a.ref_count(), 3u);
  EXPECT_TRUE(ch.second.poll_next(cb).is_pending());
  EXPECT_EQ(a.ref_count(), 2u);
  EXPECT_TRUE(ch.first.send(1).is_sent());
  EXPECT_EQ(a.wakes(), 0u);
  EXPECT_EQ(b.wakes(), 1u);
}

// The last sender going wakes the waiting receiver (the end of the
// stream), through the kept waker.
TEST(Unbounded, TheLastSenderGoingWakesTheKeptWaker) {
  auto ch = pollen::unbounded_channel<int>();
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  EXPECT_TRUE(ch.second.poll_next(cx).is_pending());
  { pollen::UnboundedSender<int> gone = std::move(ch.first); }
  EXPECT_EQ(w.wakes(), 1u);
  pollen::Poll<pollen::Option<int>> p = ch.second.poll_next(cx);
  ASSERT_TRUE(p.is_ready());
  EXPECT_FALSE(p.value().has_value());
}

TEST(Unbounded, CloseAndDrainEveryValueIsReceivedOrHandedBack) {
  ProbeCounts c;
  auto ch = pollen::unbounded_channel<Probe<int>>();
  pollen::UnboundedSender<Probe<int>> tx2 = ch.first;
  for (int i = 0; i < 10; ++i) EXPECT_TRUE((i % 2 ? tx2 : ch.first).send(Probe<int>(c, i)).is_sent());
  ch.second.close();
  EXPECT_TRUE(tx2.is_closed());
  std::vector<int> back;
  for (int i = 10; i < 15; ++i) {
    pollen::SendResult<Probe<int>> r = ch.first.send(Probe<int>(c, i));
    ASSERT_TRUE(r.is_closed());
    back.push_back(r.take_back().value());
  }
  std::vector<int> got;
  while (pollen::Option<Probe<int>> v = pollen::block_on(ch.second.recv())) got.push_back(v->value());
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(back, (std::vector<int>{10, 11, 12, 13, 14}));
  EXPECT_EQ(c.live_destroyed, 15);
  EXPECT_EQ(c.alive(), 0);
}

TEST(Unbounded, DroppingTheReceiverDestroysBufferedMessagesAtOnce) {
  ProbeCounts c;
  auto ch = pollen::unbounded_channel<Probe<int>>();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(ch.first.send(Probe<int>(c, i)).is_sent());
  { pollen::Receiver<Probe<int>> gone = std::move(ch.second); }
  EXPECT_EQ(c.live_destroyed, 3);
  EXPECT_EQ(c.alive(), 0);
  pollen::SendResult<Probe<int>> r = ch.first.send(Probe<int>(c, 3));
  ASSERT_TRUE(r.is_closed());
  EXPECT_EQ(r.take_back().value(), 3);
}

// A message that holds a sender of its own channel: destroying the buffer
// (outside the channel's lock) drops that sender, which takes the lock.
TEST(Unbounded, BufferedMessagesHoldingSendersOfTheSameChannelCanBeDestroyed) {
  struct Msg {
    pollen::UnboundedSender<Msg> reply;
  };
  auto ch = pollen::unbounded_channel<Msg>();
  EXPECT_TRUE(ch.first.send(Msg{ch.first}).is_sent());
  pollen::UnboundedSender<Msg> keep = ch.first;
  { pollen::Receiver<Msg> gone = std::move(ch.second); }
  EXPECT_TRUE(keep.is_closed());
}

TEST(Unbounded, SteadyStateSendAndReceiveAllocateNothing) {
  auto ch = pollen::unbounded_channel<std::uint64_t>();
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  // Warm up: let the ring grow to its working size and register the waker.
  for (std::uint64_t i = 0; i < 64; ++i) EXPECT_TRUE(ch.first.send(i).is_sent());
  while (ch.second.poll_next(cx).is_ready() && ch.second.size() > 0) {
  }
  EXPECT_TRUE(ch.second.poll_next(cx).is_pending());
  pollen::test::AllocCounter allocs;
  std::uint64_t sum = 0;
  for (std::uint64_t round = 0; round < 10000; ++round) {
    for (std::uint64_t i = 0; i < 16; ++i) (void)ch.first.send(i);
    for (std::uint64_t i = 0; i < 16; ++i) {
      pollen::Poll<pollen::Option<std::uint64_t>> p = ch.second.poll_next(cx);
      sum += *p.value();
    }
    EXPECT_TRUE(ch.second.poll_next(cx).is_pending());  // registers the waker again
  }
  EXPECT_EQ(allocs.allocations(), 0u);
  EXPECT_EQ(sum, 10000u * 120u);
}

TEST(Unbounded, UsingADefaultSenderIsAContractError) {
  pollen::UnboundedSender<int> tx;
  EXPECT_CONTRACT_ERROR((void)tx.send(1), "no channel");
}

#if POLLEN_HAS_EXCEPTIONS
// The buffer grows without moving what it holds: with a move constructor
// that throws on every fifth move, every send reported Sent is received
// whole and in order, and a send that threw left the channel unchanged (its
// value is destroyed with the exception, never half in the channel).
TEST(Unbounded, AThrowingMoveNeverCostsABufferedValueWhenTheBufferGrows) {
  FragileCounts c;
  {
    auto ch = pollen::unbounded_channel<Fragile>();
    std::vector<int> sent;
    int threw = 0;
    c.fail_after = 4;
    c.period = 5;
    for (int i = 0; i < 1000; ++i) {
      try {
        if (ch.first.send(Fragile(c, i)).is_sent()) sent.push_back(i);
      } catch (const pollen::test::MoveFailed&) {
        ++threw;
      }
      ASSERT_EQ(ch.second.size(), sent.size());
    }
    c.fail_after = -1;
    c.period = 0;
    EXPECT_GT(threw, 100);
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
  EXPECT_EQ(c.live_destroyed, c.constructed);  // each value destroyed exactly once
}

// Growing the buffer moves nothing at all: every send costs the moves of
// the first one (into the channel), whatever the number of values held.
TEST(Unbounded, GrowingTheBufferMovesNoValue) {
  FragileCounts c;
  auto ch = pollen::unbounded_channel<Fragile>();
  std::vector<Fragile> values;
  values.reserve(1000);
  for (int i = 0; i < 1000; ++i) values.emplace_back(c, i);
  EXPECT_TRUE(ch.first.send(std::move(values[0])).is_sent());
  int per_send = c.moved;
  for (int i = 1; i < 1000; ++i) EXPECT_TRUE(ch.first.send(std::move(values[i])).is_sent());
  EXPECT_EQ(c.moved, 1000 * per_send);
}

TEST(Unbounded, ASendThatRunsOutOfMemoryThrowsAndChangesNothing) {
  auto ch = pollen::unbounded_channel<int>();
  int sent = 0;
  for (; sent < 100; ++sent) EXPECT_TRUE(ch.first.send(sent).is_sent());
  bool threw = false;
  {
    pollen::test::FailAllocations oom;
    for (; sent < 100000; ++sent) {
      try {
        if (!ch.first.send(sent).is_sent()) break;
      } catch (const std::bad_alloc&) {
        threw = true;
        break;
      }
    }
  }
  ASSERT_TRUE(threw);  // the buffer had to grow at some point
  EXPECT_EQ(ch.second.size(), static_cast<std::size_t>(sent));
  EXPECT_TRUE(ch.first.send(sent).is_sent());  // memory is back: the send works
  for (int i = 0; i <= sent; ++i) EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(i));
  EXPECT_TRUE(ch.second.try_recv().is_empty());
}

// A receive whose move out of the channel throws leaves the message where
// it was: the next receive gets it.
TEST(Unbounded, AReceiveWhoseMoveThrowsLeavesTheMessageInTheChannel) {
  FragileCounts c;
  {
    auto ch = pollen::unbounded_channel<Fragile>();
    EXPECT_TRUE(ch.first.send(Fragile(c, 1)).is_sent());
    EXPECT_TRUE(ch.first.send(Fragile(c, 2)).is_sent());
    c.fail_after = 0;
    EXPECT_THROW((void)ch.second.try_recv(), pollen::test::MoveFailed);
    EXPECT_EQ(ch.second.size(), 2u);
    pollen::RecvResult<Fragile> r = ch.second.try_recv();
    ASSERT_TRUE(r.is_received());
    EXPECT_TRUE(r.value().live());
    EXPECT_EQ(r.value().value(), 1);
    EXPECT_EQ(ch.second.try_recv().value().value(), 2);
  }
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(c.live_destroyed, c.constructed);
}

// Whichever move of a receive throws (the first, the second, ...), the
// message is not lost: poll_next(), recv() and try_recv() each either
// return it whole or throw with it still first in the channel, where the
// next receive finds it. A receive builds its result in place with the
// message's one move out of the channel, so no move follows that one.
TEST(Unbounded, NoMoveOfAReceiveThatThrowsLosesTheMessage) {
  enum Way { PollNext, RecvFuture, TryRecv };
  for (int way = PollNext; way <= TryRecv; ++way) {
    for (int n = 0; n < 4; ++n) {  // n moves succeed, then one throws
      SCOPED_TRACE("way " + std::to_string(way) + ", the move after " + std::to_string(n) +
                   " throws");
      FragileCounts c;
      {
        auto ch = pollen::unbounded_channel<Fragile>();
        EXPECT_TRUE(ch.first.send(Fragile(c, 1)).is_sent());
        EXPECT_TRUE(ch.first.send(Fragile(c, 2)).is_sent());
        const int moved_before = c.moved;
        pollen::test::CountingWaker w;
        pollen::Context cx(w.waker());
        c.fail_after = n;
        bool threw = false;
        pollen::Option<Fragile> got;
        try {
          if (way == PollNext) {
            pollen::Poll<pollen::Option<Fragile>> p = ch.second.poll_next(cx);
            c.fail_after = -1;  // the test's own moves below never throw
            ASSERT_TRUE(p.is_ready());
            got = std::move(p).value();
          } else if (way == RecvFuture) {
            pollen::Recv<Fragile> r = ch.second.recv();
            pollen::Poll<pollen::Option<Fragile>> p = r.poll(cx);
            c.fail_after = -1;
            ASSERT_TRUE(p.is_ready());
            got = std::move(p).value();
          } else {
            pollen::RecvResult<Fragile> r = ch.second.try_recv();
            c.fail_after = -1;
            ASSERT_TRUE(r.is_received());
            got.emplace(std::move(r.value()));
          }
        } catch (const pollen::test::MoveFailed&) {
          threw = true;
          c.fail_after = -1;
        }
        if (threw) {
          EXPECT_EQ(n, 0);  // only the one move out of the channel can throw
          EXPECT_EQ(c.moved, moved_before);
          EXPECT_EQ(ch.second.size(), 2u);  // the message is still first
          got = ch.second.try_recv().value();
        }
        ASSERT_TRUE(got.has_value());
        EXPECT_TRUE(got->live());
        EXPECT_EQ(got->value(), 1);
        pollen::RecvResult<Fragile> second = ch.second.try_recv();
        ASSERT_TRUE(second.is_received());
        EXPECT_TRUE(second.value().live());
        EXPECT_EQ(second.value().value(), 2);
      }
      EXPECT_EQ(c.alive(), 0);
      EXPECT_EQ(c.live_destroyed, c.constructed);  // every message destroyed whole, once
    }
  }
}
#endif

// ---- Receiver::len() / is_closed(), UnboundedSender::closed() ------------

TEST(Unbounded, LenCountsQueuedMessagesAndIsClosedWhenTheLastSenderGoes) {
  auto ch = pollen::unbounded_channel<int>();
  pollen::UnboundedSender<int> other = ch.first;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(ch.first.send(i).is_sent());
  EXPECT_EQ(ch.second.len(), 100u);
  { pollen::UnboundedSender<int> gone = std::move(ch.first); }
  EXPECT_FALSE(ch.second.is_closed());  // `other` may still send
  { pollen::UnboundedSender<int> gone = std::move(other); }
  EXPECT_TRUE(ch.second.is_closed());
  EXPECT_EQ(ch.second.len(), 100u);  // closed for new messages, not drained
  EXPECT_EQ(ch.second.try_recv(), pollen::RecvResult<int>::received(0));
  EXPECT_EQ(ch.second.len(), 99u);
}

TEST(Unbounded, ClosedIsReadyOnceTheReceiverClosesAndADroppedOneKeepsNoWaker) {
  auto ch = pollen::unbounded_channel<int>();
  auto waiting = pollen::test::test_task(ch.first.closed());
  EXPECT_PENDING(waiting);
  pollen::test::CountingWaker w;
  const std::size_t refs = w.ref_count();
  {
    pollen::SenderClosed<int> dropped = ch.first.closed();
    pollen::Context cx(w.waker());
    EXPECT_TRUE(dropped.poll(cx).is_pending());
    EXPECT_EQ(w.ref_count(), refs + 1);
  }
  EXPECT_EQ(w.ref_count(), refs);
  EXPECT_TRUE(ch.first.send(1).is_sent());
  EXPECT_FALSE(waiting.is_woken());
  ch.second.close();
  EXPECT_TRUE(waiting.is_woken());
  EXPECT_EQ(w.wakes(), 0u);
  EXPECT_READY_EQ(waiting, pollen::Unit{});
  EXPECT_TRUE(ch.first.send(2).is_closed());
  EXPECT_CONTRACT_ERROR(
      {
        pollen::UnboundedSender<int> moved = std::move(ch.first);
        auto c = ch.first.closed();
        (void)c;
      },
      "UnboundedSender::closed() on a sender of no channel");
}
