// pollen/testing/gtest.hpp: GoogleTest assertions for pollen::testing's
// TestTask (see <pollen/testing.hpp>). Include it from test files that use
// GoogleTest; the kit itself does not need it.
//
//   auto t = pollen::testing::test_task(my_future());
//   EXPECT_PENDING(t);            // polls once, expects Pending
//   EXPECT_TRUE(t.is_woken());
//   EXPECT_READY_EQ(t, 42);       // polls once, expects Ready(42)
//
//   auto s = pollen::testing::test_task(my_stream());
//   EXPECT_NEXT_EQ(s, 1);         // poll_next: Ready(some(1))
//   EXPECT_NEXT_PENDING(s);       // poll_next: Pending
//   EXPECT_STREAM_END(s);         // poll_next: Ready(none)
//
// Each macro polls exactly once and reports a failure (the test goes on)
// when the poll gives something else; ASSERT_PENDING / ASSERT_READY_EQ stop
// the test instead. A test framework that defines macros of these names
// first keeps its own (they are defined only when not defined yet).
#pragma once

#include <pollen/testing.hpp>

#include <gtest/gtest.h>

#include <utility>

#ifndef EXPECT_PENDING
// Polls the task once and expects Pending.
#define EXPECT_PENDING(task) \
  EXPECT_TRUE((task).poll().is_pending()) << "expected " #task " to be Pending"
#endif

#ifndef ASSERT_PENDING
#define ASSERT_PENDING(task) \
  ASSERT_TRUE((task).poll().is_pending()) << "expected " #task " to be Pending"
#endif

#ifndef EXPECT_READY
// Polls the task once and expects Ready (any value).
#define EXPECT_READY(task) \
  EXPECT_TRUE((task).poll().is_ready()) << "expected " #task " to be Ready, it was Pending"
#endif

#ifndef EXPECT_READY_EQ
// Polls the task once and expects Ready with a value equal to `expected`.
#define EXPECT_READY_EQ(task, expected)                                   \
  do {                                                                    \
    auto pollen_p_ = (task).poll();                                       \
    if (pollen_p_.is_ready()) {                                           \
      EXPECT_EQ(std::move(pollen_p_).value(), (expected));                \
    } else {                                                              \
      ADD_FAILURE() << "expected " #task " to be Ready, it was Pending";  \
    }                                                                     \
  } while (0)
#endif

#ifndef ASSERT_READY_EQ
#define ASSERT_READY_EQ(task, expected)                                   \
  do {                                                                    \
    auto pollen_p_ = (task).poll();                                       \
    ASSERT_TRUE(pollen_p_.is_ready()) << "expected " #task " to be Ready, it was Pending"; \
    ASSERT_EQ(std::move(pollen_p_).value(), (expected));                  \
  } while (0)
#endif

#ifndef EXPECT_NEXT_PENDING
// Polls the stream task once (poll_next) and expects Pending.
#define EXPECT_NEXT_PENDING(task) \
  EXPECT_TRUE((task).poll_next().is_pending()) << "expected " #task " to be Pending"
#endif

#ifndef EXPECT_NEXT_EQ
// Polls the stream task once and expects Ready(some(item)) with an item
// equal to `expected`.
#define EXPECT_NEXT_EQ(task, expected)                                                       \
  do {                                                                                       \
    auto pollen_p_ = (task).poll_next();                                                     \
    if (!pollen_p_.is_ready()) {                                                             \
      ADD_FAILURE() << "expected an item from " #task ", it was Pending";                    \
    } else {                                                                                 \
      auto pollen_o_ = std::move(pollen_p_).value();                                         \
      if (pollen_o_.has_value()) {                                                           \
        EXPECT_EQ(*pollen_o_, (expected));                                                   \
      } else {                                                                               \
        ADD_FAILURE() << "expected an item from " #task ", the stream ended";                \
      }                                                                                      \
    }                                                                                        \
  } while (0)
#endif

#ifndef EXPECT_STREAM_END
// Polls the stream task once and expects Ready(none): the stream ended.
#define EXPECT_STREAM_END(task)                                                      \
  do {                                                                               \
    auto pollen_p_ = (task).poll_next();                                             \
    if (!pollen_p_.is_ready()) {                                                     \
      ADD_FAILURE() << "expected " #task " to end, it was Pending";                  \
    } else {                                                                         \
      EXPECT_FALSE(std::move(pollen_p_).value().has_value())                         \
          << "expected " #task " to end, it gave an item";                           \
    }                                                                                \
  } while (0)
#endif
