// The task block and the loop's task slab: what a task costs in memory,
// where its parts live, and how blocks come and go (chunks given back, blocks
// freed on other threads, blocks that outlive their loop).
#include <pollen/core/lazy.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/runtime/event_loop.hpp>
#include <pollen/runtime/task.hpp>

#include <pollen/core/block_on.hpp>

#include "adapters.hpp"
#include "alloc_counter.hpp"
#include "probe.hpp"
#include "runtime_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using pollen::Context;
using pollen::EventLoop;
using pollen::Poll;
using pollen::Unit;

namespace {
int g_bumps = 0;
struct Bump {
  Unit operator()() const {
    ++g_bumps;
    return Unit{};
  }
};
// A 10 KiB future: larger than the slab's largest size class.
struct Big {
  using Output = int;
  unsigned char bytes[10 * 1024] = {};
  Poll<int> poll(Context&) { return static_cast<int>(bytes[0]) + 5; }
};
// Pending once (keeping a clone of its waker in *keep, when given), then 1.
struct KeepsItsWaker {
  using Output = int;
  std::vector<pollen::Waker>* keep;
  int polls = 0;
  Poll<int> poll(Context& cx) {
    if (polls++ == 1 || keep == nullptr) return 1;
    keep->push_back(cx.waker());
    cx.waker().wake();
    return pollen::pending;
  }
};
// Needs 16-byte alignment; reports whether it got it.
struct alignas(16) Aligned {
  using Output = bool;
  unsigned char pad[24] = {};
  Poll<bool> poll(Context&) {
    return reinterpret_cast<std::uintptr_t>(this) % 16 == 0;
  }
};
}  // namespace

TEST(Task, TheHeaderIs32Bytes) {
  // vtable, ready-queue link, references, state word, cross-thread flag,
  // stage, id. Grows only on purpose.
  EXPECT_EQ(sizeof(pollen::detail::TaskHeader), 32u);
  RecordProperty("sizeof_task_header", static_cast<int>(sizeof(pollen::detail::TaskHeader)));
}

TEST(Task, TheBlockIsTheHeaderPlusTheLargerOfFutureAndOutput) {
  using Small = pollen::detail::Task<pollen::Ready<std::uint64_t>>;
  EXPECT_LE(sizeof(Small), sizeof(pollen::detail::TaskHeader) + 16u);
  using Trivial = pollen::detail::Task<pollen::Lazy<Bump>>;
  EXPECT_EQ(sizeof(Trivial), 40u);  // the slot holds at least a pointer (an exception)
  RecordProperty("sizeof_trivial_task", static_cast<int>(sizeof(Trivial)));
}

TEST(Task, TheNameLivesInTheTasksBlock) {
  EventLoop loop;
  std::string name = "a name long enough to defeat the small string buffer";
  auto g = rt::gate();
  auto h = loop.spawn(name, std::move(g.second));
  name.assign("changed");  // the task keeps its own copy
  EXPECT_EQ(loop.dump_tasks()[0].name, "a name long enough to defeat the small string buffer");
}

TEST(TaskSlab, AChunkWhoseTasksAllFinishedIsGivenBack) {
  EventLoop loop;
  g_bumps = 0;
  // 40-byte blocks: 1632 to a 64 KiB chunk, so 4000 tasks take three.
  for (int i = 0; i < 4000; ++i) loop.spawn(pollen::lazy(Bump{})).detach();
  pollen::test::AllocCounter allocs;
  loop.run();
  EXPECT_EQ(g_bumps, 4000);
  // The first chunk emptied is kept as the spare, the second is given back,
  // the third is still the one spawns come from.
  EXPECT_EQ(allocs.deallocations(), 1u);
  allocs.reset();
  for (int i = 0; i < 2000; ++i) loop.spawn(pollen::lazy(Bump{})).detach();
  EXPECT_EQ(allocs.allocations(), 0u);  // the current chunk, then the spare
  loop.run();
  EXPECT_EQ(g_bumps, 6000);
}

TEST(TaskSlab, BlocksFreedOnAnotherThreadWhileTheLoopLivesAreReused) {
  EventLoop loop;
  constexpr int kTasks = 1000;  // most of one chunk of 56-byte blocks
  std::vector<pollen::Waker> wakers;
  wakers.reserve(kTasks);
  for (int i = 0; i < kTasks; ++i) loop.spawn(KeepsItsWaker{&wakers}).detach();
  loop.run();
  EXPECT_EQ(loop.stats().tasks_alive, 0u);
  // Only the wakers, moved to another thread, hold the blocks: freed there.
  std::thread([w = std::move(wakers)]() mutable { w.clear(); }).join();
  pollen::test::AllocCounter allocs;
  for (int i = 0; i < kTasks; ++i) loop.spawn(KeepsItsWaker{nullptr}).detach();
  EXPECT_EQ(allocs.allocations(), 0u);  // the blocks came back to the loop's chunk
  loop.run();
}

TEST(TaskSlab, ABlockThatOutlivesItsLoopIsFreedOnAnotherThreadWithItsChunk) {
  pollen::Waker kept;
  pollen::test::ProbeCounts counts;
  {
    EventLoop loop;
    auto g = rt::gate();
    loop.spawn(pollen::test::Probed<rt::Gate>(counts, std::move(g.second))).detach();
    loop.run_until_stalled();
    kept = g.first->waker;
  }  // the task is cancelled; the waker keeps its block, and the block its chunk
  EXPECT_EQ(counts.live_destroyed, 1);
  std::size_t freed = 0;
  std::thread([&] {
    pollen::test::AllocCounter allocs;
    kept.wake();               // the loop is gone: nothing happens
    kept = pollen::Waker();    // the last reference
    freed = allocs.deallocations();
  }).join();
  EXPECT_EQ(freed, 3u);  // the chunk, then the loop's shared part and its queue's array
}

TEST(TaskSlab, AFutureLargerThanTheLargestClassGetsAChunkOfItsOwn) {
  EventLoop loop;
  pollen::test::AllocCounter allocs;
  loop.spawn(Big{}).detach();
  EXPECT_EQ(allocs.allocations(), 1u);
  loop.run();
  EXPECT_EQ(allocs.deallocations(), 1u);  // given back with its block
  EXPECT_EQ(loop.block_on(loop.spawn(Big{})).value(), 5);
}

TEST(TaskSlab, AnOverAlignedFutureIsAligned) {
  EventLoop loop;
  loop.spawn(pollen::ready(1)).detach();  // 40-byte blocks first
  std::vector<pollen::JoinHandle<bool>> handles;
  for (int i = 0; i < 100; ++i) handles.push_back(loop.spawn(Aligned{}));
  loop.run();
  for (auto& h : handles) EXPECT_TRUE(pollen::block_on(std::move(h)).value());
}

TEST(TaskSlab, TheDumpListsTasksInSpawnOrderWhenBlocksAreReused) {
  EventLoop loop;
  auto a = rt::gate();
  auto b = rt::gate(2);
  auto c = rt::gate();
  loop.spawn("a", std::move(a.second)).detach();
  loop.spawn("b", std::move(b.second)).detach();
  loop.spawn("c", std::move(c.second)).detach();
  loop.run_until_stalled();
  b.first->open_and_wake();
  loop.run_until_stalled();  // b's block is free
  loop.spawn("d", rt::gate().second).detach();  // reuses it
  std::vector<pollen::TaskSnapshot> dump = loop.dump_tasks();
  ASSERT_EQ(dump.size(), 3u);
  EXPECT_EQ(dump[0].name, "a");
  EXPECT_EQ(dump[1].name, "c");
  EXPECT_EQ(dump[2].name, "d");
  EXPECT_EQ(dump[2].id, 4u);
}

TEST(TaskSlab, TheLoopsDestructorCancelsTheTasksOfEveryChunk) {
  pollen::test::ProbeCounts counts;
  {
    EventLoop loop;
    for (int i = 0; i < 3000; ++i) {
      loop.spawn(pollen::test::Probed<rt::Gate>(counts, rt::gate().second)).detach();
    }
    loop.spawn(Big{}).detach();
    loop.run_until_stalled();
  }
  EXPECT_EQ(counts.constructed, 3000);
  EXPECT_EQ(counts.live_destroyed, 3000);
}
