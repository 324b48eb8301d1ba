#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/ready.hpp>

#include <gtest/gtest.h>

namespace {
struct Unsafe {
  static constexpr bool is_cancel_safe = false;
};
struct Safe {
  static constexpr bool is_cancel_safe = true;
};
struct Silent {};
}  // namespace

TEST(IsCancelSafe, ReadsTheMemberConstant) {
  EXPECT_FALSE(pollen::is_cancel_safe<Unsafe>::value);
  EXPECT_TRUE(pollen::is_cancel_safe<Safe>::value);
}

TEST(IsCancelSafe, AssumesFuturesThatSayNothingAreSafe) {
  EXPECT_TRUE(pollen::is_cancel_safe<Silent>::value);
  EXPECT_TRUE(pollen::is_cancel_safe<pollen::Ready<int>>::value);
}

TEST(IsCancelSafe, WarningNamesTheCombinatorTheArmAndTheType) {
  testing::internal::CaptureStderr();
  pollen::detail::warn_cancel_unsafe_drop("Select", 1, "Send<int>");
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("Select dropped its arm 1 (Send<int>)"), std::string::npos) << err;
  EXPECT_NE(err.find("not cancel safe"), std::string::npos) << err;
}
