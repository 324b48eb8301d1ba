#include <pollen/core/contract.hpp>

#include "contract.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <type_traits>

TEST(ContractError, IsALogicError) {
  EXPECT_TRUE((std::is_base_of<std::logic_error, pollen::ContractError>::value));
}

TEST(ContractError, MessageIsPrefixedWithPollen) {
  EXPECT_CONTRACT_ERROR(pollen::detail::contract_violation("you did a thing; do another"),
                        "pollen: you did a thing; do another");
}

TEST(ContractError, PolledAfterReadyNamesTheFutureAndTheRemedy) {
  EXPECT_CONTRACT_ERROR(pollen::detail::polled_after_ready("Widget"),
                        "Widget polled after it returned Ready");
  EXPECT_CONTRACT_ERROR(pollen::detail::polled_after_ready("Widget"), "wrap it in fuse");
}

TEST(ContractError, PolledAfterThrowNamesTheFuture) {
  EXPECT_CONTRACT_ERROR(pollen::detail::polled_after_throw("Widget"),
                        "Widget polled again after its poll threw");
}

TEST(ContractError, RequireMacroRaisesOnlyWhenTheConditionFails) {
  int checked = 0;
  POLLEN_REQUIRE(++checked == 1, "never raised");
  EXPECT_EQ(checked, 1);
  EXPECT_CONTRACT_ERROR(POLLEN_REQUIRE(checked == 2, "checked must be two"),
                        "checked must be two");
}

#if POLLEN_HAS_EXCEPTIONS
TEST(ContractError, CanBeCaughtAsStdLogicError) {
  bool caught = false;
  try {
    pollen::detail::contract_violation("x");
  } catch (const std::logic_error& e) {
    caught = std::string(e.what()) == "pollen: x";
  }
  EXPECT_TRUE(caught);
}
#else
TEST(ContractErrorDeathTest, AbortsWithTheMessageWithoutExceptions) {
  EXPECT_DEATH(pollen::detail::contract_violation("no exceptions here"),
               "pollen: no exceptions here .ContractError; built without exceptions, aborting.");
}
#endif

TEST(InternalAssertDeathTest, AbortsAndSaysItIsABugInPollen) {
  EXPECT_DEATH(POLLEN_ASSERT(1 + 1 == 3, "arithmetic is broken"),
               "pollen internal error: arithmetic is broken");
}
