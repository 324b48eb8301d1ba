// BlockQueue, the message buffer of the mpsc channels: FIFO order across
// blocks, blocks reused without allocating, values never moved by growth,
// and the strong guarantee of push_back.
#include <pollen/sync/block_queue.hpp>

#include "alloc_counter.hpp"
#include "fragile.hpp"
#include "probe.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>

using pollen::detail::BlockQueue;
using pollen::test::Probe;
using pollen::test::ProbeCounts;

namespace {
template <class T>
T pop(BlockQueue<T>& q) {
  T v(std::move(q.front()));
  q.pop_front();
  return v;
}
}  // namespace

TEST(BlockQueue, BlocksHoldAboutAKilobyteOfValues) {
  EXPECT_EQ(BlockQueue<std::uint64_t>::block_slots(), 32u);
  EXPECT_EQ(BlockQueue<std::string>::block_slots(), 32u);
  struct Big {
    char bytes[200];
  };
  EXPECT_EQ(BlockQueue<Big>::block_slots(), 5u);
  struct Huge {
    char bytes[4096];
  };
  EXPECT_EQ(BlockQueue<Huge>::block_slots(), 1u);
}

TEST(BlockQueue, KeepsFifoOrderAcrossManyBlocksAndInterleavings) {
  BlockQueue<int> q;
  int next_in = 0;
  int next_out = 0;
  // Push 3, pop 2, so that the live values walk round the ring while it grows.
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 3; ++i) {
      int v = next_in++;
      q.push_back(std::move(v));
    }
    for (int i = 0; i < 2; ++i) EXPECT_EQ(pop(q), next_out++);
    EXPECT_EQ(q.size(), static_cast<std::size_t>(next_in - next_out));
  }
  while (!q.empty()) EXPECT_EQ(pop(q), next_out++);
  EXPECT_EQ(next_out, next_in);
}

TEST(BlockQueue, ReusesItsBlocksOnceItHasItsWorkingSize) {
  BlockQueue<std::uint64_t> q;
  // A sliding window of at most 100 values that walks round the ring.
  auto round = [&q] {
    for (std::uint64_t i = 0; i < 100; ++i) q.push_back(std::uint64_t(i));
    for (int i = 0; i < 70; ++i) q.pop_front();
    for (std::uint64_t i = 0; i < 70; ++i) q.push_back(std::uint64_t(i));
    while (!q.empty()) q.pop_front();
  };
  round();  // reaches the working size
  std::size_t capacity = q.capacity();
  pollen::test::AllocCounter allocs;
  for (int r = 0; r < 1000; ++r) round();
  std::size_t allocations = allocs.allocations();
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(q.capacity(), capacity);
  EXPECT_LE(capacity, 5 * BlockQueue<std::uint64_t>::block_slots());
}

TEST(BlockQueue, AnEmptiedQueueStartsItsBlockOver) {
  BlockQueue<int> q;
  for (int i = 0; i < 1000; ++i) {
    q.push_back(int(i));
    EXPECT_EQ(pop(q), i);
  }
  EXPECT_EQ(q.capacity(), BlockQueue<int>::block_slots());  // one block, ever
}

TEST(BlockQueue, ReserveAllocatesUpFront) {
  BlockQueue<int> q;
  q.reserve(40);
  EXPECT_EQ(q.capacity(), 2 * BlockQueue<int>::block_slots());
  pollen::test::AllocCounter allocs;
  for (int i = 0; i < 40; ++i) q.push_back(int(i));
  std::size_t allocations = allocs.allocations();
  EXPECT_EQ(allocations, 0u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(pop(q), i);
}

TEST(BlockQueue, DestroysEachValueOnceAndFreesEveryBlock) {
  ProbeCounts c;
  pollen::test::AllocCounter allocs;
  {
    BlockQueue<Probe<int>> q;
    for (int i = 0; i < 100; ++i) q.push_back(Probe<int>(c, i));
    for (int i = 0; i < 10; ++i) EXPECT_EQ(pop(q).value(), i);
    BlockQueue<Probe<int>> moved(std::move(q));
    EXPECT_EQ(q.size(), 0u);  // NOLINT: moved-from is empty, by design
    EXPECT_EQ(moved.size(), 90u);
    BlockQueue<Probe<int>> other;
    other.swap(moved);
    other.clear();
    EXPECT_EQ(c.live_destroyed, 100);
    for (int i = 0; i < 5; ++i) other.push_back(Probe<int>(c, i));
  }
  EXPECT_EQ(c.live_destroyed, 105);
  EXPECT_EQ(c.alive(), 0);
  std::size_t allocations = allocs.allocations();
  std::size_t deallocations = allocs.deallocations();
  EXPECT_EQ(allocations, deallocations);
}

TEST(BlockQueue, GrowingMovesNoValue) {
  ProbeCounts c;
  BlockQueue<Probe<int>> q;
  for (int i = 0; i < 1000; ++i) {
    Probe<int> p(c, i);
    q.push_back(std::move(p));
  }
  EXPECT_EQ(c.moved, 1000);  // each value once, into its slot
  EXPECT_EQ(c.copied, 0);
}

#if POLLEN_HAS_EXCEPTIONS
TEST(BlockQueue, APushWhoseMoveThrowsLeavesTheQueueUnchanged) {
  pollen::test::FragileCounts c;
  {
    BlockQueue<pollen::test::Fragile> q;
    for (int i = 0; i < 64; ++i) {  // two full blocks of 32 (Fragile is 16 bytes)
      pollen::test::Fragile f(c, i);
      q.push_back(std::move(f));
    }
    ASSERT_EQ(BlockQueue<pollen::test::Fragile>::block_slots(), 32u);
    // At a block boundary (the next push needs a new block) and inside one.
    for (int attempt = 0; attempt < 2; ++attempt) {
      pollen::test::Fragile f(c, 100 + attempt);
      c.fail_after = 0;
      EXPECT_THROW(q.push_back(std::move(f)), pollen::test::MoveFailed);
      EXPECT_TRUE(f.live());
      EXPECT_EQ(q.size(), 64u + static_cast<std::size_t>(attempt));
      q.push_back(std::move(f));  // the retry works
    }
    for (int i = 0; i < 64; ++i) {
      EXPECT_TRUE(q.front().live());
      EXPECT_EQ(q.front().value(), i);
      q.pop_front();
    }
    EXPECT_EQ(q.front().value(), 100);
  }
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(c.live_destroyed, c.constructed);
}

TEST(BlockQueue, APushThatRunsOutOfMemoryLeavesTheQueueUnchanged) {
  BlockQueue<int> q;
  for (int i = 0; i < 32; ++i) q.push_back(int(i));  // one full block
  {
    pollen::test::FailAllocations oom;
    EXPECT_THROW(q.push_back(32), std::bad_alloc);
  }
  EXPECT_EQ(q.size(), 32u);
  q.push_back(32);
  for (int i = 0; i <= 32; ++i) EXPECT_EQ(pop(q), i);
  {
    pollen::test::FailAllocations oom;  // an empty queue with no block yet
    BlockQueue<int> fresh;
    EXPECT_THROW(fresh.push_back(1), std::bad_alloc);
    EXPECT_TRUE(fresh.empty());
  }
}
#endif
