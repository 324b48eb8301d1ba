// watch<T>: the latest of several versions, changed() at once after a missed
// version, Closed after the sender's end, no waker left by a dropped
// changed(), value lifetimes, misuse, and a sender on another thread (TSan).
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/sync/watch.hpp>

#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

using pollen::RecvStatus;
using pollen::WatchChanged;
using pollen::WatchReceiver;
using pollen::WatchSender;
using pollen::test::TestTask;

static_assert(pollen::is_cancel_safe<WatchChanged<int>>::value,
              "a dropped changed() marks nothing seen");

TEST(Watch, AReceiverThatMissedSeveralVersionsSeesOnlyTheLatest) {
  auto ch = pollen::watch<int>(0);
  WatchReceiver<int>& rx = ch.second;
  {
    TestTask<WatchChanged<int>> t(rx.changed());
    EXPECT_PENDING(t);  // version 0 was seen at creation
  }
  ch.first.send(1);
  ch.first.send(2);
  ch.first.send(3);
  {
    TestTask<WatchChanged<int>> t(rx.changed());
    EXPECT_READY_EQ(t, RecvStatus::Received);
  }
  EXPECT_EQ(*rx.borrow(), 3);
  EXPECT_EQ(rx.seen_version(), 3u);
  TestTask<WatchChanged<int>> again(rx.changed());
  EXPECT_PENDING(again);  // one Received for the three versions
  EXPECT_FALSE(again.is_woken());
}

TEST(Watch, ChangedResolvesAtOnceWhenAnUnseenVersionExists) {
  auto ch = pollen::watch<int>(0);
  ch.first.send(7);
  EXPECT_TRUE(ch.second.has_changed());
  TestTask<WatchChanged<int>> t(ch.second.changed());
  EXPECT_READY_EQ(t, RecvStatus::Received);
  EXPECT_EQ(t.polls(), 1u);
  EXPECT_FALSE(ch.second.has_changed());
}

TEST(Watch, ASendWakesAPendingChangedOnce) {
  auto ch = pollen::watch<int>(0);
  TestTask<WatchChanged<int>> t(ch.second.changed());
  EXPECT_PENDING(t);
  EXPECT_PENDING(t);  // a second Pending poll keeps one registration
  ch.first.send(1);
  ch.first.send(2);   // woken by the first send only: the node left the list
  EXPECT_EQ(t.wake_count(), 1u);
  EXPECT_READY_EQ(t, RecvStatus::Received);
  EXPECT_EQ(*ch.second.borrow(), 2);
}

TEST(Watch, EveryWaitingReceiverIsWokenAndEachTracksItsOwnVersion) {
  auto ch = pollen::watch<int>(0);
  std::vector<WatchReceiver<int>> rxs;
  for (int i = 0; i < 40; ++i) rxs.push_back(ch.second);  // more than one batch of wakers
  std::vector<std::unique_ptr<TestTask<WatchChanged<int>>>> tasks;
  for (WatchReceiver<int>& rx : rxs) {
    tasks.emplace_back(new TestTask<WatchChanged<int>>(rx.changed()));
    EXPECT_PENDING(*tasks.back());
  }
  EXPECT_EQ(ch.first.receiver_count(), 41u);
  ch.first.send(5);
  for (auto& t : tasks) {
    EXPECT_EQ(t->wake_count(), 1u);
    EXPECT_READY_EQ(*t, RecvStatus::Received);
  }
  tasks.clear();
  // The original receiver did not take part: it still has version 1 to see.
  EXPECT_TRUE(ch.second.has_changed());
  EXPECT_FALSE(rxs[0].has_changed());
}

TEST(Watch, ACopyHasSeenWhatItsOriginalHasSeenAndSubscribeHasSeenTheCurrentVersion) {
  auto ch = pollen::watch<int>(0);
  ch.first.send(1);
  WatchReceiver<int> copy = ch.second;
  EXPECT_TRUE(copy.has_changed());
  WatchReceiver<int> sub = ch.first.subscribe();
  EXPECT_FALSE(sub.has_changed());
  EXPECT_EQ(*sub.borrow(), 1);
  pollen::WatchRef<int> r = copy.borrow_and_update();
  EXPECT_TRUE(r.has_changed());
  EXPECT_EQ(*r, 1);
}

TEST(Watch, BorrowDoesNotMarkSeenButMarkSeenDoes) {
  auto ch = pollen::watch<int>(0);
  ch.first.send(1);
  {
    pollen::WatchRef<int> r = ch.second.borrow();
    EXPECT_TRUE(r.has_changed());
  }
  EXPECT_TRUE(ch.second.has_changed());
  ch.second.mark_seen();
  EXPECT_FALSE(ch.second.has_changed());
  TestTask<WatchChanged<int>> t(ch.second.changed());
  EXPECT_PENDING(t);
}

TEST(Watch, DroppingTheSenderWakesWaitersWithClosed) {
  auto ch = pollen::watch<int>(0);
  TestTask<WatchChanged<int>> t(ch.second.changed());
  EXPECT_PENDING(t);
  { WatchSender<int> gone = std::move(ch.first); }
  EXPECT_EQ(t.wake_count(), 1u);
  EXPECT_READY_EQ(t, RecvStatus::Closed);
  EXPECT_TRUE(ch.second.is_closed());
  EXPECT_EQ(*ch.second.borrow(), 0);  // the value stays readable
  TestTask<WatchChanged<int>> later(ch.second.changed());
  EXPECT_READY_EQ(later, RecvStatus::Closed);
}

TEST(Watch, AVersionSentBeforeTheCloseIsReportedBeforeClosed) {
  auto ch = pollen::watch<int>(0);
  ch.first.send(9);
  { WatchSender<int> gone = std::move(ch.first); }
  {
    TestTask<WatchChanged<int>> t(ch.second.changed());
    EXPECT_READY_EQ(t, RecvStatus::Received);
  }
  EXPECT_EQ(*ch.second.borrow(), 9);
  TestTask<WatchChanged<int>> t(ch.second.changed());
  EXPECT_READY_EQ(t, RecvStatus::Closed);
}

TEST(Watch, ADroppedPendingChangedLeavesNoWakerRegistered) {
  auto ch = pollen::watch<int>(0);
  pollen::test::CountingWaker w;
  const std::size_t refs_before = w.ref_count();
  {
    WatchChanged<int> f = ch.second.changed();
    pollen::Context cx(w.waker());
    EXPECT_TRUE(f.poll(cx).is_pending());
    EXPECT_EQ(w.ref_count(), refs_before + 1);  // the clone in its node
  }
  EXPECT_EQ(w.ref_count(), refs_before);  // dropped with the future
  ch.first.send(1);
  { WatchSender<int> gone = std::move(ch.first); }
  EXPECT_EQ(w.wakes(), 0u);
  // The dropped future marked nothing seen.
  EXPECT_TRUE(ch.second.has_changed());
}

TEST(Watch, AMovedWaitingChangedKeepsItsPlace) {
  auto ch = pollen::watch<int>(0);
  pollen::test::CountingWaker w;
  WatchChanged<int> f = ch.second.changed();
  pollen::Context cx(w.waker());
  EXPECT_TRUE(f.poll(cx).is_pending());
  WatchChanged<int> moved(std::move(f));
  EXPECT_EQ(f.state(), WatchChanged<int>::State::Done);
  ch.first.send(1);
  EXPECT_EQ(w.wakes(), 1u);
  pollen::Poll<RecvStatus> p = moved.poll(cx);
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(std::move(p).value(), RecvStatus::Received);
}

namespace {
// A waker that runs a function at its first wake.
class CallbackWake final : public pollen::ArcWake {
 public:
  explicit CallbackWake(std::function<void()> fn) : fn_(std::move(fn)) {}
  void on_wake() noexcept override {
    std::function<void()> fn = std::move(fn_);
    fn_ = nullptr;
    if (fn) fn();
  }

 private:
  std::function<void()> fn_;
};
}  // namespace

// A send wakes its waiters in batches of 32, unlocked. A changed() future
// destroyed by the first batch's wake, while it still waits in the send's
// list for the second batch, leaves that list: it is not woken, its waker is
// dropped with it, and every other waiter is woken once (run under ASan).
TEST(Watch, AChangedDestroyedWhileASendWakesTheWaitersLeavesTheSendsList) {
  auto ch = pollen::watch<int>(0);
  constexpr int kWaiters = 40;
  std::vector<WatchReceiver<int>> rxs(kWaiters, ch.second);
  std::vector<std::unique_ptr<WatchChanged<int>>> futures;
  std::vector<pollen::test::CountingWaker> wakers(kWaiters);
  for (int i = 0; i < kWaiters; ++i) {
    futures.emplace_back(new WatchChanged<int>(rxs[i].changed()));
  }
  pollen::ArcPtr<CallbackWake> first =
      pollen::make_arc<CallbackWake>([&futures] { futures[kWaiters - 1].reset(); });
  for (int i = 0; i < kWaiters; ++i) {
    pollen::Waker w = i == 0 ? first->waker() : wakers[i].waker();
    pollen::Context cx(w);
    EXPECT_TRUE(futures[i]->poll(cx).is_pending());
  }
  const std::size_t last_refs = wakers[kWaiters - 1].ref_count();
  ch.first.send(1);
  EXPECT_EQ(futures[kWaiters - 1], nullptr);
  EXPECT_EQ(wakers[kWaiters - 1].wakes(), 0u);
  EXPECT_EQ(wakers[kWaiters - 1].ref_count(), last_refs - 1);  // its node's clone went with it
  for (int i = 1; i < kWaiters - 1; ++i) {
    EXPECT_EQ(wakers[i].wakes(), 1u) << i;
    pollen::Context cx(wakers[i].waker());
    EXPECT_TRUE(futures[i]->poll(cx).is_ready()) << i;
  }
}

TEST(Watch, SendWithNoReceiverHandsTheValueBackAndSendReplaceStoresIt) {
  auto ch = pollen::watch<int>(1);
  { WatchReceiver<int> gone = std::move(ch.second); }
  EXPECT_TRUE(ch.first.is_closed());
  pollen::SendResult<int> r = ch.first.send(2);
  ASSERT_TRUE(r.is_closed());
  EXPECT_EQ(r.take_back(), 2);
  EXPECT_EQ(*ch.first.borrow(), 1);
  EXPECT_EQ(ch.first.send_replace(3), 1);
  WatchReceiver<int> late = ch.first.subscribe();
  EXPECT_EQ(*late.borrow(), 3);
  EXPECT_FALSE(late.has_changed());
}

// Every value made is destroyed exactly once: the initial one, each
// replaced one (right after its send), the last one with the channel.
// (A send swaps values, so Probe's `live` flag, which assignment copies,
// says nothing here: alive() = made - destroyed is the count that matters.)
TEST(Watch, EveryValueIsDestroyedOnce) {
  pollen::test::ProbeCounts c;
  {
    auto ch = pollen::watch<pollen::test::Probe<int>>(pollen::test::Probe<int>(c, 0));
    EXPECT_EQ(c.alive(), 1);
    for (int i = 1; i <= 5; ++i) {
      ch.first.send(pollen::test::Probe<int>(c, i));
      EXPECT_EQ(c.alive(), 1);  // only the channel's value: the replaced one is gone
    }
    EXPECT_EQ(ch.second.borrow()->value(), 5);
    pollen::test::Probe<int> old = ch.first.send_replace(pollen::test::Probe<int>(c, 6));
    EXPECT_EQ(old.value(), 5);
    EXPECT_EQ(c.alive(), 2);
  }
  EXPECT_EQ(c.constructed, 7);
  EXPECT_EQ(c.alive(), 0);
}

TEST(Watch, LockingTheChannelWhileHoldingABorrowIsAContractError) {
  auto ch = pollen::watch<int>(0);
  pollen::WatchRef<int> r = ch.second.borrow();
  EXPECT_CONTRACT_ERROR(ch.first.send(1), "holds a WatchRef");
  EXPECT_CONTRACT_ERROR((void)ch.second.borrow(), "holds a WatchRef");
}

TEST(Watch, MovingAReceiverWithALiveChangedIsAContractError) {
  auto ch = pollen::watch<int>(0);
  WatchChanged<int> f = ch.second.changed();
  EXPECT_CONTRACT_ERROR(WatchReceiver<int> moved(std::move(ch.second)),
                        "while a changed() future of it is alive");
}

TEST(Watch, PollingChangedAfterReadyIsAContractError) {
  auto ch = pollen::watch<int>(0);
  ch.first.send(1);
  TestTask<WatchChanged<int>> t(ch.second.changed());
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_CONTRACT_ERROR((void)t.poll(), "WatchChanged");
}

TEST(Watch, Describe) {
  auto ch = pollen::watch<int>(0);
  ch.first.send(1);
  WatchReceiver<int> copy = ch.second;
  EXPECT_EQ(pollen::describe_states(ch.first), "WatchSender [version 1, 2 receivers]\n");
  EXPECT_EQ(pollen::describe_states(copy), "WatchReceiver [seen 0 of 1]\n");
  copy.mark_seen();
  TestTask<WatchChanged<int>> t(copy.changed());
  EXPECT_EQ(t.describe(), "WatchChanged [state: Init]\n");
  EXPECT_PENDING(t);
  EXPECT_EQ(t.describe(), "WatchChanged [state: Waiting]\n");
}

// A thread sends 1..N; a task on a loop follows the channel. It sees
// versions in increasing order (skipping some when it falls behind), never
// the same value twice, the last value, and then Closed.
TEST(WatchThreads, ATaskFollowsASenderOnAnotherThread) {
  constexpr int kSends = 5000;
  auto ch = pollen::watch<int>(0);
  WatchReceiver<int> rx = std::move(ch.second);
  std::thread sender([tx = std::move(ch.first)]() mutable {
    for (int i = 1; i <= kSends; ++i) tx.send(i);
  });
  pollen::EventLoop loop;
  int last = 0;
  int seen = 0;
  bool ordered = true;
  RecvStatus end = loop.block_on(pollen::poll_fn(
      [&, f = std::unique_ptr<WatchChanged<int>>()](pollen::Context& cx) mutable
      -> pollen::Poll<RecvStatus> {
        for (;;) {
          if (!f) f.reset(new WatchChanged<int>(rx.changed()));
          pollen::Poll<RecvStatus> p = f->poll(cx);
          if (p.is_pending()) return pollen::pending;
          f.reset();
          RecvStatus s = std::move(p).value();
          if (s == RecvStatus::Closed) return s;
          int v = *rx.borrow_and_update();
          if (v <= last) ordered = false;
          last = v;
          ++seen;
        }
      }));
  sender.join();
  EXPECT_EQ(end, RecvStatus::Closed);
  EXPECT_TRUE(ordered);
  EXPECT_EQ(last, kSends);
  EXPECT_GE(seen, 1);
}

// Receivers on two threads, each its own copy, follow one sender.
TEST(WatchThreads, ReceiverCopiesOnOtherThreadsEachSeeTheLastValue) {
  constexpr int kSends = 2000;
  auto ch = pollen::watch<int>(0);
  std::vector<std::thread> readers;
  std::vector<int> lasts(2, -1);
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&lasts, r, rx = ch.second]() mutable {
      pollen::EventLoop loop;
      for (;;) {
        RecvStatus s = loop.block_on(rx.changed());
        if (s == RecvStatus::Closed) break;
        lasts[r] = *rx.borrow_and_update();
      }
    });
  }
  for (int i = 1; i <= kSends; ++i) ch.first.send(i);
  { WatchSender<int> gone = std::move(ch.first); }
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(lasts[0], kSends);
  EXPECT_EQ(lasts[1], kSends);
}
