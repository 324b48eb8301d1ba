#include <pollen/core/future.hpp>
#include <pollen/core/ready.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <type_traits>

namespace {
struct Good {
  using Output = int;
  pollen::Poll<int> poll(pollen::Context&) { return 1; }
};
struct NoOutput {
  pollen::Poll<int> poll(pollen::Context&) { return 1; }
};
struct WrongReturn {
  using Output = int;
  int poll(pollen::Context&) { return 1; }
};
struct MismatchedOutput {
  using Output = long;
  pollen::Poll<int> poll(pollen::Context&) { return 1; }
};
struct NotMovable {
  using Output = int;
  NotMovable() = default;
  NotMovable(NotMovable&&) = delete;
  pollen::Poll<int> poll(pollen::Context&) { return 1; }
};
struct MoveOnly {
  using Output = std::unique_ptr<int>;
  std::unique_ptr<int> p;
  pollen::Poll<std::unique_ptr<int>> poll(pollen::Context&) { return std::move(p); }
};
}  // namespace

TEST(IsFuture, AcceptsTypesThatFollowTheProtocol) {
  EXPECT_TRUE(pollen::is_future<Good>::value);
  EXPECT_TRUE(pollen::is_future<MoveOnly>::value);
  EXPECT_TRUE(pollen::is_future<pollen::Ready<int>>::value);
}

TEST(IsFuture, RejectsTypesThatDoNot) {
  EXPECT_FALSE(pollen::is_future<int>::value);
  EXPECT_FALSE(pollen::is_future<NoOutput>::value);
  EXPECT_FALSE(pollen::is_future<WrongReturn>::value);
  EXPECT_FALSE(pollen::is_future<MismatchedOutput>::value);
  EXPECT_FALSE(pollen::is_future<NotMovable>::value);
  EXPECT_FALSE(pollen::is_future<Good&>::value);
}

TEST(OutputT, IsTheFuturesOutputType) {
  EXPECT_TRUE((std::is_same<pollen::output_t<Good>, int>::value));
  EXPECT_TRUE((std::is_same<pollen::output_t<MoveOnly>, std::unique_ptr<int>>::value));
  EXPECT_TRUE((std::is_same<pollen::output_t<int>, pollen::detail::NotAFuture>::value));
}
