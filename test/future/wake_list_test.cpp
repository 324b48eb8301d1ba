#include <pollen/future/wake_list.hpp>

#include "test_task.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

using pollen::detail::WakeList;

namespace {
struct ListRef {
  WakeList* list;
  explicit ListRef(std::uint32_t n, bool all = false) : list(WakeList::create(n, all)) {}
  ~ListRef() { list->release(); }
};
}  // namespace

TEST(WakeList, StartsWithEveryChildQueuedInIndexOrderWhenAsked) {
  ListRef r(3, true);
  std::vector<std::uint32_t> out;
  r.list->drain(out);
  EXPECT_EQ(out, (std::vector<std::uint32_t>{0, 1, 2}));
  r.list->drain(out);
  EXPECT_TRUE(out.empty());
}

TEST(WakeList, AWakeQueuesTheChildOnceAndWakesTheParent) {
  ListRef r(4);
  pollen::test::CountingWaker parent;
  r.list->set_parent(parent.waker());
  pollen::Waker w2(r.list->shared_raw(2));
  w2.wake();
  w2.wake();
  EXPECT_EQ(parent.wakes(), 1u);
  std::vector<std::uint32_t> out;
  r.list->drain(out);
  EXPECT_EQ(out, (std::vector<std::uint32_t>{2}));
  w2.wake();  // drained: queues again
  r.list->drain(out);
  EXPECT_EQ(out, (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(parent.wakes(), 2u);
}

TEST(WakeList, SharedWakersHoldTheBlockAlive) {
  WakeList* list = WakeList::create(2, false);
  pollen::Waker w(list->shared_raw(1));
  pollen::Waker copy = w;
  EXPECT_EQ(list->ref_count(), 3u);
  list->close();
  list->release();  // the owner is gone
  w.wake();         // closed: nothing happens, nothing is freed too early
  std::move(copy).wake();
  SUCCEED();
}

TEST(WakeList, ABorrowedWakerClonesIntoASharedOne) {
  ListRef r(2);
  pollen::Waker borrowed(r.list->borrowed_raw(0));
  EXPECT_EQ(r.list->ref_count(), 1u);  // borrowing holds nothing
  {
    pollen::Waker kept = borrowed;
    EXPECT_EQ(r.list->ref_count(), 2u);
  }
  EXPECT_EQ(r.list->ref_count(), 1u);
}

// The parent drains the whole list when it is polled, so only the wake
// that makes the list non-empty wakes it.
TEST(WakeList, OnlyTheFirstWakeOfABatchWakesTheParent) {
  ListRef r(4);
  pollen::test::CountingWaker parent;
  r.list->set_parent(parent.waker());
  pollen::Waker w0(r.list->shared_raw(0));
  pollen::Waker w1(r.list->shared_raw(1));
  pollen::Waker w3(r.list->shared_raw(3));
  w1.wake();
  w0.wake();
  w3.wake();
  EXPECT_EQ(parent.wakes(), 1u);
  std::vector<std::uint32_t> out;
  r.list->drain(out);
  EXPECT_EQ(out, (std::vector<std::uint32_t>{1, 0, 3}));
  w0.wake();  // a new batch
  EXPECT_EQ(parent.wakes(), 2u);
}

// Waking the parent neither clones nor drops its waker: the list keeps it
// (one reference, taken when it was set) and lends it to each wake.
TEST(WakeList, WakingTheParentClonesNothing) {
  ListRef r(2);
  pollen::test::CountingWaker parent;
  constexpr std::size_t kNoClone = 2;  // the CountingWaker's own references
  r.list->set_parent(parent.waker());
  EXPECT_EQ(parent.ref_count(), kNoClone + 1);
  pollen::Waker w(r.list->shared_raw(1));
  std::vector<std::uint32_t> out;
  for (int i = 0; i < 10; ++i) {
    r.list->set_parent(parent.waker());  // the same task: kept, not cloned
    w.wake();
    EXPECT_EQ(parent.ref_count(), kNoClone + 1);
    r.list->drain(out);
  }
  EXPECT_EQ(parent.wakes(), 10u);
  r.list->close();
  EXPECT_EQ(parent.ref_count(), kNoClone);  // closing drops it at once
}

// A new parent replaces the old one, which is dropped at once.
TEST(WakeList, ANewParentReplacesTheOld) {
  ListRef r(1);
  pollen::test::CountingWaker a;
  pollen::test::CountingWaker b;
  r.list->set_parent(a.waker());
  r.list->set_parent(b.waker());
  EXPECT_EQ(a.ref_count(), 2u);
  pollen::Waker w(r.list->shared_raw(0));
  w.wake();
  EXPECT_EQ(a.wakes(), 0u);
  EXPECT_EQ(b.wakes(), 1u);
}

TEST(WakeList, WakesFromManyThreadsQueueEachChildOnce) {
  ListRef r(8);
  pollen::test::CountingWaker parent;
  r.list->set_parent(parent.waker());
  std::vector<std::thread> ts;
  for (std::uint32_t t = 0; t < 4; ++t) {
    ts.emplace_back([&r] {
      for (int k = 0; k < 1000; ++k) {
        pollen::Waker w(r.list->shared_raw(static_cast<std::uint32_t>(k % 8)));
        w.wake();
      }
    });
  }
  for (auto& t : ts) t.join();
  std::vector<std::uint32_t> out;
  r.list->drain(out);
  EXPECT_EQ(out.size(), 8u);
  EXPECT_EQ(parent.wakes(), 1u);  // one batch, never drained until now
}

// The parent changes (set_parent from the owner's thread) while other
// threads wake children and the owner drains: every wake that finds the
// list empty wakes a parent, none is woken after it was dropped (TSan and
// ASan watch the lent wakers), and every child woken is listed.
TEST(WakeList, ParentsChangeWhileOtherThreadsWake) {
  ListRef r(4);
  pollen::test::CountingWaker parents[2];
  r.list->set_parent(parents[0].waker());
  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::vector<std::thread> ts;
  for (std::uint32_t t = 0; t < 2; ++t) {
    ts.emplace_back([&r, &stop, &started, t] {
      pollen::Waker w(r.list->shared_raw(t));
      w.wake();
      ++started;
      while (!stop.load(std::memory_order_relaxed)) w.wake();
    });
  }
  while (started.load() < 2) std::this_thread::yield();
  std::vector<std::uint32_t> out;
  for (int i = 0; i < 2000; ++i) {
    r.list->set_parent(parents[i % 2].waker());
    r.list->drain(out);
  }
  stop = true;
  for (auto& t : ts) t.join();
  r.list->close();
  EXPECT_GT(parents[0].wakes() + parents[1].wakes(), 0u);
  EXPECT_EQ(parents[0].ref_count(), 2u);  // nothing kept after close
  EXPECT_EQ(parents[1].ref_count(), 2u);
}
