// Channels across threads: senders on other threads, the receiver driven by
// block_on on the test thread. Every value is counted: nothing is lost, and
// nothing arrives twice. Run under TSan.
#include <pollen/core/block_on.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/stream/for_each.hpp>
#include <pollen/sync.hpp>

#include "test_task.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

namespace {
constexpr int kThreads = 4;
constexpr int kPerThread = 20000;

// The stress test's messages per sender thread: a million, and a tenth of
// that under the sanitizers (ThreadSanitizer runs a send some 20 times
// slower), which keeps it to a few seconds there.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr std::uint64_t kStressPerThread = 100000;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
constexpr std::uint64_t kStressPerThread = 100000;
#else
constexpr std::uint64_t kStressPerThread = 1000000;
#endif
#else
constexpr std::uint64_t kStressPerThread = 1000000;
#endif

// A value unique to (thread, index); the sum of all of them is known.
std::uint64_t value_of(int t, int i) { return static_cast<std::uint64_t>(t) * kPerThread + i; }
std::uint64_t expected_sum() {
  std::uint64_t n = static_cast<std::uint64_t>(kThreads) * kPerThread;
  return n * (n - 1) / 2;
}
}  // namespace

TEST(ChannelThreads, UnboundedSendersOnOtherThreadsLoseNothing) {
  auto ch = pollen::unbounded_channel<std::uint64_t>();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([tx = ch.first, t] {
      for (int i = 0; i < kPerThread; ++i) ASSERT_TRUE(tx.send(value_of(t, i)).is_sent());
    });
  }
  { pollen::UnboundedSender<std::uint64_t> gone = std::move(ch.first); }
  std::uint64_t sum = 0;
  std::size_t count = 0;
  std::vector<int> last(kThreads, -1);
  pollen::block_on(pollen::stream::for_each(std::move(ch.second), [&](std::uint64_t v) {
    ++count;
    sum += v;
    int t = static_cast<int>(v / kPerThread);
    int i = static_cast<int>(v % kPerThread);
    EXPECT_EQ(i, last[t] + 1) << "per-sender order";
    last[t] = i;
  }));
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(count, static_cast<std::size_t>(kThreads) * kPerThread);
  EXPECT_EQ(sum, expected_sum());
}

TEST(ChannelThreads, BoundedSendersOnOtherThreadsWaitForRoomAndLoseNothing) {
  auto ch = pollen::channel<std::uint64_t>(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([tx = ch.first, t] {
      for (int i = 0; i < kPerThread / 4; ++i) {
        ASSERT_TRUE(pollen::block_on(tx.send(value_of(t, i))).is_sent());
      }
    });
  }
  { pollen::Sender<std::uint64_t> gone = std::move(ch.first); }
  std::size_t count = 0;
  std::uint64_t sum = 0, expected = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread / 4; ++i) expected += value_of(t, i);
  }
  while (pollen::Option<std::uint64_t> v = pollen::block_on(ch.second.recv())) {
    ++count;
    sum += *v;
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(count, static_cast<std::size_t>(kThreads) * (kPerThread / 4));
  EXPECT_EQ(sum, expected);
}

TEST(ChannelThreads, CloseWhileOtherThreadsSendEveryValueIsReceivedOrHandedBack) {
  auto ch = pollen::channel<std::uint64_t>(2);
  std::atomic<std::uint64_t> back_sum{0};
  std::atomic<std::size_t> back_count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([tx = ch.first, t, &back_sum, &back_count] {
      for (int i = 0; i < 2000; ++i) {
        pollen::SendResult<std::uint64_t> r = pollen::block_on(tx.send(value_of(t, i)));
        if (!r.is_sent()) {
          back_sum += r.take_back();
          ++back_count;
        }
      }
    });
  }
  { pollen::Sender<std::uint64_t> gone = std::move(ch.first); }
  std::uint64_t sum = 0;
  std::size_t count = 0;
  while (count < 1000) {
    pollen::Option<std::uint64_t> v = pollen::block_on(ch.second.recv());
    ASSERT_TRUE(v.has_value());
    sum += *v;
    ++count;
  }
  ch.second.close();
  while (pollen::Option<std::uint64_t> v = pollen::block_on(ch.second.recv())) {
    sum += *v;
    ++count;
  }
  for (std::thread& th : threads) th.join();
  std::uint64_t expected = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < 2000; ++i) expected += value_of(t, i);
  }
  EXPECT_EQ(count + back_count.load(), static_cast<std::size_t>(kThreads) * 2000);
  EXPECT_EQ(sum + back_sum.load(), expected);
}

TEST(ChannelThreads, OneshotPingPongAcrossThreads) {
  struct Msg {
    int v;
    pollen::OneshotSender<Msg> reply;
  };
  auto first = pollen::unbounded_channel<Msg>();
  std::thread b([rx = std::move(first.second)]() mutable {
    while (pollen::Option<Msg> m = pollen::block_on(rx.recv())) {
      Msg reply{m->v + 1, pollen::OneshotSender<Msg>()};
      (void)m->reply.send(std::move(reply));
    }
  });
  int v = 0;
  for (int i = 0; i < 2000; ++i) {
    auto ch = pollen::oneshot<Msg>();
    ASSERT_TRUE(first.first.send(Msg{v, std::move(ch.first)}).is_sent());
    pollen::RecvResult<Msg> r = pollen::block_on(std::move(ch.second));
    ASSERT_TRUE(r.is_received());
    EXPECT_EQ(r.value().v, v + 1);
    v = r.value().v;
  }
  { pollen::UnboundedSender<Msg> gone = std::move(first.first); }
  b.join();
  EXPECT_EQ(v, 2000);
}

// The receiver goes on another thread while closed() futures register, drop
// their registrations and wait on this one: the registration bookkeeping is
// guarded by the channel's lock, every waiting closed() future is woken, and
// no dropped one's waker is kept.
TEST(ChannelThreads, OneshotClosedFuturesRegisterAndDropWhileTheReceiverGoesElsewhere) {
  for (int i = 0; i < 500; ++i) {
    auto ch = pollen::oneshot<int>();
    pollen::test::CountingWaker dropped_waker;
    std::thread t([rx = std::move(ch.second)]() mutable { pollen::OneshotReceiver<int> gone = std::move(rx); });
    {
      pollen::OneshotClosed<int> dropped = ch.first.closed();
      pollen::Context cx(dropped_waker.waker());
      (void)dropped.poll(cx);
    }
    pollen::block_on(ch.first.closed());
    t.join();
    EXPECT_EQ(dropped_waker.ref_count(), 2u);  // no clone left in the channel
  }
}

// Senders on other threads wait on a full channel while the receiver is
// destroyed: each is woken and gets its value back; nothing is left queued.
TEST(ChannelThreads, DroppingTheReceiverWakesSendersWaitingOnOtherThreads) {
  for (int round = 0; round < 50; ++round) {
    auto ch = pollen::channel<std::uint64_t>(1);
    ASSERT_TRUE(ch.first.try_send(0).is_sent());
    std::atomic<int> back{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([tx = ch.first, t, &back] {
        pollen::SendResult<std::uint64_t> r = pollen::block_on(tx.send(value_of(t, 0)));
        if (r.is_closed()) ++back;
      });
    }
    { pollen::Sender<std::uint64_t> gone = std::move(ch.first); }
    { pollen::Receiver<std::uint64_t> gone = std::move(ch.second); }
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(back.load(), kThreads);
  }
}

// Four threads send a million messages each into one unbounded channel
// whose receiver is a task on an event loop: the loop thread is woken from
// the sender threads through the receiver's kept waker (lent to whichever
// sender finds it armed). Nothing is lost, nothing arrives twice, and each
// sender's messages arrive in the order it sent them.
TEST(ChannelThreads, FourThreadsSendAMillionMessagesEachToALoopTaskInOrder) {
  auto ch = pollen::unbounded_channel<std::uint64_t>();
  std::uint64_t count = 0;
  std::uint64_t out_of_order = 0;
  std::vector<std::uint64_t> next(kThreads, 0);  // the index expected next, per sender
  pollen::EventLoop loop;
  pollen::JoinHandle<pollen::Unit> receiver =
      loop.spawn(pollen::stream::for_each(std::move(ch.second), [&](std::uint64_t v) {
        const std::uint64_t t = v >> 32;
        const std::uint64_t i = v & 0xffffffffu;
        if (t >= static_cast<std::uint64_t>(kThreads) || next[t] != i) ++out_of_order;
        if (t < static_cast<std::uint64_t>(kThreads)) next[t] = i + 1;
        ++count;
      }));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([tx = ch.first, t] {
      for (std::uint64_t i = 0; i < kStressPerThread; ++i) {
        if (!tx.send((static_cast<std::uint64_t>(t) << 32) | i).is_sent()) return;
      }
    });
  }
  { pollen::UnboundedSender<std::uint64_t> gone = std::move(ch.first); }
  loop.block_on(std::move(receiver));
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(count, kThreads * kStressPerThread);
  EXPECT_EQ(out_of_order, 0u);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kStressPerThread);
}

// A sender thread wakes the receiver's kept waker while the receiver keeps
// switching between two tasks' wakers: a waker lent to a wake in progress
// is retired, not freed (ASan, TSan), every message is received, and no
// waker is kept once the receiver is gone.
TEST(ChannelThreads, TheReceiverSwitchesWakersWhileAnotherThreadWakesThem) {
  constexpr int kMessages = 20000;
  auto ch = pollen::unbounded_channel<int>();
  pollen::test::CountingWaker wakers[2];
  std::thread sender([tx = std::move(ch.first)] {
    for (int i = 0; i < kMessages; ++i) (void)tx.send(i);
  });
  int received = 0;
  for (int poll = 0; received < kMessages; ++poll) {
    pollen::Context cx(wakers[poll % 2].waker());
    pollen::Poll<pollen::Option<int>> p = ch.second.poll_next(cx);
    if (p.is_ready()) {
      ASSERT_TRUE(p.value().has_value());
      EXPECT_EQ(*p.value(), received);
      ++received;
    }
  }
  sender.join();
  { pollen::Receiver<int> gone = std::move(ch.second); }
  EXPECT_EQ(wakers[0].ref_count(), 2u);
  EXPECT_EQ(wakers[1].ref_count(), 2u);
}

// Sender threads wait on closed() (registering, dropping registrations and
// moving futures under the channel's lock) while the receiver closes on
// this thread: every waiting closed() future is woken, none is lost.
TEST(ChannelThreads, SenderClosedFuturesOnOtherThreadsAreWokenByTheReceiversClose) {
  for (int round = 0; round < 200; ++round) {
    auto ch = pollen::channel<int>(1);
    std::atomic<int> done{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([tx = ch.first, &done] {
        {
          pollen::test::CountingWaker w;
          pollen::SenderClosed<int> dropped = tx.closed();
          pollen::Context cx(w.waker());
          (void)dropped.poll(cx);
        }
        pollen::block_on(tx.closed());
        ++done;
      });
    }
    auto unbounded = pollen::unbounded_channel<int>();
    std::thread u([tx = unbounded.first, &done] {
      pollen::SenderClosed<int> c = tx.closed();
      pollen::SenderClosed<int> moved(std::move(c));
      pollen::block_on(std::move(moved));
      ++done;
    });
    if (round % 2 == 0) {
      ch.second.close();
      unbounded.second.close();
    } else {
      pollen::Receiver<int> gone = std::move(ch.second);
      pollen::Receiver<int> gone_too = std::move(unbounded.second);
    }
    for (std::thread& th : threads) th.join();
    u.join();
    EXPECT_EQ(done.load(), 4);
  }
}
