// test/support/contract.hpp: EXPECT_CONTRACT_ERROR(statement, text).
//
// With exceptions: expects `statement` to throw pollen::ContractError whose
// message contains `text`. Without exceptions: a death test expecting the
// process to abort after printing `text` (a regular expression there, so
// keep `text` free of regex metacharacters such as ( ) [ ] . * +).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#if POLLEN_HAS_EXCEPTIONS
#define EXPECT_CONTRACT_ERROR(statement, text)                                              \
  do {                                                                                      \
    bool pollen_thrown_ = false;                                                            \
    try {                                                                                   \
      statement;                                                                            \
    } catch (const ::pollen::ContractError& e) {                                            \
      pollen_thrown_ = true;                                                                \
      EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr(text));                       \
    }                                                                                       \
    EXPECT_TRUE(pollen_thrown_) << "expected a pollen::ContractError from: " #statement;    \
  } while (0)
#else
#define EXPECT_CONTRACT_ERROR(statement, text) \
  EXPECT_DEATH({ statement; }, ::testing::HasSubstr(std::string(text)))
#endif
