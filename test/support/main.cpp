// The main() of every test program: GoogleTest, with death tests in the
// "threadsafe" style (they re-run the program instead of forking a process
// that may hold other threads' locks).
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  return RUN_ALL_TESTS();
}
