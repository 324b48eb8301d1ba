#include <pollen/config.hpp>
#include <pollen/core/ready.hpp>

#include <gtest/gtest.h>

#include <cstdio>
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

TEST(Config, TheVersionMacrosAgree) {
  // config.hpp brings <pollen/version.hpp>; meson.build checks the string
  // against the project's version when it configures.
  char expected[32];
  std::snprintf(expected, sizeof expected, "%d.%d.%d", POLLEN_VERSION_MAJOR, POLLEN_VERSION_MINOR,
                POLLEN_VERSION_PATCH);
  EXPECT_STREQ(expected, POLLEN_VERSION_STRING);
  EXPECT_EQ(POLLEN_VERSION, POLLEN_VERSION_OF(POLLEN_VERSION_MAJOR, POLLEN_VERSION_MINOR, POLLEN_VERSION_PATCH));
  EXPECT_LT(POLLEN_VERSION_OF(0, 9, 999), POLLEN_VERSION_OF(1, 0, 0));
  EXPECT_LT(POLLEN_VERSION_OF(0, 1, 999), POLLEN_VERSION_OF(0, 2, 0));
}
