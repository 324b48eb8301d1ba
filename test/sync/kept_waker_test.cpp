// KeptWaker: a registration kept across wakes, lent (not cloned) to the
// waker, and a lent waker that is replaced or dropped meanwhile lives until
// its wake has returned.
#include <pollen/sync/kept_waker.hpp>
#include <pollen/sync/parking_lock.hpp>

#include "test_task.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

using pollen::Waker;
using pollen::detail::KeptWaker;
using pollen::detail::ParkingLock;
using pollen::detail::WakeOrder;
using pollen::test::CountingWaker;

namespace {
constexpr std::size_t kNoClone = 2;  // a CountingWaker's own references

// A KeptWaker and its owner's lock, as a channel holds them.
struct Owner {
  ParkingLock mu;
  KeptWaker kept;
  Owner() { kept.set_lock(&mu); }

  void arm(const Waker& w) {
    Waker to_drop;
    std::lock_guard<ParkingLock> lock(mu);
    kept.arm(w, to_drop);
  }
  void take_wake(WakeOrder& out) {
    std::lock_guard<ParkingLock> lock(mu);
    kept.take_wake(out);
  }
  void clear() {
    Waker to_drop;
    std::lock_guard<ParkingLock> lock(mu);
    kept.clear(to_drop);
  }
};
}  // namespace

TEST(KeptWaker, ArmingWithTheSameTasksWakerClonesOnce) {
  Owner o;
  CountingWaker w;
  for (int i = 0; i < 5; ++i) o.arm(w.waker());
  EXPECT_EQ(w.ref_count(), kNoClone + 1);
  o.clear();
  EXPECT_EQ(w.ref_count(), kNoClone);
}

TEST(KeptWaker, AWakeLendsTheKeptWakerAndDisarmsIt) {
  Owner o;
  CountingWaker w;
  o.arm(w.waker());
  {
    WakeOrder order;
    o.take_wake(order);
    EXPECT_EQ(w.ref_count(), kNoClone + 1);  // lent: no clone
    order.wake();
    EXPECT_EQ(w.wakes(), 1u);
    EXPECT_EQ(w.ref_count(), kNoClone + 1);  // still kept
  }
  WakeOrder again;
  o.take_wake(again);  // not re-armed: nothing to wake
  again.wake();
  EXPECT_EQ(w.wakes(), 1u);
}

TEST(KeptWaker, ASecondWakeDuringALendClones) {
  Owner o;
  CountingWaker w;
  o.arm(w.waker());
  WakeOrder first;
  o.take_wake(first);
  o.arm(w.waker());
  WakeOrder second;
  o.take_wake(second);
  EXPECT_EQ(w.ref_count(), kNoClone + 2);  // the second order owns a clone
  second.wake();
  EXPECT_EQ(w.ref_count(), kNoClone + 1);
  first.wake();
  EXPECT_EQ(w.wakes(), 2u);
  EXPECT_EQ(w.ref_count(), kNoClone + 1);
}

// The waker lent to a wake in progress is replaced: it is retired, woken by
// the borrower, and dropped when the borrower is done, not before.
TEST(KeptWaker, AWakerReplacedWhileLentLivesUntilTheWakeIsDone) {
  Owner o;
  CountingWaker a;
  CountingWaker b;
  o.arm(a.waker());
  WakeOrder order;
  o.take_wake(order);
  o.arm(b.waker());                        // replaces a while a is lent
  EXPECT_EQ(a.ref_count(), kNoClone + 1);  // retired, not dropped
  CountingWaker c;
  o.arm(c.waker());                        // b was never lent: dropped at once
  EXPECT_EQ(b.ref_count(), kNoClone);
  order.wake();
  EXPECT_EQ(a.wakes(), 1u);
  EXPECT_EQ(a.ref_count(), kNoClone);      // the borrower dropped it
  EXPECT_EQ(c.ref_count(), kNoClone + 1);
  WakeOrder next;                          // the lend is over: c can be lent
  o.arm(c.waker());
  o.take_wake(next);
  EXPECT_EQ(c.ref_count(), kNoClone + 1);
  next.wake();
  EXPECT_EQ(c.wakes(), 1u);
}

TEST(KeptWaker, AWakerClearedWhileLentLivesUntilTheWakeIsDone) {
  Owner o;
  CountingWaker a;
  o.arm(a.waker());
  WakeOrder order;
  o.take_wake(order);
  o.clear();
  EXPECT_EQ(a.ref_count(), kNoClone + 1);
  order.wake();
  EXPECT_EQ(a.ref_count(), kNoClone);
}

TEST(KeptWaker, DestroyingAnUnwokenOrderWakesAndEndsTheLend) {
  Owner o;
  CountingWaker a;
  o.arm(a.waker());
  {
    WakeOrder order;
    o.take_wake(order);
  }
  EXPECT_EQ(a.wakes(), 1u);
  o.clear();
  EXPECT_EQ(a.ref_count(), kNoClone);  // dropped at once: no lend left
}

// Wakes from other threads while the owner keeps replacing the waker: every
// lent waker is woken while alive (ASan, TSan), and none is kept at the end.
TEST(KeptWaker, ReplacingWhileOtherThreadsWakeFreesNothingInUse) {
  Owner o;
  CountingWaker wakers[3];
  std::atomic<bool> stop{false};
  std::vector<std::thread> ts;
  for (int t = 0; t < 2; ++t) {
    ts.emplace_back([&o, &stop] {
      while (!stop.load(std::memory_order_relaxed)) {
        WakeOrder order;
        o.take_wake(order);
        order.wake();
      }
    });
  }
  for (int i = 0; i < 20000; ++i) o.arm(wakers[i % 3].waker());
  stop = true;
  for (std::thread& t : ts) t.join();
  o.clear();
  for (CountingWaker& w : wakers) EXPECT_EQ(w.ref_count(), kNoClone);
}
