#include <pollen/core/poll.hpp>

#include "contract.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

using pollen::Poll;

namespace {
Poll<int> answer(bool ready) {
  if (ready) return 42;
  return pollen::pending;
}
}  // namespace

TEST(Poll, ConvertsFromAValueToReady) {
  Poll<int> p = answer(true);
  EXPECT_TRUE(p.is_ready());
  EXPECT_FALSE(p.is_pending());
  EXPECT_EQ(p.value(), 42);
}

TEST(Poll, ConvertsFromPendingTagToPending) {
  Poll<int> p = answer(false);
  EXPECT_TRUE(p.is_pending());
  EXPECT_FALSE(p.is_ready());
}

TEST(Poll, MovesAMoveOnlyValueOut) {
  Poll<std::unique_ptr<int>> p = std::unique_ptr<int>(new int(5));
  std::unique_ptr<int> v = std::move(p).value();
  EXPECT_EQ(*v, 5);
}

namespace {
struct MoveCounter {
  int* moves;
  explicit MoveCounter(int* m) noexcept : moves(m) {}
  MoveCounter(MoveCounter&& o) noexcept : moves(o.moves) { ++*moves; }
  MoveCounter(const MoveCounter&) = delete;
};
struct FromInt {
  int v;
  explicit FromInt(int x) noexcept : v(x) {}  // explicit: Poll still builds it
};
}  // namespace

// A Poll builds its value where it keeps it: made from a T, or from what a
// T is built from (an Option<T> from a T), it moves the T once, no more.
TEST(Poll, BuildsItsValueInPlace) {
  int moves = 0;
  MoveCounter m(&moves);
  Poll<MoveCounter> a(std::move(m));
  EXPECT_EQ(moves, 1);
  moves = 0;
  Poll<pollen::Option<MoveCounter>> b(MoveCounter{&moves});
  EXPECT_EQ(moves, 1);
  Poll<FromInt> c(7);
  EXPECT_EQ(c.value().v, 7);
}

TEST(Poll, ComparesStateAndValue) {
  EXPECT_EQ(Poll<int>(1), Poll<int>(1));
  EXPECT_NE(Poll<int>(1), Poll<int>(2));
  EXPECT_NE(Poll<int>(1), Poll<int>(pollen::pending));
  EXPECT_EQ(Poll<int>(pollen::pending), Poll<int>(pollen::pending));
}

TEST(Poll, ReadyPollHelperDeducesTheType) {
  auto p = pollen::ready_poll(std::string("x"));
  static_assert(std::is_same<decltype(p), Poll<std::string>>::value, "Poll<std::string>");
  EXPECT_EQ(p.value(), "x");
}

TEST(Poll, ReadingAPendingPollIsAContractError) {
  Poll<int> p = pollen::pending;
  EXPECT_CONTRACT_ERROR((void)p.value(), "Poll::value() called on a Pending Poll");
  EXPECT_CONTRACT_ERROR((void)std::move(p).value(), "check is_ready() first");
}
