#include <pollen/time/timer_wheel.hpp>

#include <pollen/core/arc_wake.hpp>

#include "alloc_counter.hpp"
#include "test_task.hpp"
#include "time_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

using pollen::TimerEntry;
using pollen::TimerWheel;
using pollen::test::RecordingWakers;

namespace {

std::uint64_t earliest(const TimerWheel& w) {
  std::uint64_t t = 0;
  EXPECT_TRUE(w.earliest_deadline(t));
  return t;
}

constexpr unsigned kShift = TimerWheel::kTickShift;

// The span of one slot of `level`, in ns: 64^level ticks.
std::uint64_t slot_span(unsigned level) { return std::uint64_t{1} << (kShift + 6 * level); }

}  // namespace

TEST(TimerWheel, StartsEmptyWithNoDeadline) {
  TimerWheel w(0);
  std::uint64_t t = 123;
  EXPECT_FALSE(w.earliest_deadline(t));
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.advance_to(1000000), 0u);
  EXPECT_EQ(w.elapsed(), 1000000u);
}

TEST(TimerWheel, FiresExactlyAtTheDeadlineAndNotBefore) {
  TimerWheel w(0);
  RecordingWakers wakers(1);
  TimerEntry e;
  ASSERT_EQ(w.insert(e, 5000, wakers.waker(0)), TimerWheel::Insert::Linked);
  EXPECT_EQ(e.state(), TimerEntry::State::Linked);
  EXPECT_EQ(earliest(w), 5000u);
  EXPECT_EQ(w.advance_to(4999), 0u);
  EXPECT_TRUE(wakers.order().empty());
  EXPECT_EQ(w.advance_to(5000), 1u);
  EXPECT_EQ(wakers.order(), std::vector<std::size_t>{0});
  EXPECT_EQ(e.state(), TimerEntry::State::Fired);
  EXPECT_TRUE(w.empty());
}

TEST(TimerWheel, DeadlineAtOrBeforeElapsedIsAlreadyExpiredAndNotLinked) {
  TimerWheel w(100);
  TimerEntry a;
  TimerEntry b;
  EXPECT_EQ(w.insert(a, 100, pollen::Waker()), TimerWheel::Insert::AlreadyExpired);
  EXPECT_EQ(w.insert(b, 7, pollen::Waker()), TimerWheel::Insert::AlreadyExpired);
  EXPECT_EQ(a.state(), TimerEntry::State::Idle);
  EXPECT_TRUE(w.empty());
}

TEST(TimerWheel, AdvancingBackwardsDoesNothing) {
  TimerWheel w(500);
  EXPECT_EQ(w.advance_to(10), 0u);
  EXPECT_EQ(w.elapsed(), 500u);
}

TEST(TimerWheel, CancelUnlinksReleasesTheWakerAndLeavesTheWheelEmpty) {
  pollen::test::CountingWaker cw;
  const std::size_t refs_before = cw.ref_count();
  TimerWheel w(0);
  TimerEntry e;
  ASSERT_EQ(w.insert(e, 1u << 20, cw.waker()), TimerWheel::Insert::Linked);
  EXPECT_EQ(cw.ref_count(), refs_before + 1);  // the entry holds a clone
  w.cancel(e);
  EXPECT_EQ(e.state(), TimerEntry::State::Idle);
  EXPECT_EQ(cw.ref_count(), refs_before);
  EXPECT_TRUE(w.empty());
  std::uint64_t t = 0;
  EXPECT_FALSE(w.earliest_deadline(t));
  w.cancel(e);  // idempotent
  EXPECT_EQ(w.advance_to(~std::uint64_t{0} - 1), 0u);
  EXPECT_EQ(cw.wakes(), 0u);
}

TEST(TimerWheel, InsertCancelAndFireDoNotAllocatePerTimer) {
  TimerWheel w(0);
  std::vector<TimerEntry> entries(1000);
  pollen::test::AllocCounter allocs;
  // The slot and heap arrays grow by half when full: allocations are rare
  // (a slot array growing, or regrowing after a cascade gave it back), far
  // from one per insert.
  for (std::size_t round = 0; round < 3; ++round) {
    if (round == 1) allocs.reset();
    const std::uint64_t base = (round + 1) * (std::uint64_t{1} << 32);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      ASSERT_EQ(w.insert(entries[i], base + i * 7919, pollen::Waker()),
                TimerWheel::Insert::Linked);
    }
    for (std::size_t i = 0; i < entries.size(); i += 2) w.cancel(entries[i]);
    EXPECT_EQ(w.advance_to(base + 7919 * entries.size()), 500u);
  }
  EXPECT_LT(allocs.allocations(), 100u);  // 2000 inserts in rounds 1 and 2
  EXPECT_LE(sizeof(TimerEntry), 32u);
}

TEST(TimerWheel, ACascadeSizesTheArraysItFillsOnce) {
  TimerWheel w(0);
  constexpr std::size_t kPerTick = 100;
  constexpr std::size_t kTimers = TimerWheel::kSlotsPerLevel * kPerTick;
  std::vector<TimerEntry> entries(kTimers);
  // One level-1 slot, kPerTick timers in each of its 64 ticks.
  for (std::size_t i = 0; i < kTimers; ++i) {
    const std::uint64_t deadline =
        slot_span(1) + (i % TimerWheel::kSlotsPerLevel) * slot_span(0) + 1 + i / 64;
    ASSERT_EQ(w.insert(entries[i], deadline, pollen::Waker()), TimerWheel::Insert::Linked);
  }
  pollen::test::AllocCounter allocs;
  // The slot's start: its first tick pours into the heap, the other 63
  // fall to level 0. One array each, sized once (growing each by half from
  // empty would take 5 allocations an array).
  EXPECT_EQ(w.advance_to(slot_span(1)), 0u);
  EXPECT_LE(allocs.allocations(), TimerWheel::kSlotsPerLevel);
  EXPECT_EQ(w.size(), kTimers);
  EXPECT_EQ(w.advance_to(2 * slot_span(1)), kTimers);
}

TEST(TimerWheel, CascadesAcrossEveryLevelBoundary) {
  // For every level, deadlines just before, at and just after the level's
  // slot and block boundaries, seen from several starting points.
  for (std::uint64_t start :
       {std::uint64_t{0}, std::uint64_t{1}, (std::uint64_t{1} << kShift) - 1,
        std::uint64_t{1} << kShift, (std::uint64_t{1} << (kShift + 6)) + 5,
        (std::uint64_t{1} << (kShift + 12)) - 3}) {
    std::vector<std::uint64_t> deadlines;
    for (std::uint64_t d : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{1000}}) {
      if (d > start) deadlines.push_back(d);
    }
    for (unsigned level = 0; level < TimerWheel::kLevels; ++level) {
      const std::uint64_t span = slot_span(level);
      std::vector<std::uint64_t> bases = {span, 2 * span, 63 * span};
      if (kShift + 6 * (level + 1) < 64) bases.push_back(slot_span(level + 1));
      for (std::uint64_t base : bases) {
        for (std::uint64_t d : {base - 1, base, base + 1, start + base - 1, start + base,
                                start + base + 1}) {
          if (d > start && d <= TimerWheel::kMaxTick) deadlines.push_back(d);
        }
      }
    }
    deadlines.push_back(TimerWheel::kMaxTick);
    std::sort(deadlines.begin(), deadlines.end());
    deadlines.erase(std::unique(deadlines.begin(), deadlines.end()), deadlines.end());

    TimerWheel w(start);
    RecordingWakers wakers(deadlines.size());
    std::vector<TimerEntry> entries(deadlines.size());
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
      ASSERT_EQ(w.insert(entries[i], deadlines[i], wakers.waker(i)), TimerWheel::Insert::Linked)
          << deadlines[i];
    }
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
      SCOPED_TRACE(testing::Message() << "start " << start << ", deadline " << deadlines[i]);
      ASSERT_EQ(earliest(w), deadlines[i]);
      ASSERT_EQ(w.advance_to(deadlines[i] - 1), 0u);
      ASSERT_EQ(w.advance_to(deadlines[i]), 1u);
      ASSERT_EQ(wakers.order().back(), i);
    }
    EXPECT_TRUE(w.empty());
  }
}

TEST(TimerWheel, AMillionRandomTimersFireInDeadlineOrder) {
  constexpr std::size_t n = 1000000;
  constexpr std::uint64_t spread = 1000000000;  // 1 s in ns
  std::uint64_t seed = 43;
  std::vector<std::uint64_t> deadline(n);
  for (std::size_t i = 0; i < n; ++i) deadline[i] = 1 + pollen::test::splitmix64(seed) % spread;

  TimerWheel w(0);
  RecordingWakers wakers(n);
  std::unique_ptr<TimerEntry[]> entries(new TimerEntry[n]);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(w.insert(entries[i], deadline[i], wakers.waker(i)), TimerWheel::Insert::Linked);
  }
  EXPECT_EQ(w.size(), n);
  // Advance in uneven steps, as a real clock would.
  std::size_t fired = 0;
  std::uint64_t now = 0;
  std::uint64_t step_seed = 7;
  while (now < spread) {
    now += 1 + pollen::test::splitmix64(step_seed) % 3000000;
    const std::size_t before = wakers.order().size();
    fired += w.advance_to(now);
    for (std::size_t k = before; k < wakers.order().size(); ++k) {
      ASSERT_LE(deadline[wakers.order()[k]], now);
    }
    if (!w.empty()) {
      ASSERT_GT(earliest(w), now);
    }
  }
  EXPECT_EQ(fired, n);
  EXPECT_TRUE(w.empty());
  ASSERT_EQ(wakers.order().size(), n);
  for (std::size_t k = 1; k < n; ++k) {
    ASSERT_LE(deadline[wakers.order()[k - 1]], deadline[wakers.order()[k]]) << "at " << k;
  }
  std::vector<bool> seen(n);
  for (std::size_t i : wakers.order()) seen[i] = true;
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), static_cast<long>(n));
}

TEST(TimerWheel, EarliestDeadlineIsExactAfterTheEarliestIsCancelled) {
  TimerWheel w(0);
  // All in one level-1 slot (ticks 64..127).
  const std::uint64_t b = std::uint64_t{64} << kShift;
  std::vector<std::uint64_t> d = {b + 300000, b + 10, b + 400000, b + 10, b + 5000000};
  std::vector<TimerEntry> e(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    ASSERT_EQ(w.insert(e[i], d[i], pollen::Waker()), TimerWheel::Insert::Linked);
  }
  EXPECT_EQ(earliest(w), b + 10);
  w.cancel(e[1]);
  EXPECT_EQ(earliest(w), b + 10);  // e[3] has the same deadline
  w.cancel(e[3]);
  EXPECT_EQ(earliest(w), b + 300000);
  w.cancel(e[0]);
  EXPECT_EQ(earliest(w), b + 400000);
  EXPECT_EQ(w.advance_to(b + 399999), 0u);
  EXPECT_EQ(earliest(w), b + 400000);  // now in the current tick's heap
  w.cancel(e[2]);
  EXPECT_EQ(earliest(w), b + 5000000);  // back in the wheel, level 0
  EXPECT_EQ(w.advance_to(b + 5000000), 1u);
}

TEST(TimerWheel, RelocateKeepsTheEntrysPlaceInASlotAndInTheHeap) {
  for (std::uint64_t base : {std::uint64_t{100}, std::uint64_t{5} << kShift}) {
    SCOPED_TRACE(base);
    TimerWheel w(0);
    RecordingWakers wakers(3);
    TimerEntry a;
    TimerEntry b;
    TimerEntry c;
    ASSERT_EQ(w.insert(a, base + 1, wakers.waker(0)), TimerWheel::Insert::Linked);
    ASSERT_EQ(w.insert(b, base + 2, wakers.waker(1)), TimerWheel::Insert::Linked);
    ASSERT_EQ(w.insert(c, base + 3, wakers.waker(2)), TimerWheel::Insert::Linked);
    std::unique_ptr<TimerEntry> moved(new TimerEntry);
    w.relocate(b, *moved);
    EXPECT_EQ(b.state(), TimerEntry::State::Idle);
    EXPECT_EQ(moved->state(), TimerEntry::State::Linked);
    EXPECT_EQ(moved->deadline_tick(), base + 2);
    // Relocating the head and the tail too.
    TimerEntry a2;
    TimerEntry c2;
    w.relocate(a, a2);
    w.relocate(c, c2);
    EXPECT_EQ(w.size(), 3u);
    EXPECT_EQ(earliest(w), base + 1);
    EXPECT_EQ(w.advance_to(base + 3), 3u);
    EXPECT_EQ(wakers.order(), (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_EQ(moved->state(), TimerEntry::State::Fired);
  }
}

TEST(TimerWheel, DestroyingTheWheelOrphansLinkedEntriesAndReleasesWakers) {
  pollen::test::CountingWaker cw;
  const std::size_t refs_before = cw.ref_count();
  TimerEntry linked;
  TimerEntry in_heap;
  TimerEntry fired;
  {
    TimerWheel w(0);
    ASSERT_EQ(w.insert(linked, 1u << 30, cw.waker()), TimerWheel::Insert::Linked);
    ASSERT_EQ(w.insert(in_heap, 20, cw.waker()), TimerWheel::Insert::Linked);
    ASSERT_EQ(w.insert(fired, 10, cw.waker()), TimerWheel::Insert::Linked);
    EXPECT_EQ(w.advance_to(10), 1u);
  }
  EXPECT_EQ(linked.state(), TimerEntry::State::Orphaned);
  EXPECT_EQ(in_heap.state(), TimerEntry::State::Orphaned);
  EXPECT_EQ(fired.state(), TimerEntry::State::Fired);
  EXPECT_EQ(cw.ref_count(), refs_before);
  EXPECT_EQ(cw.wakes(), 1u);
}

namespace {
// A waker whose wake runs a callback (to insert or cancel from inside a wake).
struct CallbackWake final : pollen::ArcWake {
  std::function<void()> fn;
  void on_wake() noexcept override { fn(); }
};
}  // namespace

TEST(TimerWheel, AWakeMayInsertAndCancelEntries) {
  TimerWheel w(0);
  RecordingWakers wakers(4);
  TimerEntry first;
  TimerEntry same_slot_victim;
  TimerEntry inserted_later;
  TimerEntry inserted_now;
  pollen::ArcPtr<CallbackWake> cb(new CallbackWake);
  cb->fn = [&] {
    w.cancel(same_slot_victim);
    EXPECT_EQ(w.insert(inserted_now, 1000, wakers.waker(2)),
              TimerWheel::Insert::AlreadyExpired);  // == elapsed
    EXPECT_EQ(w.insert(inserted_later, 1500, wakers.waker(3)), TimerWheel::Insert::Linked);
  };
  ASSERT_EQ(w.insert(first, 1000, cb->waker()), TimerWheel::Insert::Linked);
  ASSERT_EQ(w.insert(same_slot_victim, 1000, wakers.waker(1)), TimerWheel::Insert::Linked);
  EXPECT_EQ(w.advance_to(2000), 2u);  // first, then inserted_later in the same advance
  EXPECT_EQ(wakers.order(), std::vector<std::size_t>{3});
  EXPECT_EQ(same_slot_victim.state(), TimerEntry::State::Idle);
  EXPECT_TRUE(w.empty());
}

TEST(TimerWheel, FarFutureDeadlinesWaitOnTheTopLevel) {
  TimerWheel w(std::uint64_t{12345} << kShift);
  RecordingWakers wakers(2);
  TimerEntry max_entry;
  TimerEntry clamped;
  ASSERT_EQ(w.insert(max_entry, TimerWheel::kMaxTick, wakers.waker(0)),
            TimerWheel::Insert::Linked);
  ASSERT_EQ(w.insert(clamped, ~std::uint64_t{0}, wakers.waker(1)), TimerWheel::Insert::Linked);
  EXPECT_EQ(clamped.deadline_tick(), TimerWheel::kMaxTick);
  EXPECT_EQ(earliest(w), TimerWheel::kMaxTick);
  EXPECT_EQ(w.advance_to(TimerWheel::kMaxTick - 1), 0u);
  EXPECT_EQ(w.advance_to(TimerWheel::kMaxTick), 2u);
}

namespace {
// What the wheel may keep with no timer pending: kKeepCapacity pointers in
// each slot and in the heap (256 KiB on a 64-bit machine).
constexpr std::size_t kRetainedLimit =
    (TimerWheel::kLevels * TimerWheel::kSlotsPerLevel + 1) * TimerWheel::kKeepCapacity *
    sizeof(TimerEntry*);
}  // namespace

TEST(TimerWheel, AMillionCancelledTimersGiveTheirCapacityBack) {
  TimerWheel w(0);
  const std::size_t start = w.capacity_bytes();
  constexpr std::size_t kTimers = 1000000;
  std::vector<TimerEntry> entries(kTimers);
  // Half in the current tick's heap, half over slots of levels 0 to 2.
  for (std::size_t i = 0; i < kTimers; ++i) {
    const std::uint64_t deadline =
        i % 2 == 0 ? 1 + i % ((std::uint64_t{1} << kShift) - 1)
                   : 1 + (i * 7919) % (std::uint64_t{1} << 33);
    ASSERT_EQ(w.insert(entries[i], deadline, pollen::Waker()), TimerWheel::Insert::Linked);
  }
  const std::size_t peak = w.capacity_bytes();
  EXPECT_GE(peak, kTimers * sizeof(TimerEntry*));
  for (TimerEntry& e : entries) w.cancel(e);
  EXPECT_TRUE(w.empty());
  EXPECT_LE(w.capacity_bytes(), start + kRetainedLimit);
  RecordProperty("capacity_bytes_peak", static_cast<int>(peak));
  RecordProperty("capacity_bytes_after", static_cast<int>(w.capacity_bytes()));
  // The wheel still works: a timer inserted now fires at its deadline.
  RecordingWakers wakers(1);
  TimerEntry e;
  ASSERT_EQ(w.insert(e, slot_span(1) + 5, wakers.waker(0)), TimerWheel::Insert::Linked);
  EXPECT_EQ(w.advance_to(slot_span(1) + 4), 0u);
  EXPECT_EQ(w.advance_to(slot_span(1) + 5), 1u);
  EXPECT_EQ(wakers.order(), std::vector<std::size_t>{0});
}

TEST(TimerWheel, SlotsEmptiedByFiringGiveTheirCapacityBack) {
  TimerWheel w(0);
  const std::size_t start = w.capacity_bytes();
  constexpr std::size_t kTimers = 100000;
  std::vector<TimerEntry> entries(kTimers);
  // All in one level-1 slot; they cascade to level 0, then to the heap.
  for (std::size_t i = 0; i < kTimers; ++i) {
    ASSERT_EQ(w.insert(entries[i], slot_span(1) + i * 331, pollen::Waker()),
              TimerWheel::Insert::Linked);
  }
  EXPECT_GE(w.capacity_bytes(), kTimers * sizeof(TimerEntry*));
  EXPECT_EQ(w.advance_to(2 * slot_span(1)), kTimers);
  EXPECT_TRUE(w.empty());
  EXPECT_LE(w.capacity_bytes(), start + kRetainedLimit);
}

TEST(TimerWheel, AShrunkSlotKeepsItsEntriesAndTheirOrder) {
  TimerWheel w(0);
  constexpr std::size_t kTimers = 4096;
  std::vector<TimerEntry> entries(kTimers);
  RecordingWakers wakers(kTimers);
  // One level-1 slot; cancelling three in four shrinks its array.
  for (std::size_t i = 0; i < kTimers; ++i) {
    ASSERT_EQ(w.insert(entries[i], slot_span(1) + i, wakers.waker(i)), TimerWheel::Insert::Linked);
  }
  const std::size_t peak = w.capacity_bytes();
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < kTimers; ++i) {
    if (i % 4 == 3) {
      kept.push_back(i);
    } else {
      w.cancel(entries[i]);
    }
  }
  EXPECT_LT(w.capacity_bytes(), peak);
  EXPECT_EQ(w.size(), kept.size());
  EXPECT_EQ(earliest(w), slot_span(1) + 3);
  EXPECT_EQ(w.advance_to(2 * slot_span(1)), kept.size());
  EXPECT_EQ(wakers.order(), kept);
}
