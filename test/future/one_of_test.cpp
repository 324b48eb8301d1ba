#include <pollen/future/one_of.hpp>

#include "contract.hpp"
#include "probe.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

using pollen::OneOf;

TEST(OneOf, HoldsOneAlternativeAndSaysWhich) {
  OneOf<int, std::string> o(pollen::in_place_index<1>, "hi");
  EXPECT_EQ(o.index(), 1u);
  EXPECT_TRUE(o.holds<1>());
  EXPECT_FALSE(o.holds<0>());
  EXPECT_EQ(pollen::get<1>(o), "hi");
}

TEST(OneOf, GettingTheWrongAlternativeIsAContractError) {
  OneOf<int, std::string> o(pollen::in_place_index<0>, 3);
  EXPECT_CONTRACT_ERROR((void)pollen::get<1>(o), "get<I>() on a OneOf that holds another alternative");
}

TEST(OneOf, SameTypeTwiceIsTwoAlternatives) {
  pollen::Either<int, int> a(pollen::in_place_index<0>, 1), b(pollen::in_place_index<1>, 1);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, (pollen::Either<int, int>(pollen::in_place_index<0>, 1)));
}

TEST(OneOf, MovesCopiesAndDestroysItsValueExactlyOnce) {
  pollen::test::ProbeCounts c;
  {
    OneOf<int, pollen::test::Probe<int>> a(pollen::in_place_index<1>, pollen::test::Probe<int>(c, 4));
    OneOf<int, pollen::test::Probe<int>> b(std::move(a));
    OneOf<int, pollen::test::Probe<int>> d(b);
    EXPECT_EQ(pollen::get<1>(d).value(), 4);
    d = OneOf<int, pollen::test::Probe<int>>(pollen::in_place_index<0>, 7);
    EXPECT_EQ(d.index(), 0u);
  }
  EXPECT_EQ(c.alive(), 0);
}

TEST(OneOf, MoveOnlyValuesMoveOut) {
  OneOf<std::unique_ptr<int>, int> o(pollen::in_place_index<0>, new int(5));
  std::unique_ptr<int> p = pollen::get<0>(std::move(o));
  EXPECT_EQ(*p, 5);
}

TEST(OneOf, IsAsSmallAsItsLargestAlternativePlusAnIndex) {
  static_assert(sizeof(OneOf<int, int>) <= 8, "4 + index, padded");
  static_assert(sizeof(OneOf<char, short>) <= 4, "2 + index, padded");
  SUCCEED();
}
