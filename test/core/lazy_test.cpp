#include <pollen/core/lazy.hpp>

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>


TEST(Lazy, DoesNothingUntilPolled) {
  int calls = 0;
  auto f = pollen::lazy([&] { return ++calls; });
  EXPECT_EQ(calls, 0);
  auto t = pollen::test::test_task(std::move(f));
  EXPECT_EQ(calls, 0);
  EXPECT_READY_EQ(t, 1);
  EXPECT_EQ(calls, 1);
}

TEST(Lazy, VoidFunctionGivesUnit) {
  bool ran = false;
  auto t = pollen::test::test_task(pollen::lazy([&] { ran = true; }));
  static_assert(std::is_same<decltype(t)::Output, pollen::Unit>::value, "void -> Unit");
  EXPECT_READY_EQ(t, pollen::Unit{});
  EXPECT_TRUE(ran);
}

TEST(Lazy, FunctionIsDestroyedAfterTheCallAndUncalledOnCancel) {
  auto token = std::make_shared<int>(0);
  {
    auto t = pollen::test::test_task(pollen::lazy([token] { return *token; }));
    EXPECT_EQ(token.use_count(), 2);
    EXPECT_READY_EQ(t, 0);
    EXPECT_EQ(token.use_count(), 1);  // fn destroyed when it ran
  }
  {
    auto f = pollen::lazy([token] { return *token; });
    EXPECT_EQ(token.use_count(), 2);
  }
  EXPECT_EQ(token.use_count(), 1);  // destroyed uncalled
}

TEST(Lazy, PollingAfterReadyIsAContractError) {
  auto t = pollen::test::test_task(pollen::lazy([] { return 1; }));
  EXPECT_READY_EQ(t, 1);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Lazy polled after it returned Ready");
}

TEST(Lazy, DescribesItsState) {
  auto t = pollen::test::test_task(pollen::lazy([] { return 1; }));
  EXPECT_EQ(t.describe(), "Lazy [state: Unstarted]\n");
  (void)t.poll();
  EXPECT_EQ(t.describe(), "Lazy [state: Done]\n");
}

#if POLLEN_HAS_EXCEPTIONS
TEST(LazyExceptions, ThrowingFunctionPropagatesAndPoisons) {
  auto t = pollen::test::test_task(pollen::lazy([]() -> int { throw std::runtime_error("boom"); }));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_CONTRACT_ERROR((void)t.poll(), "Lazy polled again after its poll threw");
  EXPECT_EQ(t.describe(), "Lazy [state: Running (fn threw)]\n");
}
#endif
