#include <pollen/future.hpp>
#include <pollen/core/lazy.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>

#include "test_task.hpp"

#include <gtest/gtest.h>

#include <string>

using pollen::test::test_task;

namespace {
// A user future that opts into chaining by deriving the mixin.
struct Seven : pollen::FutureExt<Seven> {
  using Output = int;
  pollen::Poll<int> poll(pollen::Context&) { return 7; }
};
// A user future that does not: the free functions still work.
struct Eight {
  using Output = int;
  pollen::Poll<int> poll(pollen::Context&) { return 8; }
};
}  // namespace

TEST(FutureExt, AUserFutureThatDerivesTheMixinChains) {
  auto t = test_task(Seven{}.map([](int x) { return x * 2; }).then([](int x) { return pollen::ready(x + 1); }));
  EXPECT_READY_EQ(t, 15);
}

TEST(FutureExt, TheFreeFunctionsWorkOnAnyFuture) {
  auto t = test_task(pollen::then(pollen::map(Eight{}, [](int x) { return x + 1; }),
                                  [](int x) { return pollen::ready(x * 2); }));
  EXPECT_READY_EQ(t, 18);
}

TEST(FutureExt, EveryLibraryFutureChains) {
  auto a = pollen::ready(1).map([](int x) { return x; });
  auto b = pollen::never<int>().map([](int x) { return x; });
  auto c = pollen::lazy([] { return 1; }).map([](int x) { return x; });
  auto d = pollen::poll_fn([](pollen::Context&) -> pollen::Poll<int> { return 1; }).fuse();
  auto e = pollen::boxed(pollen::ready(1)).map([](int x) { return x; });
  auto f = pollen::join(pollen::ready(1), pollen::ready(2)).fuse();
  auto g = pollen::select(pollen::ready(1), pollen::never<int>()).map([](pollen::Either<int, int> o) { return o.index(); });
  auto h = pollen::ready(1).then([](int x) { return pollen::ready(x); }).boxed();
  auto t = test_task(std::move(h));
  EXPECT_READY_EQ(t, 1);
  (void)a; (void)b; (void)c; (void)d; (void)e; (void)f; (void)g;
}

TEST(FutureExt, BoxingAChainAllocatesOnce) {
  auto chain = pollen::ready(1).map([](int x) { return x + 1; });
  auto boxed = std::move(chain).boxed();
  static_assert(std::is_same<decltype(boxed), pollen::BoxFuture<int>>::value, "a BoxFuture");
  auto t = test_task(std::move(boxed));
  EXPECT_READY_EQ(t, 2);
}

TEST(FutureExt, TheMixinAddsNoBytes) {
  static_assert(sizeof(Seven) == 1, "empty");
  static_assert(sizeof(pollen::Ready<int>) == sizeof(pollen::Option<int>), "no bytes added");
  static_assert(std::is_empty<pollen::Never<int>>::value, "still empty");
  SUCCEED();
}
