#include <pollen/core/unit.hpp>

#include <gtest/gtest.h>

#include <type_traits>

TEST(Unit, AllUnitsAreEqual) {
  EXPECT_TRUE(pollen::Unit{} == pollen::Unit{});
  EXPECT_FALSE(pollen::Unit{} != pollen::Unit{});
}

TEST(Unit, IsAnEmptyTrivialValue) {
  EXPECT_TRUE(std::is_empty<pollen::Unit>::value);
  EXPECT_TRUE(std::is_trivially_copyable<pollen::Unit>::value);
}
