#include <pollen/core/block_on.hpp>
#include <pollen/sync/unbounded.hpp>

#include "alloc_counter.hpp"
#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

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
