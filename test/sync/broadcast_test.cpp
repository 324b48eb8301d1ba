// broadcast<T>: every receiver sees every message, exact Lagged counts,
// subscribe() at the next message, draining after the senders' end, no
// waker left by a dropped recv(), message lifetimes in the ring, misuse,
// and senders on other threads (TSan).
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/sync/broadcast.hpp>

#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

using pollen::BroadcastReceiver;
using pollen::BroadcastRecv;
using pollen::BroadcastResult;
using pollen::BroadcastSender;
using pollen::BroadcastStatus;
using pollen::test::TestTask;

static_assert(pollen::is_cancel_safe<BroadcastRecv<int>>::value,
              "a message is read only in the poll that returns it");

namespace {

// Everything a receiver can get without waiting, as text: "3", "lagged 6",
// "closed"; stops at Empty.
std::vector<std::string> drain(BroadcastReceiver<int>& rx) {
  std::vector<std::string> out;
  for (;;) {
    BroadcastResult<int> r = rx.try_recv();
    if (r.is_empty()) return out;
    if (r.is_received()) out.push_back(std::to_string(r.value()));
    if (r.is_lagged()) out.push_back("lagged " + std::to_string(r.missed()));
    if (r.is_closed()) {
      out.push_back("closed");
      return out;
    }
  }
}

using Texts = std::vector<std::string>;

}  // namespace

TEST(Broadcast, AReceiverThatFellBehindGetsTheExactLagThenTheKeptMessages) {
  auto ch = pollen::broadcast<int>(4);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(ch.first.send(i).is_sent());
  EXPECT_EQ(ch.second.len(), 4u);
  EXPECT_EQ(drain(ch.second), (Texts{"lagged 6", "6", "7", "8", "9"}));
}

TEST(Broadcast, LaggedThroughTheRecvFuture) {
  auto ch = pollen::broadcast<int>(4);
  for (int i = 0; i < 10; ++i) (void)ch.first.send(i);
  {
    TestTask<BroadcastRecv<int>> t(ch.second.recv());
    EXPECT_READY_EQ(t, BroadcastResult<int>::lagged(6));
  }
  for (int i = 6; i < 10; ++i) {
    TestTask<BroadcastRecv<int>> t(ch.second.recv());
    EXPECT_READY_EQ(t, BroadcastResult<int>(i));
  }
  TestTask<BroadcastRecv<int>> t(ch.second.recv());
  EXPECT_PENDING(t);
}

TEST(Broadcast, AReceiverExactlyCapacityBehindHasNotLagged) {
  auto ch = pollen::broadcast<int>(3);
  for (int i = 0; i < 3; ++i) (void)ch.first.send(i);
  EXPECT_EQ(drain(ch.second), (Texts{"0", "1", "2"}));
  for (int i = 3; i < 7; ++i) (void)ch.first.send(i);  // one more than fits
  EXPECT_EQ(drain(ch.second), (Texts{"lagged 1", "4", "5", "6"}));
}

TEST(Broadcast, SubscribeStartsAtTheNextMessage) {
  auto ch = pollen::broadcast<int>(8);
  (void)ch.first.send(1);
  BroadcastReceiver<int> sub = ch.first.subscribe();
  EXPECT_EQ(drain(sub), Texts{});
  (void)ch.first.send(2);
  BroadcastReceiver<int> resub = ch.second.resubscribe();
  (void)ch.first.send(3);
  EXPECT_EQ(drain(sub), (Texts{"2", "3"}));
  EXPECT_EQ(drain(resub), (Texts{"3"}));
  EXPECT_EQ(drain(ch.second), (Texts{"1", "2", "3"}));
}

TEST(Broadcast, EveryReceiverSeesEveryMessage) {
  auto ch = pollen::broadcast<int>(16);
  std::vector<BroadcastReceiver<int>> rxs;
  for (int i = 0; i < 3; ++i) rxs.push_back(ch.first.subscribe());
  BroadcastSender<int> tx2 = ch.first;  // a second sender
  for (int i = 0; i < 5; ++i) (void)(i % 2 == 0 ? ch.first : tx2).send(i);
  for (BroadcastReceiver<int>& rx : rxs) EXPECT_EQ(drain(rx), (Texts{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(drain(ch.second), (Texts{"0", "1", "2", "3", "4"}));
}

TEST(Broadcast, ASendWakesEveryPendingRecv) {
  auto ch = pollen::broadcast<int>(2);
  std::vector<BroadcastReceiver<int>> rxs;
  for (int i = 0; i < 40; ++i) rxs.push_back(ch.first.subscribe());  // more than one batch
  std::vector<std::unique_ptr<TestTask<BroadcastRecv<int>>>> tasks;
  for (BroadcastReceiver<int>& rx : rxs) {
    tasks.emplace_back(new TestTask<BroadcastRecv<int>>(rx.recv()));
    EXPECT_PENDING(*tasks.back());
    EXPECT_PENDING(*tasks.back());  // one registration per future
  }
  (void)ch.first.send(7);
  (void)ch.first.send(8);  // the waiters left the list with the first send
  for (auto& t : tasks) {
    EXPECT_EQ(t->wake_count(), 1u);
    EXPECT_READY_EQ(*t, BroadcastResult<int>(7));
  }
}

TEST(Broadcast, ADroppedPendingRecvLeavesNoWakerRegisteredAndReadsNothing) {
  auto ch = pollen::broadcast<int>(2);
  pollen::test::CountingWaker w;
  const std::size_t refs_before = w.ref_count();
  {
    BroadcastRecv<int> f = ch.second.recv();
    pollen::Context cx(w.waker());
    EXPECT_TRUE(f.poll(cx).is_pending());
    EXPECT_EQ(w.ref_count(), refs_before + 1);
  }
  EXPECT_EQ(w.ref_count(), refs_before);
  (void)ch.first.send(1);
  EXPECT_EQ(w.wakes(), 0u);
  EXPECT_EQ(drain(ch.second), (Texts{"1"}));
}

namespace {
// A waker that runs a function at its first wake.
class RunOnWake final : public pollen::ArcWake {
 public:
  explicit RunOnWake(std::function<void()> fn) : fn_(std::move(fn)) {}
  void on_wake() noexcept override {
    std::function<void()> fn = std::move(fn_);
    fn_ = nullptr;
    if (fn) fn();
  }

 private:
  std::function<void()> fn_;
};
}  // namespace

// A recv() future destroyed by a wake of the send's first batch, while it
// waits in the send's list for the second batch, leaves that list: it is not
// woken and its waker goes with it (run under ASan).
TEST(Broadcast, ARecvDestroyedWhileASendWakesTheWaitersLeavesTheSendsList) {
  auto ch = pollen::broadcast<int>(2);
  constexpr int kWaiters = 40;
  std::vector<BroadcastReceiver<int>> rxs;
  for (int i = 0; i < kWaiters; ++i) rxs.push_back(ch.first.subscribe());
  std::vector<std::unique_ptr<BroadcastRecv<int>>> futures;
  std::vector<pollen::test::CountingWaker> wakers(kWaiters);
  for (int i = 0; i < kWaiters; ++i) futures.emplace_back(new BroadcastRecv<int>(rxs[i].recv()));
  pollen::ArcPtr<RunOnWake> first =
      pollen::make_arc<RunOnWake>([&futures] { futures[kWaiters - 1].reset(); });
  for (int i = 0; i < kWaiters; ++i) {
    pollen::Waker w = i == 0 ? first->waker() : wakers[i].waker();
    pollen::Context cx(w);
    EXPECT_TRUE(futures[i]->poll(cx).is_pending());
  }
  const std::size_t last_refs = wakers[kWaiters - 1].ref_count();
  (void)ch.first.send(1);
  EXPECT_EQ(futures[kWaiters - 1], nullptr);
  EXPECT_EQ(wakers[kWaiters - 1].wakes(), 0u);
  EXPECT_EQ(wakers[kWaiters - 1].ref_count(), last_refs - 1);
  for (int i = 1; i < kWaiters - 1; ++i) {
    EXPECT_EQ(wakers[i].wakes(), 1u) << i;
    pollen::Context cx(wakers[i].waker());
    EXPECT_TRUE(futures[i]->poll(cx).is_ready()) << i;
  }
}

TEST(Broadcast, AfterTheLastSenderReceiversDrainThenGetClosed) {
  auto ch = pollen::broadcast<int>(4);
  BroadcastReceiver<int> waiting = ch.first.subscribe();
  TestTask<BroadcastRecv<int>> t(waiting.recv());
  EXPECT_PENDING(t);
  BroadcastSender<int> tx2 = ch.first;
  (void)ch.first.send(1);
  (void)ch.first.send(2);
  { BroadcastSender<int> gone = std::move(ch.first); }
  EXPECT_FALSE(ch.second.is_closed());  // tx2 is still there
  { BroadcastSender<int> gone = std::move(tx2); }
  EXPECT_TRUE(ch.second.is_closed());
  EXPECT_EQ(drain(ch.second), (Texts{"1", "2", "closed"}));
  EXPECT_EQ(drain(ch.second), (Texts{"closed"}));
  EXPECT_READY_EQ(t, BroadcastResult<int>(1));
}

TEST(Broadcast, ThePendingRecvIsWokenByTheLastSendersEnd) {
  auto ch = pollen::broadcast<int>(4);
  TestTask<BroadcastRecv<int>> t(ch.second.recv());
  EXPECT_PENDING(t);
  { BroadcastSender<int> gone = std::move(ch.first); }
  EXPECT_EQ(t.wake_count(), 1u);
  EXPECT_READY_EQ(t, BroadcastResult<int>::closed());
}

TEST(Broadcast, SendWithNoReceiverHandsTheValueBack) {
  auto ch = pollen::broadcast<int>(4);
  { BroadcastReceiver<int> gone = std::move(ch.second); }
  pollen::SendResult<int> r = ch.first.send(5);
  ASSERT_TRUE(r.is_closed());
  EXPECT_EQ(r.take_back(), 5);
  EXPECT_EQ(ch.first.receiver_count(), 0u);
}

// Every message in the ring is destroyed exactly once: when a send drops it
// or with the channel; each receiver's copy by its owner.
TEST(Broadcast, EveryMessageInTheRingIsDestroyedOnce) {
  using P = pollen::test::Probe<int>;
  pollen::test::ProbeCounts c;
  {
    auto ch = pollen::broadcast<P>(4);
    BroadcastReceiver<P> other = ch.first.subscribe();
    for (int i = 0; i < 10; ++i) {
      (void)ch.first.send(P(c, i));
      if (i == 2) {
        BroadcastResult<P> r = other.try_recv();
        ASSERT_TRUE(r.is_received());
        EXPECT_EQ(r.value().value(), 0);
      }
    }
    // Six messages were dropped from the ring by sends, at once.
    EXPECT_EQ(c.live_destroyed - c.copied, 6);
    for (int i = 0; i < 3; ++i) (void)ch.second.try_recv();  // Lagged, 6, 7
    EXPECT_EQ(c.constructed, 10);
  }
  EXPECT_EQ(c.constructed, 10);
  EXPECT_EQ(c.copied, 3);                                // one per message received
  EXPECT_EQ(c.live_destroyed, c.constructed + c.copied);  // each live one once
  EXPECT_EQ(c.alive(), 0);
}

#if POLLEN_HAS_EXCEPTIONS
namespace {
struct CopyFails {
  int v;
  static bool fail;
  explicit CopyFails(int x) : v(x) {}
  CopyFails(const CopyFails& o) : v(o.v) {
    if (fail) throw std::runtime_error("copy failed");
  }
  CopyFails(CopyFails&&) noexcept = default;
};
bool CopyFails::fail = false;
}  // namespace

TEST(Broadcast, ACopyThatThrowsLeavesTheMessageUnread) {
  auto ch = pollen::broadcast<CopyFails>(2);
  (void)ch.first.send(CopyFails(4));
  CopyFails::fail = true;
  EXPECT_THROW((void)ch.second.try_recv(), std::runtime_error);
  {
    BroadcastRecv<CopyFails> f = ch.second.recv();
    pollen::test::CountingWaker w;
    pollen::Context cx(w.waker());
    EXPECT_THROW((void)f.poll(cx), std::runtime_error);
    EXPECT_EQ(f.state(), BroadcastRecv<CopyFails>::State::Poisoned);
    EXPECT_CONTRACT_ERROR((void)f.poll(cx), "BroadcastRecv");
  }
  CopyFails::fail = false;
  BroadcastResult<CopyFails> r = ch.second.try_recv();
  ASSERT_TRUE(r.is_received());
  EXPECT_EQ(r.value().v, 4);
}
#endif

TEST(Broadcast, Misuse) {
  EXPECT_CONTRACT_ERROR(auto none = pollen::broadcast<int>(0), "capacity of 1 or more");
  auto ch = pollen::broadcast<int>(1);
  EXPECT_CONTRACT_ERROR((void)ch.second.try_recv().missed(), "not Lagged");
  EXPECT_CONTRACT_ERROR((void)ch.second.try_recv().value(), "without a value");
  BroadcastRecv<int> f = ch.second.recv();
  EXPECT_CONTRACT_ERROR(BroadcastReceiver<int> moved(std::move(ch.second)),
                        "while a recv() future of it is alive");
}

TEST(Broadcast, Describe) {
  auto ch = pollen::broadcast<int>(4);
  for (int i = 0; i < 6; ++i) (void)ch.first.send(i);
  BroadcastReceiver<int> sub = ch.first.subscribe();
  (void)ch.first.send(6);
  EXPECT_EQ(pollen::describe_states(ch.first), "BroadcastSender [4 of 4 kept, 2 receivers]\n");
  EXPECT_EQ(pollen::describe_states(ch.second), "BroadcastReceiver [lagged 3]\n");
  EXPECT_EQ(pollen::describe_states(sub), "BroadcastReceiver [1 unread]\n");
  (void)sub.try_recv();
  TestTask<BroadcastRecv<int>> t(sub.recv());
  EXPECT_EQ(t.describe(), "BroadcastRecv [state: Init]\n");
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe(), "BroadcastRecv [state: Waiting]\n");
}

// Two threads send numbered messages into a small ring while a task on a
// loop receives: it gets each sender's messages in order, and every message
// is either received or counted in a Lagged: received + missed == sent.
TEST(BroadcastThreads, SendersOnOtherThreadsNeverWaitAndNothingGoesUncounted) {
  constexpr int kPerSender = 3000;
  auto ch = pollen::broadcast<std::int64_t>(8);
  BroadcastReceiver<std::int64_t> rx = std::move(ch.second);
  std::vector<std::thread> senders;
  for (int s = 0; s < 2; ++s) {
    senders.emplace_back([s, tx = ch.first]() mutable {
      for (int i = 0; i < kPerSender; ++i) (void)tx.send(std::int64_t{s} * 1000000 + i);
    });
  }
  { BroadcastSender<std::int64_t> gone = std::move(ch.first); }
  pollen::EventLoop loop;
  std::uint64_t received = 0;
  std::uint64_t missed = 0;
  std::int64_t last[2] = {-1, -1};
  bool ordered = true;
  loop.block_on(pollen::poll_fn(
      [&, f = std::unique_ptr<BroadcastRecv<std::int64_t>>()](pollen::Context& cx) mutable
      -> pollen::Poll<pollen::Unit> {
        for (;;) {
          if (!f) f.reset(new BroadcastRecv<std::int64_t>(rx.recv()));
          pollen::Poll<BroadcastResult<std::int64_t>> p = f->poll(cx);
          if (p.is_pending()) return pollen::pending;
          f.reset();
          BroadcastResult<std::int64_t> r = std::move(p).value();
          if (r.is_closed()) return pollen::Unit{};
          if (r.is_lagged()) {
            missed += r.missed();
            continue;
          }
          std::int64_t v = r.value();
          int from = static_cast<int>(v / 1000000);
          if (v <= last[from]) ordered = false;
          last[from] = v;
          ++received;
        }
      }));
  for (std::thread& t : senders) t.join();
  EXPECT_TRUE(ordered);
  EXPECT_EQ(received + missed, 2u * kPerSender);
  EXPECT_GE(received, 8u);  // at least the last ring-full
}
