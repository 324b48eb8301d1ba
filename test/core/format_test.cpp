// The library's own formatter (src/format.hpp) prints what fmt prints for
// every form the library's messages, describe() text and traces use.
#include "../../src/format.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

using pollen::detail::format;

TEST(Format, IntegersTextAndBracesAsFmt) {
  std::uint64_t id = 18446744073709551615ull;
  std::int64_t neg = -9223372036854775807ll - 1;
  std::string name = "worker";
  EXPECT_EQ(format("task #{} \"{}\"", id, name), fmt::format("task #{} \"{}\"", id, name));
  EXPECT_EQ(format("{} {} {} {}", neg, -1, 0u, static_cast<short>(-7)),
            fmt::format("{} {} {} {}", neg, -1, 0u, static_cast<short>(-7)));
  EXPECT_EQ(format("{} and {}", true, false), "true and false");
  EXPECT_EQ(format("{}{}", 'a', "bc"), "abc");
  EXPECT_EQ(format("{{}} {{{}}}", 5), fmt::format("{{}} {{{}}}", 5));
  EXPECT_EQ(format("no placeholders"), "no placeholders");
  EXPECT_EQ(format("{}", static_cast<const char*>(nullptr)), "(null)");
  EXPECT_EQ(format(""), "");
}

TEST(Format, TheSpecsTheLibraryUsesAsFmt) {
  for (double v : {0.0, 0.04999, 1.0, 12.3456, 999.95, 1234567.891, -3.25}) {
    EXPECT_EQ(format("{:.1f}", v), fmt::format("{:.1f}", v)) << v;
    EXPECT_EQ(format("{:.2f}", v), fmt::format("{:.2f}", v)) << v;
    EXPECT_EQ(format("{:.3f}", v), fmt::format("{:.3f}", v)) << v;
    EXPECT_EQ(format("{:.3g}", v), fmt::format("{:.3g}", v)) << v;
    EXPECT_EQ(format("{:9.3f}", v), fmt::format("{:9.3f}", v)) << v;
  }
  for (unsigned c : {0u, 0x1fu, 0xabcdu}) {
    EXPECT_EQ(format("\\u{:04x}", c), fmt::format("\\u{:04x}", c)) << c;
  }
  EXPECT_EQ(format("{:04x}", -1), "ffffffffffffffff");
}

TEST(Format, APlaceholderWithoutAnArgumentOrTheReverseIsMarkedNotRead) {
  EXPECT_EQ(format("a {} b {}", 1), "a 1 b {?}");
  EXPECT_EQ(format("a", 1), "a{?}");
  EXPECT_EQ(format("{0}", 1), "{?}");
  EXPECT_EQ(format("open {", 1), "open {?}");
}

TEST(Format, FormatToAppendsToAnythingWithAppend) {
  std::string out = "x=";
  pollen::detail::format_to(out, "{}", 42);
  pollen::detail::format_to(out, ", y={:.1f}", 0.25);
  EXPECT_EQ(out, "x=42, y=0.2");  // printf and fmt both round half to even here
  EXPECT_EQ(out, std::string("x=42, ") + fmt::format("y={:.1f}", 0.25));
}

}  // namespace
