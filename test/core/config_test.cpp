#include <pollen/config.hpp>
#include <pollen/core/ready.hpp>

#include <gtest/gtest.h>

#include <type_traits>

TEST(Config, ModeMacrosMatchTheCompilerSwitches) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  EXPECT_EQ(POLLEN_HAS_EXCEPTIONS, 1);
#else
  EXPECT_EQ(POLLEN_HAS_EXCEPTIONS, 0);
#endif
#if defined(__cpp_rtti) || defined(__GXX_RTTI)
  EXPECT_EQ(POLLEN_HAS_RTTI, 1);
#else
  EXPECT_EQ(POLLEN_HAS_RTTI, 0);
#endif
}

TEST(Config, NamesLiveInAnInlineNamespaceThatCarriesTheExceptionMode) {
#if POLLEN_HAS_EXCEPTIONS
  EXPECT_TRUE((std::is_same<pollen::Ready<int>, pollen::v0_exc::Ready<int>>::value));
#else
  EXPECT_TRUE((std::is_same<pollen::Ready<int>, pollen::v0_noexc::Ready<int>>::value));
#endif
}
