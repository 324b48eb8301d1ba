#include <pollen/future/wake_list.hpp>

#include "test_task.hpp"

#include <gtest/gtest.h>

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
  EXPECT_EQ(parent.wakes(), 8u);
}
