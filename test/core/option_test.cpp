#include <pollen/core/option.hpp>

#include "contract.hpp"
#include "probe.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

using pollen::Option;
using pollen::test::Probe;
using pollen::test::ProbeCounts;

TEST(Option, DefaultAndNoneAreEmpty) {
  Option<int> a;
  Option<int> b = pollen::none;
  EXPECT_FALSE(a.has_value());
  EXPECT_FALSE(static_cast<bool>(b));
  EXPECT_TRUE(a == pollen::none);
  EXPECT_TRUE(a == b);
}

TEST(Option, HoldsAValueImplicitly) {
  Option<std::string> o = std::string("hi");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(*o, "hi");
  EXPECT_EQ(o->size(), 2u);
  EXPECT_EQ(pollen::some(5), Option<int>(5));
  EXPECT_NE(pollen::some(5), Option<int>(6));
  EXPECT_NE(pollen::some(5), Option<int>());
}

TEST(Option, TakeMovesTheValueOutAndEmptiesTheSource) {
  Option<std::unique_ptr<int>> o(std::unique_ptr<int>(new int(3)));
  Option<std::unique_ptr<int>> t = o.take();
  EXPECT_FALSE(o.has_value());
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(**t, 3);
}

TEST(Option, ValueOrGivesTheFallbackOnlyWhenEmpty) {
  Option<int> e;
  Option<int> f = 4;
  EXPECT_EQ(e.value_or(9), 9);
  EXPECT_EQ(f.value_or(9), 4);
}

TEST(Option, DestroysItsValueExactlyOnce) {
  ProbeCounts c;
  {
    Option<Probe<int>> o(Probe<int>(c, 1));
    Option<Probe<int>> copy = o;
    Option<Probe<int>> moved = std::move(o);
    moved.reset();
    moved.emplace(c, 2);
    copy = pollen::none;
  }
  EXPECT_EQ(c.alive(), 0);
  EXPECT_EQ(c.constructed, 2);
}

TEST(Option, AssignmentReplacesOrClearsTheValue) {
  ProbeCounts c;
  Option<Probe<int>> a(Probe<int>(c, 1));
  Option<Probe<int>> b;
  b = a;
  EXPECT_EQ(b->value(), 1);
  a = Option<Probe<int>>();
  EXPECT_FALSE(a.has_value());
  a = std::move(b);
  EXPECT_EQ(a->value(), 1);
  a.reset();
  b.reset();
  EXPECT_EQ(c.alive(), 0);
}

TEST(Option, ReadingAnEmptyOptionIsAContractError) {
  Option<int> e;
  EXPECT_CONTRACT_ERROR((void)e.value(), "Option::value() called on an empty Option");
  EXPECT_CONTRACT_ERROR((void)*e, "check has_value() first");
}
