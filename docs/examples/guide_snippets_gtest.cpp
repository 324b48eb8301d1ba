// The guides' snippets written as GoogleTest tests (docs/time.md,
// docs/introspection.md), quoted there verbatim (check_quotes.py) and run
// with the tests (test/testing/meson.build).
#include <pollen/pollen.hpp>

#include <pollen/testing.hpp>
#include <pollen/testing/gtest.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

// docs/time.md, "Virtual time in tests", with the installed testing kit.
TEST(GuideSnippets, VirtualTimeInTests) {
  pollen::TimerDriver driver(pollen::ClockKind::Virtual);
  auto t = pollen::testing::test_task(
      pollen::timeout(driver, pollen::never<int>(), std::chrono::hours(1)));
  EXPECT_PENDING(t);
  EXPECT_TRUE(driver.advance_to_next_timer());   // now() jumps one hour
  EXPECT_READY_EQ(t, pollen::Option<int>(pollen::none));
}

// docs/introspection.md, "Counting polls": in a test, with the installed
// kit's CountingWaker, the observer is told the wake count before each poll.
TEST(GuideSnippets, TestPollsWatchedByAnObserver) {
  auto f = pollen::never<int>();
  pollen::testing::CountingWaker waker;
  pollen::PollObserver obs;
  pollen::Context cx(waker.waker(), obs);
  obs.begin_task_poll(waker.wakes());   // before each poll: the wakes so far
  EXPECT_TRUE(f.poll(cx).is_pending());
  std::string tree = pollen::describe(f, obs);
  EXPECT_EQ(obs.total_polls(), 1u);
  EXPECT_EQ(obs.total_spurious(), 0u);
  EXPECT_NE(tree.find("Never [never ready] 1 B, 1 poll"), std::string::npos) << tree;
  // Polled again without a wake: the poll was for nothing.
  obs.begin_task_poll(waker.wakes());
  EXPECT_TRUE(f.poll(cx).is_pending());
  EXPECT_EQ(obs.total_spurious(), 1u);
}
