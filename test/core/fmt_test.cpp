#include <pollen/fmt.hpp>
#include <pollen/core/ready.hpp>

#include <gtest/gtest.h>

#include <fmt/format.h>

TEST(Fmt, FormatsPollAsReadyOrPending) {
  EXPECT_EQ(fmt::format("{}", pollen::Poll<int>(3)), "Ready(3)");
  EXPECT_EQ(fmt::format("{}", pollen::Poll<int>(pollen::pending)), "Pending");
}

TEST(Fmt, FormatsOptionAndUnit) {
  EXPECT_EQ(fmt::format("{}", pollen::Option<int>(4)), "Some(4)");
  EXPECT_EQ(fmt::format("{}", pollen::Option<int>()), "None");
  EXPECT_EQ(fmt::format("{}", pollen::Unit{}), "()");
  EXPECT_EQ(fmt::format("{}", pollen::Poll<pollen::Unit>(pollen::Unit{})), "Ready(())");
}

TEST(Fmt, FormatsAFutureAsItsStateTree) {
  auto f = pollen::ready(1);
  EXPECT_EQ(fmt::format("{}", f), "Ready [value waiting]");
  EXPECT_EQ(fmt::format("<{:>25}>", f), "<    Ready [value waiting]>");
}
