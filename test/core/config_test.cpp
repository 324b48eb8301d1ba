#include <pollen/config.hpp>
#include <pollen/core/ready.hpp>

#include <gtest/gtest.h>

#include <string>
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
  std::string name = pollen::detail::type_name<pollen::Unit>();
  EXPECT_NE(name.find(POLLEN_HAS_EXCEPTIONS ? "v0_exc" : "v0_noexc"), std::string::npos) << name;
}
