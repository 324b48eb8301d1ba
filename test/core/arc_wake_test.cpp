#include <pollen/core/arc_wake.hpp>

#include <gtest/gtest.h>

namespace {
struct Counter final : pollen::ArcWake {
  int* wakes;
  int* deleted;
  Counter(int* w, int* d) : wakes(w), deleted(d) {}
  ~Counter() override { ++*deleted; }
  void on_wake() noexcept override { ++*wakes; }
};
}  // namespace

TEST(ArcWake, EachWakerHoldsOneReference) {
  int wakes = 0;
  int deleted = 0;
  pollen::ArcPtr<Counter> c(new Counter(&wakes, &deleted));
  EXPECT_EQ(c->ref_count(), 1u);
  {
    pollen::Waker w1 = c->waker();
    pollen::Waker w2 = c->waker();
    EXPECT_EQ(c->ref_count(), 3u);
    w1.wake();
    std::move(w2).wake();
    EXPECT_EQ(c->ref_count(), 2u);
  }
  EXPECT_EQ(wakes, 2);
  EXPECT_EQ(c->ref_count(), 1u);
  EXPECT_EQ(deleted, 0);
}

TEST(ArcWake, ObjectIsDeletedWithTheLastReference) {
  int wakes = 0;
  int deleted = 0;
  pollen::Waker w;
  {
    pollen::ArcPtr<Counter> c = pollen::make_arc<Counter>(&wakes, &deleted);
    pollen::ArcPtr<Counter> copy = c;
    EXPECT_EQ(c->ref_count(), 2u);
    w = c->waker();
  }
  EXPECT_EQ(deleted, 0);
  w.wake();
  EXPECT_EQ(wakes, 1);
  w = pollen::Waker();
  EXPECT_EQ(deleted, 1);
}
