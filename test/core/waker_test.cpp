#include <pollen/core/arc_wake.hpp>
#include <pollen/core/waker.hpp>

#include "test_task.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using pollen::Waker;
using pollen::test::CountingWaker;

TEST(Waker, DefaultConstructedIsTheNoopWaker) {
  Waker w;
  EXPECT_TRUE(w.is_noop());
  w.wake();  // does nothing, must not crash
  std::move(w).wake();
  EXPECT_TRUE(Waker::noop().will_wake(Waker()));
}

TEST(Waker, LvalueWakeWakesByReferenceAndStaysUsable) {
  CountingWaker cw;
  Waker w = cw.waker();
  w.wake();
  w.wake();
  w.wake_by_ref();
  EXPECT_EQ(cw.wakes(), 3u);
  EXPECT_FALSE(w.is_noop());
}

TEST(Waker, RvalueWakeConsumesTheWaker) {
  CountingWaker cw;
  Waker w = cw.waker();
  std::size_t refs = cw.ref_count();
  std::move(w).wake();
  EXPECT_EQ(cw.wakes(), 1u);
  EXPECT_TRUE(w.is_noop());  // NOLINT: moved-from is the no-op waker by contract
  EXPECT_EQ(cw.ref_count(), refs - 1);
}

TEST(Waker, CloneKeepsDataAliveUntilLastDrop) {
  CountingWaker cw;
  std::size_t base = cw.ref_count();
  {
    Waker a = cw.waker();
    Waker b = a;  // clone
    Waker c(b);   // clone
    EXPECT_EQ(cw.ref_count(), base + 3);
    EXPECT_TRUE(a.will_wake(c));
    Waker d = std::move(c);  // steals, no new reference
    EXPECT_EQ(cw.ref_count(), base + 3);
    EXPECT_TRUE(c.is_noop());  // NOLINT
    d.wake();
  }
  EXPECT_EQ(cw.ref_count(), base);
  EXPECT_EQ(cw.wakes(), 1u);
}

namespace {
struct Flag final : pollen::ArcWake {
  bool* destroyed;
  explicit Flag(bool* d) : destroyed(d) {}
  ~Flag() override { *destroyed = true; }
  void on_wake() noexcept override {}
};
}  // namespace

TEST(Waker, DataIsFreedWithTheLastReference) {
  bool destroyed = false;
  Waker w;
  {
    pollen::ArcPtr<Flag> f(new Flag(&destroyed));
    w = f->waker();
  }
  EXPECT_FALSE(destroyed);  // w still holds it
  w = Waker();
  EXPECT_TRUE(destroyed);
}

TEST(Waker, AssignmentFromTheSameTargetKeepsTheReferenceCount) {
  CountingWaker cw;
  Waker a = cw.waker();
  std::size_t refs = cw.ref_count();
  Waker b = cw.waker();
  a = b;  // will_wake: nothing to do
  EXPECT_EQ(cw.ref_count(), refs + 1);
  Waker& same = a;
  a = same;  // self-assignment
  EXPECT_EQ(cw.ref_count(), refs + 1);
}

TEST(Waker, WillWakeTellsDifferentTargetsApart) {
  CountingWaker x;
  CountingWaker y;
  EXPECT_FALSE(x.waker().will_wake(y.waker()));
  EXPECT_FALSE(x.waker().will_wake(Waker()));
}

TEST(Waker, IntoRawGivesUpOwnership) {
  CountingWaker cw;
  Waker a = cw.waker();
  std::size_t refs = cw.ref_count();
  pollen::RawWaker raw = a.into_raw();
  EXPECT_TRUE(a.is_noop());
  EXPECT_EQ(cw.ref_count(), refs);
  Waker back(raw);  // adopts the reference again
  back.wake();
  EXPECT_EQ(cw.wakes(), 1u);
}

TEST(Waker, WakesFromManyThreadsAreAllCounted) {
  CountingWaker cw;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    Waker w = cw.waker();
    threads.emplace_back([w] {
      for (int i = 0; i < 10000; ++i) {
        Waker c = w;  // clone and drop on this thread too
        c.wake();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(cw.wakes(), 40000u);
}
