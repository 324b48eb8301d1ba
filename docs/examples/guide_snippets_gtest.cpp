// The guides' snippets written as GoogleTest tests (docs/time.md,
// docs/introspection.md), quoted there verbatim (check_quotes.py) and run
// with the tests (test/testing/meson.build).
#include <pollen/pollen.hpp>

#include "test_task.hpp"  // pollen's own test support: TestTask::watch, describe_stats

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

// docs/introspection.md, "Counting polls": TestTask (pollen's test support)
// tells a PollObserver the wake count before each poll.
TEST(GuideSnippets, TestTaskWatchedByAnObserver) {
  auto f = pollen::never<int>();
  auto t = pollen::test::test_task(std::move(f));
  pollen::PollObserver obs;
  t.watch(&obs);            // each t.poll() tells obs the wake count first
  EXPECT_PENDING(t);
  std::string tree = t.describe_stats();
  EXPECT_EQ(obs.total_polls(), 1u);
  EXPECT_NE(tree.find("Never"), std::string::npos) << tree;
}
